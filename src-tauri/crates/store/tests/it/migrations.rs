use desk_store::{Store, StoreError, LATEST_SCHEMA_VERSION};
use rusqlite::Connection;

use crate::{acme, at, db_path, temp_store};

#[test]
fn migrates_an_empty_file_to_the_latest_schema() {
    let t = temp_store();
    assert_eq!(t.store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
    const { assert!(LATEST_SCHEMA_VERSION >= 2) };
}

#[test]
fn reopening_is_a_no_op_and_keeps_data() {
    let t = temp_store();
    t.store
        .write(|tx| tx.insert_company(&acme(), at(1)))
        .unwrap();
    let path = t.store.path().to_path_buf();
    drop(t.store);

    let schema_before = schema_sql(&path);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
    assert_eq!(store.read(|tx| tx.list_companies()).unwrap().len(), 1);
    drop(store);
    assert_eq!(schema_sql(&path), schema_before);
}

/// A file as version 1 of the app left it: schema 1 applied by hand, data in it.
#[test]
fn data_survives_the_upgrade_from_schema_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../../migrations/0001_core.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO companies (nip, name, ksef_environment, created_at)
               VALUES ('5261040828', 'Stara Firma', 'production', '2025-01-02T03:04:05Z');
             INSERT INTO contractors (company_id, nip, name, created_at, updated_at)
               VALUES (1, '7010002139', 'Dostawca', '2025-01-02T03:04:05Z', '2025-01-02T03:04:05Z');
             INSERT INTO app_settings (key, value) VALUES ('locale', 'en');",
        )
        .unwrap();
    }

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
    let companies = store.read(|tx| tx.list_companies()).unwrap();
    assert_eq!(companies.len(), 1);
    assert_eq!(companies[0].name, "Stara Firma");
    let contractors = store
        .read(|tx| tx.list_contractors(companies[0].id))
        .unwrap();
    assert_eq!(contractors[0].name, "Dostawca");
    assert_eq!(
        store
            .read(|tx| tx.app_setting("locale"))
            .unwrap()
            .as_deref(),
        Some("en")
    );
    // The table migration 2 adds is there and usable.
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM ksef_sync_state", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_database_from_a_newer_app_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let future = LATEST_SCHEMA_VERSION + 1;
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE from_the_future (x); PRAGMA user_version = {future};"
        ))
        .unwrap();
    }
    let error = Store::open(&path).err().unwrap();
    assert!(
        matches!(error, StoreError::NewerThanApp { found, known, .. } if found == future && known == LATEST_SCHEMA_VERSION),
        "{error}"
    );
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, future);
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "nothing may be created in a newer database");
}

#[test]
fn a_file_that_is_not_sqlite_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    std::fs::write(&path, b"this is a spreadsheet, not a database, sorry").unwrap();
    let error = Store::open(&path).err().unwrap();
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"this is a spreadsheet, not a database, sorry"
    );
}

fn schema_sql(path: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
