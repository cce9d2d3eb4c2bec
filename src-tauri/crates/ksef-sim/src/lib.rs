//! # ksef-sim — a faithful local KSeF API 2.0
//!
//! The simulator serves the official wire contract (`open-api.json`: paths under `/v2`,
//! methods, JSON field names, status codes, headers) on a loopback port, with real
//! cryptography (RSA-OAEP SHA-256 token and key wrapping, AES-256-CBC invoices,
//! X.509 certificates), FA(3) receipt checks, KSeF numbers in the official format with
//! CRC-8, asynchronous statuses (100 → 150 → 200/4xx), duplicate detection (440 with the
//! original KSeF number), UPO XML valid against `upo-v4-3.xsd`, a SQLite store of received
//! invoices (queried as seller `Subject1` or buyer `Subject2`), exports, and fault
//! injection (429 + Retry-After, 5xx, latency, dropped connections, outage windows,
//! slow processing, enforced rate limits).
//!
//! It owns the KSeF side of the wire and nothing else: it must not know the app, the
//! store crate or the client crate. It is a dev-dependency of the rest (and a binary).
//!
//! ## Use from tests in other crates
//!
//! ```no_run
//! # async fn demo() -> Result<(), ksef_sim::SimError> {
//! use ksef_sim::{FaultConfig, OneShotFault, SimConfig, Simulator, TokenSpec, Permission};
//!
//! // Random loopback port, in-process on the caller's tokio runtime.
//! let sim = Simulator::start(SimConfig { seed_demo: true, ..SimConfig::default() }).await?;
//! // sim.base_url == "http://127.0.0.1:PORT/v2"; sim.nip, sim.token: demo company + full token.
//!
//! // A read-only token for another company:
//! let reader = sim.add_token(TokenSpec {
//!     context_nip: "1111111111".into(),
//!     permissions: vec![Permission::InvoiceRead],
//!     valid_until: None,
//! });
//!
//! // Faults: rates, latency, outages, slow processing ...
//! sim.set_faults(FaultConfig { rate_429: 0.2, retry_after_secs: 1, ..FaultConfig::default() });
//! // ... or exactly one fault for the next request whose path contains "/invoices".
//! sim.push_fault(Some("/invoices"), OneShotFault::TooManyRequests { retry_after_secs: 2 });
//!
//! // Seed an invoice issued by someone else (it must pass the receipt checks).
//! # let xml: &[u8] = b"";
//! let ksef_number = sim.seed_invoice(xml, chrono::Utc::now())?;
//! # let _ = (reader, ksef_number);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## What it serves
//!
//! On `http://127.0.0.1:PORT` (`SimHandle::origin`):
//! - `/v2/...` — the official operations: `GET /security/public-key-certificates`;
//!   `POST /auth/challenge`, `/auth/ksef-token`, `GET /auth/{ref}`, `POST /auth/token/redeem`,
//!   `/auth/token/refresh`, `GET /auth/sessions`, `DELETE /auth/sessions/current|{ref}`;
//!   `POST /sessions/online`, `/sessions/online/{ref}/invoices`, `/sessions/online/{ref}/close`;
//!   `POST /sessions/batch`, `/sessions/batch/{ref}/close`; `GET /sessions`, `/sessions/{ref}`,
//!   `/sessions/{ref}/invoices[/failed]`, `/sessions/{ref}/invoices/{invRef}[/upo]`,
//!   `/sessions/{ref}/invoices/ksef/{ksef}/upo`, `/sessions/{ref}/upo/{upoRef}`;
//!   `POST /invoices/query/metadata`, `GET /invoices/ksef/{ksef}`, `POST /invoices/exports`,
//!   `GET /invoices/exports/{ref}`; `GET /rate-limits`, `/limits/context`, `/limits/subject`;
//!   `POST|GET /tokens`, `GET|DELETE /tokens/{ref}`; TEST-environment switches
//!   `POST /testdata/attachment[/revoke]`, `/testdata/context/block|unblock`.
//! - `/storage/{sig}` — pre-signed URLs it hands out (batch part `PUT`, UPO and export
//!   part `GET`), no Authorization, expiring.
//! - `/latarnia/status`, `/latarnia/messages` — the Latarnia status service
//!   (`SimHandle::latarnia_base`), driven by outage windows and [`Announcement`]s.
//! - `/__sim/...` — control, never faulted: `GET|PUT /__sim/faults` ([`FaultConfig`] JSON),
//!   `POST /__sim/faults/next` (`{"pathContains": "...", "fault": {"kind": "tooManyRequests",
//!   "retryAfterSecs": 2}}`), `POST /__sim/tokens` ([`TokenSpec`] JSON → `{"token"}`),
//!   `GET /__sim/health`.
//!
//! ## Invariants
//!
//! - Every JSON answer validates against the spec's schemas (tests/it/spec.rs checks each
//!   response the end-to-end tests see); 5xx from fault injection are the only exception.
//! - Decisions are taken on receipt; what a client sees is a function of time (status
//!   100 → 150 → final after [`Timing::processing_delay`]), so there are no background
//!   races except batch unpacking, which runs off the state lock and reports 150 meanwhile.
//! - Invoice XML, keys and tokens never reach the logs.
//! - Keys: two RSA-2048 pairs per process (one per certificate usage), shared by every
//!   instance; a new process has new keys (clients fetch the certificates anyway).
//! - Receipt follows KSeF's published rules: FA(3) XSD via `fa3::parse` (430), UTF-8
//!   without BOM (430), seller NIP = session context (410), `P_1` not after the Polish
//!   date of receipt (450), NIP checksums (450), size 1 MiB / 3 MiB with attachments
//!   (430), attachments only in batch and only when allowed (415), duplicates by seller
//!   NIP + `RodzajFaktury` + `P_2` (440 with the original KSeF number and session).
//! - With a data directory, accepted invoices and KSeF tokens survive restarts (the demo
//!   token stays the same); sessions, authentications and exports do not.

pub mod certs;
pub mod config;
pub mod crypto;
mod error;
pub mod http;
pub mod ids;
pub mod receipt;
pub mod seed;
mod state;
pub mod store;
pub mod upo;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use certs::{CertConfig, CertificateKind, SubjectId};
pub use config::{
    Announcement, FaultConfig, OneShotFault, OutageWindow, Permission, SimConfig, Timing,
    TokenSpec, DEMO_NIP,
};
pub use error::{Result, SimError};
pub use state::AppState;

/// Starts simulators.
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Binds `config.bind` (loopback only), generates or reuses the process-wide keys,
    /// creates the demo token (and seeds demo invoices if asked), and serves on the
    /// current tokio runtime until [`SimHandle::shutdown`] or drop.
    pub async fn start(config: SimConfig) -> Result<SimHandle> {
        if !config.bind.ip().is_loopback() {
            return Err(SimError::Startup(format!(
                "refusing to bind non-loopback address {}",
                config.bind
            )));
        }
        if !ids::is_valid_nip(&config.demo_nip) {
            return Err(SimError::Startup(format!(
                "demo NIP {} has an invalid checksum",
                config.demo_nip
            )));
        }
        let keys = crypto::shared_keys().await?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| SimError::Startup(format!("bind {}: {e}", config.bind)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| SimError::Startup(format!("local address: {e}")))?;
        let origin = format!("http://{addr}");
        let store = store::Store::open(config.data_dir.as_deref())?;
        if config.seed_demo {
            seed::seed_demo(&store, &config.demo_nip, Utc::now())?;
        }
        let nip = config.demo_nip.clone();
        let extra_tokens = config.tokens.clone();
        let state = Arc::new(AppState::new(keys, config, origin.clone(), store)?);
        let token = state.demo_token(&nip);
        for spec in extra_tokens {
            state.add_token(spec);
        }
        if let Some(every) = state.config.demo_feed_interval {
            tokio::spawn(demo_feed(Arc::downgrade(&state), every));
        }
        let app = http::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "simulator server stopped");
            }
        });
        tracing::info!(%origin, "ksef-sim listening");
        Ok(SimHandle {
            base_url: format!("{origin}/v2"),
            latarnia_base: format!("{origin}/latarnia"),
            origin,
            nip,
            token,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// Issues a new demo cost invoice every `every` until the simulator is gone.
async fn demo_feed(state: std::sync::Weak<AppState>, every: std::time::Duration) {
    let mut n: u64 = 0;
    loop {
        tokio::time::sleep(every).await;
        let Some(state) = state.upgrade() else { return };
        n += 1;
        match seed::feed_one(&state.store, &state.config.demo_nip, Utc::now(), n) {
            Ok(_) => tracing::info!(n, "demo feed: new cost invoice"),
            Err(e) => tracing::warn!(error = %e, "demo feed failed"),
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    /// `http://127.0.0.1:PORT/v2` — what a KSeF client takes as its base URL.
    pub base_url: String,
    /// `http://127.0.0.1:PORT` (pre-signed URLs and `/__sim` control live here).
    pub origin: String,
    /// `http://127.0.0.1:PORT/latarnia`: the Latarnia status service (`/status`, `/messages`).
    pub latarnia_base: String,
    /// The demo company's NIP.
    pub nip: String,
    /// A KSeF token with every permission in the demo company's context.
    pub token: String,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("base_url", &self.base_url)
            .field("nip", &self.nip)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// Creates a KSeF token; returns its secret value.
    pub fn add_token(&self, spec: TokenSpec) -> String {
        self.state.add_token(spec)
    }

    /// Revokes a KSeF token: new authentications fail with 450 and bearer tokens derived
    /// from it answer 401. Returns whether the token existed.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.state.revoke_token(token)
    }

    /// Issues a KSeF certificate of `kind` to the owner of `nip` (a company seal whose
    /// `organizationIdentifier` is `VATPL-{nip}`), valid from now for
    /// [`certs::CertConfig::validity`], with a key the simulator generates. Returns
    /// `(certificate DER, PKCS#8 DER of its EC P-256 private key)`. Demo mode signs the
    /// demo company in with it; limits do not apply. The certificate is known to this
    /// instance only: after a restart, issue a new one.
    pub fn issue_certificate(
        &self,
        nip: &str,
        kind: certs::CertificateKind,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        let now = Utc::now();
        let until = now + state::chrono_dur(self.state.config.certificates.validity);
        self.issue_certificate_valid(nip, kind, now, until)
    }

    /// [`SimHandle::issue_certificate`] with a chosen validity (e.g. an expired one).
    pub fn issue_certificate_valid(
        &self,
        nip: &str,
        kind: certs::CertificateKind,
        valid_from: DateTime<Utc>,
        valid_to: DateTime<Utc>,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        if !ids::is_valid_nip(nip) {
            return Err(SimError::Invalid(format!(
                "NIP {nip} has an invalid checksum"
            )));
        }
        let (pkcs8, spki) = certs::new_p256_key()?;
        let now = Utc::now();
        let mut certs = self.state.cert_state();
        let serial = certs.issue(
            certs::CertRequest {
                subject: certs::nip_owner_name(nip)?,
                spki,
                kind,
                name: format!("Certyfikat {nip}"),
                owner: certs::SubjectId::Nip(nip.to_owned()),
                valid_from,
                valid_to,
                ready_at: now,
            },
            now,
        )?;
        let der = certs
            .certs
            .get(&serial)
            .map(|c| c.der.clone())
            .ok_or_else(|| SimError::Invalid("issued certificate vanished".into()))?;
        Ok((der, pkcs8))
    }

    /// Revokes a certificate this simulator issued (by its 16-hex-digit serial number);
    /// returns whether it was known.
    pub fn revoke_certificate(&self, serial: &str) -> bool {
        match self.state.cert_state().certs.get_mut(serial) {
            Some(c) => {
                c.revoked = true;
                true
            }
            None => false,
        }
    }

    /// Grants `subject` these rights in the context of `context_nip` (replacing what it
    /// had; an empty list takes every right away). The NIP owner needs no grant.
    pub fn grant(
        &self,
        context_nip: &str,
        subject: certs::SubjectId,
        permissions: Vec<Permission>,
    ) {
        let mut certs = self.state.cert_state();
        let key = (context_nip.to_owned(), subject);
        if permissions.is_empty() {
            certs.grants.remove(&key);
        } else {
            certs.grants.insert(key, permissions);
        }
    }

    /// Replaces the fault configuration.
    pub fn set_faults(&self, faults: FaultConfig) {
        self.state.fault_state().config = faults;
    }

    /// The current fault configuration.
    pub fn faults(&self) -> FaultConfig {
        self.state.fault_state().config.clone()
    }

    /// Queues a fault for the next API request whose path contains `path_contains`
    /// (any request when `None`). Faults are used in the order queued.
    pub fn push_fault(&self, path_contains: Option<&str>, fault: OneShotFault) {
        self.state
            .fault_state()
            .one_shot
            .push((path_contains.map(str::to_owned), fault));
    }

    /// Stores an invoice as if its seller had sent it to KSeF at `invoicing` (it must
    /// pass the receipt checks). Returns its KSeF number.
    pub fn seed_invoice(&self, xml: &[u8], invoicing: DateTime<Utc>) -> Result<String> {
        seed::store_seeded(&self.state.store, xml, invoicing)
    }

    /// Seeds the demo cost invoices to `buyer_nip`; returns their KSeF numbers.
    pub fn seed_demo(&self, buyer_nip: &str) -> Result<Vec<String>> {
        seed::seed_demo(&self.state.store, buyer_nip, Utc::now())
    }

    /// Fault injection: from now on KSeF hands out `xml` (with its matching hash) for
    /// this invoice, e.g. a document that is not valid FA(3). `false` if unknown.
    pub fn serve_damaged_invoice(&self, ksef_number: &str, xml: &[u8]) -> Result<bool> {
        self.state
            .store
            .replace_xml(ksef_number, xml, &crypto::sha256_b64(xml))
    }

    /// Number of invoices in the store.
    pub fn invoice_count(&self) -> Result<usize> {
        self.state.store.count()
    }

    /// The public key published with `usage` (tests encrypt with it).
    pub fn public_key(&self, usage: crypto::KeyUsage) -> rsa::RsaPublicKey {
        match usage {
            crypto::KeyUsage::KsefTokenEncryption => self.state.keys.token.public_key(),
            crypto::KeyUsage::SymmetricKeyEncryption => self.state.keys.symmetric.public_key(),
        }
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
