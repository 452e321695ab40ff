//! The code each fuzz target runs on one input, shared by the cargo-fuzz
//! targets in `fuzz/fuzz_targets/` and by the corpus replay test
//! `tests/fuzz_corpus.rs`, which include this file with `#[path]`. The input
//! layout lives only here, so both read a corpus file the same way.
//!
//! This file may only use `grace` and `std`, because the replay test builds
//! it as part of the `grace` package, which has no fuzzing dependencies.

use grace::signature::{SignatureVerifier, sign};

/// The current and the previous webhook secret the verifier is built with.
pub const SECRETS: [&[u8]; 2] = [b"fuzz-current-secret", b"fuzz-previous-secret"];

/// The timestamp tolerance grace ships with, in seconds.
pub const TOLERANCE_SECONDS: u64 = 300;

/// The clock reading used when the input names none: 2023-11-14T22:13:20Z.
pub const DEFAULT_NOW: i64 = 1_700_000_000;

/// The latest clock reading a target passes: 9999-12-31T23:59:59Z. Readings
/// are clamped to `0..=MAX_NOW` because grace takes `now` from the system
/// clock. `verify` computes `now - timestamp` with a plain `-`, so an `i64`
/// extreme, which no clock returns, overflows there and panics in a build
/// with overflow checks.
pub const MAX_NOW: i64 = 253_402_300_799;

/// One request for `SignatureVerifier::verify`, split out of fuzz input.
#[derive(Debug, PartialEq, Eq)]
pub struct SignedRequest {
    pub now: i64,
    pub signature: Option<Vec<u8>>,
    pub timestamp: Option<Vec<u8>>,
    pub body: Vec<u8>,
}

/// Splits fuzz input into a request. The layout is four fields separated by
/// `\n`, so seeds stay readable text and no header can contain a newline,
/// as in HTTP:
///
/// ```text
/// <now>\n<X-Signature>\n<X-Timestamp>\n<body>
/// ```
///
/// - `now` is decimal Unix seconds, clamped to `0..=MAX_NOW`. When it is not
///   a decimal `i64`, `DEFAULT_NOW` is used.
/// - A header is `None` when the input ends before its line, so both a
///   missing and an empty header are reachable.
/// - The body is every byte after the third `\n`, newlines included.
/// - In X-Signature, `@0` and `@1` are replaced by the valid signature under
///   `SECRETS[0]` and `SECRETS[1]`. A fuzzer cannot compute an HMAC, so
///   without this it would never get past the signature check to the
///   tolerance check and the accepted path.
pub fn split_signed_request(data: &[u8]) -> SignedRequest {
    let mut fields = data.splitn(4, |byte| *byte == b'\n');
    let now = fields
        .next()
        .and_then(|text| std::str::from_utf8(text).ok())
        .and_then(|text| text.parse::<i64>().ok())
        .map_or(DEFAULT_NOW, |now| now.clamp(0, MAX_NOW));
    let raw_signature = fields.next();
    let timestamp = fields.next().map(<[u8]>::to_vec);
    let body = fields.next().unwrap_or_default().to_vec();
    let signature = raw_signature.map(|raw| expand_placeholders(raw, timestamp.as_deref(), &body));

    SignedRequest {
        now,
        signature,
        timestamp,
        body,
    }
}

/// Replaces each `@0` or `@1` in a signature header with the hex signature
/// under that secret. The placeholders stay as they are when the timestamp
/// is missing or not UTF-8, because `sign` takes the timestamp as `&str`.
/// Such a request fails the timestamp checks before any signature comparison.
fn expand_placeholders(raw: &[u8], timestamp: Option<&[u8]>, body: &[u8]) -> Vec<u8> {
    // `verify` signs the trimmed header value, so the placeholder must too.
    let Some(timestamp) = timestamp.and_then(|bytes| std::str::from_utf8(bytes.trim_ascii()).ok())
    else {
        return raw.to_vec();
    };

    let mut expanded = Vec::with_capacity(raw.len());
    let mut index = 0;
    while index < raw.len() {
        let secret = match raw.get(index..index + 2) {
            Some(b"@0") => Some(SECRETS[0]),
            Some(b"@1") => Some(SECRETS[1]),
            _ => None,
        };
        if let Some(secret) = secret {
            expanded.extend_from_slice(sign(secret, timestamp, body).as_bytes());
            index += 2;
        } else {
            expanded.push(raw[index]);
            index += 1;
        }
    }
    expanded
}

/// Runs the `signature_headers` target on one input. The result is ignored
/// because the target only checks that verification returns without a panic.
pub fn run_signature_headers(data: &[u8]) {
    let request = split_signed_request(data);
    let verifier = SignatureVerifier::new(&SECRETS, TOLERANCE_SECONDS);
    let _ = verifier.verify(
        request.signature.as_deref(),
        request.timestamp.as_deref(),
        &request.body,
        request.now,
    );
}

/// Runs the `envelope` target on one input: strict JSON parsing and, when
/// the bytes parse, reading the webhook envelope. The results are ignored
/// because the target only checks that neither step panics.
pub fn run_envelope(data: &[u8]) {
    if let Ok(value) = grace::json::parse_strict(data) {
        let _ = grace::domain::event::read_envelope(value);
    }
}
