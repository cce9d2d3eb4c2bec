//! The company's KSeF tokens: listing and revoking from the app, roles enforced.

use desk_core::{CancellationToken, ErrorKind, KsefPermission, PermissionState, Role, TokenState};
use ksef_sim::{Permission, TokenSpec};

use crate::connection::{company, request, simulator};
use crate::open;
use crate::roles::act_as;

#[tokio::test]
async fn an_admin_sees_the_tokens_and_revoking_the_apps_own_disconnects() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    let company_id = connected.company.id;
    let spare = sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });
    let spare_ref = spare.split('|').next().unwrap();
    let cancel = CancellationToken::new();

    let tokens = desk.company_tokens(company_id, &cancel).await.unwrap();
    let own = tokens
        .iter()
        .find(|t| t.used_by_this_app)
        .expect("own token listed");
    assert_eq!(own.reference, sim.token.split('|').next().unwrap());
    assert!(own.permissions.contains(&KsefPermission::CredentialsManage));
    let listed = tokens.iter().find(|t| t.reference == spare_ref).unwrap();
    assert_eq!(listed.permissions, [KsefPermission::InvoiceRead]);
    assert_eq!(listed.state, TokenState::Active);
    assert!(!listed.used_by_this_app);

    let was_own = desk
        .revoke_company_token(company_id, spare_ref, &cancel)
        .await
        .unwrap();
    assert!(!was_own);
    let tokens = desk.company_tokens(company_id, &cancel).await.unwrap();
    let revoked = tokens.iter().find(|t| t.reference == spare_ref).unwrap();
    assert_eq!(revoked.state, TokenState::Revoked);
    assert!(desk.is_connected(company_id).unwrap());

    let own_ref = own.reference.clone();
    assert!(desk
        .revoke_company_token(company_id, &own_ref, &cancel)
        .await
        .unwrap());
    assert!(!desk.is_connected(company_id).unwrap());
    let error = desk.company_tokens(company_id, &cancel).await.unwrap_err();
    assert_eq!(error.code(), "not_connected");
    assert_eq!(error.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn the_test_reports_credential_permissions_from_ksef_itself() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let report = desk
        .test_connection(&request(&sim, &sim.token))
        .await
        .unwrap();
    assert_eq!(
        report.permission(KsefPermission::CredentialsManage),
        PermissionState::Granted
    );
    let reader = sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });
    let report = desk.test_connection(&request(&sim, &reader)).await.unwrap();
    for permission in KsefPermission::ALL {
        let expected = if permission == KsefPermission::InvoiceRead {
            PermissionState::Granted
        } else {
            PermissionState::Missing
        };
        assert_eq!(report.permission(permission), expected, "{permission:?}");
    }
}

#[tokio::test]
async fn a_clerk_without_the_admin_role_may_not_see_or_revoke_tokens() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let company_id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    // Another person, with the sales role only, takes over the profile.
    act_as(&dir, "clerk", &[Role::Sales]);

    let cancel = CancellationToken::new();
    let error = desk.company_tokens(company_id, &cancel).await.unwrap_err();
    assert_eq!(error.code(), "forbidden");
    assert_eq!(error.kind(), ErrorKind::Permission);
    let own_ref = sim.token.split('|').next().unwrap();
    let error = desk
        .revoke_company_token(company_id, own_ref, &cancel)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "forbidden");
    assert!(desk.is_connected(company_id).unwrap());
}
