//! grace: a rate and booking gateway for hotel properties.
//!
//! Webhook senders push signed booking and rate events to `POST /webhook`;
//! rate consumers ask `GET /rates` what a stay costs; operators watch
//! `/health` and `/metrics`.

pub mod actors;
pub mod budget;
pub mod cache;
pub mod cli;
pub mod configuration;
pub mod database;
pub mod domain;
pub mod error;
pub mod json;
pub mod metrics;
pub mod query;
pub mod routes;
pub mod signature;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
