//! KSeF Desk's local store: one SQLite file per profile.
//!
//! This crate owns the connection setup (WAL, foreign keys, busy timeout), the
//! versioned migrations and every SQL statement of the application. Callers get
//! typed rows and typed errors; they never see SQL. Work happens inside
//! [`Store::read`] or [`Store::write`], which hand out a [`Tx`] so that a caller
//! can compose several repository calls into one transaction (for example a
//! change and its audit-log entry).
//!
//! The store knows nothing of KSeF, FA(3) or the UI: its enums describe columns,
//! not workflows.

mod audit;
mod companies;
mod contractors;
mod costs;
mod credentials;
mod dashboard;
mod error;
mod ksef_certificates;
mod migrations;
mod sales;
mod settings;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use audit::{AuditEntry, NewAuditEntry};
pub use companies::{Company, KsefEnvironment, NewCompany};
pub use contractors::{Contractor, NewContractor};
pub use costs::{
    ContentState, CostContent, CostDescription, CostFilter, CostFlag, CostInboxCounts, CostPayment,
    CostRow, CostSort, CostStage, CostStep, CostSubject, CostSyncState, NewCostDocument,
    NewCostPayment, PaymentMethod, RateAmount,
};
pub use credentials::{CertificateSource, CredentialMethod, StoredCertificate};
pub use dashboard::{CostCounts, SalesCounts};
pub use error::{Result, StoreError};
pub use ksef_certificates::{EnrolledCertificate, EnrolledKind};
pub use migrations::LATEST_SCHEMA_VERSION;
pub use sales::{
    DocumentEvent, DraftRow, IssuedRow, NewDocumentEvent, NumberingSeries, OutboxEntry,
    OutboxState, SalesDocument, SalesPage, SalesQuery, SalesSort, SalesStatus, SendMode,
};
pub use users::{NewUser, Role, User};

/// Timestamps are stored as RFC 3339 UTC text.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The file name of the database inside a profile's data directory.
pub const DATABASE_FILE_NAME: &str = "ksef-desk.sqlite3";

pub struct Store {
    path: PathBuf,
    // One connection serialises writers, which is what SQLite does anyway; reads
    // are short. A multi-seat backend would sit behind core's store trait instead.
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema
    /// up to date. A database written by a newer app is refused, never changed.
    pub fn open(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        configure(&conn).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        migrations::migrate(&mut conn, path)?;
        tracing::info!(path = %path.display(), "store opened");
        Ok(Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<usize> {
        let conn = self.lock();
        Ok(migrations::current_version(&conn)?)
    }

    /// Runs `f` in a read transaction: it sees one consistent snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.transaction(TransactionBehavior::Deferred, f)
    }

    /// Runs `f` in a write transaction, committed only when `f` succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.transaction(TransactionBehavior::Immediate, f)
    }

    /// [`Store::read`] for callers whose own error type wraps [`StoreError`], so a
    /// closure can fail with a domain error (and the transaction is rolled back).
    pub fn read_with<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.transaction_with(TransactionBehavior::Deferred, f)
    }

    /// [`Store::write`] for callers whose own error type wraps [`StoreError`]: a
    /// domain error from the closure rolls the transaction back like a store error.
    pub fn write_with<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.transaction_with(TransactionBehavior::Immediate, f)
    }

    fn transaction_with<T, E: From<StoreError>>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(behavior)
            .map_err(StoreError::from)?;
        let value = f(&Tx { tx: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    fn transaction<T>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(behavior)?;
        let value = f(&Tx { tx: &tx })?;
        tx.commit()?;
        Ok(value)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves at worst an open transaction,
        // which rusqlite rolls back on drop; the connection itself stays usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A transaction handed to [`Store::read`] and [`Store::write`] closures; the
/// repository methods live on it.
pub struct Tx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // journal_mode answers with a row, so it cannot go through execute_batch.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "SQLite refused WAL; continuing in this journal mode");
    }
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_sets_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DATABASE_FILE_NAME)).unwrap();
        let conn = store.lock();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
    }

    #[test]
    fn failed_write_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DATABASE_FILE_NAME)).unwrap();
        let result: Result<()> = store.write(|tx| {
            tx.set_app_setting("locale", "en")?;
            Err(StoreError::NotFound {
                entity: "company",
                id: 1,
            })
        });
        assert!(result.is_err());
        let locale = store.read(|tx| tx.app_setting("locale")).unwrap();
        assert_eq!(locale, None);
    }
}
