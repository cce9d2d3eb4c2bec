//! Client-side rate limiter: sliding windows per endpoint group (req/s, req/min, req/h at
//! once, as KSeF counts them), so a well-behaved client never sees 429 in normal use.
//! Time comes from `tokio::time::Instant`, so tests with a paused runtime are deterministic;
//! the core decision ([`Window::reserve`]) is a pure function of the instant passed in.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::error::{KsefError, Result};
use crate::model::{EffectiveApiRateLimits, RateLimitValues};

/// Rate-limit groups of the spec (the `grupa` column of each operation's 429 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum EndpointGroup {
    OnlineSession,
    BatchSession,
    InvoiceSend,
    InvoiceStatus,
    SessionList,
    SessionInvoiceList,
    SessionMisc,
    InvoiceMetadata,
    InvoiceExport,
    InvoiceExportStatus,
    InvoiceDownload,
    /// `/auth/*` and `/security/public-key-certificates` (60 req/s).
    Auth,
    Other,
    /// Pre-signed URLs (UPO, batch parts, export parts): not rate-limited.
    Unlimited,
}

/// Limits of one group; `None` = no limit in that window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// Requests per second.
    pub per_second: Option<u32>,
    /// Requests per minute.
    pub per_minute: Option<u32>,
    /// Requests per hour.
    pub per_hour: Option<u32>,
}

impl Limits {
    const fn new(s: u32, m: u32, h: u32) -> Self {
        Self {
            per_second: Some(s),
            per_minute: Some(m),
            per_hour: Some(h),
        }
    }

    fn windows(&self) -> [(Option<u32>, Duration); 3] {
        [
            (self.per_second, Duration::from_secs(1)),
            (self.per_minute, Duration::from_secs(60)),
            (self.per_hour, Duration::from_secs(3600)),
        ]
    }
}

impl From<RateLimitValues> for Limits {
    fn from(v: RateLimitValues) -> Self {
        Limits::new(v.per_second, v.per_minute, v.per_hour)
    }
}

/// Limits per group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RateLimitTable {
    groups: HashMap<EndpointGroup, Limits>,
}

impl RateLimitTable {
    /// The production limits documented in the spec (per-operation 429 tables).
    pub fn production() -> Self {
        use EndpointGroup::*;
        let groups = [
            (OnlineSession, Limits::new(10, 30, 120)),
            (InvoiceSend, Limits::new(10, 30, 180)),
            (BatchSession, Limits::new(10, 20, 60)),
            (InvoiceStatus, Limits::new(30, 120, 1200)),
            (SessionMisc, Limits::new(10, 120, 1200)),
            (SessionInvoiceList, Limits::new(10, 20, 200)),
            (SessionList, Limits::new(5, 10, 60)),
            (InvoiceMetadata, Limits::new(8, 16, 20)),
            (InvoiceExport, Limits::new(8, 16, 20)),
            (InvoiceExportStatus, Limits::new(10, 60, 600)),
            (InvoiceDownload, Limits::new(8, 16, 64)),
            (
                Auth,
                Limits {
                    per_second: Some(60),
                    per_minute: None,
                    per_hour: None,
                },
            ),
            (Other, Limits::new(10, 30, 120)),
        ]
        .into_iter()
        .collect();
        Self { groups }
    }

    /// No client-side limiting (the simulator, unless a test sets limits).
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// Every limit multiplied by `factor` (TEST has 10x production).
    pub fn scaled(mut self, factor: u32) -> Self {
        for l in self.groups.values_mut() {
            for v in [&mut l.per_second, &mut l.per_minute, &mut l.per_hour] {
                *v = v.map(|x| x.saturating_mul(factor));
            }
        }
        self
    }

    /// Set one group's limits.
    pub fn with(mut self, group: EndpointGroup, limits: Limits) -> Self {
        self.groups.insert(group, limits);
        self
    }

    /// The limits KSeF reports for this context (`GET /rate-limits`), keeping `Auth` as is.
    pub fn from_effective(e: &EffectiveApiRateLimits, auth: Option<Limits>) -> Self {
        use EndpointGroup::*;
        let mut groups: HashMap<_, _> = [
            (OnlineSession, e.online_session.into()),
            (BatchSession, e.batch_session.into()),
            (InvoiceSend, e.invoice_send.into()),
            (InvoiceStatus, e.invoice_status.into()),
            (SessionList, e.session_list.into()),
            (SessionInvoiceList, e.session_invoice_list.into()),
            (SessionMisc, e.session_misc.into()),
            (InvoiceMetadata, e.invoice_metadata.into()),
            (InvoiceExport, e.invoice_export.into()),
            (InvoiceExportStatus, e.invoice_export_status.into()),
            (InvoiceDownload, e.invoice_download.into()),
            (Other, e.other.into()),
        ]
        .into_iter()
        .collect();
        if let Some(a) = auth {
            groups.insert(Auth, a);
        }
        Self { groups }
    }

    /// Limits of a group (`None`: not limited).
    pub fn get(&self, group: EndpointGroup) -> Option<Limits> {
        if group == EndpointGroup::Unlimited {
            return None;
        }
        self.groups.get(&group).copied()
    }
}

/// Request timestamps of one group within the last hour.
#[derive(Debug, Default)]
pub(crate) struct Window {
    stamps: VecDeque<Instant>,
}

impl Window {
    /// Either records a request at `now` (Ok) or tells how long to wait (Err). Each window
    /// is counted `pad` longer than nominal, so network jitter between our clock and the
    /// server's arrival times cannot push a burst over the limit.
    pub(crate) fn reserve(
        &mut self,
        limits: &Limits,
        now: Instant,
        pad: Duration,
    ) -> std::result::Result<(), Duration> {
        let hour = Duration::from_secs(3600) + pad;
        while let Some(&front) = self.stamps.front() {
            if now.saturating_duration_since(front) >= hour {
                self.stamps.pop_front();
            } else {
                break;
            }
        }
        let mut wait = Duration::ZERO;
        for (limit, span) in limits.windows() {
            let Some(limit) = limit else { continue };
            let span = span + pad;
            let limit = limit.max(1) as usize;
            // Requests within (now - span, now].
            let inside = self
                .stamps
                .iter()
                .rev()
                .take_while(|&&t| now.saturating_duration_since(t) < span)
                .count();
            if inside >= limit {
                // The request that must leave the window before we may go.
                let idx = self.stamps.len() - limit;
                let oldest = self.stamps[idx];
                wait = wait.max((oldest + span).saturating_duration_since(now));
            }
        }
        if wait.is_zero() {
            self.stamps.push_back(now);
            Ok(())
        } else {
            Err(wait)
        }
    }
}

/// The limiter shared by all clones of a client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    pad: Duration,
    table: Mutex<RateLimitTable>,
    windows: Mutex<HashMap<EndpointGroup, Window>>,
}

impl RateLimiter {
    pub(crate) fn new(table: RateLimitTable, pad: Duration) -> Self {
        Self {
            pad,
            table: Mutex::new(table),
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn set_table(&self, table: RateLimitTable) {
        if let Ok(mut t) = self.table.lock() {
            *t = table;
        }
    }

    fn try_acquire(&self, group: EndpointGroup) -> std::result::Result<(), Duration> {
        let limits = match self.table.lock() {
            Ok(t) => t.get(group),
            Err(_) => None,
        };
        let Some(limits) = limits else { return Ok(()) };
        match self.windows.lock() {
            Ok(mut w) => w
                .entry(group)
                .or_default()
                .reserve(&limits, Instant::now(), self.pad),
            Err(_) => Ok(()),
        }
    }

    /// Waits until a request of `group` may be sent, then records it.
    pub(crate) async fn acquire(
        &self,
        group: EndpointGroup,
        cancel: &CancellationToken,
    ) -> Result<()> {
        loop {
            match self.try_acquire(group) {
                Ok(()) => return Ok(()),
                Err(wait) => {
                    tracing::debug!(
                        ?group,
                        wait_ms = wait.as_millis() as u64,
                        "client-side rate limit"
                    );
                    tokio::select! {
                        () = cancel.cancelled() => return Err(KsefError::Cancelled),
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_windows_all_apply() {
        let limits = Limits::new(2, 3, 4);
        let mut w = Window::default();
        let t0 = Instant::now();
        assert!(w.reserve(&limits, t0, Duration::ZERO).is_ok());
        assert!(w.reserve(&limits, t0, Duration::ZERO).is_ok());
        // Third within the same second: wait until the first leaves the 1 s window.
        assert_eq!(
            w.reserve(&limits, t0, Duration::ZERO),
            Err(Duration::from_secs(1))
        );
        let t1 = t0 + Duration::from_millis(1000);
        assert!(w.reserve(&limits, t1, Duration::ZERO).is_ok());
        // Per-minute limit (3) reached: wait until t0 + 60 s.
        let t2 = t0 + Duration::from_secs(5);
        assert_eq!(
            w.reserve(&limits, t2, Duration::ZERO),
            Err(Duration::from_secs(55))
        );
        let t3 = t0 + Duration::from_secs(60);
        assert!(w.reserve(&limits, t3, Duration::ZERO).is_ok());
        // Hour limit (4) reached now: the first of t0's requests leaves at t0 + 1 h.
        let t4 = t0 + Duration::from_secs(200);
        assert_eq!(
            w.reserve(&limits, t4, Duration::ZERO),
            Err(Duration::from_secs(3400))
        );
        let t5 = t0 + Duration::from_secs(3600);
        assert!(w.reserve(&limits, t5, Duration::ZERO).is_ok());
    }

    #[test]
    fn pad_lengthens_every_window() {
        let limits = Limits {
            per_second: Some(1),
            per_minute: None,
            per_hour: None,
        };
        let pad = Duration::from_millis(100);
        let mut w = Window::default();
        let t0 = Instant::now();
        assert!(w.reserve(&limits, t0, pad).is_ok());
        assert_eq!(
            w.reserve(&limits, t0 + Duration::from_secs(1), pad),
            Err(pad)
        );
        assert!(w
            .reserve(&limits, t0 + Duration::from_millis(1100), pad)
            .is_ok());
    }

    #[test]
    fn tables() {
        let p = RateLimitTable::production();
        assert_eq!(
            p.get(EndpointGroup::InvoiceSend),
            Some(Limits::new(10, 30, 180))
        );
        assert_eq!(p.get(EndpointGroup::Unlimited), None);
        let t = RateLimitTable::production().scaled(10);
        assert_eq!(
            t.get(EndpointGroup::InvoiceMetadata),
            Some(Limits::new(80, 160, 200))
        );
        assert_eq!(
            RateLimitTable::unlimited().get(EndpointGroup::InvoiceSend),
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_on_virtual_clock() {
        let limiter = RateLimiter::new(
            RateLimitTable::unlimited().with(EndpointGroup::InvoiceSend, Limits::new(10, 30, 180)),
            Duration::ZERO,
        );
        let cancel = CancellationToken::new();
        let start = Instant::now();
        for _ in 0..30 {
            limiter
                .acquire(EndpointGroup::InvoiceSend, &cancel)
                .await
                .unwrap();
        }
        // 30 requests at 10/s take 2 s of virtual time (0..10 at t=0, then t=1, t=2).
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // The 31st must wait for the minute window.
        limiter
            .acquire(EndpointGroup::InvoiceSend, &cancel)
            .await
            .unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        // Unlimited groups never wait.
        limiter
            .acquire(EndpointGroup::InvoiceStatus, &cancel)
            .await
            .unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_is_cancellable() {
        let limiter = RateLimiter::new(
            RateLimitTable::unlimited().with(EndpointGroup::Other, Limits::new(1, 1, 1)),
            Duration::ZERO,
        );
        let cancel = CancellationToken::new();
        limiter
            .acquire(EndpointGroup::Other, &cancel)
            .await
            .unwrap();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            c2.cancel();
        });
        let r = limiter.acquire(EndpointGroup::Other, &cancel).await;
        assert!(matches!(r, Err(KsefError::Cancelled)));
    }
}
