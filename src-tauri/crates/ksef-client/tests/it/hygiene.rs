//! Tracing never carries secrets or invoice bodies; availability reads Latarnia.

use std::io::Write;
use std::sync::{Arc, Mutex};

use ksef_client::{
    AvailabilityState, CancellationToken, Environment, FormCode, KsefClient, SecretString,
};
use ksef_sim::{Announcement, FaultConfig, SimConfig, Simulator};

use crate::common::*;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_hold_no_token_key_or_invoice_body() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("ksef_client=trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let client = client_for(&sim, fast_config());
    let cancel = CancellationToken::new();
    client
        .authenticate_with_token(&sim.nip, SecretString::from(sim.token.clone()), &cancel)
        .await
        .unwrap();
    client.refresh_now(&cancel).await.unwrap();
    let session = client
        .open_online_session(FormCode::fa3(), &cancel)
        .await
        .unwrap();
    let marker = unique_number("secret-body-marker");
    let xml = invoice(&sim.nip, BUYER_NIP, &marker);
    let sent = client.send_invoice(&session, &xml, &cancel).await.unwrap();
    client.wait_for_invoice(&sent, &cancel).await.unwrap();
    // The hash lookup used before a resend finds it.
    let found = client
        .find_in_session_by_hash(&session.reference_number, &sent.invoice_hash, &cancel)
        .await
        .unwrap();
    assert_eq!(
        found.map(|f| f.reference_number),
        Some(sent.reference_number.clone())
    );
    // A failing call logs too.
    sim.push_fault(
        Some("/invoices"),
        ksef_sim::OneShotFault::ServerError { status: 500 },
    );
    let _ = client
        .invoice_status(&session.reference_number, &sent.reference_number, &cancel)
        .await;

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("ksef_call"), "spans are emitted:\n{logs}");
    assert!(logs.contains("sessions.online.send"));
    assert!(!logs.contains(&sim.token), "KSeF token leaked");
    assert!(!logs.contains(&marker), "invoice body leaked");
    assert!(!logs.contains("<Faktura"), "invoice XML leaked");
    assert!(!logs.contains("Bearer"), "authorization header leaked");
    assert!(!logs.contains("eyJ"), "a JWT leaked");
    // Debug of the session never shows key material.
    assert!(format!("{session:?}").contains("[redacted]"));
}

#[tokio::test]
async fn availability_reads_latarnia_announcements() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let cancel = CancellationToken::new();
    let env = Environment::custom(&sim.base_url, Some(&sim.latarnia_base)).unwrap();
    let client = KsefClient::new(env, fast_config()).unwrap();
    let a = client.availability(&cancel).await.unwrap();
    assert_eq!(a.state, AvailabilityState::Available, "{a:?}");
    assert_eq!(
        a.latarnia.as_ref().map(|l| l.status.as_str()),
        Some("AVAILABLE")
    );

    let now = chrono::Utc::now();
    sim.set_faults(FaultConfig {
        announcements: vec![Announcement {
            category: "FAILURE".into(),
            title: "Awaria KSeF".into(),
            text: "Trwa awaria systemu.".into(),
            start: now - chrono::Duration::minutes(5),
            end: None,
        }],
        ..FaultConfig::default()
    });
    let a = client.availability(&cancel).await.unwrap();
    assert_eq!(a.state, AvailabilityState::Failure, "{a:?}");
    let l = a.latarnia.unwrap();
    assert_eq!(l.messages[0].kind.as_deref(), Some("FAILURE_START"));
    assert_eq!(l.messages[0].title.as_deref(), Some("Awaria KSeF"));
    let messages = client.latarnia_messages(&cancel).await.unwrap();
    assert_eq!(messages.len(), 1);
}
