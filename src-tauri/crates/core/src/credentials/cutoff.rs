//! The end of KSeF token sign-in: the one place that knows the date.
//!
//! The Ministry of Finance stops sign-in with KSeF tokens after 31 December 2026 (Polish
//! time); from 1 January 2027 only certificates sign in. Should the Ministry extend it,
//! [`TOKEN_LAST_DAY`] is the one line to change: the banners, the wizard's label and the
//! status bar all ask the backend, and the UI never computes its own date.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Warsaw;
use desk_store::Timestamp;

use crate::sales::time::today_in_poland;

/// The last day (Polish calendar) on which KSeF accepts token sign-in.
pub const TOKEN_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 12, 31) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// When token sign-in stops: midnight after [`TOKEN_LAST_DAY`], Europe/Warsaw, as an
/// instant.
pub fn token_cutoff() -> Timestamp {
    let next = TOKEN_LAST_DAY.succ_opt().unwrap_or(TOKEN_LAST_DAY);
    Warsaw
        .from_local_datetime(&next.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || next.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.to_utc(),
        )
}

/// On how many days, today included, token sign-in still works: 1 on the last day,
/// 0 from the cut-off on.
pub fn token_days_left(now: Timestamp) -> u32 {
    let days = (TOKEN_LAST_DAY - today_in_poland(now)).num_days();
    u32::try_from(days.saturating_add(1)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn utc(text: &str) -> Timestamp {
        text.parse::<chrono::DateTime<Utc>>().unwrap()
    }

    #[test]
    fn tokens_stop_at_midnight_polish_time_after_the_last_day() {
        // Warsaw is UTC+1 in winter: midnight of 1 January is 23:00 UTC on 31 December.
        assert_eq!(token_cutoff(), utc("2026-12-31T23:00:00Z"));
        assert_eq!(token_days_left(utc("2026-12-04T15:00:00Z")), 28);
        assert_eq!(token_days_left(utc("2026-12-31T22:59:59Z")), 1);
        assert_eq!(token_days_left(utc("2026-12-31T23:00:00Z")), 0);
        assert_eq!(token_days_left(utc("2027-06-01T12:00:00Z")), 0);
    }
}
