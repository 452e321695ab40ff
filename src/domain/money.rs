//! Money as decimals in the currency's minor units, never floating point.
//!
//! Amounts are stored as whole minor units (fils for AED, yen for JPY) and
//! shown as decimal strings with exactly the currency's number of decimals.

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

/// Minor units per ISO 4217 currency, for the currencies that do not use two.
/// Every other three-letter code gets two, the ISO 4217 default.
const MINOR_UNITS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Largest amount accepted for one night, in major units; well above any
/// real room rate, and small enough that sums over a stay cannot overflow.
const MAX_NIGHTLY_AMOUNT: i64 = 1_000_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Currency {
    pub code: String,
    pub minor_units: u32,
}

impl Currency {
    pub fn new(code: &str) -> Currency {
        let minor_units = MINOR_UNITS
            .iter()
            .find(|(known, _)| *known == code)
            .map_or(2, |(_, units)| *units);
        Currency {
            code: code.to_owned(),
            minor_units,
        }
    }

    /// Formats minor units as a decimal string: 45000 fils is "450.00".
    pub fn format(&self, amount_minor: i64) -> String {
        Decimal::new(amount_minor, self.minor_units).to_string()
    }

    /// Parses an amount sent as a decimal string or a JSON number into minor
    /// units. The error is a message for the sender.
    pub fn parse_amount(&self, value: &Value) -> Result<i64, String> {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => {
                return Err(
                    "must be a decimal string such as \"450.00\" or a JSON number".to_owned(),
                );
            }
        };
        if !is_plain_decimal(text.strip_prefix('-').unwrap_or(&text)) {
            return Err(format!(
                "{:?} is not a plain decimal amount such as \"450.00\"",
                super::stay::shorten(&text)
            ));
        }
        let decimal = Decimal::from_str(&text)
            .map_err(|_| format!("{:?} cannot be represented", super::stay::shorten(&text)))?;

        if decimal.is_sign_negative() && !decimal.is_zero() {
            return Err(format!("{text} is negative; amounts must be 0 or more"));
        }
        if decimal.scale() > self.minor_units {
            return Err(format!(
                "{text} has more decimals than {} has ({})",
                self.code, self.minor_units
            ));
        }
        if decimal > Decimal::from(MAX_NIGHTLY_AMOUNT) {
            return Err(format!(
                "{text} is above the maximum of {MAX_NIGHTLY_AMOUNT}"
            ));
        }

        let minor = decimal * Decimal::from(10_i64.pow(self.minor_units));
        minor
            .trunc()
            .to_i64()
            .ok_or_else(|| format!("{text} cannot be represented"))
    }
}

/// Returns whether a text is digits with an optional fraction: `450`, `450.5`,
/// `450.00`. Exponents, signs, and a bare leading or trailing point are not.
fn is_plain_decimal(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minor_units_per_currency() {
        assert_eq!(Currency::new("AED").minor_units, 2);
        assert_eq!(Currency::new("KWD").minor_units, 3);
        assert_eq!(Currency::new("JPY").minor_units, 0);
    }

    #[test]
    fn formats_with_exact_decimals() {
        assert_eq!(Currency::new("AED").format(45000), "450.00");
        assert_eq!(Currency::new("AED").format(5), "0.05");
        assert_eq!(Currency::new("KWD").format(12345), "12.345");
        assert_eq!(Currency::new("JPY").format(15000), "15000");
    }

    #[test]
    fn parses_strings_and_numbers() {
        let aed = Currency::new("AED");
        assert_eq!(aed.parse_amount(&json!("129.00")), Ok(12900));
        assert_eq!(aed.parse_amount(&json!("129.5")), Ok(12950));
        assert_eq!(
            aed.parse_amount(&serde_json::from_str::<Value>("129.99").unwrap()),
            Ok(12999)
        );
        assert_eq!(aed.parse_amount(&json!(0)), Ok(0));
    }

    #[test]
    fn rejects_negative_precise_and_huge_amounts() {
        let aed = Currency::new("AED");
        assert!(aed.parse_amount(&json!("-1.00")).is_err());
        assert!(aed.parse_amount(&json!("129.005")).is_err());
        assert!(aed.parse_amount(&json!("129.000")).is_err());
        assert!(
            aed.parse_amount(&serde_json::from_str::<Value>("129.000").unwrap())
                .is_err()
        );
        for not_plain in ["1e2", "+5.00", ".5", "5.", "", " 5", "0x10", "5,00"] {
            assert!(
                aed.parse_amount(&json!(not_plain)).is_err(),
                "{not_plain:?}"
            );
        }
        assert!(
            aed.parse_amount(&serde_json::from_str::<Value>("1e400").unwrap())
                .is_err()
        );
        assert!(aed.parse_amount(&json!("10000000000")).is_err());
        assert!(aed.parse_amount(&json!(null)).is_err());
        assert!(aed.parse_amount(&json!("NaN")).is_err());
    }
}
