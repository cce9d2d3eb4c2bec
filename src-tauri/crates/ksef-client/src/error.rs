//! Typed errors. KSeF's own codes and (Polish) descriptions are kept verbatim so the
//! UI can show them; nothing here ever contains a token, key or invoice body.

use std::time::Duration;

/// One entry of KSeF's error list (`ExceptionDetails` / problem-details `ApiError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiErrorDetail {
    /// `exceptionCode` (legacy body) or `errors[].code` (problem details), e.g. 21155.
    pub code: i64,
    /// KSeF's description, Polish text as sent.
    pub description: String,
    /// Extra details as sent.
    pub details: Vec<String>,
}

/// A KSeF status object (`StatusInfo`) from a failed asynchronous operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDetail {
    /// KSeF status code (e.g. 450 for auth with a bad token).
    pub code: i32,
    /// KSeF's description, Polish text as sent.
    pub description: String,
    /// Extra details as sent.
    pub details: Vec<String>,
}

/// Every failure of the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KsefError {
    /// 400 with KSeF exception codes (legacy `ExceptionResponse` or problem details).
    #[error("KSeF rejected {operation} (HTTP {status}): {}", summary(.errors, .detail))]
    Api {
        /// Operation name, e.g. `sessions.online.send`.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// Problem-details `detail` if given.
        detail: Option<String>,
        /// KSeF error entries with codes.
        errors: Vec<ApiErrorDetail>,
        /// `traceId` / `serviceCode` to quote to MF support.
        trace_id: Option<String>,
    },
    /// 401: missing, expired or invalid bearer token.
    #[error("KSeF: unauthorized for {operation}: {detail}")]
    Unauthorized {
        /// Operation name.
        operation: &'static str,
        /// Problem-details `detail`.
        detail: String,
    },
    /// 403 with KSeF's `reasonCode` (`missing-permissions`, `ip-not-allowed`, ...).
    #[error("KSeF: forbidden for {operation} ({reason_code}): {detail}")]
    Forbidden {
        /// Operation name.
        operation: &'static str,
        /// `reasonCode` from `ForbiddenProblemDetails`.
        reason_code: String,
        /// Problem-details `detail`.
        detail: String,
    },
    /// 404.
    #[error("KSeF: not found for {operation}")]
    NotFound {
        /// Operation name.
        operation: &'static str,
        /// Body text or detail (never an invoice body: only JSON error bodies are read).
        detail: Option<String>,
    },
    /// 410: the status resource expired (auth operation, export, ...).
    #[error("KSeF: resource gone for {operation}: {detail}")]
    Gone {
        /// Operation name.
        operation: &'static str,
        /// Problem-details `detail`.
        detail: String,
    },
    /// 429 that could not be waited out within the configured budget.
    #[error("KSeF rate limit for {operation}; retry after {retry_after:?}")]
    RateLimited {
        /// Operation name.
        operation: &'static str,
        /// `Retry-After` as sent (None if absent).
        retry_after: Option<Duration>,
        /// Details from `TooManyRequestsResponse`.
        details: Vec<String>,
    },
    /// 5xx (after retries where retrying was allowed). 503 usually means maintenance.
    #[error("KSeF server error {status} for {operation}")]
    Server {
        /// Operation name.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// `Retry-After` if sent.
        retry_after: Option<Duration>,
    },
    /// Any other unexpected HTTP status.
    #[error("KSeF: unexpected HTTP {status} for {operation}")]
    UnexpectedStatus {
        /// Operation name.
        operation: &'static str,
        /// HTTP status.
        status: u16,
    },
    /// Connection failure, reset or other transport error (after allowed retries).
    #[error("network error for {operation}: {source}")]
    Transport {
        /// Operation name.
        operation: &'static str,
        /// Underlying error (reqwest errors carry the URL, which holds no secret).
        #[source]
        source: reqwest::Error,
    },
    /// The request timed out (after allowed retries).
    #[error("timeout for {operation}")]
    Timeout {
        /// Operation name.
        operation: &'static str,
    },
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The server answered with a body that does not match the spec.
    #[error("invalid response for {operation}: {reason}")]
    InvalidResponse {
        /// Operation name.
        operation: &'static str,
        /// What was wrong (never a secret).
        reason: String,
    },
    /// Authentication ended with a failure status (415, 425, 450, 460, 470, 480, 500, 550).
    #[error("KSeF authentication failed: {} {}", .status.code, .status.description)]
    AuthenticationFailed {
        /// KSeF status of the auth operation.
        status: StatusDetail,
    },
    /// Authentication did not finish within the configured time.
    #[error("KSeF authentication still in progress after {0:?}")]
    AuthenticationTimeout(Duration),
    /// A protected call was made before `authenticate_with_token`.
    #[error("not authenticated: call authenticate_with_token first")]
    NotAuthenticated,
    /// A session ended in a failure status (415, 420, 430, 435, 440, 445, 500, ...).
    #[error("KSeF session {reference_number} failed: {} {}", .status.code, .status.description)]
    SessionFailed {
        /// Session reference number.
        reference_number: String,
        /// KSeF status.
        status: StatusDetail,
    },
    /// A wait for a session/invoice/export status exceeded the configured time.
    #[error("waiting for {what} timed out after {after:?}")]
    WaitTimeout {
        /// What was awaited.
        what: &'static str,
        /// How long we waited.
        after: Duration,
    },
    /// A batch session was opened but a part could not be uploaded (after retries). The
    /// session stays open until KSeF cancels it (status 440); send the batch again.
    #[error("upload of batch session {reference_number} failed: {source}")]
    BatchUpload {
        /// The opened batch session.
        reference_number: String,
        /// Why the upload failed.
        #[source]
        source: Box<KsefError>,
    },
    /// The MF public-key certificate list has no valid certificate for a usage.
    #[error("no valid MF public-key certificate for {0}")]
    NoCertificate(&'static str),
    /// Cryptography failed (bad certificate, bad key, bad padding).
    #[error("crypto: {0}")]
    Crypto(String),
    /// A downloaded document's SHA-256 differs from what KSeF declared.
    #[error("integrity check failed for {what}: expected {expected}, got {actual}")]
    IntegrityMismatch {
        /// What was downloaded.
        what: &'static str,
        /// Declared base64 SHA-256.
        expected: String,
        /// Computed base64 SHA-256.
        actual: String,
    },
    /// The input breaks a documented limit (size, count, parts) before anything is sent.
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// Building the batch archive failed.
    #[error("archive: {0}")]
    Archive(String),
    /// Invalid configuration (e.g. a bad base URL).
    #[error("configuration: {0}")]
    Config(String),
    /// A certificate enrolment was refused or failed (400, 500, 550).
    #[error("KSeF certificate enrolment {reference_number} failed: {} {}", .status.code, .status.description)]
    EnrollmentFailed {
        /// Enrolment reference number.
        reference_number: String,
        /// KSeF status.
        status: StatusDetail,
    },
    /// Signing the `AuthTokenRequest` with the certificate failed (XAdES sign-in).
    #[error("signing the authentication request failed: {0}")]
    Signing(#[from] ksef_xades::SignError),
}

fn summary(errors: &[ApiErrorDetail], detail: &Option<String>) -> String {
    if errors.is_empty() {
        return detail.clone().unwrap_or_default();
    }
    errors
        .iter()
        .map(|e| {
            if e.details.is_empty() {
                format!("{} {}", e.code, e.description)
            } else {
                format!("{} {} ({})", e.code, e.description, e.details.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl KsefError {
    /// KSeF exception codes carried by this error (empty if none).
    pub fn ksef_codes(&self) -> Vec<i64> {
        match self {
            KsefError::Api { errors, .. } => errors.iter().map(|e| e.code).collect(),
            KsefError::AuthenticationFailed { status }
            | KsefError::SessionFailed { status, .. }
            | KsefError::EnrollmentFailed { status, .. } => {
                vec![i64::from(status.code)]
            }
            _ => Vec::new(),
        }
    }

    /// True if the error suggests KSeF is unavailable (5xx, timeouts, connection failures).
    pub fn is_unavailability(&self) -> bool {
        match self {
            KsefError::BatchUpload { source, .. } => source.is_unavailability(),
            _ => matches!(
                self,
                KsefError::Server { .. } | KsefError::Timeout { .. } | KsefError::Transport { .. }
            ),
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = KsefError> = std::result::Result<T, E>;
