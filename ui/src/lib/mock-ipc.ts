// A stand-in for the Rust side, for browser tests and `npm run dev:mock`.
// Its data is typed by the generated bindings, so it cannot drift from them.
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type {
  CompanyDto,
  ConnectionReportDto,
  ConnectionRequestDto,
  NewCertificateCompanyDto,
  NewCompanyDto,
  ContractorDto,
  DashboardDto,
  CompanyOverviewDto,
  CompanyTokenDto,
  CredentialsDto,
  CertificateRequestDto,
  CertificateSwitchDto,
  IpcError,
  RoleDto,
  LocaleDto,
  StartupDto,
  StatusDto,
} from "./bindings";
import { areaMocks } from "./mock/areas";

const companies: CompanyDto[] = [
  {
    id: 1,
    nip: "5265877635",
    name: "Pracownia Demo Sp. z o.o.",
    addressLine1: "ul. Marszałkowska 84/92",
    addressLine2: "00-514 Warszawa",
    environment: "simulator",
  },
  {
    id: 2,
    nip: "7740001454",
    name: "Kwiaciarnia Bratek",
    addressLine1: "ul. Ogrodowa 3",
    addressLine2: "87-100 Toruń",
    environment: "production",
  },
];

const contractors: ContractorDto[] = [
  {
    id: 1,
    nip: "7740001454",
    euVatId: null,
    name: "Hurtownia Papiernicza Kałamarz S.A.",
    addressLine1: "ul. Żółkiewskiego 12",
    addressLine2: "87-100 Toruń",
    countryCode: "PL",
    email: null,
    trusted: true,
  },
  {
    id: 2,
    nip: "8992689516",
    euVatId: null,
    name: "Drukarnia Świt s.c.",
    addressLine1: "ul. Legnicka 55",
    addressLine2: "54-203 Wrocław",
    countryCode: "PL",
    email: null,
    trusted: false,
  },
  {
    id: 3,
    nip: null,
    euVatId: "DE811569869",
    name: "Müller Bürobedarf GmbH",
    addressLine1: "Friedrichstraße 100",
    addressLine2: "10117 Berlin",
    countryCode: "DE",
    email: null,
    trusted: false,
  },
];

const tokens: CompanyTokenDto[] = [
  {
    reference: "20261120-EC-1A2B3C4D5E-6F7A8B9C0D-11",
    description: "KSeF Desk — biuro rachunkowe",
    permissions: ["Wystawianie faktur", "Przeglądanie faktur"],
    state: "active",
    createdAt: "2026-11-20T09:15:00Z",
    lastUsedAt: "2026-11-25T07:58:00Z",
    author: "Nip 5265877635",
    usedByThisApp: true,
  },
  {
    reference: "20260301-EC-9F8E7D6C5B-4A3B2C1D0E-22",
    description: "Stary program księgowy",
    permissions: ["Przeglądanie faktur"],
    state: "active",
    createdAt: "2026-03-01T12:00:00Z",
    lastUsedAt: null,
    author: "Nip 5265877635",
    usedByThisApp: false,
  },
];

/** The demo company is still on a token; the flower shop's certificate ends in 6 days. */
function credentialsOf(
  companyId: number,
  hasSecret: boolean,
  certificate = companyId === 2,
): CredentialsDto {
  const common = { companyId, hasSecret, tokenLastDay: "2026-12-31", tokenDaysLeft: 27 };
  if (!certificate) {
    return {
      ...common,
      method: "token",
      certificate: null,
      alert: { kind: "tokenCutoff", daysLeft: 27, level: "within30Days" },
      canManage: true,
    };
  }
  return {
    ...common,
    method: "certificate",
    certificate: {
      source: "ksef",
      subject: "CN=Anna Nowak, serialNumber=TINPL-7740001454, C=PL",
      issuer: "CN=CCK MF KSeF, O=Ministerstwo Finansów, C=PL",
      serialHex: "5A3C19F0",
      fingerprintSha256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
      keyAlgorithm: "EC P-256",
      notBefore: "2025-12-10T00:00:00Z",
      notAfter: "2026-12-10T00:00:00Z",
      daysLeft: 6,
      level: "within7Days",
    },
    alert: { kind: "certificateExpiring", daysLeft: 6, level: "within7Days" },
    // The flower shop's books are kept here by a costs clerk only.
    canManage: companyId !== 2,
  };
}

export function installMockIpc(): void {
  let locale: LocaleDto = "pl";
  let activeCompanyId = 1;
  const connected = new Set<number>();
  const onCertificate = new Set<number>([2]);
  const credentials = (id: number) =>
    credentialsOf(id, connected.has(id) || onCertificate.has(id), onCertificate.has(id));

  const notFound = (id: unknown): IpcError => ({
    kind: "notFound",
    code: "not_found",
    message: locale === "pl" ? `Nie znaleziono: firma (nr ${id}).` : `Company ${id} not found.`,
    fields: [],
  });

  const company = (id: unknown): CompanyDto => {
    const found = companies.find((c) => c.id === id);
    if (!found) throw notFound(id);
    return found;
  };

  const dashboardOf = (id: unknown): DashboardDto => ({
    company: company(id),
    sales: { draft: 2, issued: 0, queued: 1, sending: 0, accepted: 12840, rejected: 0 },
    costs: { new: 7, described: 1, approved: 3, rejected: 0, paid: 41 },
    contractors: contractors.length,
  });

  mockWindows("main");
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case "startup":
        return {
          locale,
          companies,
          activeCompanyId,
          version: "0.1.0",
          demo: true,
          tokenLastDay: "2026-12-31",
        } satisfies StartupDto;
      case "reset_demo":
        // The real app restarts here; the mock never answers, like a window about to close.
        return new Promise(() => {});
      case "status":
        return {
          environment: company(activeCompanyId).environment,
          connection: connected.has(activeCompanyId) ? "online" : "notConnected",
          queued: 0,
          credentialAlert: credentials(activeCompanyId).alert,
        } satisfies StatusDto;
      case "choose_certificate_file":
        // The real app opens the system's dialog; the mock picks a fixed file.
        return a.kind === "privateKey" ? "/home/anna/ksef/anna.key" : "/home/anna/ksef/anna.crt";
      case "use_certificate": {
        const id = company(a.companyId).id;
        const result = useCertificate(a.request as CertificateRequestDto, locale);
        if (result instanceof Promise) return result;
        onCertificate.add(id);
        connected.add(id);
        return {
          credentials: credentials(id),
          report: testConnection("sim-token-full", locale) as ConnectionReportDto,
        } satisfies CertificateSwitchDto;
      }
      case "company_credentials":
        return credentials(company(a.companyId).id);
      case "set_locale":
        locale = a.locale as LocaleDto;
        return locale;
      case "select_company":
        activeCompanyId = company(a.companyId).id;
        return company(activeCompanyId);
      case "overview":
        return companies.map((c) => ({
          dashboard: dashboardOf(c.id),
          connected: connected.has(c.id),
        })) satisfies CompanyOverviewDto[];
      case "dashboard":
        return dashboardOf(a.companyId);
      case "test_connection":
        return testConnection((a.request as ConnectionRequestDto).token, locale);
      case "connect_company": {
        const request = a.company as NewCompanyDto;
        testConnection(request.token, locale);
        const added: CompanyDto = {
          id: companies.length + 1,
          nip: request.nip,
          name: request.name,
          addressLine1: request.addressLine1,
          addressLine2: request.addressLine2,
          environment: request.environment,
        };
        companies.push(added);
        connected.add(added.id);
        return added;
      }
      case "connect_company_with_certificate": {
        const request = a.company as NewCertificateCompanyDto;
        const refused = useCertificate(request.certificate, locale);
        if (refused instanceof Promise) return refused;
        const added: CompanyDto = {
          id: companies.length + 1,
          nip: request.nip,
          name: request.name,
          addressLine1: request.addressLine1,
          addressLine2: request.addressLine2,
          environment: request.environment,
        };
        companies.push(added);
        onCertificate.add(added.id);
        connected.add(added.id);
        return added;
      }
      case "replace_token": {
        const report = testConnection(a.token as string, locale);
        connected.add(company(a.companyId).id);
        return report;
      }
      case "disconnect_company":
        connected.delete(company(a.companyId).id);
        return null;
      case "cancel_operation":
        return null;
      case "simulator_token":
        return "sim-token-full";
      case "current_roles":
        // The flower shop's books are kept here by a costs clerk only.
        return (company(a.companyId).id === 2 ? ["costs"] : ["admin"]) satisfies RoleDto[];
      case "company_tokens":
        company(a.companyId);
        return tokens;
      case "revoke_company_token": {
        const token = tokens.find((tk) => tk.reference === a.reference);
        if (!token) throw notFound(a.reference);
        token.state = "revoked";
        if (token.usedByThisApp) connected.delete(company(a.companyId).id);
        return token.usedByThisApp;
      }
      case "list_contractors":
        company(a.companyId);
        return contractors;
      default: {
        const area = areaMocks.find((mock) => mock.handles(cmd));
        if (area) return area.handle(cmd, a, { locale, activeCompanyId, onCertificate });
        throw `mock IPC: unknown command ${cmd}`;
      }
    }
  });
}

/** Passwords the mock understands: "zle" is wrong, "slow" never answers; else it works. */
function useCertificate(request: CertificateRequestDto, locale: LocaleDto): null | Promise<never> {
  if (request.password === "slow") return new Promise(() => {});
  if (request.password === "zle") {
    const message =
      locale === "pl"
        ? "Hasło jest nieprawidłowe. Sprawdź wielkość liter i układ klawiatury."
        : "The password is wrong. Check letter case and the keyboard layout.";
    throw {
      kind: "validation",
      code: "certificate_refused",
      message,
      fields: [{ field: "password", code: "wrong_password", message }],
    } satisfies IpcError;
  }
  return null;
}

/** Tokens the mock understands: "sim-token-full", "read-only", "expired"; "slow" never answers. */
function testConnection(token: string, locale: LocaleDto): ConnectionReportDto | Promise<never> {
  if (token === "slow") return new Promise(() => {});
  if (token === "expired") {
    throw {
      kind: "remote",
      code: "token_expired",
      message:
        locale === "pl"
          ? "Token jest nieaktywny: wygasł albo nie został jeszcze aktywowany."
          : "The token is not active: it expired or is not activated yet.",
      fields: [],
    } satisfies IpcError;
  }
  const write = token !== "read-only";
  return {
    nip: "5265877635",
    permissions: [
      { code: "InvoiceWrite", label: "Wystawianie faktur", state: write ? "yes" : "no" },
      { code: "InvoiceRead", label: "Przeglądanie faktur", state: "yes" },
    ],
    features: [
      {
        code: "send_sales_invoices",
        label: "Wysyłanie faktur sprzedaży do KSeF",
        state: write ? "yes" : "no",
        requires: ["Wystawianie faktur"],
      },
      {
        code: "receive_cost_invoices",
        label: "Pobieranie faktur kosztowych",
        state: "yes",
        requires: ["Przeglądanie faktur"],
      },
    ],
  };
}
