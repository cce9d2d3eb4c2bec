use std::path::Path;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::{Result, StoreError};

/// Append-only: a released migration is never edited, only followed by a new one.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_core.sql")).foreign_key_check(),
    M::up(include_str!("../migrations/0002_ksef_sync_state.sql")).foreign_key_check(),
    M::up(include_str!("../migrations/0003_sales.sql")).foreign_key_check(),
    M::up(include_str!("../migrations/0004_costs.sql")).foreign_key_check(),
    M::up(include_str!("../migrations/0005_credentials.sql")).foreign_key_check(),
    M::up(include_str!("../migrations/0006_ksef_certificates.sql")).foreign_key_check(),
];

pub const LATEST_SCHEMA_VERSION: usize = MIGRATIONS.len();

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let migrations = Migrations::from_slice(MIGRATIONS);
    let found = current_version(conn)?;
    if found > LATEST_SCHEMA_VERSION {
        return Err(StoreError::NewerThanApp {
            path: path.to_path_buf(),
            found,
            known: LATEST_SCHEMA_VERSION,
        });
    }
    if found < LATEST_SCHEMA_VERSION {
        tracing::info!(from = found, to = LATEST_SCHEMA_VERSION, "migrating store");
    }
    migrations
        .to_latest(conn)
        .map_err(|source| StoreError::Migration {
            path: path.to_path_buf(),
            source,
        })
}

pub(crate) fn current_version(conn: &Connection) -> rusqlite::Result<usize> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    Ok(usize::try_from(version).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }
}
