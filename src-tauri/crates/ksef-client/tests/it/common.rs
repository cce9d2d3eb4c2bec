//! Shared helpers: start a simulator, build a client for it, make unique invoices.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ksef_client::{
    CancellationToken, ClientConfig, Environment, KsefClient, PollPolicy, RetryPolicy, SecretString,
};
use ksef_sim::{SimConfig, SimHandle, Simulator};

pub fn samples_dir() -> PathBuf {
    ksef_spec::samples_dir()
}

pub fn sample_template() -> String {
    let path = samples_dir().join("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A unique invoice number for this test process.
pub fn unique_number(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("T/{tag}/{nanos}/{n}")
}

/// The official sample with seller NIP, buyer NIP and invoice number (P_2) replaced and
/// today's issue date (so KSeF classifies it Online).
pub fn invoice(seller_nip: &str, buyer_nip: &str, number: &str) -> Vec<u8> {
    let today = chrono::Utc::now().date_naive().to_string();
    sample_template()
        .replacen(
            "<NIP>5265877635</NIP>",
            &format!("<NIP>{seller_nip}</NIP>"),
            1,
        )
        .replacen(
            "<NIP>6808208874</NIP>",
            &format!("<NIP>{buyer_nip}</NIP>"),
            1,
        )
        .replace("FA/YUCFO-4342344706/03/2026", number)
        .replace("<P_1>2025-10-31</P_1>", &format!("<P_1>{today}</P_1>"))
        .into_bytes()
}

pub const BUYER_NIP: &str = "6808208874";
/// A supplier with a valid NIP checksum (one of the simulator's demo suppliers).
pub const SUPPLIER_NIP: &str = "7770001281";

pub struct Env {
    pub sim: SimHandle,
    pub client: KsefClient,
    pub cancel: CancellationToken,
}

pub fn fast_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        poll: PollPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(200),
            auth_timeout: Duration::from_secs(20),
            invoice_timeout: Duration::from_secs(30),
            session_timeout: Duration::from_secs(60),
        },
        request_timeout: Duration::from_secs(10),
        ..ClientConfig::default()
    }
}

pub fn client_for(sim: &SimHandle, config: ClientConfig) -> KsefClient {
    let env = Environment::custom(&sim.base_url, None).unwrap();
    KsefClient::new(env, config).unwrap()
}

pub async fn start(config: SimConfig) -> Env {
    let sim = Simulator::start(config).await.unwrap();
    let client = client_for(&sim, fast_config());
    Env {
        sim,
        client,
        cancel: CancellationToken::new(),
    }
}

/// Simulator with default config, client authenticated with the demo token.
pub async fn start_authenticated() -> Env {
    let env = start(SimConfig::default()).await;
    env.client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    env
}
