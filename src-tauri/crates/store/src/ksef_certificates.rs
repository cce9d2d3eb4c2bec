//! KSeF certificates the app enrolled for a company: the public certificate and the name
//! of the keychain entry holding its private key (never the key itself).

use rusqlite::params;

use crate::{Result, StoreError, Timestamp, Tx};

/// The type of an enrolled KSeF certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolledKind {
    /// Signs in to KSeF.
    Authentication,
    /// Signs offline invoices' QR code II.
    Offline,
}

impl EnrolledKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolledKind::Authentication => "authentication",
            EnrolledKind::Offline => "offline",
        }
    }

    fn parse(value: String) -> Result<EnrolledKind> {
        match value.as_str() {
            "authentication" => Ok(EnrolledKind::Authentication),
            "offline" => Ok(EnrolledKind::Offline),
            _ => Err(StoreError::InvalidColumn {
                column: "ksef_certificates.kind",
                value,
            }),
        }
    }
}

/// One certificate enrolled from the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolledCertificate {
    pub company_id: i64,
    /// KSeF's serial number.
    pub serial: String,
    pub kind: EnrolledKind,
    pub name: String,
    pub der: Vec<u8>,
    /// The keychain entry's name (where the private key is).
    pub key_entry: String,
    pub valid_from: Timestamp,
    pub valid_to: Timestamp,
    pub created_at: Timestamp,
}

impl Tx<'_> {
    /// Records a certificate enrolled from the app (replacing a row of the same serial).
    pub fn add_enrolled_certificate(&self, certificate: &EnrolledCertificate) -> Result<()> {
        self.company(certificate.company_id)?;
        self.tx.execute(
            "INSERT OR REPLACE INTO ksef_certificates
               (company_id, serial, kind, name, certificate_der, key_entry, valid_from,
                valid_to, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                certificate.company_id,
                certificate.serial,
                certificate.kind.as_str(),
                certificate.name,
                certificate.der,
                certificate.key_entry,
                certificate.valid_from,
                certificate.valid_to,
                certificate.created_at
            ],
        )?;
        Ok(())
    }

    /// The company's certificates enrolled from the app, newest first.
    pub fn enrolled_certificates(&self, company_id: i64) -> Result<Vec<EnrolledCertificate>> {
        let mut statement = self.tx.prepare(
            "SELECT company_id, serial, kind, name, certificate_der, key_entry, valid_from,
                    valid_to, created_at
               FROM ksef_certificates WHERE company_id = ?1
              ORDER BY created_at DESC, serial",
        )?;
        let rows = statement.query_map([company_id], |row| {
            Ok((
                row.get::<_, String>(2)?,
                EnrolledCertificate {
                    company_id: row.get(0)?,
                    serial: row.get(1)?,
                    kind: EnrolledKind::Authentication,
                    name: row.get(3)?,
                    der: row.get(4)?,
                    key_entry: row.get(5)?,
                    valid_from: row.get(6)?,
                    valid_to: row.get(7)?,
                    created_at: row.get(8)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, mut certificate) = row?;
            certificate.kind = EnrolledKind::parse(kind)?;
            out.push(certificate);
        }
        Ok(out)
    }

    /// Forgets an enrolled certificate (after it is revoked); `false` when there was none.
    pub fn remove_enrolled_certificate(&self, company_id: i64, serial: &str) -> Result<bool> {
        Ok(self.tx.execute(
            "DELETE FROM ksef_certificates WHERE company_id = ?1 AND serial = ?2",
            params![company_id, serial],
        )? > 0)
    }
}
