//! sea-orm entities for grace's tables. The schema itself, with its guards,
//! is defined by the `migration` crate.

pub mod booking;
pub mod booking_night;
pub mod nightly_rate;
pub mod property;
pub mod room_type;
pub mod webhook_event;
