//! KSeF as a certificate authority, and who may act in a context.
//!
//! KSeF issues its own certificates (`Authentication` to sign in with XAdES, `Offline` for
//! the QR code II of offline invoices) to the subject that signed in with a signature:
//! the enrolment data is the signing certificate's subject, the CSR must repeat it
//! exactly, and each subject has limits. A certificate carries no rights: what a
//! subject may do in a company's context comes from grants (the NIP owner has all).
//!
//! The simulator's CA key is an EC P-256 key made per instance (fast, and nothing
//! outside the instance needs to trust it): a KSeF certificate is recognised at sign-in
//! by its issuer name and then by an exact match with the record kept here, so a
//! certificate from an earlier instance, a revoked or an expired one is refused.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePrivateKey;
use rsa::pkcs8::DecodePublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::{GeneralizedTime, ObjectIdentifier};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::config::Permission;
use crate::error::SimError;
use crate::http::error::ApiError;

/// The simulator CA's subject (the issuer of every KSeF certificate it makes).
pub const CA_SUBJECT: &str = "CN=KSeF Simulator CA,O=KSeF Desk,C=PL";

/// The subject attributes KSeF puts into enrolment data (certyfikaty-KSeF.md, step 2).
const ENROLMENT_OIDS: [(&str, &str); 8] = [
    ("2.5.4.3", "commonName"),
    ("2.5.4.4", "surname"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.6", "countryName"),
    ("2.5.4.10", "organizationName"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.45", "uniqueIdentifier"),
    ("2.5.4.97", "organizationIdentifier"),
];

/// The type of a KSeF certificate (SPEC `KsefCertificateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateKind {
    /// Signs in with XAdES (keyUsage digitalSignature).
    Authentication,
    /// Signs offline invoices' QR code II (keyUsage nonRepudiation); cannot sign in.
    Offline,
}

impl CertificateKind {
    /// The spec's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authentication => "Authentication",
            Self::Offline => "Offline",
        }
    }
}

/// Who a person or entity is to KSeF (SPEC `CertificateSubjectIdentifier`,
/// `TestDataAuthorizedIdentifier`): the key of grants and of certificate ownership.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value")]
pub enum SubjectId {
    /// A NIP (a company seal, or a person's NIP in `serialNumber`).
    Nip(String),
    /// A person's PESEL.
    Pesel(String),
    /// The uppercase hex SHA-256 of a certificate without an identifier.
    Fingerprint(String),
}

impl SubjectId {
    /// `(type, value)` as the spec spells them.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            Self::Nip(v) => ("Nip", v),
            Self::Pesel(v) => ("Pesel", v),
            Self::Fingerprint(v) => ("Fingerprint", v),
        }
    }

    /// From the spec's `(type, value)`; `None` for an unknown type.
    pub fn from_parts(kind: &str, value: &str) -> Option<Self> {
        match kind {
            "Nip" => Some(Self::Nip(value.to_owned())),
            "Pesel" => Some(Self::Pesel(value.to_owned())),
            "Fingerprint" => Some(Self::Fingerprint(value.to_ascii_uppercase())),
            _ => None,
        }
    }
}

/// Certificate limits and timings of the simulated CA.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertConfig {
    /// Active certificates a subject may hold (25007 beyond).
    pub certificate_limit: u32,
    /// Enrolments a subject may file (25006 beyond).
    pub enrollment_limit: u32,
    /// How long an enrolment stays at status 100 before the certificate is there.
    pub enrollment_delay: Duration,
    /// Validity of an issued certificate.
    pub validity: Duration,
}

impl Default for CertConfig {
    fn default() -> Self {
        Self {
            certificate_limit: 2,
            enrollment_limit: 6,
            enrollment_delay: Duration::from_millis(100),
            validity: Duration::from_secs(2 * 365 * 86_400),
        }
    }
}

/// How an authentication was made (SPEC `AuthenticationMethodInfo`, and the deprecated
/// `AuthenticationMethod` kept until KSeF drops it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMethod {
    /// A KSeF token.
    Token,
    /// A KSeF certificate (issued here).
    KsefCertificate,
    /// A person's signature (PESEL, or no identifier).
    QualifiedSignature,
    /// An organisation's seal (NIP).
    QualifiedSeal,
}

impl AuthMethod {
    /// `(authenticationMethod, category, code, displayName)`.
    pub(crate) fn describe(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Self::Token => ("Token", "Token", "token.ksef", "Token KSeF"),
            Self::KsefCertificate => (
                "InternalCertificate",
                "XadesSignature",
                "xades.certificate.ksef",
                "Certyfikat KSeF",
            ),
            Self::QualifiedSignature => (
                "QualifiedSignature",
                "XadesSignature",
                "xades.signature.qualified",
                "Podpis kwalifikowany",
            ),
            Self::QualifiedSeal => (
                "QualifiedSeal",
                "XadesSignature",
                "xades.seal.qualified",
                "Pieczęć kwalifikowana",
            ),
        }
    }
}

/// The subject who signed in with a certificate, kept with every bearer token of that
/// authentication (certificate operations concern this subject, not the context).
#[derive(Debug, Clone)]
pub(crate) struct Signer {
    pub subject: SubjectId,
    /// The signing certificate's subject attributes `(OID, value)`, in order.
    pub attributes: Vec<(String, String)>,
}

/// One certificate issued by the simulated CA.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCert {
    pub serial: String,
    pub name: String,
    pub kind: CertificateKind,
    pub owner: SubjectId,
    pub common_name: String,
    pub der: Vec<u8>,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub requested: DateTime<Utc>,
    /// Enrolment is asynchronous: the certificate is not seen before this instant.
    pub ready_at: DateTime<Utc>,
    pub revoked: bool,
    pub last_use: Option<DateTime<Utc>>,
}

impl IssuedCert {
    pub(crate) fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.revoked {
            "Revoked"
        } else if self.valid_to <= now {
            "Expired"
        } else {
            "Active"
        }
    }
}

/// A certificate enrolment (`POST /certificates/enrollments`).
#[derive(Debug, Clone)]
pub(crate) struct Enrollment {
    pub owner: SubjectId,
    pub requested: DateTime<Utc>,
    pub ready_at: DateTime<Utc>,
    pub serial: String,
}

/// The CA and its records, grants of rights.
pub(crate) struct CertState {
    ca_key: SigningKey,
    pub ca_name: Name,
    /// By serial number (16 uppercase hex digits).
    pub certs: HashMap<String, IssuedCert>,
    pub enrollments: HashMap<String, Enrollment>,
    /// `(context NIP, subject)` → what the subject may do there.
    pub grants: HashMap<(String, SubjectId), Vec<Permission>>,
    /// When this instance started (the start date of the rights it reports).
    pub started: DateTime<Utc>,
}

impl std::fmt::Debug for CertState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertState")
            .field("certs", &self.certs.len())
            .finish_non_exhaustive()
    }
}

/// What a new certificate is made of.
pub(crate) struct CertRequest {
    pub subject: Name,
    pub spki: SubjectPublicKeyInfoOwned,
    pub kind: CertificateKind,
    pub name: String,
    pub owner: SubjectId,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub ready_at: DateTime<Utc>,
}

fn time(t: DateTime<Utc>) -> Result<Time, SimError> {
    let st = std::time::SystemTime::from(t);
    GeneralizedTime::from_system_time(st)
        .map(Time::GeneralTime)
        .map_err(|_| SimError::Crypto("certificate time out of range"))
}

/// Uppercase hex.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The SHA-256 fingerprint of a certificate as KSeF shows it (uppercase hex).
pub fn fingerprint(der: &[u8]) -> String {
    hex_upper(&Sha256::digest(der))
}

/// The subject attributes `(OID, value)` of a name, in order (string values only).
pub(crate) fn name_attributes(name: &Name) -> Vec<(String, String)> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter_map(|atv| {
            let value = std::str::from_utf8(atv.value.value()).ok()?;
            Some((atv.oid.to_string(), value.to_owned()))
        })
        .collect()
}

/// The subject attributes of a DER certificate.
pub(crate) fn certificate_subject(der: &[u8]) -> Option<Vec<(String, String)>> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    Some(name_attributes(&cert.tbs_certificate.subject))
}

/// The enrolment data of a signer: its subject attributes KSeF repeats, in order.
pub(crate) fn enrollment_attributes(attributes: &[(String, String)]) -> Vec<(String, String)> {
    attributes
        .iter()
        .filter(|(oid, _)| ENROLMENT_OIDS.iter().any(|(o, _)| o == oid))
        .cloned()
        .collect()
}

/// `CertificateEnrollmentDataResponse`; `None` without the required commonName and countryName.
pub(crate) fn enrollment_json(attributes: &[(String, String)]) -> Option<serde_json::Value> {
    let mut map = serde_json::Map::new();
    for (oid, value) in enrollment_attributes(attributes) {
        let Some((_, field)) = ENROLMENT_OIDS.iter().find(|(o, _)| *o == oid) else {
            continue;
        };
        map.entry(*field)
            .or_insert_with(|| serde_json::Value::String(value));
    }
    (map.contains_key("commonName") && map.contains_key("countryName"))
        .then_some(serde_json::Value::Object(map))
}

impl CertState {
    pub(crate) fn new() -> Result<Self, SimError> {
        let ca_name: Name = CA_SUBJECT
            .parse()
            .map_err(|_| SimError::Crypto("CA subject"))?;
        Ok(Self {
            ca_key: SigningKey::random(&mut rand::rngs::OsRng),
            ca_name,
            certs: HashMap::new(),
            enrollments: HashMap::new(),
            grants: HashMap::new(),
            started: Utc::now(),
        })
    }

    fn new_serial(&self) -> String {
        loop {
            let mut bytes: [u8; 8] = rand::random();
            // Positive and exactly 8 bytes in DER, so the hex is the spec's 16 digits.
            bytes[0] = (bytes[0] & 0x7F) | 0x10;
            let serial = hex_upper(&bytes);
            if !self.certs.contains_key(&serial) {
                return serial;
            }
        }
    }

    /// Issues and records a certificate; returns its serial number.
    pub(crate) fn issue(
        &mut self,
        req: CertRequest,
        now: DateTime<Utc>,
    ) -> Result<String, SimError> {
        let serial = self.new_serial();
        let serial_bytes = (0..serial.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&serial[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| SimError::Crypto("serial number"))?;
        let validity = Validity {
            not_before: time(req.valid_from)?,
            not_after: time(req.valid_to)?,
        };
        let common_name = name_attributes(&req.subject)
            .into_iter()
            .find(|(oid, _)| oid == "2.5.4.3")
            .map(|(_, v)| v)
            .unwrap_or_default();
        let serial_number =
            SerialNumber::new(&serial_bytes).map_err(|_| SimError::Crypto("serial number"))?;
        let mut builder = CertificateBuilder::new(
            Profile::Manual {
                issuer: Some(self.ca_name.clone()),
            },
            serial_number,
            validity,
            req.subject,
            req.spki,
            &self.ca_key,
        )
        .map_err(|_| SimError::Crypto("certificate builder"))?;
        let usage = match req.kind {
            CertificateKind::Authentication => KeyUsages::DigitalSignature,
            CertificateKind::Offline => KeyUsages::NonRepudiation,
        };
        builder
            .add_extension(&KeyUsage(usage.into()))
            .map_err(|_| SimError::Crypto("key usage extension"))?;
        builder
            .add_extension(&BasicConstraints {
                ca: false,
                path_len_constraint: None,
            })
            .map_err(|_| SimError::Crypto("basic constraints extension"))?;
        let cert = builder
            .build::<DerSignature>()
            .map_err(|_| SimError::Crypto("certificate signing"))?;
        let der = cert
            .to_der()
            .map_err(|_| SimError::Crypto("certificate encoding"))?;
        self.certs.insert(
            serial.clone(),
            IssuedCert {
                serial: serial.clone(),
                name: req.name,
                kind: req.kind,
                owner: req.owner,
                common_name,
                der,
                valid_from: req.valid_from,
                valid_to: req.valid_to,
                requested: now,
                ready_at: req.ready_at,
                revoked: false,
                last_use: None,
            },
        );
        Ok(serial)
    }

    /// Whether `der` was issued by this CA (by issuer name); such a certificate must also
    /// be one of the records.
    pub(crate) fn is_ours(&self, der: &[u8]) -> bool {
        x509_cert::Certificate::from_der(der)
            .is_ok_and(|c| c.tbs_certificate.issuer == self.ca_name)
    }

    /// The record of a certificate of ours, matched byte for byte.
    pub(crate) fn record_mut(&mut self, der: &[u8]) -> Option<&mut IssuedCert> {
        self.certs.values_mut().find(|c| c.der == der)
    }

    /// Active certificates of a subject (counted against the limit).
    pub(crate) fn active_count(&self, owner: &SubjectId, now: DateTime<Utc>) -> usize {
        self.certs
            .values()
            .filter(|c| &c.owner == owner && c.status(now) == "Active")
            .count()
    }

    /// Enrolments filed by a subject.
    pub(crate) fn enrollment_count(&self, owner: &SubjectId) -> usize {
        self.enrollments
            .values()
            .filter(|e| &e.owner == owner)
            .count()
    }

    /// What `subject` may do in the context of `context_nip`: everything for the NIP
    /// owner, otherwise what was granted.
    pub(crate) fn rights(&self, context_nip: &str, subject: &SubjectId) -> Vec<Permission> {
        if matches!(subject, SubjectId::Nip(n) if n == context_nip) {
            return Permission::ALL.to_vec();
        }
        self.grants
            .get(&(context_nip.to_owned(), subject.clone()))
            .cloned()
            .unwrap_or_default()
    }
}

impl crate::state::AppState {
    /// The caller of a protected endpoint and, after a certificate sign-in, who signed.
    pub(crate) fn cert_caller(
        &self,
        bearer: Option<&str>,
    ) -> Result<(crate::state::Caller, Option<std::sync::Arc<Signer>>), ApiError> {
        let caller = self.caller(bearer, &[])?;
        let signer =
            bearer.and_then(|b| self.inner().bearers.get(b).and_then(|g| g.signer.clone()));
        Ok((caller, signer))
    }
}

/// A new EC P-256 key: `(PKCS#8 DER, SubjectPublicKeyInfo)`.
pub(crate) fn new_p256_key() -> Result<(Vec<u8>, SubjectPublicKeyInfoOwned), SimError> {
    let key = SigningKey::random(&mut rand::rngs::OsRng);
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|_| SimError::Crypto("PKCS#8 encoding"))?
        .as_bytes()
        .to_vec();
    let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
        .map_err(|_| SimError::Crypto("SPKI encoding"))?;
    Ok((pkcs8, spki))
}

/// The subject of a demo / test certificate for a NIP owner: a company seal whose
/// `organizationIdentifier` names the NIP (podpis-xades.md: `VATPL-…`).
pub(crate) fn nip_owner_name(nip: &str) -> Result<Name, SimError> {
    format!("CN=KSeF Desk {nip},O=Firma {nip},2.5.4.97=VATPL-{nip},C=PL")
        .parse()
        .map_err(|_| SimError::Invalid(format!("no certificate subject for NIP {nip}")))
}

/// The key of a [`self_signed`] test certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    /// RSA 2048 (PKCS#1 v1.5 signatures).
    Rsa2048,
    /// EC P-256 (ECDSA).
    EcP256,
}

/// A self-signed certificate such as KSeF Test accepts in place of a qualified one
/// (auth/testowe-certyfikaty-i-podpisy-xades.md), with keyUsage digitalSignature and
/// nonRepudiation: `(certificate DER, PKCS#8 DER of its key)`. `subject` is an RFC 4514
/// string, e.g. `CN=Jan Kowalski,2.5.4.5=PNOPL-90010112345,C=PL` (a person) or
/// `CN=Firma,O=Firma,2.5.4.97=VATPL-5265877635,C=PL` (a company seal). For tests and
/// tools; RSA key generation takes a moment.
pub fn self_signed(
    subject: &str,
    key: TestKey,
    valid_from: DateTime<Utc>,
    valid_to: DateTime<Utc>,
) -> Result<(Vec<u8>, Vec<u8>), SimError> {
    let name: Name = subject
        .parse()
        .map_err(|_| SimError::Invalid(format!("not an RFC 4514 name: {subject}")))?;
    let validity = Validity {
        not_before: time(valid_from)?,
        not_after: time(valid_to)?,
    };
    let serial = SerialNumber::from(rand::random::<u32>() >> 1);
    let usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
    match key {
        TestKey::Rsa2048 => {
            use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
            let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
                .map_err(|_| SimError::Crypto("RSA key generation"))?;
            let spki_der = private
                .to_public_key()
                .to_public_key_der()
                .map_err(|_| SimError::Crypto("SPKI"))?;
            let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes())
                .map_err(|_| SimError::Crypto("SPKI"))?;
            let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(private.clone());
            let mut b = CertificateBuilder::new(
                Profile::Manual { issuer: None },
                serial,
                validity,
                name,
                spki,
                &signer,
            )
            .map_err(|_| SimError::Crypto("certificate builder"))?;
            b.add_extension(&usage)
                .map_err(|_| SimError::Crypto("key usage"))?;
            let cert = b
                .build::<rsa::pkcs1v15::Signature>()
                .map_err(|_| SimError::Crypto("certificate signing"))?;
            let der = cert
                .to_der()
                .map_err(|_| SimError::Crypto("certificate encoding"))?;
            let pkcs8 = private
                .to_pkcs8_der()
                .map_err(|_| SimError::Crypto("PKCS#8 encoding"))?
                .as_bytes()
                .to_vec();
            Ok((der, pkcs8))
        }
        TestKey::EcP256 => {
            let signer = SigningKey::random(&mut rand::rngs::OsRng);
            let spki = SubjectPublicKeyInfoOwned::from_key(*signer.verifying_key())
                .map_err(|_| SimError::Crypto("SPKI"))?;
            let mut b = CertificateBuilder::new(
                Profile::Manual { issuer: None },
                serial,
                validity,
                name,
                spki,
                &signer,
            )
            .map_err(|_| SimError::Crypto("certificate builder"))?;
            b.add_extension(&usage)
                .map_err(|_| SimError::Crypto("key usage"))?;
            let cert = b
                .build::<DerSignature>()
                .map_err(|_| SimError::Crypto("certificate signing"))?;
            let der = cert
                .to_der()
                .map_err(|_| SimError::Crypto("certificate encoding"))?;
            let pkcs8 = signer
                .to_pkcs8_der()
                .map_err(|_| SimError::Crypto("PKCS#8 encoding"))?
                .as_bytes()
                .to_vec();
            Ok((der, pkcs8))
        }
    }
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const OID_SHA256_ECDSA: &str = "1.2.840.10045.4.3.2";

fn csr_error(code: i32, description: &str) -> ApiError {
    ApiError::bad(code, description, "")
}

/// A CSR that passed every check: its subject and key.
pub(crate) struct CheckedCsr {
    pub subject: Name,
    pub spki: SubjectPublicKeyInfoOwned,
}

/// Checks a PKCS#10 CSR as KSeF does: well-formed and self-signed (25004), an RSA key of
/// 2048+ bits or EC P-256 (25010), signed with SHA-256 RSA PKCS#1 v1.5 or ECDSA (25011),
/// and a subject equal to the enrolment data (25003).
pub(crate) fn check_csr(
    der: &[u8],
    enrollment: &[(String, String)],
) -> Result<CheckedCsr, ApiError> {
    let bad_format = || csr_error(25004, "Niepoprawny format CSR lub niepoprawny podpis CSR.");
    let csr = CertReq::from_der(der).map_err(|_| bad_format())?;
    let spki = csr.info.public_key.clone();
    let spki_der = spki.to_der().map_err(|_| bad_format())?;
    let tbs = csr.info.to_der().map_err(|_| bad_format())?;
    let signature = csr.signature.as_bytes().ok_or_else(bad_format)?;
    let bad_key = || csr_error(25010, "Nieprawidłowy typ lub długość klucza.");
    let bad_alg = || csr_error(25011, "Nieprawidłowy algorytm podpisu CSR.");
    let alg = csr.algorithm.oid.to_string();
    match spki.algorithm.oid.to_string().as_str() {
        OID_RSA => {
            let key = rsa::RsaPublicKey::from_public_key_der(&spki_der).map_err(|_| bad_key())?;
            if rsa::traits::PublicKeyParts::size(&key) * 8 < 2048 {
                return Err(bad_key());
            }
            if alg != OID_SHA256_RSA {
                return Err(bad_alg());
            }
            let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| bad_format())?;
            rsa::signature::Verifier::verify(
                &rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key),
                &tbs,
                &sig,
            )
            .map_err(|_| bad_format())?;
        }
        OID_EC => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .map(|o| o.to_string());
            if curve.as_deref() != Some(OID_P256) {
                return Err(bad_key());
            }
            let key =
                p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der).map_err(|_| bad_key())?;
            if alg != OID_SHA256_ECDSA {
                return Err(bad_alg());
            }
            let sig = DerSignature::from_bytes(signature).map_err(|_| bad_format())?;
            p256::ecdsa::signature::Verifier::verify(&key, &tbs, &sig).map_err(|_| bad_format())?;
        }
        _ => return Err(bad_key()),
    }
    let mut wanted = enrollment_attributes(enrollment);
    let mut given = name_attributes(&csr.info.subject);
    wanted.sort();
    given.sort();
    if wanted != given {
        return Err(csr_error(
            25003,
            "Dane w CSR nie zgadzają się z danymi w użytym wektorze uwierzytelniającym.",
        ));
    }
    Ok(CheckedCsr {
        subject: csr.info.subject,
        spki,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_a_certificate_with_a_16_digit_serial_and_the_kinds_key_usage() {
        let mut state = CertState::new().unwrap();
        let (_, spki) = new_p256_key().unwrap();
        let now = Utc::now();
        let serial = state
            .issue(
                CertRequest {
                    subject: nip_owner_name("5265877635").unwrap(),
                    spki,
                    kind: CertificateKind::Offline,
                    name: "Offline 1".into(),
                    owner: SubjectId::Nip("5265877635".into()),
                    valid_from: now,
                    valid_to: now + chrono::Duration::days(1),
                    ready_at: now,
                },
                now,
            )
            .unwrap();
        assert_eq!(serial.len(), 16);
        let der = state.certs[&serial].der.clone();
        let cert = x509_cert::Certificate::from_der(&der).unwrap();
        assert_eq!(
            hex_upper(cert.tbs_certificate.serial_number.as_bytes()),
            serial
        );
        assert!(state.is_ours(&der));
        let ku = cert.tbs_certificate.get::<KeyUsage>().unwrap().unwrap().1;
        assert!(ku.non_repudiation() && !ku.digital_signature());
        let attrs = certificate_subject(&der).unwrap();
        assert!(attrs.contains(&("2.5.4.97".into(), "VATPL-5265877635".into())));
        assert_eq!(
            state.active_count(&SubjectId::Nip("5265877635".into()), now),
            1
        );
    }

    #[test]
    fn the_nip_owner_has_every_right_others_only_grants() {
        let mut state = CertState::new().unwrap();
        let owner = SubjectId::Nip("5265877635".into());
        assert_eq!(state.rights("5265877635", &owner), Permission::ALL.to_vec());
        let person = SubjectId::Pesel("90010112345".into());
        assert!(state.rights("5265877635", &person).is_empty());
        state.grants.insert(
            ("5265877635".into(), person.clone()),
            vec![Permission::InvoiceRead],
        );
        assert_eq!(
            state.rights("5265877635", &person),
            vec![Permission::InvoiceRead]
        );
        assert!(state.rights("1111111111", &person).is_empty());
    }

    #[test]
    fn enrollment_data_needs_common_name_and_country() {
        let attrs = vec![
            ("2.5.4.3".to_owned(), "Jan".to_owned()),
            ("2.5.4.6".to_owned(), "PL".to_owned()),
            ("1.2.3.4".to_owned(), "x".to_owned()),
        ];
        let v = enrollment_json(&attrs).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"commonName": "Jan", "countryName": "PL"})
        );
        assert!(enrollment_json(&attrs[..1]).is_none());
    }
}
