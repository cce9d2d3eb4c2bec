// Mock of Settings → "KSeF certificates": one imported certificate the company signs
// in with, an Offline one from an earlier enrolment; KSeF's limit of 3 held.
import type { IpcError, KsefCertificateDto, KsefEnrollmentDto } from "../bindings";
import type { AreaMock, MockContext } from "./areas";

const COMMANDS = new Set([
  "ksef_certificates",
  "enroll_ksef_certificate",
  "renew_ksef_certificate",
  "sign_in_with_ksef_certificate",
  "revoke_ksef_certificate",
  "enrollment_progress",
]);

const CERTIFICATE_LIMIT = 3;
const ENROLLMENT_LIMIT = 6;

export function createKsefCertificatesMock(): AreaMock {
  const certificates: KsefCertificateDto[] = [
    {
      serial: "5A3C19F0A1B2C3D4",
      name: "Certyfikat Anny Nowak",
      kind: "authentication",
      state: "active",
      validFrom: "2025-12-10T00:00:00Z",
      validTo: "2026-12-10T00:00:00Z",
      lastUsedAt: "2026-11-25T07:58:00Z",
      usedByThisApp: true,
      keyInApp: false,
    },
    {
      serial: "1F2E3D4C5B6A7988",
      name: "Faktury offline",
      kind: "offline",
      state: "active",
      validFrom: "2026-06-01T00:00:00Z",
      validTo: "2028-06-01T00:00:00Z",
      lastUsedAt: null,
      usedByThisApp: false,
      keyInApp: true,
    },
  ];
  let enrolments = 2;
  let next = 0x7000;
  /** A name starting "Wolny" makes KSeF never issue, so Cancel can be tried. */
  let slowPending = false;

  const held = () => certificates.filter((c) => c.state === "active").length;
  const find = (serial: unknown) => {
    const found = certificates.find((c) => c.serial === serial);
    if (!found) throw { kind: "notFound", code: "not_found", message: `${serial}`, fields: [] };
    return found;
  };
  const needsCertificate = (context: MockContext): IpcError => ({
    kind: "conflict",
    code: "enrollment_needs_certificate",
    message:
      context.locale === "pl"
        ? "KSeF wydaje certyfikaty tylko po logowaniu certyfikatem, a ta firma loguje się tokenem."
        : "KSeF issues certificates only after a certificate sign-in, and this company signs in with a token.",
    fields: [],
  });
  const useToSignIn = (certificate: KsefCertificateDto) => {
    for (const c of certificates) c.usedByThisApp = false;
    certificate.usedByThisApp = true;
  };
  const enroll = (request: KsefEnrollmentDto, context: MockContext, companyId: number) => {
    if (!context.onCertificate.has(companyId)) throw needsCertificate(context);
    if (request.name.startsWith("Wolny")) {
      slowPending = true;
      return new Promise<never>(() => {});
    }
    enrolments += 1;
    next += 1;
    const certificate: KsefCertificateDto = {
      serial: `00AB${next.toString(16).toUpperCase()}CDEF0123`,
      name: request.name,
      kind: request.kind,
      state: "active",
      validFrom: "2026-11-25T08:00:00Z",
      validTo: "2028-11-25T08:00:00Z",
      lastUsedAt: null,
      usedByThisApp: false,
      keyInApp: true,
    };
    certificates.unshift(certificate);
    if (request.useToSignIn) useToSignIn(certificate);
    return certificate.serial;
  };

  return {
    handles: (cmd) => COMMANDS.has(cmd),
    handle(cmd, args, context) {
      const companyId = args.companyId as number;
      switch (cmd) {
        case "ksef_certificates":
          return {
            certificates,
            canRequest: held() < CERTIFICATE_LIMIT && enrolments < ENROLLMENT_LIMIT,
            enrollmentLimit: ENROLLMENT_LIMIT,
            enrollmentRemaining: ENROLLMENT_LIMIT - enrolments,
            certificateLimit: CERTIFICATE_LIMIT,
            certificateRemaining: CERTIFICATE_LIMIT - held(),
            canEnroll: context.onCertificate.has(companyId),
          };
        case "enroll_ksef_certificate":
          return enroll(args.request as KsefEnrollmentDto, context, companyId);
        case "renew_ksef_certificate": {
          const old = find(args.serial);
          return enroll(
            { name: old.name, kind: old.kind ?? "authentication", useToSignIn: old.usedByThisApp },
            context,
            companyId,
          );
        }
        case "sign_in_with_ksef_certificate":
          useToSignIn(find(args.serial));
          return null;
        case "enrollment_progress":
          return slowPending ? "waiting" : null;
        case "revoke_ksef_certificate": {
          const certificate = find(args.serial);
          certificate.state = "revoked";
          return certificate.usedByThisApp;
        }
        default:
          throw `mock IPC: unknown command ${cmd}`;
      }
    },
  };
}
