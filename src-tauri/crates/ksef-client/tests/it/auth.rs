use std::time::Duration;

use ksef_client::{KsefError, SecretString};
use ksef_sim::{Permission, SimConfig, Timing, TokenSpec};

use crate::common::*;

#[tokio::test]
async fn token_auth_obtains_tokens_and_certificates_are_cached() {
    let env = start(SimConfig::default()).await;
    let info = env
        .client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    assert_eq!(info.reference_number.len(), 36);
    assert!(info.access_valid_until > chrono::Utc::now());
    assert!(info.refresh_valid_until > info.access_valid_until);
    let certs = env
        .client
        .public_key_certificates(&env.cancel)
        .await
        .unwrap();
    assert_eq!(certs.len(), 2);
    // A protected call works with the access token.
    let limits = env.client.fetch_rate_limits(&env.cancel).await.unwrap();
    assert!(limits.invoice_send.per_second > 0);
}

#[tokio::test]
async fn wrong_token_is_a_typed_auth_failure() {
    let env = start(SimConfig::default()).await;
    let err = env
        .client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from("not-a-token".to_string()),
            &env.cancel,
        )
        .await
        .unwrap_err();
    match err {
        KsefError::AuthenticationFailed { status } => {
            assert_eq!(status.code, 450, "{status:?}");
            assert!(!status.description.is_empty());
        }
        KsefError::Api { .. } => {}
        other => panic!("unexpected {other:?}"),
    }
    // Protected calls before auth fail clearly, without touching the network.
    let err = env.client.fetch_rate_limits(&env.cancel).await.unwrap_err();
    assert!(matches!(err, KsefError::NotAuthenticated), "{err:?}");
}

#[tokio::test]
async fn token_for_other_context_is_rejected() {
    let env = start(SimConfig::default()).await;
    let other = env.sim.add_token(TokenSpec::full("1111111111"));
    let err = env
        .client
        .authenticate_with_token(&env.sim.nip, SecretString::from(other), &env.cancel)
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
async fn access_token_is_refreshed_before_expiry() {
    let timing = Timing {
        access_token_ttl: Duration::from_secs(3),
        ..Timing::default()
    };
    let env = start(SimConfig {
        timing,
        ..SimConfig::default()
    })
    .await;
    // Margin larger than the TTL: every protected call must refresh first.
    let mut config = fast_config();
    config.refresh_margin = Duration::from_secs(2);
    let client = client_for(&env.sim, config);
    let first = client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.fetch_rate_limits(&env.cancel).await.unwrap();
    let after = client.auth_info().await.unwrap();
    assert_eq!(
        after.reference_number, first.reference_number,
        "refreshed, not re-authenticated"
    );
    assert!(after.access_valid_until > first.access_valid_until);
    // Explicit refresh too.
    let again = client.refresh_now(&env.cancel).await.unwrap();
    assert_eq!(again.reference_number, first.reference_number);
}

#[tokio::test]
async fn reauthenticates_when_refresh_token_expired() {
    let timing = Timing {
        access_token_ttl: Duration::from_secs(1),
        refresh_token_ttl: Duration::from_secs(2),
        ..Timing::default()
    };
    let env = start(SimConfig {
        timing,
        ..SimConfig::default()
    })
    .await;
    let mut config = fast_config();
    config.refresh_margin = Duration::ZERO;
    let client = client_for(&env.sim, config);
    let first = client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    client.fetch_rate_limits(&env.cancel).await.unwrap();
    let after = client.auth_info().await.unwrap();
    assert_ne!(
        after.reference_number, first.reference_number,
        "a new authentication happened"
    );
}

#[tokio::test]
async fn revoked_token_ends_in_clear_error() {
    let timing = Timing {
        access_token_ttl: Duration::from_secs(1),
        refresh_token_ttl: Duration::from_secs(1),
        ..Timing::default()
    };
    let env = start(SimConfig {
        timing,
        ..SimConfig::default()
    })
    .await;
    let token = env.sim.add_token(TokenSpec {
        context_nip: env.sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });
    let mut config = fast_config();
    config.refresh_margin = Duration::ZERO;
    let client = client_for(&env.sim, config);
    client
        .authenticate_with_token(&env.sim.nip, SecretString::from(token.clone()), &env.cancel)
        .await
        .unwrap();
    assert!(env.sim.revoke_token(&token));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let err = client.fetch_rate_limits(&env.cancel).await.unwrap_err();
    assert!(
        matches!(
            err,
            KsefError::AuthenticationFailed { .. } | KsefError::Unauthorized { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_permission_is_forbidden_with_reason_code() {
    let env = start(SimConfig::default()).await;
    let token = env.sim.add_token(TokenSpec {
        context_nip: env.sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });
    env.client
        .authenticate_with_token(&env.sim.nip, SecretString::from(token), &env.cancel)
        .await
        .unwrap();
    let err = env
        .client
        .open_online_session(ksef_client::FormCode::fa3(), &env.cancel)
        .await
        .unwrap_err();
    match err {
        KsefError::Forbidden { reason_code, .. } => assert_eq!(reason_code, "missing-permissions"),
        other => panic!("unexpected {other:?}"),
    }
}
