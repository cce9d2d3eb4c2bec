use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, StoreError, Timestamp, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContractor {
    pub nip: Option<String>,
    pub eu_vat_id: Option<String>,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub country_code: String,
    pub email: Option<String>,
    pub trusted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contractor {
    pub id: i64,
    pub company_id: i64,
    pub nip: Option<String>,
    pub eu_vat_id: Option<String>,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub country_code: String,
    pub email: Option<String>,
    pub trusted: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Tx<'_> {
    pub fn insert_contractor(
        &self,
        company_id: i64,
        new: &NewContractor,
        now: Timestamp,
    ) -> Result<Contractor> {
        let detail = new.nip.clone().unwrap_or_else(|| new.name.clone());
        self.tx
            .execute(
                "INSERT INTO contractors
                   (company_id, nip, eu_vat_id, name, address_line1, address_line2,
                    country_code, email, trusted, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    company_id,
                    new.nip,
                    new.eu_vat_id,
                    new.name,
                    new.address_line1,
                    new.address_line2,
                    new.country_code,
                    new.email,
                    new.trusted,
                    now
                ],
            )
            .map_err(StoreError::unique("contractor", detail))?;
        let id = self.tx.last_insert_rowid();
        Ok(self.tx.query_row(
            "SELECT id, company_id, nip, eu_vat_id, name, address_line1, address_line2,
                    country_code, email, trusted, created_at, updated_at
             FROM contractors WHERE id = ?1",
            [id],
            contractor_from_row,
        )?)
    }

    pub fn contractor(&self, id: i64) -> Result<Contractor> {
        self.tx
            .query_row(
                "SELECT id, company_id, nip, eu_vat_id, name, address_line1, address_line2,
                        country_code, email, trusted, created_at, updated_at
                 FROM contractors WHERE id = ?1",
                [id],
                contractor_from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                entity: "contractor",
                id,
            })
    }

    /// A company's contractors by name.
    pub fn list_contractors(&self, company_id: i64) -> Result<Vec<Contractor>> {
        let mut stmt = self.tx.prepare(
            "SELECT id, company_id, nip, eu_vat_id, name, address_line1, address_line2,
                    country_code, email, trusted, created_at, updated_at
             FROM contractors WHERE company_id = ?1
             ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt.query_map([company_id], contractor_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn contractor_from_row(row: &Row<'_>) -> rusqlite::Result<Contractor> {
    Ok(Contractor {
        id: row.get(0)?,
        company_id: row.get(1)?,
        nip: row.get(2)?,
        eu_vat_id: row.get(3)?,
        name: row.get(4)?,
        address_line1: row.get(5)?,
        address_line2: row.get(6)?,
        country_code: row.get(7)?,
        email: row.get(8)?,
        trusted: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}
