//! Micro-benchmarks of the hot paths that do not touch the network or the
//! database: webhook signature verification next to a bare HMAC of the same
//! bytes, the business-date computation, and encoding a /rates body.
//!
//! `make bench` (scripts/bench.sh) reads the medians from criterion's
//! `target/criterion/<group>/<function>/<input>/new/estimates.json`, so the
//! group, function and input names below are part of that script's contract.

use std::hint::black_box;

use chrono::{DateTime, NaiveTime, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use grace::domain::calendar::PropertyCalendar;
use grace::signature::{SignatureVerifier, sign};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// 32 bytes, the production minimum, so the key fits one HMAC block as a real one does.
const SECRET: &[u8] = b"bench-secret-0123456789abcdefghij";
const NOW: i64 = 1_700_000_000;
const TIMESTAMP: &str = "1700000000";

/// Builds a JSON-like body of exactly `len` bytes, so the HMAC processes realistic input.
fn body_of(len: usize) -> Vec<u8> {
    let prefix = br#"{"id":"evt_bench","type":"rates.updated","data":{"note":""#;
    let suffix = br#""}}"#;
    let filler = len - prefix.len() - suffix.len();
    let mut body = Vec::with_capacity(len);
    body.extend_from_slice(prefix);
    body.extend((0..filler).map(|index| b'a' + (index % 26) as u8));
    body.extend_from_slice(suffix);
    assert_eq!(body.len(), len);
    body
}

fn signature(c: &mut Criterion) {
    let verifier = SignatureVerifier::new(&[SECRET], 300);
    // Keyed once, as the verifier keeps its secrets: this baseline is the
    // least work any verifier must do, so the ratio shows grace's own overhead.
    let keyed = HmacSha256::new_from_slice(SECRET).expect("HMAC accepts keys of any length");

    let mut group = c.benchmark_group("signature");
    for (label, len) in [("1KiB", 1024_usize), ("64KiB", 64 * 1024)] {
        let body = body_of(len);
        let header = sign(SECRET, TIMESTAMP, &body);
        group.throughput(Throughput::Bytes(len as u64));

        group.bench_with_input(BenchmarkId::new("verify", label), &body, |b, body| {
            b.iter(|| {
                verifier
                    .verify(
                        Some(black_box(header.as_bytes())),
                        Some(black_box(TIMESTAMP.as_bytes())),
                        black_box(body),
                        NOW,
                    )
                    .expect("the signature is valid")
            })
        });
        group.bench_with_input(BenchmarkId::new("hmac_keyed", label), &body, |b, body| {
            b.iter(|| {
                let mut mac = keyed.clone();
                mac.update(black_box(TIMESTAMP.as_bytes()));
                mac.update(black_box(body));
                mac.finalize().into_bytes()
            })
        });
        // For reference only: the same HMAC with the key set up per call.
        group.bench_with_input(BenchmarkId::new("hmac_new_key", label), &body, |b, body| {
            b.iter(|| {
                let mut mac =
                    HmacSha256::new_from_slice(black_box(SECRET)).expect("any key length");
                mac.update(black_box(TIMESTAMP.as_bytes()));
                mac.update(black_box(body));
                mac.finalize().into_bytes()
            })
        });
    }
    group.finish();
}

fn calendar(c: &mut Criterion) {
    let calendar = PropertyCalendar {
        timezone: chrono_tz::Asia::Dubai,
        business_day_start: NaiveTime::from_hms_opt(5, 0, 0).expect("a valid time"),
    };
    let now: DateTime<Utc> = "2026-03-10T22:30:00Z".parse().expect("a valid instant");
    let mut group = c.benchmark_group("calendar");
    group.bench_function("business_date", |b| {
        b.iter(|| calendar.business_date(black_box(now)))
    });
    group.finish();
}

/// The contract's /rates 200 body with four offers of three nights, built
/// with `json!` the way the handler builds it.
fn rates_body() -> Value {
    let room_types = [
        ("DLX", "Deluxe", 2, "450.00", "1350.00"),
        ("FAM", "Family", 4, "600.00", "1800.00"),
        ("STD", "Standard", 2, "350.00", "1050.00"),
        ("STE", "Suite", 3, "900.00", "2700.00"),
    ];
    let offers: Vec<Value> = room_types
        .iter()
        .map(|(code, name, max_guests, amount, total)| {
            let nightly: Vec<Value> = ["2026-12-10", "2026-12-11", "2026-12-12"]
                .iter()
                .map(|date| json!({"date": date, "amount": amount}))
                .collect();
            json!({
                "room_type": code,
                "name": name,
                "max_guests": max_guests,
                "available": 7,
                "nightly": nightly,
                "total": total,
            })
        })
        .collect();
    json!({
        "property": "GRACE-DXB",
        "currency": "AED",
        "check_in": "2026-12-10",
        "check_out": "2026-12-13",
        "nights": 3,
        "offers": offers,
    })
}

fn json_encoding(c: &mut Criterion) {
    let body = rates_body();
    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Bytes(body.to_string().len() as u64));
    group.bench_function("rates_encode", |b| b.iter(|| black_box(&body).to_string()));
    // For reference: building the value too, as the handler does per request.
    group.bench_function("rates_build_and_encode", |b| {
        b.iter(|| rates_body().to_string())
    });
    group.finish();
}

criterion_group!(benches, signature, calendar, json_encoding);
criterion_main!(benches);
