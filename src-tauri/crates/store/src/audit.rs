use rusqlite::params;

use crate::{Result, Timestamp, Tx};

/// What happened, for the append-only audit log. Never put a secret in `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry<'a> {
    pub at: Timestamp,
    pub user_id: Option<i64>,
    pub company_id: Option<i64>,
    pub action: &'a str,
    pub detail: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub user_id: Option<i64>,
    pub company_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

impl Tx<'_> {
    pub fn append_audit(&self, entry: &NewAuditEntry<'_>) -> Result<()> {
        self.tx.execute(
            "INSERT INTO audit_log (at, user_id, company_id, action, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                entry.at,
                entry.user_id,
                entry.company_id,
                entry.action,
                entry.detail
            ],
        )?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.tx.prepare(
            "SELECT id, at, user_id, company_id, action, detail
             FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |row| {
            Ok(AuditEntry {
                id: row.get(0)?,
                at: row.get(1)?,
                user_id: row.get(2)?,
                company_id: row.get(3)?,
                action: row.get(4)?,
                detail: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
