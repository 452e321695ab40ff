//! The property's business date: the date its front desk is working on.
//!
//! It is the local date in the property's timezone, minus one day while the
//! local wall-clock time is before BUSINESS_DAY_START (the night audit). A
//! guest arriving at 02:00 with the audit at 05:00 is still on last night's
//! business date. The server's own timezone never enters the computation.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

/// A source of the current instant, injected so tests can pin it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub type SharedClock = Arc<dyn Clock>;

/// The system clock. "Now" is always grace's own clock, never the database's.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant, for tests.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PropertyCalendar {
    pub timezone: Tz,
    pub business_day_start: NaiveTime,
}

impl PropertyCalendar {
    /// Computes the business date at an instant. Converting from UTC to local
    /// time is always unambiguous, so a skipped or repeated DST hour needs no
    /// special case: the local wall clock decides.
    pub fn business_date(&self, now: DateTime<Utc>) -> NaiveDate {
        let local = now.with_timezone(&self.timezone).naive_local();
        if local.time() < self.business_day_start {
            local.date().pred_opt().unwrap_or(local.date())
        } else {
            local.date()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(timezone: Tz, start: &str) -> PropertyCalendar {
        PropertyCalendar {
            timezone,
            business_day_start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
        }
    }

    fn instant(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn dubai_after_local_midnight_is_next_day() {
        let business_date = calendar(chrono_tz::Asia::Dubai, "00:00")
            .business_date(instant("2025-03-10T20:30:00Z"));
        assert_eq!(business_date, date("2025-03-11"));
    }

    #[test]
    fn new_york_evening_is_still_previous_utc_day() {
        let business_date = calendar(chrono_tz::America::New_York, "00:00")
            .business_date(instant("2025-03-11T02:00:00Z"));
        assert_eq!(business_date, date("2025-03-10"));
    }

    #[test]
    fn night_audit_at_five_keeps_yesterday() {
        let business_date = calendar(chrono_tz::Asia::Dubai, "05:00")
            .business_date(instant("2025-03-10T22:30:00Z"));
        assert_eq!(business_date, date("2025-03-10"));
    }

    #[test]
    fn at_business_day_start_the_date_rolls() {
        let business_date = calendar(chrono_tz::Asia::Dubai, "05:00")
            .business_date(instant("2025-03-11T01:00:00Z"));
        assert_eq!(business_date, date("2025-03-11"));
    }

    #[test]
    fn skipped_local_midnight_does_not_panic() {
        // America/Santiago skipped 00:00-01:00 local on 2025-09-07.
        let santiago = calendar(chrono_tz::America::Santiago, "00:30");
        assert_eq!(
            santiago.business_date(instant("2025-09-07T04:00:00Z")),
            date("2025-09-07")
        );
        assert_eq!(
            santiago.business_date(instant("2025-09-07T03:59:59Z")),
            date("2025-09-06")
        );
    }

    #[test]
    fn repeated_hour_follows_the_wall_clock() {
        // New York repeated 01:00-02:00 local on 2025-11-02; both passes are before 02:00.
        let new_york = calendar(chrono_tz::America::New_York, "02:00");
        assert_eq!(
            new_york.business_date(instant("2025-11-02T05:30:00Z")),
            date("2025-11-01")
        );
        assert_eq!(
            new_york.business_date(instant("2025-11-02T06:30:00Z")),
            date("2025-11-01")
        );
        assert_eq!(
            new_york.business_date(instant("2025-11-02T07:00:00Z")),
            date("2025-11-02")
        );
    }
}
