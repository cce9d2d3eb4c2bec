//! Time as KSeF counts it: calendar days in Poland (Europe/Warsaw).

use std::fmt;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::Warsaw;
use desk_store::Timestamp;

/// Today's date in Poland: the day KSeF compares an invoice's P_1 with.
pub fn today_in_poland(now: Timestamp) -> NaiveDate {
    now.with_timezone(&Warsaw).date_naive()
}

/// The end-of-day sending time of a company, in Europe/Warsaw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndOfDay(NaiveTime);

impl EndOfDay {
    /// `HH:MM`, at the latest 23:00 so that the run finishes before midnight.
    pub fn parse(input: &str) -> Option<EndOfDay> {
        let time = NaiveTime::parse_from_str(input.trim(), "%H:%M").ok()?;
        (time <= NaiveTime::from_hms_opt(23, 0, 0)?).then_some(EndOfDay(time))
    }

    /// This day's run in Poland, as an instant.
    pub fn today_at(self, now: Timestamp) -> Option<Timestamp> {
        self.on(today_in_poland(now))
    }

    fn on(self, day: NaiveDate) -> Option<Timestamp> {
        Warsaw
            .from_local_datetime(&day.and_time(self.0))
            .earliest()
            .map(|t| t.to_utc())
    }

    /// The first run after `now`.
    pub fn next_after(self, now: Timestamp) -> Option<Timestamp> {
        let today = today_in_poland(now);
        match self.on(today) {
            Some(at) if at > now => Some(at),
            _ => self.on(today.succ_opt()?),
        }
    }
}

impl fmt::Display for EndOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn polish_days_start_at_local_midnight() {
        assert_eq!(
            today_in_poland(at("2026-11-25T23:30:00Z")).to_string(),
            "2026-11-26"
        );
        assert_eq!(
            today_in_poland(at("2026-07-25T21:59:00Z")).to_string(),
            "2026-07-25"
        );
    }

    #[test]
    fn end_of_day_is_local_time_and_never_past_23() {
        let eod = EndOfDay::parse("18:00").unwrap();
        assert_eq!(
            eod.today_at(at("2026-11-25T08:00:00Z")),
            Some(at("2026-11-25T17:00:00Z"))
        );
        assert_eq!(
            eod.next_after(at("2026-11-25T17:30:00Z")),
            Some(at("2026-11-26T17:00:00Z"))
        );
        assert_eq!(eod.to_string(), "18:00");
        assert_eq!(EndOfDay::parse("23:30"), None);
        assert_eq!(EndOfDay::parse("6pm"), None);
    }
}
