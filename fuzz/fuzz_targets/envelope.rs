//! Fuzzes strict JSON parsing and webhook envelope reading on arbitrary
//! request bodies.

#![no_main]

use libfuzzer_sys::fuzz_target;

// Shared with tests/fuzz_corpus.rs, so one of its two runners is unused here.
#[allow(dead_code)]
#[path = "../common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::run_envelope(data);
});
