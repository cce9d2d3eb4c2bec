//! Fault injection middleware: outages, 429, 5xx, latency, dropped connections, and the
//! official rate limits when enforced.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use rand::Rng;

use super::error::{error_response, ApiError};
use super::Shared;
use crate::config::OneShotFault;

enum Decision {
    Pass,
    Delay(u64),
    Fail(ApiError),
    Reset,
}

fn reset_response() -> Response {
    // A body stream that fails at once: the server aborts the connection without a
    // complete response, which the client sees as a reset / incomplete message.
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert(
        axum::http::header::CONTENT_LENGTH,
        axum::http::HeaderValue::from_static("1024"),
    );
    resp
}

/// The rate-limit group of a request (SPEC `EffectiveApiRateLimits` keys).
pub(crate) fn group(method: &str, path: &str) -> Option<&'static str> {
    let p = path.strip_prefix("/v2")?;
    let seg: Vec<&str> = p.trim_matches('/').split('/').collect();
    Some(match (method, seg.as_slice()) {
        // Listing and closing one's own sign-ins are ordinary protected calls.
        (_, ["auth", "sessions", ..]) => "other",
        (_, ["auth", ..]) | (_, ["security", ..]) => "auth",
        ("POST", ["sessions", "online"]) | ("POST", ["sessions", "online", _, "close"]) => {
            "onlineSession"
        }
        ("POST", ["sessions", "online", _, "invoices"]) => "invoiceSend",
        ("POST", ["sessions", "batch"]) | ("POST", ["sessions", "batch", _, "close"]) => {
            "batchSession"
        }
        ("GET", ["sessions"]) => "sessionList",
        ("GET", ["sessions", _, "invoices"]) | ("GET", ["sessions", _, "invoices", "failed"]) => {
            "sessionInvoiceList"
        }
        ("GET", ["sessions", _, "invoices", _]) => "invoiceStatus",
        ("GET", ["sessions", ..]) => "sessionMisc",
        ("POST", ["invoices", "query", "metadata"]) => "invoiceMetadata",
        ("POST", ["invoices", "exports"]) => "invoiceExport",
        ("GET", ["invoices", "exports", _]) => "invoiceExportStatus",
        ("GET", ["invoices", "ksef", _]) => "invoiceDownload",
        _ => "other",
    })
}

/// The counter a request is charged to: its group, and for `other` its own endpoint
/// ("each such endpoint has its own counter", limity-api.md), with identifiers
/// (segments holding digits) folded so `/tokens/{ref}` is one endpoint.
fn rate_counter(method: &str, path: &str, group: &str) -> String {
    if group != "other" {
        return group.to_owned();
    }
    let shape: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.bytes().any(|b| b.is_ascii_digit()) && s != "v2" {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("other {method} {}", shape.join("/"))
}

fn decide(state: &Shared, req: &Request) -> Decision {
    let path = req.uri().path().to_owned();
    let method = req.method().as_str().to_owned();
    let now = Utc::now();
    let mut faults = state.fault_state();
    // One-shot faults first (deterministic tests).
    if let Some(pos) = faults
        .one_shot
        .iter()
        .position(|(filter, _)| filter.as_deref().is_none_or(|f| path.contains(f)))
    {
        let (_, fault) = faults.one_shot.remove(pos);
        return match fault {
            OneShotFault::TooManyRequests { retry_after_secs } => Decision::Fail(ApiError::TooManyRequests {
                retry_after: retry_after_secs,
                detail: format!("Przekroczono limit żądań. Spróbuj ponownie po {retry_after_secs} sekundach."),
            }),
            OneShotFault::ServerError { status } => Decision::Fail(ApiError::Server {
                status,
                detail: "Injected server error".into(),
                retry_after: None,
            }),
            OneShotFault::ConnectionReset => Decision::Reset,
            OneShotFault::Delay { ms } => Decision::Delay(ms),
        };
    }
    let cfg = faults.config.clone();
    faults.counter += 1;
    let counter = faults.counter;
    drop(faults);
    if let Some(w) = cfg.outages.iter().find(|w| w.from <= now && now < w.to) {
        let secs = (w.to - now).num_seconds().max(1) as u64;
        return Decision::Fail(ApiError::Server {
            status: 503,
            detail: "System KSeF jest niedostępny (okno niedostępności).".into(),
            retry_after: Some(secs),
        });
    }
    let mut rng = rand::thread_rng();
    if cfg.rate_reset > 0.0 && rng.gen_bool(cfg.rate_reset.clamp(0.0, 1.0)) {
        return Decision::Reset;
    }
    if cfg.rate_429 > 0.0 && rng.gen_bool(cfg.rate_429.clamp(0.0, 1.0)) {
        let secs = cfg.retry_after_secs.max(1);
        return Decision::Fail(ApiError::TooManyRequests {
            retry_after: secs,
            detail: format!("Przekroczono limit żądań. Spróbuj ponownie po {secs} sekundach."),
        });
    }
    if cfg.rate_5xx > 0.0 && rng.gen_bool(cfg.rate_5xx.clamp(0.0, 1.0)) {
        let status = [500, 502, 503][(counter % 3) as usize];
        return Decision::Fail(ApiError::Server {
            status,
            detail: "Injected server error".into(),
            retry_after: None,
        });
    }
    if cfg.enforce_rate_limits {
        if let Some(g) = group(&method, &path) {
            let limit = cfg.rate_limits.of(g);
            let (s, m, h) = (limit.per_second, limit.per_minute, limit.per_hour);
            let mut inner = state.inner();
            // Limits count per context (or per caller address when unauthenticated).
            let who = super::bearer(req.headers())
                .and_then(|t| inner.bearers.get(t))
                .map(|g| g.context_nip.clone())
                .unwrap_or_else(|| "anonymous".to_owned());
            let window = inner
                .rate_windows
                .entry(format!("{}|{who}", rate_counter(&method, &path, g)))
                .or_default();
            window.retain(|t| now - *t < chrono::Duration::hours(1));
            // Sliding windows, shortened by 5% so that a client pacing itself exactly
            // to the limit is not punished for network jitter between it and us.
            let count_within = |secs: i64| {
                let span = chrono::Duration::milliseconds(secs * 950);
                window.iter().filter(|t| now - **t < span).count() as u32
            };
            let exceeded = [
                (1i64, s, "sekundę"),
                (60, m, "minutę"),
                (3600, h, "godzinę"),
            ]
            .into_iter()
            .find(|(secs, limit, _)| count_within(*secs) >= *limit);
            if let Some((secs, limit, unit)) = exceeded {
                return Decision::Fail(ApiError::TooManyRequests {
                    retry_after: secs as u64,
                    detail: format!("Przekroczono limit {limit} żądań na {unit}. Spróbuj ponownie po {secs} sekundach."),
                });
            }
            window.push(now);
        }
    }
    if cfg.latency_ms > 0 {
        return Decision::Delay(cfg.latency_ms);
    }
    Decision::Pass
}

/// The middleware.
pub(crate) async fn inject(State(state): State<Shared>, req: Request, next: Next) -> Response {
    match decide(&state, &req) {
        Decision::Pass => next.run(req).await,
        Decision::Delay(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Decision::Fail(err) => {
            tracing::debug!(path = %req.uri().path(), "injected fault");
            error_response(&err, &req)
        }
        Decision::Reset => reset_response(),
    }
}
