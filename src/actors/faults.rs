//! A message that makes an actor's handler panic, for tests of supervision.

use actix::{Actor, Handler, Message};

use super::{AuthActor, BookingActor, DbActor};

pub struct Panic;

impl Message for Panic {
    type Result = ();
}

macro_rules! panics_on_request {
    ($actor:ty) => {
        impl Handler<Panic> for $actor {
            type Result = ();

            fn handle(&mut self, _: Panic, _: &mut <$actor as Actor>::Context) {
                panic!("fault injection: {} panics on request", stringify!($actor));
            }
        }
    };
}

panics_on_request!(AuthActor);
panics_on_request!(BookingActor);
panics_on_request!(DbActor);
