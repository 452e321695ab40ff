//! A stay: a check-in and a check-out date in the property's calendar.
//! Nights are the difference in days, never a duration divided by 24 hours.

use chrono::NaiveDate;
use chrono_tz::Tz;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stay {
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
}

impl Stay {
    pub fn nights(&self) -> i64 {
        (self.check_out - self.check_in).num_days()
    }

    /// Returns the nights of the stay, check-in included and check-out excluded.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let check_out = self.check_out;
        self.check_in
            .iter_days()
            .take_while(move |date| *date < check_out)
    }
}

/// The rules a stay is checked against, with what the messages need.
#[derive(Clone, Copy, Debug)]
pub struct StayRules {
    pub business_date: NaiveDate,
    pub timezone: Tz,
    pub max_stay_nights: u32,
}

/// A stay that breaks a rule. `code` is the stable error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StayError {
    pub code: StayErrorCode,
    pub field: &'static str,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StayErrorCode {
    MissingParameter,
    InvalidDate,
    CheckInInPast,
    CheckOutNotAfterCheckIn,
    StayTooLong,
}

impl StayErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StayErrorCode::MissingParameter => "missing_parameter",
            StayErrorCode::InvalidDate => "invalid_date",
            StayErrorCode::CheckInInPast => "check_in_in_past",
            StayErrorCode::CheckOutNotAfterCheckIn => "check_out_not_after_check_in",
            StayErrorCode::StayTooLong => "stay_too_long",
        }
    }

    /// Returns whether the input could not be read at all (400 on a query string),
    /// rather than read and found to break a rule (422).
    pub fn is_unreadable(self) -> bool {
        matches!(
            self,
            StayErrorCode::MissingParameter | StayErrorCode::InvalidDate
        )
    }
}

impl StayRules {
    /// Parses and checks a stay given as raw text, in this order: both dates
    /// present, both readable, check-in not before the business date,
    /// check-out after check-in, and no longer than MAX_STAY_NIGHTS.
    pub fn validate(
        &self,
        check_in: Option<&str>,
        check_out: Option<&str>,
    ) -> Result<Stay, StayError> {
        let check_in_text = self.require("check_in", check_in)?;
        let check_out_text = self.require("check_out", check_out)?;
        let check_in = self.parse_date("check_in", check_in_text)?;
        let check_out = self.parse_date("check_out", check_out_text)?;

        if check_in < self.business_date {
            return Err(StayError {
                code: StayErrorCode::CheckInInPast,
                field: "check_in",
                message: format!(
                    "check_in {check_in} is before the property's current business date {} ({})",
                    self.business_date, self.timezone
                ),
            });
        }
        if check_out <= check_in {
            return Err(StayError {
                code: StayErrorCode::CheckOutNotAfterCheckIn,
                field: "check_out",
                message: format!(
                    "check_out {check_out} must be after check_in {check_in} \
                     (the property's business date is {} in {})",
                    self.business_date, self.timezone
                ),
            });
        }

        let stay = Stay {
            check_in,
            check_out,
        };
        if stay.nights() > i64::from(self.max_stay_nights) {
            return Err(StayError {
                code: StayErrorCode::StayTooLong,
                field: "check_out",
                message: format!(
                    "the stay from {check_in} to {check_out} is {} nights; at most {} nights are allowed \
                     (the property's business date is {} in {})",
                    stay.nights(),
                    self.max_stay_nights,
                    self.business_date,
                    self.timezone
                ),
            });
        }
        Ok(stay)
    }

    fn require<'a>(
        &self,
        field: &'static str,
        value: Option<&'a str>,
    ) -> Result<&'a str, StayError> {
        value.ok_or_else(|| StayError {
            code: StayErrorCode::MissingParameter,
            field,
            message: format!(
                "{field} is required, as a YYYY-MM-DD date in the property's calendar \
                 (business date {} in {})",
                self.business_date, self.timezone
            ),
        })
    }

    fn parse_date(&self, field: &'static str, value: &str) -> Result<NaiveDate, StayError> {
        parse_plain_date(value).ok_or_else(|| {
            let hint = if value.len() > 10 && value.as_bytes().get(10).is_some_and(|b| *b == b'T' || *b == b' ') {
                " A date-time is not accepted: send the plain YYYY-MM-DD date in the property's calendar."
            } else {
                ""
            };
            StayError {
                code: StayErrorCode::InvalidDate,
                field,
                message: format!(
                    "{field} {:?} is not a valid date: expected a plain YYYY-MM-DD date such as {} \
                     (the property's business date in {}).{hint}",
                    shorten(value),
                    self.business_date,
                    self.timezone
                ),
            }
        })
    }
}

/// Parses exactly `YYYY-MM-DD`: four-digit year, zero-padded month and day,
/// and a date that exists (2025-02-30 does not).
pub fn parse_plain_date(value: &str) -> Option<NaiveDate> {
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = value[0..4].parse().ok()?;
    let month = value[5..7].parse().ok()?;
    let day = value[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Cuts a value echoed in a message to a readable length.
pub fn shorten(value: &str) -> String {
    const MAX_CHARS: usize = 64;
    if value.chars().count() <= MAX_CHARS {
        value.to_owned()
    } else {
        let head: String = value.chars().take(MAX_CHARS).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> StayRules {
        StayRules {
            business_date: "2025-03-11".parse().unwrap(),
            timezone: chrono_tz::Asia::Dubai,
            max_stay_nights: 30,
        }
    }

    fn code(check_in: &str, check_out: &str) -> Result<i64, StayErrorCode> {
        rules()
            .validate(Some(check_in), Some(check_out))
            .map(|stay| stay.nights())
            .map_err(|error| error.code)
    }

    #[test]
    fn plain_dates_only() {
        assert!(parse_plain_date("2025-03-11").is_some());
        for bad in [
            "2025-3-11",
            "2025-03-11T00:00:00+04:00",
            "20250311",
            "2025-02-30",
            "+2025-03-11",
            "",
            "２０２５-03-11",
        ] {
            assert_eq!(parse_plain_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn date_time_gets_a_plain_date_hint() {
        let error = rules()
            .validate(Some("2025-03-11T00:00:00+04:00"), Some("2025-03-12"))
            .unwrap_err();
        assert_eq!(error.code, StayErrorCode::InvalidDate);
        assert!(error.message.contains("YYYY-MM-DD"), "{}", error.message);
        assert!(error.message.contains("Asia/Dubai"), "{}", error.message);
    }

    #[test]
    fn rules_in_order() {
        assert_eq!(code("2025-03-11", "2025-03-12"), Ok(1));
        assert_eq!(
            code("2025-03-10", "2025-03-12"),
            Err(StayErrorCode::CheckInInPast)
        );
        assert_eq!(
            code("2025-03-12", "2025-03-12"),
            Err(StayErrorCode::CheckOutNotAfterCheckIn)
        );
        assert_eq!(
            code("2025-03-12", "2025-03-11"),
            Err(StayErrorCode::CheckOutNotAfterCheckIn)
        );
        assert_eq!(code("2025-03-11", "2025-04-10"), Ok(30));
        assert_eq!(
            code("2025-03-11", "2025-04-11"),
            Err(StayErrorCode::StayTooLong)
        );
    }

    #[test]
    fn past_check_in_names_business_date_and_zone() {
        let error = rules()
            .validate(Some("2025-03-10"), Some("2025-03-12"))
            .unwrap_err();
        assert!(error.message.contains("2025-03-11"), "{}", error.message);
        assert!(error.message.contains("Asia/Dubai"), "{}", error.message);
    }

    #[test]
    fn nights_count_calendar_days_across_dst() {
        let stay = Stay {
            check_in: "2025-03-08".parse().unwrap(),
            check_out: "2025-03-10".parse().unwrap(),
        };
        assert_eq!(stay.nights(), 2);
        assert_eq!(stay.dates().count(), 2);
    }
}
