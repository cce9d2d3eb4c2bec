//! How a company signs in to KSeF: a KSeF token (no row) or a certificate (a row with the
//! public certificate). Secrets are not here: the token and the private key live in the
//! OS keychain, owned by core.

use rusqlite::{params, OptionalExtension};

use crate::{Result, StoreError, Timestamp, Tx};

/// Where a company's certificate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateSource {
    /// A KSeF certificate: certificate file + private key file.
    Ksef,
    /// A qualified certificate or company seal from a PKCS#12 file.
    Qualified,
}

impl CertificateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateSource::Ksef => "ksef",
            CertificateSource::Qualified => "qualified",
        }
    }

    fn parse(value: String) -> Result<CertificateSource> {
        match value.as_str() {
            "ksef" => Ok(CertificateSource::Ksef),
            "qualified" => Ok(CertificateSource::Qualified),
            _ => Err(StoreError::InvalidColumn {
                column: "company_credentials.certificate_source",
                value,
            }),
        }
    }
}

/// The public part of a company's signing certificate, kept for display and for
/// signing in (the key is in the keychain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCertificate {
    pub source: CertificateSource,
    pub der: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    /// Uppercase hex of SHA-256 over the DER, as KSeF shows it.
    pub fingerprint_sha256: String,
    /// `RSA 2048`, `EC P-256`.
    pub key_algorithm: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
}

/// A company's way of signing in to KSeF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialMethod {
    Token,
    Certificate(StoredCertificate),
}

impl Tx<'_> {
    /// How the company signs in; [`CredentialMethod::Token`] unless a certificate is set.
    pub fn company_credentials(&self, company_id: i64) -> Result<CredentialMethod> {
        self.company(company_id)?;
        let row = self
            .tx
            .query_row(
                "SELECT certificate_source, certificate_der, subject, issuer, serial_hex,
                        fingerprint_sha256, key_algorithm, not_before, not_after
                   FROM company_credentials WHERE company_id = ?1",
                [company_id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        StoredCertificate {
                            source: CertificateSource::Ksef,
                            der: row.get(1)?,
                            subject: row.get(2)?,
                            issuer: row.get(3)?,
                            serial_hex: row.get(4)?,
                            fingerprint_sha256: row.get(5)?,
                            key_algorithm: row.get(6)?,
                            not_before: row.get(7)?,
                            not_after: row.get(8)?,
                        },
                    ))
                },
            )
            .optional()?;
        match row {
            None => Ok(CredentialMethod::Token),
            Some((source, mut certificate)) => {
                certificate.source = CertificateSource::parse(source)?;
                Ok(CredentialMethod::Certificate(certificate))
            }
        }
    }

    /// Makes the company sign in with `certificate` (replacing any earlier one).
    pub fn set_company_certificate(
        &self,
        company_id: i64,
        certificate: &StoredCertificate,
        now: Timestamp,
    ) -> Result<()> {
        self.company(company_id)?;
        self.tx.execute(
            "INSERT INTO company_credentials
               (company_id, method, certificate_source, certificate_der, subject, issuer,
                serial_hex, fingerprint_sha256, key_algorithm, not_before, not_after, updated_at)
             VALUES (?1, 'certificate', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (company_id) DO UPDATE SET
               certificate_source = excluded.certificate_source,
               certificate_der = excluded.certificate_der, subject = excluded.subject,
               issuer = excluded.issuer, serial_hex = excluded.serial_hex,
               fingerprint_sha256 = excluded.fingerprint_sha256,
               key_algorithm = excluded.key_algorithm, not_before = excluded.not_before,
               not_after = excluded.not_after, updated_at = excluded.updated_at",
            params![
                company_id,
                certificate.source.as_str(),
                certificate.der,
                certificate.subject,
                certificate.issuer,
                certificate.serial_hex,
                certificate.fingerprint_sha256,
                certificate.key_algorithm,
                certificate.not_before,
                certificate.not_after,
                now
            ],
        )?;
        Ok(())
    }

    /// Makes the company sign in with its KSeF token again; `false` when it already did.
    pub fn set_company_token_method(&self, company_id: i64) -> Result<bool> {
        self.company(company_id)?;
        Ok(self.tx.execute(
            "DELETE FROM company_credentials WHERE company_id = ?1",
            [company_id],
        )? > 0)
    }
}
