//! The client handle and its transport: one place where every HTTP call goes through the
//! rate limiter, retries, cancellation, error mapping and a tracing span.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use url::Url;

use crate::auth::AuthState;
use crate::config::ClientConfig;
use crate::env::{join, Environment};
use crate::error::{ApiErrorDetail, KsefError, Result};
use crate::limiter::{EndpointGroup, RateLimitTable, RateLimiter};
use crate::model::ErrorBodyWire;
use crate::retry::parse_retry_after;

/// The KSeF API client. Cheap to clone (an `Arc` inside), `Send + Sync`.
///
/// One client holds at most one authenticated context (the NIP it logged in for); use one
/// client per company.
#[derive(Clone)]
pub struct KsefClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for KsefClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KsefClient")
            .field("api_base", &self.inner.api_base.as_str())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub env: Environment,
    pub api_base: Url,
    pub config: ClientConfig,
    pub http: reqwest::Client,
    pub limiter: RateLimiter,
    pub certs: tokio::sync::Mutex<Option<crate::auth::CertCache>>,
    pub auth: tokio::sync::Mutex<Option<AuthState>>,
    pub warnings: std::sync::Mutex<Vec<String>>,
}

/// Which bearer token a call carries.
pub(crate) enum CallAuth {
    /// No Authorization header (public endpoints, pre-signed URLs).
    None,
    /// A given token (authentication / refresh token).
    Bearer(SecretString),
    /// The current access token, refreshed or re-obtained as needed.
    Access,
}

pub(crate) enum CallBody {
    Empty,
    Json(Vec<u8>),
    Raw(Vec<u8>),
}

pub(crate) struct Call {
    pub op: &'static str,
    pub method: Method,
    pub url: Url,
    pub group: EndpointGroup,
    /// Safe to repeat after an ambiguous failure (5xx, timeout, reset).
    pub idempotent: bool,
    pub auth: CallAuth,
    pub body: CallBody,
    pub accept: Option<&'static str>,
    pub headers: Vec<(String, String)>,
    /// Overrides the policy's attempt count (e.g. 1 for probes).
    pub max_attempts: Option<u32>,
    /// Overrides the client's request timeout (large transfers).
    pub timeout: Option<Duration>,
}

impl Call {
    pub(crate) fn new(op: &'static str, method: Method, url: Url, group: EndpointGroup) -> Self {
        let idempotent = method == Method::GET || method == Method::PUT || method == Method::DELETE;
        Self {
            op,
            method,
            url,
            group,
            idempotent,
            auth: CallAuth::Access,
            body: CallBody::Empty,
            accept: Some("application/json"),
            headers: Vec::new(),
            max_attempts: None,
            timeout: None,
        }
    }

    pub(crate) fn auth(mut self, auth: CallAuth) -> Self {
        self.auth = auth;
        self
    }

    pub(crate) fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    pub(crate) fn json<T: serde::Serialize>(mut self, body: &T) -> Result<Self> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| KsefError::Config(format!("serialize: {e}")))?;
        self.body = CallBody::Json(bytes);
        Ok(self)
    }

    pub(crate) fn accept(mut self, accept: Option<&'static str>) -> Self {
        self.accept = accept;
        self
    }
}

/// A successful response.
pub(crate) struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn json<T: DeserializeOwned>(&self, op: &'static str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| KsefError::InvalidResponse {
            operation: op,
            reason: e.to_string(),
        })
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

enum Attempt {
    Done(RawResponse),
    Retry { after: Duration, error: KsefError },
    Fail(KsefError),
    Unauthorized(KsefError),
}

impl KsefClient {
    /// A client for `env`. Fails only if the HTTP stack cannot be initialised.
    pub fn new(env: Environment, config: ClientConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| KsefError::Config(format!("HTTP client: {e}")))?;
        let table: RateLimitTable = config
            .rate_limits
            .clone()
            .unwrap_or_else(|| env.default_rate_limits());
        Ok(Self {
            inner: Arc::new(Inner {
                api_base: env.api_base(),
                env,
                http,
                limiter: RateLimiter::new(table, config.rate_limit_pad),
                certs: tokio::sync::Mutex::new(None),
                auth: tokio::sync::Mutex::new(None),
                warnings: std::sync::Mutex::new(Vec::new()),
                config,
            }),
        })
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.inner.env
    }

    /// Replace the client-side rate limits (e.g. with [`KsefClient::fetch_rate_limits`]).
    pub fn set_rate_limits(&self, table: RateLimitTable) {
        self.inner.limiter.set_table(table);
    }

    /// `X-System-Warning` headers seen since the last call of this method (KSeF uses them to
    /// announce planned changes and maintenance).
    pub fn take_system_warnings(&self) -> Vec<String> {
        match self.inner.warnings.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => Vec::new(),
        }
    }
}

impl Inner {
    pub(crate) fn url(&self, path: &str) -> Result<Url> {
        join(&self.api_base, path)
    }

    /// Sends one logical call: limiter, retries with backoff + jitter, `Retry-After`,
    /// cancellation, token refresh on 401, error mapping. Secrets never enter the span.
    pub(crate) async fn send(
        &self,
        call: &Call,
        cancel: &CancellationToken,
    ) -> Result<RawResponse> {
        let span = tracing::info_span!(
            "ksef_call",
            op = call.op,
            method = %call.method,
            path = %call.url.path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        self.send_inner(call, cancel).instrument(span).await
    }

    async fn send_inner(&self, call: &Call, cancel: &CancellationToken) -> Result<RawResponse> {
        let policy = &self.config.retry;
        let mut attempt: u32 = 0;
        let mut reauthed = false;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempts", attempt);
            if cancel.is_cancelled() {
                return Err(KsefError::Cancelled);
            }
            self.limiter.acquire(call.group, cancel).await?;
            let outcome = self.attempt(call, cancel).await?;
            match outcome {
                Attempt::Done(r) => {
                    tracing::Span::current().record("status", r.status);
                    return Ok(r);
                }
                Attempt::Fail(e) => {
                    tracing::debug!(error = %e, "call failed");
                    return Err(e);
                }
                Attempt::Unauthorized(e) => {
                    if matches!(call.auth, CallAuth::Access) && !reauthed {
                        reauthed = true;
                        tracing::info!("401 on a protected call: refreshing the access token");
                        self.invalidate_access_token().await;
                        continue;
                    }
                    return Err(e);
                }
                Attempt::Retry { after, error } => {
                    if attempt >= call.max_attempts.unwrap_or(policy.max_attempts) {
                        tracing::warn!(error = %error, attempt, "giving up after retries");
                        return Err(error);
                    }
                    let backoff = policy.backoff(attempt - 1, &mut rand::thread_rng());
                    let wait = after.max(backoff);
                    tracing::info!(error = %error, wait_ms = wait.as_millis() as u64, attempt, "retrying");
                    tokio::select! {
                        () = cancel.cancelled() => return Err(KsefError::Cancelled),
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    async fn attempt(&self, call: &Call, cancel: &CancellationToken) -> Result<Attempt> {
        let mut req = self.http.request(call.method.clone(), call.url.clone());
        match &call.auth {
            CallAuth::None => {}
            CallAuth::Bearer(t) => {
                req = req.header(AUTHORIZATION, format!("Bearer {}", t.expose_secret()));
            }
            CallAuth::Access => {
                // Boxed: obtaining a token may itself call `send` (refresh / re-login).
                let t = Box::pin(self.access_token(cancel)).await?;
                req = req.header(AUTHORIZATION, format!("Bearer {}", t.expose_secret()));
            }
        }
        if let Some(a) = call.accept {
            req = req.header(ACCEPT, a);
        }
        if let Some(t) = call.timeout {
            req = req.timeout(t);
        }
        if self.config.problem_details && !matches!(call.group, EndpointGroup::Unlimited) {
            req = req.header("X-Error-Format", "problem-details");
        }
        for (k, v) in &call.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        req = match &call.body {
            CallBody::Empty => req,
            CallBody::Json(b) => req.header(CONTENT_TYPE, "application/json").body(b.clone()),
            CallBody::Raw(b) => req.body(b.clone()),
        };
        let exchange = async {
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(RawResponse {
                status,
                headers,
                body,
            })
        };
        let result = tokio::select! {
            () = cancel.cancelled() => return Err(KsefError::Cancelled),
            r = exchange => r,
        };
        let op = call.op;
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                // A failure to connect proves the request never reached KSeF: always safe to retry.
                if e.is_connect() {
                    return Ok(Attempt::Retry {
                        after: Duration::ZERO,
                        error: KsefError::Transport {
                            operation: op,
                            source: e,
                        },
                    });
                }
                let error = if e.is_timeout() {
                    KsefError::Timeout { operation: op }
                } else {
                    KsefError::Transport {
                        operation: op,
                        source: e,
                    }
                };
                return Ok(if call.idempotent {
                    Attempt::Retry {
                        after: Duration::ZERO,
                        error,
                    }
                } else {
                    Attempt::Fail(error)
                });
            }
        };
        self.record_warnings(&resp.headers);
        let status = resp.status;
        if (200..300).contains(&status) {
            return Ok(Attempt::Done(resp));
        }
        let retry_after = resp
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        let error = map_error(op, &resp, retry_after);
        Ok(match status {
            429 => match retry_after {
                Some(ra) if ra > self.config.retry.max_retry_after => Attempt::Fail(error),
                // 429 means KSeF did not process the request: retrying is safe for any call.
                ra => Attempt::Retry {
                    after: ra.unwrap_or(Duration::ZERO),
                    error,
                },
            },
            500 | 502 | 503 | 504 if call.idempotent => Attempt::Retry {
                after: retry_after
                    .unwrap_or(Duration::ZERO)
                    .min(self.config.retry.max_retry_after),
                error,
            },
            401 => Attempt::Unauthorized(error),
            _ => Attempt::Fail(error),
        })
    }

    fn record_warnings(&self, headers: &HeaderMap) {
        let warnings: Vec<String> = headers
            .get_all("x-system-warning")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        if warnings.is_empty() {
            return;
        }
        for w in &warnings {
            tracing::warn!(warning = %w, "KSeF system warning");
        }
        if let Ok(mut all) = self.warnings.lock() {
            all.extend(warnings);
            let excess = all.len().saturating_sub(100);
            all.drain(..excess);
        }
    }

    /// GET/POST returning JSON.
    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        call: Call,
        cancel: &CancellationToken,
    ) -> Result<T> {
        let op = call.op;
        self.send(&call, cancel).await?.json(op)
    }
}

/// Maps a non-2xx response to a typed error, reading KSeF's JSON error bodies (legacy
/// `ExceptionResponse`, problem details, `TooManyRequestsResponse`).
pub(crate) fn map_error(
    op: &'static str,
    resp: &RawResponse,
    retry_after: Option<Duration>,
) -> KsefError {
    let body: ErrorBodyWire = serde_json::from_slice(&resp.body).unwrap_or_default();
    let detail = body.detail.clone().or(body.title.clone());
    match resp.status {
        400 => {
            let mut errors = Vec::new();
            let mut trace_id = body.trace_id.clone();
            if let Some(ex) = &body.exception {
                trace_id = trace_id.or(ex.service_code.clone());
                for d in ex.exception_detail_list.iter().flatten() {
                    errors.push(ApiErrorDetail {
                        code: d.exception_code.unwrap_or_default(),
                        description: d.exception_description.clone().unwrap_or_default(),
                        details: d.details.clone().unwrap_or_default(),
                    });
                }
            }
            for e in body.errors.iter().flatten() {
                errors.push(ApiErrorDetail {
                    code: e.code.unwrap_or_default(),
                    description: e.description.clone().unwrap_or_default(),
                    details: e.details.clone().unwrap_or_default(),
                });
            }
            KsefError::Api {
                operation: op,
                status: 400,
                detail,
                errors,
                trace_id,
            }
        }
        401 => KsefError::Unauthorized {
            operation: op,
            detail: detail.unwrap_or_default(),
        },
        403 => KsefError::Forbidden {
            operation: op,
            reason_code: body.reason_code.unwrap_or_default(),
            detail: detail.unwrap_or_default(),
        },
        404 => KsefError::NotFound {
            operation: op,
            detail,
        },
        410 => KsefError::Gone {
            operation: op,
            detail: detail.unwrap_or_default(),
        },
        429 => {
            let details = body
                .status
                .as_ref()
                .and_then(|s| s.get("details"))
                .and_then(|d| serde_json::from_value::<Vec<String>>(d.clone()).ok())
                .or_else(|| body.detail.clone().map(|d| vec![d]))
                .unwrap_or_default();
            KsefError::RateLimited {
                operation: op,
                retry_after,
                details,
            }
        }
        s @ 500..=599 => KsefError::Server {
            operation: op,
            status: s,
            retry_after,
        },
        s => KsefError::UnexpectedStatus {
            operation: op,
            status: s,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn maps_legacy_400_with_codes() {
        let body = r#"{"exception":{"exceptionDetailList":[{"exceptionCode":21155,"exceptionDescription":"Przekroczono limit liczby faktur w sesji.","details":["Sesja osiągnęła limit 10000."]}],"serviceCode":"00-abc","timestamp":"2025-10-11T12:23:56.0154302"}}"#;
        let e = map_error("sessions.online.send", &resp(400, body), None);
        assert_eq!(e.ksef_codes(), vec![21155]);
        match &e {
            KsefError::Api {
                errors, trace_id, ..
            } => {
                assert_eq!(
                    errors[0].description,
                    "Przekroczono limit liczby faktur w sesji."
                );
                assert_eq!(trace_id.as_deref(), Some("00-abc"));
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("21155 Przekroczono limit"));
    }

    #[test]
    fn maps_problem_details() {
        let body = r#"{"title":"Bad Request","status":400,"instance":"/v2/x","detail":"Żądanie jest nieprawidłowe.","errors":[{"code":21405,"description":"Błąd walidacji danych wejściowych.","details":["Wskazany kod formularza nie jest wspierany."]}],"timestamp":"2025-07-11T12:23:56+00:00","traceId":"673843"}"#;
        let e = map_error("x", &resp(400, body), None);
        assert_eq!(e.ksef_codes(), vec![21405]);
        let e = map_error(
            "x",
            &resp(
                403,
                r#"{"title":"Forbidden","status":403,"detail":"Brak uprawnień","reasonCode":"missing-permissions","timestamp":"2025-07-11T12:23:56+00:00"}"#,
            ),
            None,
        );
        assert!(
            matches!(e, KsefError::Forbidden { ref reason_code, .. } if reason_code == "missing-permissions")
        );
        let e = map_error(
            "x",
            &resp(
                429,
                r#"{"status":{"code":429,"description":"Too Many Requests","details":["Przekroczono limit 20 żądań na minutę."]}}"#,
            ),
            Some(Duration::from_secs(30)),
        );
        assert!(
            matches!(e, KsefError::RateLimited { retry_after: Some(d), ref details, .. } if d.as_secs() == 30 && details.len() == 1)
        );
        let e = map_error("x", &resp(503, "<html>maintenance</html>"), None);
        assert!(e.is_unavailability());
        let e = map_error("x", &resp(401, "not json"), None);
        assert!(matches!(e, KsefError::Unauthorized { .. }));
        let e = map_error(
            "x",
            &resp(410, r#"{"title":"Gone","status":410,"detail":"expired"}"#),
            None,
        );
        assert!(matches!(e, KsefError::Gone { .. }));
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<KsefClient>();
    }
}
