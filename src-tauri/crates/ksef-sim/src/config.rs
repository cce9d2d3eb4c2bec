//! Configuration: what a simulator instance starts with, and the faults it injects.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A KSeF permission a token may carry (SPEC `TokenPermissionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Send invoices.
    InvoiceWrite,
    /// Query and download invoices.
    InvoiceRead,
    /// Read session statuses and UPO.
    Introspection,
    /// Read credentials.
    CredentialsRead,
    /// Manage credentials.
    CredentialsManage,
    /// Enforcement operations.
    EnforcementOperations,
    /// Manage subunits.
    SubunitManage,
}

impl Permission {
    /// Every permission (the demo token's set).
    pub const ALL: [Permission; 7] = [
        Self::InvoiceWrite,
        Self::InvoiceRead,
        Self::Introspection,
        Self::CredentialsRead,
        Self::CredentialsManage,
        Self::EnforcementOperations,
        Self::SubunitManage,
    ];

    /// The spec's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvoiceWrite => "InvoiceWrite",
            Self::InvoiceRead => "InvoiceRead",
            Self::Introspection => "Introspection",
            Self::CredentialsRead => "CredentialsRead",
            Self::CredentialsManage => "CredentialsManage",
            Self::EnforcementOperations => "EnforcementOperations",
            Self::SubunitManage => "SubunitManage",
        }
    }
}

/// A KSeF token to create at start or later through [`crate::SimHandle::add_token`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenSpec {
    /// The NIP the token works in (its context).
    pub context_nip: String,
    /// What it may do.
    pub permissions: Vec<Permission>,
    /// When it stops working (`None`: never).
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

impl TokenSpec {
    /// A token with every permission for `nip`.
    pub fn full(nip: impl Into<String>) -> Self {
        Self {
            context_nip: nip.into(),
            permissions: Permission::ALL.to_vec(),
            valid_until: None,
        }
    }
}

/// Timings of the simulated asynchronous processing and of credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timing {
    /// How long an authentication operation stays at status 100.
    pub auth_delay: Duration,
    /// How long an invoice takes from receipt (100, then 150) to its final status.
    pub processing_delay: Duration,
    /// How long after the KSeF number the invoice is permanently stored.
    pub permanent_storage_lag: Duration,
    /// How far `permanentStorageHwmDate` trails the present.
    pub hwm_lag: Duration,
    /// Access token lifetime.
    pub access_token_ttl: Duration,
    /// Refresh token lifetime.
    pub refresh_token_ttl: Duration,
    /// Lifetime of an authentication operation token.
    pub auth_token_ttl: Duration,
    /// Lifetime of pre-signed download / upload URLs.
    pub presigned_url_ttl: Duration,
    /// How long an online session lives before it closes itself.
    pub online_session_ttl: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            auth_delay: Duration::from_millis(50),
            processing_delay: Duration::from_millis(300),
            permanent_storage_lag: Duration::from_millis(100),
            hwm_lag: Duration::from_millis(50),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(7 * 24 * 3600),
            auth_token_ttl: Duration::from_secs(3600),
            presigned_url_ttl: Duration::from_secs(3600),
            online_session_ttl: Duration::from_secs(12 * 3600),
        }
    }
}

/// A period during which every API call answers 503 (an announced outage or a failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutageWindow {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
}

/// Faults injected into API calls (`/v2/...` and pre-signed URLs; never admin calls).
/// Rates are probabilities in `0.0..=1.0` per request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultConfig {
    /// Share of requests answered 429 with `Retry-After`.
    pub rate_429: f64,
    /// The `Retry-After` seconds sent with injected 429s.
    pub retry_after_secs: u64,
    /// Share of requests answered with a 5xx (500, 502, 503 in turn).
    pub rate_5xx: f64,
    /// Share of requests whose connection is dropped without a response.
    pub rate_reset: f64,
    /// Latency added to every request, in milliseconds.
    pub latency_ms: u64,
    /// Extra processing time for invoices and sessions, in milliseconds ("slow processing").
    pub slow_processing_ms: u64,
    /// Outage windows: 503 with `Retry-After` until the window ends.
    pub outages: Vec<OutageWindow>,
    /// Enforce the official per-group rate limits (`GET /rate-limits` values) with 429.
    pub enforce_rate_limits: bool,
    /// Latarnia announcements (served at `{origin}/latarnia/status` and `/messages`).
    pub announcements: Vec<Announcement>,
}

/// A Latarnia (KSeF status service) announcement: maintenance, failure ("awaria") or
/// total failure. It changes what Latarnia reports; pair it with an [`OutageWindow`]
/// if the API should also stop answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announcement {
    /// `MAINTENANCE`, `FAILURE` or `TOTAL_FAILURE`.
    pub category: String,
    /// Title.
    pub title: String,
    /// Text.
    #[serde(default)]
    pub text: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End (`None`: until further notice).
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
}

/// A fault for the next matching request only (deterministic tests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OneShotFault {
    /// 429 with this `Retry-After`.
    TooManyRequests {
        /// Seconds.
        retry_after_secs: u64,
    },
    /// This 5xx status.
    ServerError {
        /// 500..=599.
        status: u16,
    },
    /// Drop the connection without a response.
    ConnectionReset,
    /// Answer normally after this many milliseconds.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
}

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; must be a loopback address. Default `127.0.0.1:0` (random port).
    pub bind: SocketAddr,
    /// Keep received invoices in `DIR/ksef-sim.sqlite` (default: in memory).
    pub data_dir: Option<PathBuf>,
    /// Fill the store with realistic cost invoices from several suppliers to the demo
    /// company, spread over the last months.
    pub seed_demo: bool,
    /// The demo company's NIP (the context of the token in [`crate::SimHandle::token`]).
    pub demo_nip: String,
    /// More tokens to create at start.
    pub tokens: Vec<TokenSpec>,
    /// Initial faults.
    pub faults: FaultConfig,
    /// Processing and credential timings.
    pub timing: Timing,
    /// The technical limit of a metadata query (10 000 in KSeF) after which `isTruncated`.
    pub max_query_results: usize,
    /// Invoices per session (10 000 in KSeF).
    pub max_invoices_per_session: usize,
    /// Refuse (21405) a metadata query or export whose date range exceeds 3 months in
    /// UTC and in Polish time, as KSeF does since API 2.6.
    pub refuse_ranges_over_3_months: bool,
    /// Whether invoices with an attachment (`Zalacznik`) are accepted. In KSeF a taxpayer
    /// must first register for attachments; when `false`, such invoices get status 415.
    pub attachments_allowed: bool,
    /// Demo feed: every this often a supplier issues a new cost invoice to the demo
    /// company (dated today), so incremental sync has something to find. `None`: off.
    pub demo_feed_interval: Option<Duration>,
}

/// The demo company's NIP (valid checksum).
pub const DEMO_NIP: &str = "5265877635";

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            seed_demo: false,
            demo_nip: DEMO_NIP.to_owned(),
            tokens: Vec::new(),
            faults: FaultConfig::default(),
            timing: Timing::default(),
            max_query_results: 10_000,
            max_invoices_per_session: 10_000,
            refuse_ranges_over_3_months: false,
            attachments_allowed: true,
            demo_feed_interval: None,
        }
    }
}
