//! The rates cache: each process keeps the nightly rates and free units of
//! the coming months in memory, so a /rates look-up needs no database round
//! trip. Look-ups outnumber bookings by hundreds to one in hotel distribution.
//!
//! It stays correct across processes through PostgreSQL LISTEN/NOTIFY: every
//! transaction that changes a night notifies channel `grace_rates` with the
//! room type id, and NOTIFY is delivered only on commit. Each process listens
//! and reloads the room types named, so a change made by any process shows
//! in every process's /rates within a fraction of a second. While the
//! listener is disconnected, notifications may be lost, so the cache is not
//! used until the listener is back and everything has been reloaded.
//!
//! Bookings never read the cache: they lock and check the rows in the database.

mod listener;
mod snapshot;

pub use listener::{ListenerContext, ListenerHandle, spawn_listener};
pub use snapshot::{RATES_CHANNEL, RatesCache};
