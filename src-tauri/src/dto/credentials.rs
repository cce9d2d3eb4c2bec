//! A company's credentials as the UI shows them: the method, the public certificate's
//! facts, the days left. Never a token, a private key or a password.

use desk_core::credentials::{CertificateExpiry, ExpiryLevel};
use desk_core::{CertificateSource, CompanyCredentials, CredentialAlert, CredentialMethod};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CredentialMethodDto {
    Token,
    Certificate,
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CertificateSourceDto {
    /// A KSeF certificate (.crt + .key).
    Ksef,
    /// A qualified certificate or company seal (PKCS#12).
    Qualified,
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExpiryLevelDto {
    Fine,
    Within30Days,
    Within7Days,
    Within1Day,
    Expired,
}

impl From<ExpiryLevel> for ExpiryLevelDto {
    fn from(level: ExpiryLevel) -> ExpiryLevelDto {
        match level {
            ExpiryLevel::Fine => ExpiryLevelDto::Fine,
            ExpiryLevel::Within30Days => ExpiryLevelDto::Within30Days,
            ExpiryLevel::Within7Days => ExpiryLevelDto::Within7Days,
            ExpiryLevel::Within1Day => ExpiryLevelDto::Within1Day,
            ExpiryLevel::Expired => ExpiryLevelDto::Expired,
        }
    }
}

/// The public certificate's facts, as KSeF shows them.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateDto {
    pub source: CertificateSourceDto,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub fingerprint_sha256: String,
    pub key_algorithm: String,
    pub not_before: String,
    pub not_after: String,
    pub days_left: u32,
    pub level: ExpiryLevelDto,
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CredentialAlertKindDto {
    /// Still on a KSeF token: `daysLeft` to the cut-off.
    TokenCutoff,
    /// The certificate ends in `daysLeft` days (`level` says how loud).
    CertificateExpiring,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CredentialAlertDto {
    pub kind: CredentialAlertKindDto,
    pub days_left: u32,
    pub level: ExpiryLevelDto,
}

impl From<CredentialAlert> for CredentialAlertDto {
    fn from(alert: CredentialAlert) -> CredentialAlertDto {
        match alert {
            CredentialAlert::TokenCutoff { days_left } => CredentialAlertDto {
                kind: CredentialAlertKindDto::TokenCutoff,
                days_left,
                // The token's end is as hard as a certificate's: same thresholds.
                level: token_level(days_left),
            },
            CredentialAlert::CertificateExpiring(expiry) => CredentialAlertDto {
                kind: CredentialAlertKindDto::CertificateExpiring,
                days_left: expiry.days_left,
                level: expiry.level.into(),
            },
        }
    }
}

fn token_level(days_left: u32) -> ExpiryLevelDto {
    match days_left {
        0 => ExpiryLevelDto::Expired,
        1 => ExpiryLevelDto::Within1Day,
        2..=7 => ExpiryLevelDto::Within7Days,
        8..=30 => ExpiryLevelDto::Within30Days,
        _ => ExpiryLevelDto::Fine,
    }
}

/// Settings → the company's credentials.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsDto {
    pub company_id: i64,
    pub method: CredentialMethodDto,
    /// Whether the keychain holds the token or private key the method needs.
    pub has_secret: bool,
    pub certificate: Option<CertificateDto>,
    /// The last day of token sign-in, `YYYY-MM-DD` (Polish calendar).
    pub token_last_day: String,
    pub token_days_left: u32,
    pub alert: Option<CredentialAlertDto>,
    /// Only the company's administrator changes credentials.
    pub can_manage: bool,
}

impl From<&CompanyCredentials> for CredentialsDto {
    fn from(c: &CompanyCredentials) -> CredentialsDto {
        let certificate = match (&c.method, c.certificate_expiry) {
            (CredentialMethod::Certificate(cert), Some(expiry)) => Some(certificate(cert, expiry)),
            _ => None,
        };
        CredentialsDto {
            company_id: c.company_id,
            method: match c.method {
                CredentialMethod::Token => CredentialMethodDto::Token,
                CredentialMethod::Certificate(_) => CredentialMethodDto::Certificate,
            },
            has_secret: c.has_secret,
            certificate,
            token_last_day: c.token_last_day.to_string(),
            token_days_left: c.token_days_left,
            alert: c.alert().map(Into::into),
            can_manage: c.can_manage,
        }
    }
}

fn certificate(cert: &desk_core::StoredCertificate, expiry: CertificateExpiry) -> CertificateDto {
    CertificateDto {
        source: match cert.source {
            CertificateSource::Ksef => CertificateSourceDto::Ksef,
            CertificateSource::Qualified => CertificateSourceDto::Qualified,
        },
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        serial_hex: cert.serial_hex.clone(),
        fingerprint_sha256: cert.fingerprint_sha256.clone(),
        key_algorithm: cert.key_algorithm.clone(),
        not_before: cert.not_before.to_rfc3339(),
        not_after: cert.not_after.to_rfc3339(),
        days_left: expiry.days_left,
        level: expiry.level.into(),
    }
}

/// Which file the native dialog asks for.
#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CertificateFileKindDto {
    /// `.crt/.cer/.pem`
    Certificate,
    /// `.key`
    PrivateKey,
    /// `.p12/.pfx`
    Pkcs12,
}

/// "Use this certificate": the chosen files (paths the app reads itself) and the
/// password. Deliberately not `Debug`: it holds the password, which crosses IPC once
/// and is dropped after the import.
#[derive(Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequestDto {
    /// A KSeF certificate (certificate + key files) or a PKCS#12 file.
    pub kind: CertificateKindDto,
    /// The certificate file, or the PKCS#12 file.
    pub certificate_path: String,
    /// The private key file (KSeF certificate only).
    pub private_key_path: Option<String>,
    pub password: Option<String>,
}

/// "Connect company" in the wizard with a certificate (the recommended way in).
/// Deliberately not `Debug`: it holds the key's password.
#[derive(Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewCertificateCompanyDto {
    pub nip: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub environment: super::EnvironmentDto,
    pub certificate: CertificateRequestDto,
}

#[derive(Debug, Clone, Copy, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CertificateKindDto {
    Ksef,
    Pkcs12,
}

/// A company moved to a certificate, and what its person may do in KSeF.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSwitchDto {
    pub credentials: CredentialsDto,
    pub report: crate::dto::ConnectionReportDto,
}
