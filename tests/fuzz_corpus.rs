//! Replays the committed fuzz corpus through the same code as the cargo-fuzz
//! targets, so a plain `cargo test` on stable, without cargo-fuzz, catches a
//! regression on any input the fuzzer once found interesting.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use grace::signature::{AuthErrorCode, SignatureVerifier};

// The fuzz targets include the same file, so both read an input alike. Each
// test here uses only part of it.
#[allow(dead_code)]
#[path = "../fuzz/common.rs"]
mod common;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// Returns every file of a target's corpus with its contents, sorted by name
/// so failures are listed in a stable order.
fn corpus_files(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = corpus_dir(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", dir.display()));
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let data = std::fs::read(&path)
                .unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()));
            (path, data)
        })
        .collect();
    files.sort();
    files
}

/// Runs every corpus file of a target and fails with the list of files that
/// panicked. Each panic message is printed by the default hook as it happens.
fn replay(target: &str, run: fn(&[u8])) {
    let files = corpus_files(target);
    assert!(
        files
            .iter()
            .any(|(path, _)| file_name(path).starts_with("seed-")),
        "{} has no seed-* files: the corpus folder moved or was emptied",
        corpus_dir(target).display()
    );

    let panicked: Vec<String> = files
        .iter()
        .filter(|(_, data)| panic::catch_unwind(AssertUnwindSafe(|| run(data))).is_err())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        panicked.is_empty(),
        "{} of {} corpus files for {target} panicked:\n{}",
        panicked.len(),
        files.len(),
        panicked.join("\n")
    );
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    let path = corpus_dir(target).join(name);
    std::fs::read(&path)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()))
}

/// Verifies a signature_headers seed the way the target does and returns the
/// error code, so a test can check that the seed reaches the intended branch.
fn verify_seed(name: &str) -> Result<(), AuthErrorCode> {
    let request = common::split_signed_request(&seed("signature_headers", name));
    SignatureVerifier::new(&common::SECRETS, common::TOLERANCE_SECONDS)
        .verify(
            request.signature.as_deref(),
            request.timestamp.as_deref(),
            &request.body,
            request.now,
        )
        .map_err(|error| error.code)
}

#[test]
fn signature_headers_corpus_never_panics() {
    replay("signature_headers", common::run_signature_headers);
}

#[test]
fn envelope_corpus_never_panics() {
    replay("envelope", common::run_envelope);
}

#[test]
fn split_reads_each_field() {
    let request = common::split_signed_request(b"42\nsig\n 17 \nbody\nwith newline");
    assert_eq!(request.now, 42);
    assert_eq!(request.signature.as_deref(), Some(&b"sig"[..]));
    assert_eq!(request.timestamp.as_deref(), Some(&b" 17 "[..]));
    assert_eq!(request.body, b"body\nwith newline");
}

#[test]
fn split_leaves_missing_headers_none() {
    let request = common::split_signed_request(b"not a number");
    assert_eq!(request.now, common::DEFAULT_NOW);
    assert_eq!(request.signature, None);
    assert_eq!(request.timestamp, None);
    assert!(request.body.is_empty());

    let request = common::split_signed_request(b"1\n@0");
    assert_eq!(
        request.signature.as_deref(),
        Some(&b"@0"[..]),
        "no timestamp, so nothing to sign"
    );
    assert_eq!(request.timestamp, None);
}

#[test]
fn split_clamps_now_to_clock_range() {
    assert_eq!(common::split_signed_request(b"-9223372036854775808").now, 0);
    assert_eq!(
        common::split_signed_request(b"9223372036854775807").now,
        common::MAX_NOW
    );
}

#[test]
fn split_signs_placeholders() {
    let request = common::split_signed_request(b"1\nsha256=@1,x@0\n 17 \nbody");
    let previous = grace::signature::sign(common::SECRETS[1], "17", b"body");
    let current = grace::signature::sign(common::SECRETS[0], "17", b"body");
    let expected = format!("sha256={previous},x{current}");
    assert_eq!(request.signature.as_deref(), Some(expected.as_bytes()));
}

#[test]
fn signature_seeds_reach_intended_branch() {
    let cases = [
        ("seed-current-secret", Ok(())),
        ("seed-previous-secret-prefixed", Ok(())),
        ("seed-rotation-several-entries", Ok(())),
        ("seed-literal-uppercase-hex", Ok(())),
        (
            "seed-timestamp-too-old",
            Err(AuthErrorCode::TimestampOutOfTolerance),
        ),
        (
            "seed-timestamp-in-future",
            Err(AuthErrorCode::TimestampOutOfTolerance),
        ),
        (
            "seed-timestamp-milliseconds",
            Err(AuthErrorCode::InvalidTimestamp),
        ),
        (
            "seed-timestamp-missing",
            Err(AuthErrorCode::MissingTimestamp),
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(verify_seed(name), expected, "{name}");
    }
}

#[test]
fn envelope_seeds_reach_intended_branch() {
    let read = |name: &str| {
        let value = grace::json::parse_strict(&seed("envelope", name));
        value.map(|value| {
            grace::domain::event::read_envelope(value).map(|envelope| envelope.data.map(|_| ()))
        })
    };

    for name in [
        "seed-booking-created.json",
        "seed-rates-updated.json",
        "seed-booking-cancelled.json",
    ] {
        assert!(
            matches!(read(name), Ok(Ok(Ok(())))),
            "{name}: {:?}",
            read(name)
        );
    }
    let unknown = read("seed-unknown-type.json");
    assert!(
        matches!(&unknown, Ok(Ok(Err(rejection))) if rejection.code == "unknown_event_type"),
        "{unknown:?}"
    );
    assert!(
        read("seed-duplicate-key.json").is_err(),
        "duplicate keys must fail to parse"
    );
}
