//! Integration tests of the core against a real store in a temp dir.

// Test helpers outside #[test] fns are test code too; clippy.toml only exempts the fns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod connection;
mod costs;
mod credentials;
mod keyring;
mod ksef_certificates;
mod leak;
mod roles;
mod sales;
mod tokens;

use std::sync::Arc;

use chrono::TimeZone;
use desk_core::{
    ConnectionState, Desk, ErrorKind, FixedClock, KsefEnvironment, Locale, MemoryVault, TokenVault,
};

fn open(dir: &tempfile::TempDir) -> Desk {
    open_with(dir, Arc::new(MemoryVault::new()))
}

fn open_with(dir: &tempfile::TempDir, vault: Arc<dyn TokenVault>) -> Desk {
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 11, 25, 8, 0, 0)
        .single()
        .unwrap();
    Desk::open(dir.path(), Box::new(FixedClock(now)), vault).unwrap()
}

#[test]
fn a_new_profile_is_empty_polish_and_not_connected() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert_eq!(desk.locale(), Locale::Pl);
    assert!(desk.companies().unwrap().is_empty());
    assert_eq!(desk.active_company().unwrap(), None);
    let status = desk.status().unwrap();
    assert_eq!(status.environment, None);
    assert_eq!(status.connection, ConnectionState::NotConnected);
    assert_eq!(status.queued, 0);
}

#[test]
fn the_demo_seed_fills_an_empty_profile_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert!(desk.seed_demo().unwrap());
    assert!(!desk.seed_demo().unwrap());

    let companies = desk.companies().unwrap();
    assert_eq!(companies.len(), 1);
    let company = &companies[0];
    assert_eq!(company.ksef_environment, KsefEnvironment::Simulator);
    let dashboard = desk.dashboard(company.id).unwrap();
    assert_eq!(dashboard.contractors, 20);
    let sales = dashboard.sales;
    let total = sales.draft + sales.issued + sales.queued + sales.accepted + sales.rejected;
    assert_eq!(total as usize, desk_core::sales::DEMO_SALES);
    assert!(sales.draft > 0 && sales.issued > 0 && sales.queued > 0);
    assert!(sales.accepted > 0 && sales.rejected > 0);
    assert_eq!(
        desk.status().unwrap().environment,
        Some(KsefEnvironment::Simulator)
    );
    let contractors = desk.contractors(company.id).unwrap();
    for contractor in &contractors {
        if let Some(nip) = &contractor.nip {
            assert!(
                desk_core::Nip::parse(nip).is_ok(),
                "demo NIP {nip} is invalid"
            );
        }
    }
    assert!(contractors
        .iter()
        .any(|c| c.eu_vat_id.as_deref() == Some("DE811569869")));
}

#[test]
fn the_language_choice_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert_eq!(desk.set_locale("en-GB").unwrap(), Locale::En);
    drop(desk);
    assert_eq!(open(&dir).locale(), Locale::En);
}

#[test]
fn an_unknown_language_is_a_validation_error_that_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let error = desk.set_locale("de").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_eq!(error.code(), "unsupported_locale");
    assert!(error.message(Locale::Pl).contains("„de”"));
    assert_eq!(desk.locale(), Locale::Pl);
}

#[test]
fn the_selected_company_is_remembered_and_unknown_ones_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    desk.seed_demo().unwrap();
    let company = desk.companies().unwrap().remove(0);
    desk.select_company(company.id).unwrap();
    drop(desk);
    let desk = open(&dir);
    assert_eq!(desk.active_company().unwrap().unwrap().id, company.id);

    let error = desk.select_company(9_999).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert!(desk.dashboard(9_999).is_err());
    assert!(desk.contractors(9_999).is_err());
}

#[test]
fn only_a_profile_of_simulator_companies_may_be_reset_to_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    desk.seed_demo().unwrap();
    desk.check_demo_reset().unwrap();

    let store = desk_store::Store::open(&dir.path().join(desk_core::DATABASE_FILE_NAME)).unwrap();
    store
        .write(|tx| {
            tx.insert_company(
                &desk_store::NewCompany {
                    nip: "7740001454".into(),
                    name: "Kwiaciarnia Bratek".into(),
                    address_line1: String::new(),
                    address_line2: String::new(),
                    ksef_environment: KsefEnvironment::Production,
                    ksef_base_url: None,
                },
                chrono::Utc::now(),
            )
        })
        .unwrap();
    let error = desk.check_demo_reset().unwrap_err();
    assert_eq!(error.code(), "not_demo_profile");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert!(error.message(Locale::Pl).contains("Kwiaciarnia Bratek"));
}

#[test]
fn the_overview_lists_every_company_with_its_counts_and_connection() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert!(desk.overview().unwrap().is_empty());
    desk.seed_demo().unwrap();
    let overview = desk.overview().unwrap();
    assert_eq!(overview.len(), 1);
    assert_eq!(
        overview[0].dashboard.company.name,
        "Pracownia Demo Sp. z o.o."
    );
    assert_eq!(overview[0].dashboard.contractors, 20);
    assert!(!overview[0].connected, "no token saved yet");
}

#[test]
fn simulator_companies_follow_the_simulator_to_its_new_port() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert!(!desk.has_simulator_companies().unwrap());
    desk.seed_demo().unwrap();
    assert!(desk.has_simulator_companies().unwrap());
    assert_eq!(
        desk.point_simulator_companies_at("http://127.0.0.1:40123/v2")
            .unwrap(),
        1
    );
    let company = desk.companies().unwrap().remove(0);
    assert_eq!(
        company.ksef_base_url.as_deref(),
        Some("http://127.0.0.1:40123/v2")
    );
}
