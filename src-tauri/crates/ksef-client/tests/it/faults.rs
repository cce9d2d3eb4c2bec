//! Every injected fault ends in success or in a clear typed error.

use std::time::{Duration, Instant};

use chrono::Utc;
use ksef_client::{
    AvailabilityState, FormCode, InvoiceOutcome, KsefError, RateLimitTable, RetryPolicy,
};
use ksef_sim::{FaultConfig, OneShotFault, OutageWindow, SimConfig};

use crate::common::*;

async fn sent_invoice(env: &Env) -> (ksef_client::OnlineSession, ksef_client::InvoiceReference) {
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("fault"));
    let sent = env
        .client
        .send_invoice(&session, &xml, &env.cancel)
        .await
        .unwrap();
    (session, sent)
}

#[tokio::test]
async fn too_many_requests_is_waited_out_per_retry_after_even_for_sends() {
    let env = start_authenticated().await;
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    // 429 on the (non-idempotent) send: KSeF did not process it, so it is retried.
    env.sim.push_fault(
        Some("/invoices"),
        OneShotFault::TooManyRequests {
            retry_after_secs: 1,
        },
    );
    let t = Instant::now();
    let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("429"));
    let sent = env
        .client
        .send_invoice(&session, &xml, &env.cancel)
        .await
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert!(matches!(
        env.client
            .wait_for_invoice(&sent, &env.cancel)
            .await
            .unwrap(),
        InvoiceOutcome::Accepted { .. }
    ));
    let all = env
        .client
        .all_session_invoices(&session.reference_number, false, &env.cancel)
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "sent exactly once");
}

#[tokio::test]
async fn retry_after_beyond_budget_is_a_typed_rate_limit_error() {
    let env = start_authenticated().await;
    let (session, sent) = sent_invoice(&env).await;
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::TooManyRequests {
            retry_after_secs: 600,
        },
    );
    let err = env
        .client
        .invoice_status(
            &session.reference_number,
            &sent.reference_number,
            &env.cancel,
        )
        .await
        .unwrap_err();
    match err {
        KsefError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(600)))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_and_resets_are_retried_for_idempotent_calls() {
    let env = start_authenticated().await;
    let (session, sent) = sent_invoice(&env).await;
    for fault in [
        OneShotFault::ServerError { status: 500 },
        OneShotFault::ServerError { status: 502 },
        OneShotFault::ServerError { status: 503 },
        OneShotFault::ConnectionReset,
    ] {
        env.sim
            .push_fault(Some(&sent.reference_number), fault.clone());
        let s = env
            .client
            .invoice_status(
                &session.reference_number,
                &sent.reference_number,
                &env.cancel,
            )
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e:?}"));
        assert_eq!(s.reference_number, sent.reference_number);
    }
    // Several faults in a row are still within the retry budget.
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::ServerError { status: 500 },
    );
    env.sim
        .push_fault(Some(&sent.reference_number), OneShotFault::ConnectionReset);
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::ServerError { status: 504 },
    );
    env.client
        .invoice_status(
            &session.reference_number,
            &sent.reference_number,
            &env.cancel,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn server_errors_on_sends_are_not_retried_and_typed() {
    let env = start_authenticated().await;
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    env.sim
        .push_fault(Some("/invoices"), OneShotFault::ServerError { status: 500 });
    let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("5xx"));
    let err = env
        .client
        .send_invoice(&session, &xml, &env.cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, KsefError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_unavailability());
    env.sim
        .push_fault(Some("/invoices"), OneShotFault::ConnectionReset);
    let err = env
        .client
        .send_invoice(&session, &xml, &env.cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Transport { .. }), "{err:?}");
    // Nothing was processed twice; a clean resend works.
    let sent = env
        .client
        .send_invoice(&session, &xml, &env.cancel)
        .await
        .unwrap();
    assert!(matches!(
        env.client
            .wait_for_invoice(&sent, &env.cancel)
            .await
            .unwrap(),
        InvoiceOutcome::Accepted { .. }
    ));
}

#[tokio::test]
async fn timeouts_are_retried_for_reads_and_typed_when_exhausted() {
    let env = start_authenticated().await;
    let (session, sent) = sent_invoice(&env).await;
    let mut config = fast_config();
    config.request_timeout = Duration::from_millis(500);
    let client = client_for(&env.sim, config);
    client
        .authenticate_with_token(
            &env.sim.nip,
            ksef_client::SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::Delay { ms: 1500 },
    );
    client
        .invoice_status(
            &session.reference_number,
            &sent.reference_number,
            &env.cancel,
        )
        .await
        .unwrap();

    let mut config = fast_config();
    config.request_timeout = Duration::from_millis(300);
    config.retry = RetryPolicy {
        max_attempts: 2,
        ..config.retry
    };
    let client = client_for(&env.sim, config);
    client
        .authenticate_with_token(
            &env.sim.nip,
            ksef_client::SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::Delay { ms: 1000 },
    );
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::Delay { ms: 1000 },
    );
    let err = client
        .invoice_status(
            &session.reference_number,
            &sent.reference_number,
            &env.cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn cancellation_stops_a_call_at_once() {
    let env = start_authenticated().await;
    let (session, sent) = sent_invoice(&env).await;
    env.sim.push_fault(
        Some(&sent.reference_number),
        OneShotFault::Delay { ms: 5000 },
    );
    let cancel = ksef_client::CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c2.cancel();
    });
    let t = Instant::now();
    let err = env
        .client
        .invoice_status(&session.reference_number, &sent.reference_number, &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Cancelled), "{err:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
    // A cancelled token also stops polling loops before any request.
    let err = env
        .client
        .wait_for_invoice(&sent, &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Cancelled));
}

#[tokio::test]
async fn outage_window_is_detected_and_reads_recover_after_it() {
    let env = start_authenticated().await;
    let (session, sent) = sent_invoice(&env).await;
    let now = Utc::now();
    env.sim.set_faults(FaultConfig {
        outages: vec![OutageWindow {
            from: now - chrono::Duration::seconds(1),
            to: now + chrono::Duration::seconds(2),
        }],
        ..FaultConfig::default()
    });
    let a = env.client.availability(&env.cancel).await.unwrap();
    assert_eq!(a.state, AvailabilityState::Maintenance, "{a:?}");
    assert!(a.api_error.is_some());
    // A read during the outage waits per Retry-After and succeeds once it is over.
    let s = env
        .client
        .invoice_status(
            &session.reference_number,
            &sent.reference_number,
            &env.cancel,
        )
        .await;
    assert!(s.is_ok(), "{s:?}");
    let a = env.client.availability(&env.cancel).await.unwrap();
    assert_eq!(a.state, AvailabilityState::Available, "{a:?}");
    assert!(a.api_reachable);
}

#[tokio::test]
async fn unreachable_server_is_reported() {
    let env = start_authenticated().await;
    let client = client_for(&env.sim, fast_config());
    env.sim.push_fault(None, OneShotFault::ConnectionReset);
    let a = client.availability(&env.cancel).await.unwrap();
    assert_eq!(a.state, AvailabilityState::Unreachable, "{a:?}");
    assert!(!a.api_reachable);
}

#[tokio::test]
async fn client_limiter_keeps_under_enforced_limits() {
    let env = start(SimConfig {
        faults: FaultConfig {
            enforce_rate_limits: true,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    // No retries: a single 429 would surface as an error.
    let mut config = fast_config();
    config.retry = RetryPolicy::none();
    config.rate_limits = Some(RateLimitTable::production());
    let client = client_for(&env.sim, config);
    client
        .authenticate_with_token(
            &env.sim.nip,
            ksef_client::SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    let session = client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("lim"));
    let sent = client
        .send_invoice(&session, &xml, &env.cancel)
        .await
        .unwrap();
    let t = Instant::now();
    // 40 status reads against invoiceStatus = 30 req/s: the limiter spreads them.
    for _ in 0..40 {
        client
            .invoice_status(
                &session.reference_number,
                &sent.reference_number,
                &env.cancel,
            )
            .await
            .unwrap();
    }
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
}

/// Random 429s, 5xx and dropped connections on every call: the whole flow still ends in
/// success, using the documented recovery for non-idempotent sends (look the invoice up by
/// hash in the session, resend only if KSeF does not have it).
#[tokio::test]
async fn random_faults_flow_ends_in_success_without_duplicates() {
    let env = start_authenticated().await;
    // ~25 % of attempts fail; 12 attempts make an exhausted read (0.25^12) practically impossible.
    let mut config = fast_config();
    config.retry.max_attempts = 12;
    let client = client_for(&env.sim, config);
    client
        .authenticate_with_token(
            &env.sim.nip,
            ksef_client::SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    let (c, cancel) = (&client, &env.cancel);
    let session = c
        .open_online_session(FormCode::fa3(), cancel)
        .await
        .unwrap();
    env.sim.set_faults(FaultConfig {
        rate_429: 0.1,
        retry_after_secs: 0,
        rate_5xx: 0.1,
        rate_reset: 0.05,
        ..FaultConfig::default()
    });
    let mut typed_errors = 0;
    let mut refs = Vec::new();
    for i in 0..25 {
        let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number(&format!("soak{i}")));
        let hash = ksef_client::crypto::sha256_b64(&xml);
        let reference = loop {
            match c.send_invoice(&session, &xml, cancel).await {
                Ok(r) => break r.reference_number,
                Err(
                    e @ (KsefError::Server { .. }
                    | KsefError::Transport { .. }
                    | KsefError::Timeout { .. }),
                ) => {
                    typed_errors += 1;
                    let _ = e.to_string();
                    // Ambiguous: ask KSeF before resending (reads are retried internally).
                    if let Some(found) = c
                        .find_in_session_by_hash(&session.reference_number, &hash, cancel)
                        .await
                        .unwrap()
                    {
                        break found.reference_number;
                    }
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        };
        refs.push(reference);
    }
    loop {
        match c.close_online_session(&session, cancel).await {
            Ok(()) => break,
            Err(
                KsefError::Server { .. } | KsefError::Transport { .. } | KsefError::Timeout { .. },
            ) => {
                let s = c
                    .session_status(&session.reference_number, cancel)
                    .await
                    .unwrap();
                if s.status.code != 100 {
                    break;
                }
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let status = c
        .wait_for_session(&session.reference_number, cancel)
        .await
        .unwrap();
    env.sim.set_faults(FaultConfig::default());
    assert_eq!(status.successful_invoice_count, Some(25), "{status:?}");
    assert_eq!(
        status.failed_invoice_count.unwrap_or(0),
        0,
        "no duplicates were sent"
    );
    let unique: std::collections::HashSet<_> = refs.iter().collect();
    assert_eq!(unique.len(), 25);
    eprintln!("random faults: {typed_errors} typed send errors recovered");
}
