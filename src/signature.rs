//! Webhook signatures: HMAC-SHA256 of the secret over the X-Timestamp header
//! bytes followed directly by the raw body bytes, sent hex-encoded in
//! X-Signature.
//!
//! Verification runs on the exact bytes received, before any JSON parsing.
//! X-Signature may carry several entries, separated by commas or spaces, each
//! with an optional `sha256=` prefix and hex in either case; the request
//! passes when any entry matches the current or the previous secret, which
//! lets a sender sign with two secrets while rotating.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Length of an HMAC-SHA256 tag in bytes.
const TAG_BYTES: usize = 32;

/// Secrets checked per request: the current one and, during a rotation, the previous one.
const MAX_SECRETS: usize = 2;

/// Most digits a Unix time in seconds has until the year 2286.
const MAX_TIMESTAMP_DIGITS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthErrorCode {
    MissingSignature,
    MissingTimestamp,
    InvalidTimestamp,
    InvalidSignature,
    TimestampOutOfTolerance,
}

impl AuthErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthErrorCode::MissingSignature => "missing_signature",
            AuthErrorCode::MissingTimestamp => "missing_timestamp",
            AuthErrorCode::InvalidTimestamp => "invalid_timestamp",
            AuthErrorCode::InvalidSignature => "invalid_signature",
            AuthErrorCode::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
        }
    }
}

/// A request whose signature or timestamp is not accepted (401).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError {
    pub code: AuthErrorCode,
    pub message: String,
}

impl AuthError {
    fn new(code: AuthErrorCode, message: impl Into<String>) -> AuthError {
        AuthError {
            code,
            message: message.into(),
        }
    }
}

/// Returns the lowercase hex signature of a body, as a sender computes it.
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks webhook signatures against one or two secrets. It keeps each
/// secret as a keyed HMAC state, so a request costs no key setup.
#[derive(Clone)]
pub struct SignatureVerifier {
    keyed: Vec<HmacSha256>,
    tolerance_seconds: u64,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureVerifier")
            .field("secrets", &self.keyed.len())
            .field("tolerance_seconds", &self.tolerance_seconds)
            .finish()
    }
}

impl SignatureVerifier {
    /// Builds a verifier from the current secret and, during a rotation, the previous one.
    pub fn new(secrets: &[&[u8]], tolerance_seconds: u64) -> SignatureVerifier {
        let keyed = secrets
            .iter()
            .filter(|secret| !secret.is_empty())
            .take(MAX_SECRETS)
            .map(|secret| {
                HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length")
            })
            .collect();
        SignatureVerifier {
            keyed,
            tolerance_seconds,
        }
    }

    /// Verifies one request. The checks run in a fixed order and the first
    /// failure is returned: signature present, timestamp present, timestamp
    /// well-formed, signature matches, timestamp within the tolerance.
    pub fn verify(
        &self,
        signature_header: Option<&[u8]>,
        timestamp_header: Option<&[u8]>,
        body: &[u8],
        now_unix_seconds: i64,
    ) -> Result<(), AuthError> {
        let signature = signature_header.map(<[u8]>::trim_ascii).unwrap_or_default();
        if signature.is_empty() {
            return Err(AuthError::new(
                AuthErrorCode::MissingSignature,
                "the X-Signature header is missing or empty",
            ));
        }
        let timestamp = timestamp_header.map(<[u8]>::trim_ascii).unwrap_or_default();
        if timestamp.is_empty() {
            return Err(AuthError::new(
                AuthErrorCode::MissingTimestamp,
                "the X-Timestamp header is missing or empty",
            ));
        }
        let timestamp_seconds = parse_timestamp(timestamp)?;

        if !self.matches_any(signature, timestamp, body) {
            return Err(AuthError::new(
                AuthErrorCode::InvalidSignature,
                "X-Signature does not match: expected the hex HMAC-SHA256 of X-Timestamp followed by the raw body",
            ));
        }
        self.check_tolerance(timestamp_seconds, now_unix_seconds)
    }

    /// Checks every entry of the header against every secret. Each secret's
    /// tag is computed at most once, and only when an entry decodes, so a
    /// request costs one HMAC in the common case of one entry and one secret.
    fn matches_any(&self, signature: &[u8], timestamp: &[u8], body: &[u8]) -> bool {
        let mut expected: [Option<[u8; TAG_BYTES]>; MAX_SECRETS] = [None; MAX_SECRETS];
        let matches = |candidate: [u8; TAG_BYTES]| {
            self.keyed
                .iter()
                .zip(expected.iter_mut())
                .any(|(keyed, tag)| {
                    let tag = tag.get_or_insert_with(|| {
                        let mut mac = keyed.clone();
                        mac.update(timestamp);
                        mac.update(body);
                        mac.finalize().into_bytes().into()
                    });
                    tags_equal(&candidate, tag)
                })
        };

        // A header of one entry (the common case) needs no splitting: a
        // separator inside it would leave only pieces too short to decode.
        if signature.len() <= "sha256=".len() + 2 * TAG_BYTES {
            return decode_entry(signature).is_some_and(matches);
        }
        signature
            .split(|byte| *byte == b',' || byte.is_ascii_whitespace())
            .filter_map(decode_entry)
            .any(matches)
    }

    fn check_tolerance(&self, timestamp: i64, now: i64) -> Result<(), AuthError> {
        // Saturating, so a clock or timestamp at the ends of i64 cannot overflow.
        let skew = now.saturating_sub(timestamp);
        let tolerance = self.tolerance_seconds as i64;
        if skew > tolerance {
            return Err(AuthError::new(
                AuthErrorCode::TimestampOutOfTolerance,
                format!(
                    "X-Timestamp {timestamp} is {skew} seconds in the past; at most {tolerance} are accepted"
                ),
            ));
        }
        if skew.saturating_neg() > tolerance {
            return Err(AuthError::new(
                AuthErrorCode::TimestampOutOfTolerance,
                format!(
                    "X-Timestamp {timestamp} is {} seconds in the future; at most {tolerance} are accepted",
                    skew.saturating_neg()
                ),
            ));
        }
        Ok(())
    }
}

/// Parses X-Timestamp: Unix seconds as 1 to 10 ASCII digits.
fn parse_timestamp(timestamp: &[u8]) -> Result<i64, AuthError> {
    let digits_only = timestamp.iter().all(u8::is_ascii_digit);
    if digits_only && (1..=MAX_TIMESTAMP_DIGITS).contains(&timestamp.len()) {
        let text = std::str::from_utf8(timestamp).expect("ASCII digits are UTF-8");
        return Ok(text.parse().expect("at most 10 digits fit an i64"));
    }

    let message = if digits_only && timestamp.len() == 13 {
        "X-Timestamp has 13 digits and looks like milliseconds: send Unix time in seconds (1 to 10 digits)"
    } else {
        "X-Timestamp must be Unix time in seconds, 1 to 10 ASCII digits"
    };
    Err(AuthError::new(AuthErrorCode::InvalidTimestamp, message))
}

/// Decodes one X-Signature entry: an optional `sha256=` prefix, then exactly
/// 64 hex digits. Anything else, non-ASCII bytes included, is no candidate.
fn decode_entry(entry: &[u8]) -> Option<[u8; TAG_BYTES]> {
    const PREFIX: &[u8] = b"sha256=";
    let hex_digits =
        if entry.len() > PREFIX.len() && entry[..PREFIX.len()].eq_ignore_ascii_case(PREFIX) {
            &entry[PREFIX.len()..]
        } else {
            entry
        };
    if hex_digits.len() != 2 * TAG_BYTES {
        return None;
    }
    let mut tag = [0_u8; TAG_BYTES];
    let mut invalid = 0_u8;
    for (byte, pair) in tag.iter_mut().zip(hex_digits.chunks_exact(2)) {
        let (high, low) = (
            HEX_VALUES[usize::from(pair[0])],
            HEX_VALUES[usize::from(pair[1])],
        );
        invalid |= high | low;
        *byte = (high << 4) | (low & 0x0F);
    }
    (invalid & INVALID_HEX == 0).then_some(tag)
}

/// Compares two tags in constant time: the bytes' differences are folded
/// together with no early exit, and only the folded byte is compared, with
/// `subtle`. Comparing each byte through `subtle` costs more than the rest of
/// the check does for a 1 KiB body.
fn tags_equal(left: &[u8; TAG_BYTES], right: &[u8; TAG_BYTES]) -> bool {
    let difference = left
        .iter()
        .zip(right)
        .fold(0_u8, |difference, (left, right)| {
            difference | (left ^ right)
        });
    bool::from(difference.ct_eq(&0))
}

/// Marks a byte that is not a hex digit in `HEX_VALUES`.
const INVALID_HEX: u8 = 0x80;

/// The value of each byte as a hex digit in either case, else `INVALID_HEX`.
/// A table keeps decoding free of branches, which matters next to an HMAC
/// of a small body.
static HEX_VALUES: [u8; 256] = {
    let mut table = [INVALID_HEX; 256];
    let mut index = 0;
    while index < 10 {
        table[b'0' as usize + index] = index as u8;
        index += 1;
    }
    let mut index = 0;
    while index < 6 {
        table[b'a' as usize + index] = 10 + index as u8;
        table[b'A' as usize + index] = 10 + index as u8;
        index += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-not-real";
    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"hotel_id":"H-TEST-1","rate":"129.00"}"#;
    const EXPECTED: &str = "7a3b4099745f46e1fe639cd4641a3ec05faffc2b42418d566dd9f4c4af539ae7";

    fn verifier() -> SignatureVerifier {
        SignatureVerifier::new(&[SECRET], 300)
    }

    fn verify(signature: &[u8], timestamp: &[u8], body: &[u8]) -> Result<(), AuthErrorCode> {
        verifier()
            .verify(Some(signature), Some(timestamp), body, NOW)
            .map_err(|error| error.code)
    }

    #[test]
    fn known_vector() {
        assert_eq!(sign(SECRET, "1700000000", BODY), EXPECTED);
        assert_eq!(verify(EXPECTED.as_bytes(), b"1700000000", BODY), Ok(()));
    }

    #[test]
    fn odd_spacing_and_multibyte_bodies_verify_as_sent() {
        for body in [
            r#"{ "rate": 129.00 ,"hotel_id":"H-TEST-1" }"#,
            r#"{"city":"Zürich","note":"🏨"}"#,
        ] {
            let signature = sign(SECRET, "1700000000", body.as_bytes());
            assert_eq!(
                verify(signature.as_bytes(), b"1700000000", body.as_bytes()),
                Ok(()),
                "{body}"
            );
        }
    }

    #[test]
    fn header_forms_accepted() {
        let upper = EXPECTED.to_uppercase();
        let prefixed = format!("sha256={EXPECTED}");
        let several = format!("{}, {EXPECTED}", "0".repeat(64));
        let spaced = format!("  deadbeef {EXPECTED}  ");
        for header in [upper, prefixed, several, spaced] {
            assert_eq!(
                verify(header.as_bytes(), b"1700000000", BODY),
                Ok(()),
                "{header}"
            );
        }
    }

    #[test]
    fn previous_secret_accepted_during_rotation() {
        let rotating = SignatureVerifier::new(&[b"new-secret", SECRET], 300);
        assert_eq!(
            rotating.verify(Some(EXPECTED.as_bytes()), Some(b"1700000000"), BODY, NOW),
            Ok(())
        );
    }

    #[test]
    fn malformed_signatures_are_invalid() {
        let cases: Vec<Vec<u8>> = vec![
            EXPECTED.as_bytes()[..8].to_vec(),
            format!("{EXPECTED}00").into_bytes(),
            "z".repeat(64).into_bytes(),
            [EXPECTED.as_bytes(), &[0xE9]].concat(),
            [&EXPECTED.as_bytes()[..63], &[0xE9]].concat(),
            b"sha256=".to_vec(),
            b",,,".to_vec(),
        ];
        for header in cases {
            assert_eq!(
                verify(&header, b"1700000000", BODY),
                Err(AuthErrorCode::InvalidSignature),
                "{:?}",
                String::from_utf8_lossy(&header)
            );
        }
    }

    #[test]
    fn missing_headers_in_order() {
        let verifier = verifier();
        let code = |signature: Option<&[u8]>, timestamp: Option<&[u8]>| {
            verifier
                .verify(signature, timestamp, BODY, NOW)
                .unwrap_err()
                .code
        };
        assert_eq!(code(None, None), AuthErrorCode::MissingSignature);
        assert_eq!(
            code(Some(b"  "), Some(b"1")),
            AuthErrorCode::MissingSignature
        );
        assert_eq!(
            code(Some(EXPECTED.as_bytes()), None),
            AuthErrorCode::MissingTimestamp
        );
        assert_eq!(
            code(Some(EXPECTED.as_bytes()), Some(b"")),
            AuthErrorCode::MissingTimestamp
        );
    }

    #[test]
    fn timestamp_format() {
        for bad in [
            &b"17e8"[..],
            b"-1700000000",
            b"12345678901",
            b"1700000000.5",
            "１７".as_bytes(),
        ] {
            assert_eq!(
                verify(EXPECTED.as_bytes(), bad, BODY),
                Err(AuthErrorCode::InvalidTimestamp)
            );
        }
        let millis = verifier()
            .verify(Some(EXPECTED.as_bytes()), Some(b"1700000000000"), BODY, NOW)
            .unwrap_err();
        assert_eq!(millis.code, AuthErrorCode::InvalidTimestamp);
        assert!(millis.message.contains("milliseconds"));
    }

    #[test]
    fn tolerance_both_ways() {
        let at = |offset: i64| {
            let timestamp = (NOW + offset).to_string();
            let signature = sign(SECRET, &timestamp, BODY);
            verifier().verify(
                Some(signature.as_bytes()),
                Some(timestamp.as_bytes()),
                BODY,
                NOW,
            )
        };
        assert_eq!(at(30), Ok(()));
        assert_eq!(at(300), Ok(()));
        assert_eq!(at(-300), Ok(()));
        let future = at(301).unwrap_err();
        assert_eq!(future.code, AuthErrorCode::TimestampOutOfTolerance);
        assert!(future.message.contains("in the future"));
        let past = at(-301).unwrap_err();
        assert_eq!(past.code, AuthErrorCode::TimestampOutOfTolerance);
        assert!(past.message.contains("in the past"));
    }

    #[test]
    fn extreme_clock_does_not_overflow() {
        let result = verifier().verify(
            Some(sign(SECRET, "1", BODY).as_bytes()),
            Some(b"1"),
            BODY,
            i64::MIN,
        );
        assert_eq!(
            result.unwrap_err().code,
            AuthErrorCode::TimestampOutOfTolerance
        );
    }

    #[test]
    fn wrong_secret_is_invalid() {
        let signature = sign(b"another-secret", "1700000000", BODY);
        assert_eq!(
            verify(signature.as_bytes(), b"1700000000", BODY),
            Err(AuthErrorCode::InvalidSignature)
        );
    }
}
