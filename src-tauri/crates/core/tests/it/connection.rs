//! Connecting a company: `test_connection`, `connect_company`, `replace_token`,
//! `disconnect` against the simulator over loopback HTTP, with an in-memory vault.

use std::sync::Arc;

use chrono::{Duration, Utc};
use desk_core::{
    AppFeature, CompanyConnection, ConnectionRequest, CoreError, ErrorKind, FeatureState,
    KsefEnvironment, KsefPermission, Locale, MemoryVault, Nip, PermissionState, SecretString,
    TokenVault, VaultError, VaultKey,
};
use ksef_sim::{FaultConfig, OutageWindow, Permission, SimConfig, SimHandle, Simulator, TokenSpec};
use secrecy::ExposeSecret;

use crate::{open, open_with};

pub(crate) async fn simulator() -> SimHandle {
    Simulator::start(SimConfig::default()).await.unwrap()
}

pub(crate) fn request(sim: &SimHandle, token: &str) -> ConnectionRequest {
    ConnectionRequest {
        nip: sim.nip.clone(),
        environment: KsefEnvironment::Simulator,
        base_url: Some(sim.base_url.clone()),
        token: SecretString::from(token.to_owned()),
    }
}

pub(crate) fn company(sim: &SimHandle, token: &str) -> CompanyConnection {
    CompanyConnection {
        name: "Pracownia Demo Sp. z o.o.".into(),
        address_line1: "ul. Marszałkowska 84/92".into(),
        address_line2: "00-514 Warszawa".into(),
        connection: request(sim, token),
    }
}

fn token(sim: &SimHandle, permissions: Vec<Permission>) -> String {
    sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions,
        valid_until: None,
    })
}

fn key(sim: &SimHandle) -> VaultKey {
    VaultKey::new(Nip::parse(&sim.nip).unwrap(), KsefEnvironment::Simulator)
}

#[track_caller]
fn check_error(error: &CoreError, kind: ErrorKind, code: &str, pl: &str, en: &str) {
    assert_eq!(error.kind(), kind, "{error:?}");
    assert_eq!(error.code(), code, "{error:?}");
    let (message_pl, message_en) = (error.message(Locale::Pl), error.message(Locale::En));
    assert!(message_pl.contains(pl), "{message_pl}");
    assert!(message_en.contains(en), "{message_en}");
}

#[tokio::test]
async fn a_full_token_authenticates_and_reports_what_it_enables() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let report = desk
        .test_connection(&request(&sim, &sim.token))
        .await
        .unwrap();
    assert_eq!(report.nip.as_str(), sim.nip);
    assert_eq!(report.environment, KsefEnvironment::Simulator);
    assert_eq!(
        report.permission(KsefPermission::InvoiceWrite),
        PermissionState::Granted
    );
    assert_eq!(
        report.permission(KsefPermission::InvoiceRead),
        PermissionState::Granted
    );
    assert_eq!(report.permissions.len(), KsefPermission::ALL.len());
    for feature in AppFeature::ALL {
        assert_eq!(
            report.feature(feature),
            FeatureState::Enabled,
            "{feature:?}"
        );
    }
    // A test stores nothing.
    assert!(desk.companies().unwrap().is_empty());
}

#[tokio::test]
async fn a_read_only_token_blocks_sending_and_enables_costs() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let reader = token(&sim, vec![Permission::InvoiceRead]);
    let report = desk.test_connection(&request(&sim, &reader)).await.unwrap();
    assert_eq!(
        report.permission(KsefPermission::InvoiceRead),
        PermissionState::Granted
    );
    assert_eq!(
        report.permission(KsefPermission::InvoiceWrite),
        PermissionState::Missing
    );
    assert_eq!(
        report.permission(KsefPermission::Introspection),
        PermissionState::Missing
    );
    assert_eq!(
        report.feature(AppFeature::SendSalesInvoices),
        FeatureState::Blocked
    );
    assert_eq!(
        report.feature(AppFeature::SalesStatusAndUpo),
        FeatureState::Blocked
    );
    assert_eq!(
        report.feature(AppFeature::ReceiveCostInvoices),
        FeatureState::Enabled
    );
    assert_eq!(
        report.feature(AppFeature::DownloadFromKsef),
        FeatureState::Enabled
    );

    let writer = token(&sim, vec![Permission::InvoiceWrite]);
    let report = desk.test_connection(&request(&sim, &writer)).await.unwrap();
    assert_eq!(
        report.permission(KsefPermission::InvoiceWrite),
        PermissionState::Granted
    );
    assert_eq!(
        report.permission(KsefPermission::InvoiceRead),
        PermissionState::Missing
    );
    assert_eq!(
        report.feature(AppFeature::SendSalesInvoices),
        FeatureState::Enabled
    );
    assert_eq!(
        report.feature(AppFeature::ReceiveCostInvoices),
        FeatureState::Blocked
    );
}

#[tokio::test]
async fn a_wrong_token_is_rejected_as_unknown_to_ksef() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let made_up = format!(
        "20251125-EC-1111111111-2222222222-33|nip-{}|{}",
        sim.nip,
        "ab".repeat(32)
    );
    let error = desk
        .test_connection(&request(&sim, &made_up))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Remote,
        "token_invalid",
        "KSeF nie rozpoznał tokena",
        "KSeF does not recognise the token",
    );
}

#[tokio::test]
async fn a_token_for_another_nip_is_caught_and_one_without_rights_is_a_permission_error() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let other = sim.add_token(TokenSpec::full("7740001454"));
    let error = desk
        .test_connection(&request(&sim, &other))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Validation,
        "invalid_input",
        "wygenerowano dla NIP 7740001454",
        "generated for NIP 7740001454",
    );
    assert_eq!(error.input_problems()[0].code(), "token_for_another_nip");
    assert_eq!(error.input_problems()[0].field(), "token");

    // KSeF itself says 415 when the token gives no rights in the context.
    let powerless = token(&sim, Vec::new());
    let error = desk
        .test_connection(&request(&sim, &powerless))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Permission,
        "token_no_rights_for_nip",
        &format!("dla NIP {}", sim.nip),
        &format!("for NIP {}", sim.nip),
    );
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_told_apart() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let expired = sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead, Permission::InvoiceWrite],
        valid_until: Some(Utc::now() - Duration::days(1)),
    });
    let error = desk
        .test_connection(&request(&sim, &expired))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Remote,
        "token_expired",
        "Token jest nieaktywny",
        "The token is not active",
    );

    let revoked = token(&sim, vec![Permission::InvoiceRead]);
    assert!(sim.revoke_token(&revoked));
    let error = desk
        .test_connection(&request(&sim, &revoked))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Remote,
        "token_revoked",
        "unieważniony",
        "revoked",
    );
}

#[tokio::test]
async fn a_stopped_simulator_means_no_connection() {
    let sim = simulator().await;
    let request = request(&sim, &sim.token);
    sim.shutdown().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let error = desk.test_connection(&request).await.unwrap_err();
    check_error(
        &error,
        ErrorKind::Remote,
        "ksef_unreachable",
        "Brak połączenia z KSeF",
        "No connection to KSeF",
    );
}

#[tokio::test]
async fn an_outage_window_means_ksef_is_unavailable() {
    let sim = simulator().await;
    sim.set_faults(FaultConfig {
        outages: vec![OutageWindow {
            from: Utc::now() - Duration::minutes(1),
            to: Utc::now() + Duration::minutes(30),
        }],
        ..FaultConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let error = desk
        .test_connection(&request(&sim, &sim.token))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Remote,
        "ksef_unavailable",
        "KSeF jest chwilowo niedostępny",
        "KSeF is temporarily unavailable",
    );
    assert!(
        matches!(error, CoreError::KsefUnavailable { retry_after_secs: Some(secs), .. } if secs > 60),
        "{error:?}"
    );
    assert!(
        error
            .message(Locale::Pl)
            .contains("Spróbuj ponownie za 30 min"),
        "{}",
        error.message(Locale::Pl)
    );
}

#[tokio::test]
async fn bad_input_lists_every_problem_without_calling_ksef() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let error = desk
        .connect_company(&CompanyConnection {
            name: " ".into(),
            address_line1: String::new(),
            address_line2: String::new(),
            connection: ConnectionRequest {
                nip: "PL 526-587-76-35".into(),
                environment: KsefEnvironment::Simulator,
                base_url: None,
                token: SecretString::from("two words".to_owned()),
            },
        })
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let found: Vec<(&str, &str)> = error
        .input_problems()
        .iter()
        .map(|p| (p.field(), p.code()))
        .collect();
    assert_eq!(
        found,
        [
            ("name", "company_name_empty"),
            ("nip", "nip_eu_prefix"),
            ("token", "token_malformed"),
            ("base_url", "simulator_url_missing"),
        ]
    );
    assert!(error.message(Locale::Pl).contains("bez przedrostka PL"));
    assert!(desk.companies().unwrap().is_empty());
}

#[tokio::test]
async fn connecting_stores_the_company_and_the_token_only_in_the_vault() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let desk = open_with(&dir, vault.clone());
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    let company = connected.company;
    assert_eq!(company.nip, sim.nip);
    assert_eq!(company.ksef_environment, KsefEnvironment::Simulator);
    assert_eq!(
        company.ksef_base_url.as_deref(),
        Some(sim.base_url.as_str())
    );
    assert_eq!(
        connected.report.feature(AppFeature::SendSalesInvoices),
        FeatureState::Enabled
    );
    assert_eq!(desk.companies().unwrap(), vec![company.clone()]);
    let saved = vault.load(&key(&sim)).unwrap().unwrap();
    assert_eq!(saved.expose_secret(), sim.token);
    assert!(desk.is_connected(company.id).unwrap());

    // The same NIP again is a conflict, found before KSeF is asked.
    let error = desk
        .connect_company(&company_again(&sim))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);

    desk.disconnect(company.id).unwrap();
    assert!(!desk.is_connected(company.id).unwrap());
    assert!(vault.is_empty());
    // Idempotent; the company and its data stay.
    desk.disconnect(company.id).unwrap();
    assert_eq!(desk.companies().unwrap().len(), 1);
    assert_eq!(
        desk.disconnect(9_999).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

fn company_again(sim: &SimHandle) -> CompanyConnection {
    let mut again = company(sim, &sim.token);
    again.connection.nip = "526 587 76 35".into();
    again
}

#[tokio::test]
async fn a_locked_keychain_stores_nothing() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    vault.set_failure(Some(VaultError::Locked {
        detail: "collection is locked".into(),
    }));
    let desk = open_with(&dir, vault.clone());
    let error = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap_err();
    check_error(
        &error,
        ErrorKind::Internal,
        "keychain_locked",
        "pęk kluczy jest zablokowany",
        "keychain is locked",
    );
    assert!(desk.companies().unwrap().is_empty());
    vault.set_failure(None);
    assert!(vault.is_empty());
}

#[tokio::test]
async fn replacing_the_token_keeps_the_old_one_until_ksef_accepts_the_new() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let desk = open_with(&dir, vault.clone());
    let first = token(&sim, vec![Permission::InvoiceRead]);
    let company = desk
        .connect_company(&company(&sim, &first))
        .await
        .unwrap()
        .company;

    let revoked = token(&sim, Permission::ALL.to_vec());
    sim.revoke_token(&revoked);
    let error = desk
        .replace_token(company.id, SecretString::from(revoked))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "token_revoked");
    assert_eq!(
        vault.load(&key(&sim)).unwrap().unwrap().expose_secret(),
        first
    );

    let second = token(&sim, Permission::ALL.to_vec());
    let report = desk
        .replace_token(company.id, SecretString::from(second.clone()))
        .await
        .unwrap();
    assert_eq!(
        report.feature(AppFeature::SendSalesInvoices),
        FeatureState::Enabled
    );
    assert_eq!(
        vault.load(&key(&sim)).unwrap().unwrap().expose_secret(),
        second
    );
}

#[tokio::test]
async fn the_status_bar_follows_connect_and_disconnect() {
    use desk_core::ConnectionState;
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert_eq!(
        desk.status().unwrap().connection,
        ConnectionState::NotConnected
    );
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    desk.select_company(connected.company.id).unwrap();
    assert_eq!(desk.status().unwrap().connection, ConnectionState::Online);
    desk.disconnect(connected.company.id).unwrap();
    assert_eq!(
        desk.status().unwrap().connection,
        ConnectionState::NotConnected
    );
}

#[tokio::test]
async fn demo_mode_connects_the_demo_company_to_the_simulator() {
    use desk_core::ConnectionState;
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    desk.seed_demo().unwrap();
    assert_eq!(
        desk.status().unwrap().connection,
        ConnectionState::NotConnected
    );
    desk.connect_demo_company(&sim.base_url, SecretString::from(sim.token.clone()))
        .await
        .unwrap();
    let demo = desk.active_company().unwrap().unwrap();
    assert_eq!(demo.ksef_base_url.as_deref(), Some(sim.base_url.as_str()));
    assert_eq!(desk.status().unwrap().connection, ConnectionState::Online);
    // A restart gets a new port: the company follows it.
    desk.connect_demo_company(
        "http://127.0.0.1:1/v2",
        SecretString::from(sim.token.clone()),
    )
    .await
    .unwrap_err();
    let moved = desk.active_company().unwrap().unwrap();
    assert_eq!(
        moved.ksef_base_url.as_deref(),
        Some("http://127.0.0.1:1/v2")
    );
}
