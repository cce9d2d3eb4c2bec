//! Integration tests of the store against real SQLite files in temp dirs.

// Test helpers outside #[test] fns are test code too; clippy.toml only exempts the fns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod migrations;
mod repositories;
mod sales;

use std::path::PathBuf;

use chrono::TimeZone;
use desk_store::{KsefEnvironment, NewCompany, Store, Timestamp, DATABASE_FILE_NAME};

pub(crate) struct TempStore {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

pub(crate) fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join(DATABASE_FILE_NAME)
}

pub(crate) fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db_path(&dir)).unwrap();
    TempStore { store, dir }
}

pub(crate) fn at(day: u32) -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 11, day, 9, 30, 0)
        .single()
        .unwrap()
}

pub(crate) fn acme() -> NewCompany {
    NewCompany {
        nip: "5261040828".into(),
        name: "Acme Sp. z o.o.".into(),
        address_line1: "ul. Prosta 1".into(),
        address_line2: "00-001 Warszawa".into(),
        ksef_environment: KsefEnvironment::Demo,
        ksef_base_url: None,
    }
}
