//! A company's credentials as Settings, the dashboard and the status bar see them.

use desk_core::{CredentialAlert, CredentialMethod};

use crate::connection::{company, simulator};
use crate::open;

#[tokio::test]
async fn a_token_company_counts_the_days_to_the_cut_off() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    let credentials = desk.credentials(connected.company.id).unwrap();
    assert_eq!(credentials.method, CredentialMethod::Token);
    assert!(credentials.has_secret);
    assert!(credentials.can_manage, "who adds a company administers it");
    assert_eq!(credentials.token_last_day.to_string(), "2026-12-31");
    // The test clock says 25 November 2026: 6 days of November and 31 of December.
    assert_eq!(credentials.token_days_left, 37);
    assert_eq!(credentials.certificate_expiry, None);
    assert_eq!(
        credentials.alert(),
        Some(CredentialAlert::TokenCutoff { days_left: 37 })
    );
    assert_eq!(
        desk.status().unwrap().credential_alert,
        Some(CredentialAlert::TokenCutoff { days_left: 37 })
    );

    desk.disconnect(connected.company.id).unwrap();
    assert!(!desk.credentials(connected.company.id).unwrap().has_secret);
}
