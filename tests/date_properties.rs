//! Property tests for business dates and stays. Each property runs
//! proptest's default of 256 cases; set PROPTEST_CASES to run more.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};
use grace::domain::calendar::PropertyCalendar;
use grace::domain::stay::{Stay, StayErrorCode, StayRules};
use proptest::prelude::*;

/// 1971-01-01T00:00:00Z in Unix seconds.
const FROM_1971: i64 = 31_536_000;
/// 2101-01-01T00:00:00Z in Unix seconds, so instants cover all of 2100.
const UNTIL_2101: i64 = 4_133_980_800;
/// Twenty years of days, leap days included, as the widest stay tried.
const TWENTY_YEARS_DAYS: i32 = 7_305;

fn timezone() -> impl Strategy<Value = Tz> {
    proptest::sample::select(&TZ_VARIANTS[..])
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (FROM_1971..UNTIL_2101)
        .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).expect("in chrono's range"))
}

fn business_day_start() -> impl Strategy<Value = NaiveTime> {
    (0_u32..24, 0_u32..60)
        .prop_map(|(hour, minute)| NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time"))
}

/// Any date from 1900-01-01 to 2200-12-31, drawn as a day number where
/// 0001-01-01 is day 1.
fn date() -> impl Strategy<Value = NaiveDate> {
    (693_596_i32..=803_533)
        .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in chrono's range"))
}

/// Counts days since 1970-01-01 from the calendar fields alone, with Howard
/// Hinnant's `days_from_civil`, so nights are checked against arithmetic that
/// shares nothing with chrono's.
fn days_from_civil(date: NaiveDate) -> i64 {
    let month = i64::from(date.month());
    let day = i64::from(date.day());
    let year = i64::from(date.year()) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Text for a stay parameter: absent, arbitrary, or shaped like a date or a
/// date-time, so every branch of the validation is reached often. Half of the
/// texts come from a pattern of mostly valid dates, so the rules checked after
/// parsing run too.
fn date_text() -> impl Strategy<Value = Option<String>> {
    let text = prop_oneof![
        1 => any::<String>(),
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        4 => "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][\\PC]{0,20}",
        1 => "[0-9\\-+T: ]{0,14}",
    ];
    proptest::option::weighted(0.9, text)
}

#[test]
fn days_from_civil_known_values() {
    let days = |text: &str| days_from_civil(text.parse().unwrap());
    assert_eq!(days("1970-01-01"), 0);
    assert_eq!(days("2000-03-01"), 11_017);
    assert_eq!(days("1969-12-31"), -1);
}

proptest! {
    #[test]
    fn business_date_is_local_date_or_day_before(
        timezone in timezone(),
        now in instant(),
        start in business_day_start(),
    ) {
        let calendar = PropertyCalendar { timezone, business_day_start: start };
        let local = now.with_timezone(&timezone).naive_local();
        let business_date = calendar.business_date(now);

        let day_before = local.date().pred_opt().expect("1970 has a day before");
        prop_assert!(
            business_date == local.date() || business_date == day_before,
            "business date {business_date} for local time {local} in {timezone} with start {start}"
        );
        // The day before exactly when the local wall clock is before the start.
        prop_assert_eq!(business_date == day_before, local.time() < start);
    }

    #[test]
    fn nights_equal_day_difference(
        check_in in date(),
        offset in -TWENTY_YEARS_DAYS..=TWENTY_YEARS_DAYS,
    ) {
        let check_out = NaiveDate::from_num_days_from_ce_opt(check_in.num_days_from_ce() + offset)
            .expect("in chrono's range");
        let stay = Stay { check_in, check_out };

        prop_assert_eq!(stay.nights(), i64::from(offset));
        prop_assert_eq!(stay.nights(), days_from_civil(check_out) - days_from_civil(check_in));
    }

    #[test]
    fn dates_list_each_night_once(
        check_in in date(),
        offset in -TWENTY_YEARS_DAYS..=TWENTY_YEARS_DAYS,
    ) {
        let check_out = NaiveDate::from_num_days_from_ce_opt(check_in.num_days_from_ce() + offset)
            .expect("in chrono's range");
        let stay = Stay { check_in, check_out };
        let dates: Vec<NaiveDate> = stay.dates().collect();

        if stay.nights() > 0 {
            prop_assert_eq!(dates.len() as i64, stay.nights());
            prop_assert_eq!(dates.first(), Some(&check_in));
            prop_assert_eq!(dates.last().copied(), check_out.pred_opt());
            prop_assert!(dates.windows(2).all(|pair| pair[0].succ_opt() == Some(pair[1])));
        } else {
            prop_assert!(dates.is_empty(), "{} dates for {} nights", dates.len(), stay.nights());
        }
    }

    #[test]
    fn validate_never_panics_and_keeps_its_rules(
        check_in in date_text(),
        check_out in date_text(),
        business_date in date(),
        timezone in timezone(),
        max_stay_nights in any::<u32>(),
    ) {
        let rules = StayRules { business_date, timezone, max_stay_nights };
        match rules.validate(check_in.as_deref(), check_out.as_deref()) {
            Ok(stay) => {
                prop_assert!(stay.check_in >= business_date);
                prop_assert!(stay.check_out > stay.check_in);
                prop_assert!(stay.nights() <= i64::from(max_stay_nights));
            }
            Err(error) => {
                // A missing parameter is reported before anything is parsed.
                let missing = check_in.is_none() || check_out.is_none();
                let reported_missing = error.code == StayErrorCode::MissingParameter;
                prop_assert_eq!(reported_missing, missing, "{:?}", error);
                prop_assert!(!error.message.is_empty());
            }
        }
    }
}
