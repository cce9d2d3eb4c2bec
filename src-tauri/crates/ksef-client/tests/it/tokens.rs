use ksef_client::{token_reference, KsefError, SecretString, TokenPermission, TokenStatus};
use ksef_sim::{Permission, SimConfig, TokenSpec};

use crate::common::*;

#[tokio::test]
async fn a_manager_lists_every_token_and_revokes_one() {
    let env = start_authenticated().await;
    let reader = env.sim.add_token(TokenSpec {
        context_nip: env.sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });
    let reader_ref = token_reference(&reader).unwrap().to_owned();

    let tokens = env.client.list_tokens(&env.cancel).await.unwrap();
    let listed = tokens
        .iter()
        .find(|t| t.reference_number == reader_ref)
        .expect("the reader token is listed");
    assert_eq!(listed.requested_permissions, [TokenPermission::InvoiceRead]);
    assert_eq!(listed.status, TokenStatus::Active);
    let own = token_reference(&env.sim.token).unwrap();
    assert!(tokens.iter().any(|t| t.reference_number == own));

    env.client
        .revoke_token(&reader_ref, &env.cancel)
        .await
        .unwrap();
    let after = env.client.list_tokens(&env.cancel).await.unwrap();
    let revoked = after
        .iter()
        .find(|t| t.reference_number == reader_ref)
        .unwrap();
    assert_eq!(revoked.status, TokenStatus::Revoked);

    // A revoked token no longer authenticates.
    let err = client_for(&env.sim, fast_config())
        .authenticate_with_token(&env.sim.nip, SecretString::from(reader), &env.cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            KsefError::AuthenticationFailed { .. } | KsefError::Api { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_token_without_credential_rights_sees_only_itself_and_cannot_revoke_others() {
    let env = start(SimConfig::default()).await;
    let reader = env.sim.add_token(TokenSpec {
        context_nip: env.sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead, Permission::InvoiceWrite],
        valid_until: None,
    });
    env.client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from(reader.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    let tokens = env.client.list_tokens(&env.cancel).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0].reference_number,
        token_reference(&reader).unwrap()
    );
    assert_eq!(
        tokens[0].requested_permissions,
        [TokenPermission::InvoiceRead, TokenPermission::InvoiceWrite]
    );

    let other = token_reference(&env.sim.token).unwrap();
    let err = env
        .client
        .revoke_token(other, &env.cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Forbidden { .. }), "{err:?}");
}
