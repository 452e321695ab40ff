//! Integration tests: the real server on a random loopback port, against a
//! fresh PostgreSQL database per test and against SQLite.

mod helpers;
mod proxy;

mod bad_input;
mod cli;
mod configuration;
mod health;
mod rates;
mod rates_cache;
mod robustness;
mod webhook_auth;
mod webhook_concurrency;
mod webhook_events;
