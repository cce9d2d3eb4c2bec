//! What a certificate says about its holder, read once at import so the app and the
//! simulator never parse DER themselves.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use sha2::{Digest, Sha256};
use x509_cert::der::{asn1::ObjectIdentifier, Decode, Encode, Tag, Tagged};
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use crate::pem;
use crate::ImportError;

pub(crate) const OID_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const OID_ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");
const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");

/// KSeF refuses RSA keys shorter than this (docs/auth/podpis-xades.md).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// The key algorithms KSeF accepts for XAdES sign-in that this crate can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa { bits: usize },
    EcP256,
}

/// The person or company a certificate names, as KSeF reads it from the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectIdentifier {
    Nip(String),
    Pesel(String),
}

/// A parsed X.509 certificate with the facts the sign-in and the import screens need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub der: Vec<u8>,
    /// RFC 4514 string of the subject.
    pub subject: String,
    /// RFC 4514 string of the issuer.
    pub issuer: String,
    /// Uppercase hex of the serial number's bytes.
    pub serial_hex: String,
    /// Uppercase hex of SHA-256 over the DER, as KSeF shows and matches it
    /// (`certificateFingerprint`).
    pub fingerprint_sha256_hex: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub key: KeyAlgorithm,
    /// NIP or PESEL from serialNumber (2.5.4.5) or organizationIdentifier (2.5.4.97),
    /// recognised with the patterns of docs/auth/podpis-xades.md.
    pub identifier: Option<SubjectIdentifier>,
    /// The key usage extension allows signing: digitalSignature, or nonRepudiation
    /// (contentCommitment), because qualified signature certificates usually carry only
    /// the latter and KSeF accepts them. True when there is no key usage extension.
    pub digital_signature_usage: bool,
}

/// Something that keeps a certificate from signing in to a given company now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateProblem {
    #[error("the certificate expired on {not_after}")]
    Expired { not_after: DateTime<Utc> },
    #[error("the certificate is valid only from {not_before}")]
    NotYetValid { not_before: DateTime<Utc> },
    #[error("the certificate's key usage does not allow signatures")]
    NoDigitalSignatureUsage,
    #[error("the certificate names NIP {found}, not the company's NIP")]
    IdentifierIsOtherNip { found: String },
    #[error("the certificate names no NIP or PESEL; KSeF can identify it only by its fingerprint, which needs a permission granted to that fingerprint")]
    NoIdentifier,
}

impl CertificateInfo {
    /// Parses a certificate given as DER or PEM (the first CERTIFICATE block).
    pub fn from_der(der: &[u8]) -> Result<Self, ImportError> {
        let der = match pem::blocks(der) {
            Some(blocks) => blocks
                .into_iter()
                .find(|b| b.label == "CERTIFICATE")
                .ok_or(ImportError::NotACertificate)?
                .der()
                .map_err(|_| ImportError::NotACertificate)?
                .to_vec(),
            None => der.to_vec(),
        };
        let cert = Certificate::from_der(&der).map_err(|_| ImportError::NotACertificate)?;
        Self::from_parsed(&cert, der)
    }

    fn from_parsed(cert: &Certificate, der: Vec<u8>) -> Result<Self, ImportError> {
        let tbs = &cert.tbs_certificate;
        let key = key_algorithm(&tbs.subject_public_key_info)?;
        let not_before = to_chrono(tbs.validity.not_before)?;
        let not_after = to_chrono(tbs.validity.not_after)?;
        let mut identifier = None;
        for rdn in tbs.subject.0.iter() {
            for atv in rdn.0.iter() {
                if identifier.is_none() {
                    if let Some(value) = directory_string(&atv.value) {
                        identifier = parse_identifier(atv.oid, value);
                    }
                }
            }
        }
        let mut digital_signature_usage = true;
        for ext in tbs.extensions.iter().flatten() {
            if ext.extn_id == OID_KEY_USAGE {
                let usage = KeyUsage::from_der(ext.extn_value.as_bytes())
                    .map_err(|_| ImportError::NotACertificate)?;
                digital_signature_usage = usage.digital_signature() || usage.non_repudiation();
            }
        }
        Ok(Self {
            subject: readable_name(&tbs.subject),
            issuer: readable_name(&tbs.issuer),
            serial_hex: upper_hex(tbs.serial_number.as_bytes()),
            fingerprint_sha256_hex: upper_hex(&Sha256::digest(&der)),
            not_before,
            not_after,
            key,
            identifier,
            digital_signature_usage,
            der,
        })
    }

    /// Every problem for signing in to `company_nip` at `now`, so the import screen can
    /// name them all at once instead of KSeF refusing the sign-in later.
    pub fn problems_for(&self, company_nip: &str, now: DateTime<Utc>) -> Vec<CertificateProblem> {
        let mut problems = Vec::new();
        if now > self.not_after {
            problems.push(CertificateProblem::Expired {
                not_after: self.not_after,
            });
        }
        if now < self.not_before {
            problems.push(CertificateProblem::NotYetValid {
                not_before: self.not_before,
            });
        }
        if !self.digital_signature_usage {
            problems.push(CertificateProblem::NoDigitalSignatureUsage);
        }
        match &self.identifier {
            Some(SubjectIdentifier::Nip(found)) if found != company_nip => {
                problems.push(CertificateProblem::IdentifierIsOtherNip {
                    found: found.clone(),
                })
            }
            Some(_) => {}
            None => problems.push(CertificateProblem::NoIdentifier),
        }
        problems
    }

    /// The parsed certificate again (the DER was valid when this value was made).
    pub(crate) fn parsed(&self) -> Result<Certificate, ImportError> {
        Certificate::from_der(&self.der).map_err(|_| ImportError::NotACertificate)
    }

    /// DER of the SubjectPublicKeyInfo, for key decoding.
    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, ImportError> {
        self.parsed()?
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| ImportError::NotACertificate)
    }

    /// The serial number as a decimal, for XAdES IssuerSerial.
    pub(crate) fn serial_decimal(&self) -> Result<String, ImportError> {
        let cert = self.parsed()?;
        Ok(rsa::BigUint::from_bytes_be(cert.tbs_certificate.serial_number.as_bytes()).to_string())
    }
}

fn key_algorithm(spki: &SubjectPublicKeyInfoOwned) -> Result<KeyAlgorithm, ImportError> {
    let oid = spki.algorithm.oid;
    if oid == OID_RSA_ENCRYPTION {
        use rsa::pkcs8::DecodePublicKey;
        use rsa::traits::PublicKeyParts;
        let spki_der = spki.to_der().map_err(|_| ImportError::NotACertificate)?;
        let key = rsa::RsaPublicKey::from_public_key_der(&spki_der)
            .map_err(|_| ImportError::NotACertificate)?;
        return Ok(KeyAlgorithm::Rsa {
            bits: key.n().bits(),
        });
    }
    if oid == OID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return match curve {
            Some(c) if c == OID_P256 => Ok(KeyAlgorithm::EcP256),
            Some(c) => Err(ImportError::UnsupportedAlgorithm {
                name: format!("elliptic curve {}", oid_name(c)),
            }),
            None => Err(ImportError::UnsupportedAlgorithm {
                name: "elliptic curve with explicit parameters".into(),
            }),
        };
    }
    Err(ImportError::UnsupportedAlgorithm {
        name: format!("public key {}", oid_name(oid)),
    })
}

/// A readable name for an algorithm OID in error messages.
pub(crate) fn oid_name(oid: ObjectIdentifier) -> String {
    match x509_cert::der::oid::db::DB.by_oid(&oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

fn to_chrono(time: x509_cert::time::Time) -> Result<DateTime<Utc>, ImportError> {
    let secs = i64::try_from(time.to_unix_duration().as_secs())
        .map_err(|_| ImportError::NotACertificate)?;
    DateTime::from_timestamp(secs, 0).ok_or(ImportError::NotACertificate)
}

fn directory_string(value: &x509_cert::der::Any) -> Option<&str> {
    match value.tag() {
        Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::TeletexString => {
            std::str::from_utf8(value.value()).ok()
        }
        _ => None,
    }
}

/// The recognised patterns of docs/auth/podpis-xades.md.
fn parse_identifier(oid: ObjectIdentifier, value: &str) -> Option<SubjectIdentifier> {
    static PESEL: OnceLock<Option<Regex>> = OnceLock::new();
    static NIP: OnceLock<Option<Regex>> = OnceLock::new();
    static VAT: OnceLock<Option<Regex>> = OnceLock::new();
    let capture = |re: &OnceLock<Option<Regex>>, pattern: &str| -> Option<String> {
        let re = re.get_or_init(|| Regex::new(pattern).ok()).as_ref()?;
        Some(re.captures(value)?.get(1)?.as_str().to_owned())
    };
    if oid == OID_SERIAL_NUMBER {
        if let Some(pesel) = capture(&PESEL, r"(?:PNOPL|PESEL).*?(\d{11})") {
            return Some(SubjectIdentifier::Pesel(pesel));
        }
        if let Some(nip) = capture(&NIP, r"(?:TINPL|NIP).*?(\d{10})") {
            return Some(SubjectIdentifier::Nip(nip));
        }
    } else if oid == OID_ORGANIZATION_IDENTIFIER {
        if let Some(nip) = capture(&VAT, r"VATPL.*?(\d{10})") {
            return Some(SubjectIdentifier::Nip(nip));
        }
    }
    None
}

/// RFC 4514, as x509-cert writes it, except that organizationIdentifier (2.5.4.97),
/// which carries a company seal's "VATPL-<NIP>", is named and shown as text: x509-cert
/// does not know it and would print the DER in hex, which nobody can read.
fn readable_name(name: &x509_cert::name::Name) -> String {
    name.0
        .iter()
        .rev()
        .map(|rdn| {
            rdn.0
                .iter()
                .map(|atv| match directory_string(&atv.value) {
                    Some(value) if atv.oid == OID_ORGANIZATION_IDENTIFIER => {
                        format!("organizationIdentifier={}", escape_rfc4514(value))
                    }
                    _ => atv.to_string(),
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn escape_rfc4514(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let leading = i == 0 && (c == ' ' || c == '#');
        if leading || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_ksef_patterns() {
        assert_eq!(
            parse_identifier(OID_SERIAL_NUMBER, "PNOPL-80010112345"),
            Some(SubjectIdentifier::Pesel("80010112345".into()))
        );
        assert_eq!(
            parse_identifier(OID_SERIAL_NUMBER, "TINPL-5265877635"),
            Some(SubjectIdentifier::Nip("5265877635".into()))
        );
        assert_eq!(
            parse_identifier(OID_ORGANIZATION_IDENTIFIER, "VATPL-5265877635"),
            Some(SubjectIdentifier::Nip("5265877635".into()))
        );
        assert_eq!(parse_identifier(OID_SERIAL_NUMBER, "ABC123"), None);
        assert_eq!(
            parse_identifier(OID_ORGANIZATION_IDENTIFIER, "TINPL-5265877635"),
            None
        );
    }

    #[test]
    fn an_organization_identifier_is_shown_as_text_not_hex() {
        // UTF8String values, as in a KSeF certificate.
        let name = {
            use x509_cert::attr::AttributeTypeAndValue;
            use x509_cert::der::asn1::{SetOfVec, Utf8StringRef};
            use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
            let atv = |oid: ObjectIdentifier, value: &str| AttributeTypeAndValue {
                oid,
                value: x509_cert::der::Any::encode_from(&Utf8StringRef::new(value).unwrap())
                    .unwrap(),
            };
            let rdn = |a| RelativeDistinguishedName(SetOfVec::try_from(vec![a]).unwrap());
            RdnSequence(vec![
                rdn(atv(ObjectIdentifier::new_unwrap("2.5.4.6"), "PL")),
                rdn(atv(OID_ORGANIZATION_IDENTIFIER, "VATPL-5265877635")),
                rdn(atv(
                    ObjectIdentifier::new_unwrap("2.5.4.3"),
                    "Firma, Sp. z o.o.",
                )),
            ])
        };
        assert_eq!(
            readable_name(&name),
            "CN=Firma\\, Sp. z o.o.,organizationIdentifier=VATPL-5265877635,C=PL"
        );
        assert_eq!(escape_rfc4514("#a,b"), "\\#a\\,b");
    }
}
