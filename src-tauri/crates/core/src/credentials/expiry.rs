//! When a certificate runs out, and how loudly to say so.
//!
//! The app warns 30, 7 and 1 day(s) before a certificate's `notAfter` (dashboard, status
//! bar, a desktop notification per threshold), so a company is never surprised by a
//! sign-in that stops working.

use desk_store::Timestamp;

/// How close a certificate is to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExpiryLevel {
    /// More than 30 days left.
    Fine,
    Within30Days,
    Within7Days,
    Within1Day,
    Expired,
}

impl ExpiryLevel {
    pub fn code(self) -> &'static str {
        match self {
            ExpiryLevel::Fine => "fine",
            ExpiryLevel::Within30Days => "within_30_days",
            ExpiryLevel::Within7Days => "within_7_days",
            ExpiryLevel::Within1Day => "within_1_day",
            ExpiryLevel::Expired => "expired",
        }
    }
}

/// A certificate's remaining validity at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateExpiry {
    pub not_after: Timestamp,
    /// Whole days left, rounded up (1 for the last 24 hours); 0 once expired.
    pub days_left: u32,
    pub level: ExpiryLevel,
}

impl CertificateExpiry {
    pub fn at(not_after: Timestamp, now: Timestamp) -> CertificateExpiry {
        let seconds = (not_after - now).num_seconds();
        let days = if seconds <= 0 {
            0
        } else {
            seconds.saturating_add(86_399) / 86_400
        };
        let days_left = u32::try_from(days).unwrap_or(u32::MAX);
        let level = match days_left {
            0 => ExpiryLevel::Expired,
            1 => ExpiryLevel::Within1Day,
            2..=7 => ExpiryLevel::Within7Days,
            8..=30 => ExpiryLevel::Within30Days,
            _ => ExpiryLevel::Fine,
        };
        CertificateExpiry {
            not_after,
            days_left,
            level,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn check(left: Duration, days: u32, level: ExpiryLevel) {
        let now = "2026-12-04T12:00:00Z".parse::<Timestamp>().unwrap();
        let expiry = CertificateExpiry::at(now + left, now);
        assert_eq!((expiry.days_left, expiry.level), (days, level), "{left:?}");
    }

    #[test]
    fn warnings_start_30_7_and_1_day_before_the_end() {
        check(Duration::days(90), 90, ExpiryLevel::Fine);
        check(Duration::days(31), 31, ExpiryLevel::Fine);
        check(Duration::days(30), 30, ExpiryLevel::Within30Days);
        check(Duration::days(8), 8, ExpiryLevel::Within30Days);
        check(Duration::days(7), 7, ExpiryLevel::Within7Days);
        check(Duration::hours(25), 2, ExpiryLevel::Within7Days);
        check(Duration::hours(24), 1, ExpiryLevel::Within1Day);
        check(Duration::seconds(1), 1, ExpiryLevel::Within1Day);
        check(Duration::zero(), 0, ExpiryLevel::Expired);
        check(Duration::days(-3), 0, ExpiryLevel::Expired);
    }
}
