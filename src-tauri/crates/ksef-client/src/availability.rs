//! Availability: KSeF's own signals — the Latarnia status service (`/status`, `/messages`:
//! AVAILABLE, MAINTENANCE, FAILURE, TOTAL_FAILURE), `X-System-Warning` headers, and how the
//! API itself answers (503 = maintenance, other 5xx / timeouts / refused connections = outage).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::client::{Call, CallAuth, KsefClient};
use crate::env::join;
use crate::error::{KsefError, Result};
use crate::limiter::EndpointGroup;

/// Overall state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AvailabilityState {
    /// Working.
    Available,
    /// Planned maintenance (Latarnia MAINTENANCE or HTTP 503).
    Maintenance,
    /// Announced failure ("awaria": offline mode with a 7-business-day deadline).
    Failure,
    /// Total failure ("awaria całkowita").
    TotalFailure,
    /// Not answering (timeouts, refused connections, 5xx) without an announcement.
    Unreachable,
}

/// A Latarnia message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct LatarniaMessage {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub event_id: Option<i64>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub published: Option<DateTime<Utc>>,
}

/// Latarnia `/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatarniaStatus {
    /// AVAILABLE | MAINTENANCE | FAILURE | TOTAL_FAILURE.
    pub status: String,
    /// Current messages.
    #[serde(default)]
    pub messages: Vec<LatarniaMessage>,
}

/// The result of an availability check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    /// Overall state.
    pub state: AvailabilityState,
    /// Whether the API answered the probe.
    pub api_reachable: bool,
    /// Why the probe failed, if it did.
    pub api_error: Option<String>,
    /// Latarnia's view, if the environment has one and it answered.
    pub latarnia: Option<LatarniaStatus>,
    /// `X-System-Warning`s collected since the last check.
    pub system_warnings: Vec<String>,
    /// When checked.
    pub checked_at: DateTime<Utc>,
}

impl KsefClient {
    /// Checks availability: Latarnia (if any) and a probe of the public
    /// `GET /security/public-key-certificates` (no retries). Only cancellation is an error.
    pub async fn availability(&self, cancel: &CancellationToken) -> Result<Availability> {
        let latarnia = match self.inner.env.latarnia_base() {
            Some(base) => match self.latarnia_status(&base, cancel).await {
                Ok(s) => Some(s),
                Err(KsefError::Cancelled) => return Err(KsefError::Cancelled),
                Err(e) => {
                    tracing::info!(error = %e, "Latarnia not answering");
                    None
                }
            },
            None => None,
        };
        let mut probe = Call::new(
            "availability.probe",
            Method::GET,
            self.inner.url("security/public-key-certificates")?,
            EndpointGroup::Auth,
        )
        .auth(CallAuth::None);
        probe.max_attempts = Some(1);
        let probe_result = self.inner.send(&probe, cancel).await;
        let (api_reachable, api_error, api_state) = match probe_result {
            Ok(_) => (true, None, AvailabilityState::Available),
            Err(KsefError::Cancelled) => return Err(KsefError::Cancelled),
            Err(e @ KsefError::Server { status: 503, .. }) => {
                (true, Some(e.to_string()), AvailabilityState::Maintenance)
            }
            Err(e) if e.is_unavailability() => {
                (false, Some(e.to_string()), AvailabilityState::Unreachable)
            }
            // 429 and similar: the service is up.
            Err(e) => (true, Some(e.to_string()), AvailabilityState::Available),
        };
        let announced = latarnia.as_ref().map(|l| match l.status.as_str() {
            "MAINTENANCE" => AvailabilityState::Maintenance,
            "FAILURE" => AvailabilityState::Failure,
            "TOTAL_FAILURE" => AvailabilityState::TotalFailure,
            _ => AvailabilityState::Available,
        });
        let state = match announced {
            Some(s) if s != AvailabilityState::Available => s,
            _ => api_state,
        };
        Ok(Availability {
            state,
            api_reachable,
            api_error,
            latarnia,
            system_warnings: self.take_system_warnings(),
            checked_at: Utc::now(),
        })
    }

    async fn latarnia_status(
        &self,
        base: &url::Url,
        cancel: &CancellationToken,
    ) -> Result<LatarniaStatus> {
        let mut call = Call::new(
            "latarnia.status",
            Method::GET,
            join(base, "status")?,
            EndpointGroup::Unlimited,
        )
        .auth(CallAuth::None);
        call.max_attempts = Some(1);
        self.inner.call_json(call, cancel).await
    }

    /// Latarnia `/messages` (announcements of maintenance and failures).
    pub async fn latarnia_messages(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Vec<LatarniaMessage>> {
        let base =
            self.inner.env.latarnia_base().ok_or_else(|| {
                KsefError::Config("this environment has no Latarnia service".into())
            })?;
        let call = Call::new(
            "latarnia.messages",
            Method::GET,
            join(&base, "messages")?,
            EndpointGroup::Unlimited,
        )
        .auth(CallAuth::None);
        self.inner.call_json(call, cancel).await
    }

    /// Effective rate limits for the context (`GET /rate-limits`).
    pub async fn fetch_rate_limits(
        &self,
        cancel: &CancellationToken,
    ) -> Result<crate::model::EffectiveApiRateLimits> {
        let call = Call::new(
            "rate_limits",
            Method::GET,
            self.inner.url("rate-limits")?,
            EndpointGroup::Other,
        );
        self.inner.call_json(call, cancel).await
    }
}
