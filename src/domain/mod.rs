//! The hotel's rules, free of HTTP and SQL: business dates and stays, money,
//! and the webhook events senders push.

pub mod calendar;
pub mod event;
pub mod money;
pub mod stay;
