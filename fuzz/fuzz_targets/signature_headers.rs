//! Fuzzes webhook signature verification on arbitrary X-Signature and
//! X-Timestamp header bytes and bodies. The input layout is documented on
//! `split_signed_request` in `fuzz/common.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

// Shared with tests/fuzz_corpus.rs, so one of its two runners is unused here.
#[allow(dead_code)]
#[path = "../common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::run_signature_headers(data);
});
