use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, StoreError, Timestamp, Tx};

/// Which KSeF a company talks to. `Simulator` is the built-in local KSeF of
/// demo mode; its address lives in `ksef_base_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsefEnvironment {
    Test,
    Demo,
    Production,
    Simulator,
}

impl KsefEnvironment {
    pub fn as_str(self) -> &'static str {
        match self {
            KsefEnvironment::Test => "test",
            KsefEnvironment::Demo => "demo",
            KsefEnvironment::Production => "production",
            KsefEnvironment::Simulator => "simulator",
        }
    }

    fn parse(value: String) -> Result<KsefEnvironment> {
        Ok(match value.as_str() {
            "test" => KsefEnvironment::Test,
            "demo" => KsefEnvironment::Demo,
            "production" => KsefEnvironment::Production,
            "simulator" => KsefEnvironment::Simulator,
            _ => {
                return Err(StoreError::InvalidColumn {
                    column: "companies.ksef_environment",
                    value,
                })
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompany {
    pub nip: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub ksef_environment: KsefEnvironment,
    pub ksef_base_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: i64,
    pub nip: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub country_code: String,
    pub ksef_environment: KsefEnvironment,
    pub ksef_base_url: Option<String>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, nip, name, address_line1, address_line2, country_code, \
                       ksef_environment, ksef_base_url, created_at";

impl Tx<'_> {
    pub fn insert_company(&self, new: &NewCompany, now: Timestamp) -> Result<Company> {
        self.tx
            .execute(
                "INSERT INTO companies
                   (nip, name, address_line1, address_line2, ksef_environment, ksef_base_url, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.nip,
                    new.name,
                    new.address_line1,
                    new.address_line2,
                    new.ksef_environment.as_str(),
                    new.ksef_base_url,
                    now
                ],
            )
            .map_err(StoreError::unique("company", format!("NIP {}", new.nip)))?;
        self.company(self.tx.last_insert_rowid())
    }

    pub fn company(&self, id: i64) -> Result<Company> {
        let row = self
            .tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM companies WHERE id = ?1"),
                [id],
                RawCompany::from_row,
            )
            .optional()?;
        row.ok_or(StoreError::NotFound {
            entity: "company",
            id,
        })?
        .into_company()
    }

    /// Points every simulator company at the simulator's address (its port
    /// changes with each start); returns how many companies were updated.
    pub fn set_simulator_base_url(&self, base_url: &str) -> Result<usize> {
        Ok(self.tx.execute(
            "UPDATE companies SET ksef_base_url = ?1 WHERE ksef_environment = 'simulator'",
            [base_url],
        )?)
    }

    /// All companies, by name (Polish collation is the UI's job; this is stable).
    pub fn list_companies(&self) -> Result<Vec<Company>> {
        let mut stmt = self.tx.prepare(&format!(
            "SELECT {COLUMNS} FROM companies ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt.query_map([], RawCompany::from_row)?;
        rows.map(|row| row?.into_company()).collect()
    }
}

/// A row as SQLite gives it, before the enum column is checked.
struct RawCompany {
    id: i64,
    nip: String,
    name: String,
    address_line1: String,
    address_line2: String,
    country_code: String,
    ksef_environment: String,
    ksef_base_url: Option<String>,
    created_at: Timestamp,
}

impl RawCompany {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<RawCompany> {
        Ok(RawCompany {
            id: row.get(0)?,
            nip: row.get(1)?,
            name: row.get(2)?,
            address_line1: row.get(3)?,
            address_line2: row.get(4)?,
            country_code: row.get(5)?,
            ksef_environment: row.get(6)?,
            ksef_base_url: row.get(7)?,
            created_at: row.get(8)?,
        })
    }

    fn into_company(self) -> Result<Company> {
        Ok(Company {
            id: self.id,
            nip: self.nip,
            name: self.name,
            address_line1: self.address_line1,
            address_line2: self.address_line2,
            country_code: self.country_code,
            ksef_environment: KsefEnvironment::parse(self.ksef_environment)?,
            ksef_base_url: self.ksef_base_url,
            created_at: self.created_at,
        })
    }
}
