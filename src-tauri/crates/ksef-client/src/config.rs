//! Client configuration with defaults.

use std::time::Duration;

use crate::limiter::RateLimitTable;
use crate::retry::RetryPolicy;

/// How status polling behaves (auth, invoice, session, export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollPolicy {
    /// First delay between polls.
    pub initial: Duration,
    /// Longest delay between polls (the delay doubles up to this).
    pub max: Duration,
    /// Give up authentication after this long.
    pub auth_timeout: Duration,
    /// Give up waiting for one invoice's final status after this long.
    pub invoice_timeout: Duration,
    /// Give up waiting for a session (or export) to finish after this long.
    pub session_timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(2),
            auth_timeout: Duration::from_secs(120),
            invoice_timeout: Duration::from_secs(300),
            session_timeout: Duration::from_secs(1800),
        }
    }
}

/// Everything tunable about the client.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Timeout of one transfer to or from a pre-signed URL (batch part upload, export
    /// part download); KSeF allows 20 minutes per declared part.
    pub transfer_timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Client-side rate limits; `None` = the environment's documented defaults.
    pub rate_limits: Option<RateLimitTable>,
    /// Safety pad added to every rate-limit window (absorbs latency jitter between the
    /// client's clock and KSeF's counting).
    pub rate_limit_pad: Duration,
    /// Refresh the access token when it expires within this margin.
    pub refresh_margin: Duration,
    /// Polling.
    pub poll: PollPolicy,
    /// `User-Agent`.
    pub user_agent: String,
    /// Parallel batch part uploads.
    pub max_parallel_uploads: usize,
    /// Ask for RFC 7807 error bodies (`X-Error-Format: problem-details`). Both forms are parsed.
    pub problem_details: bool,
    /// Batch part size before encryption (KSeF maximum is 100 MB).
    pub batch_part_size: usize,
    /// How long the MF public-key certificates are cached before re-fetching.
    pub certificate_cache_ttl: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            transfer_timeout: Duration::from_secs(20 * 60),
            retry: RetryPolicy::default(),
            rate_limits: None,
            refresh_margin: Duration::from_secs(60),
            rate_limit_pad: Duration::from_millis(100),
            poll: PollPolicy::default(),
            user_agent: concat!("ksef-desk/", env!("CARGO_PKG_VERSION")).to_string(),
            max_parallel_uploads: 4,
            problem_details: true,
            batch_part_size: crate::batch::MAX_PART_SIZE,
            certificate_cache_ttl: Duration::from_secs(6 * 3600),
        }
    }
}
