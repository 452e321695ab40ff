//! `BookingActor`: the property's date rules, from its injected clock.

use actix::{Actor, Context, Handler, Message, MessageResult};
use chrono::NaiveDate;

use crate::domain::calendar::{PropertyCalendar, SharedClock};
use crate::domain::stay::{Stay, StayError, StayRules};
use crate::metrics;

pub struct BookingActor {
    calendar: PropertyCalendar,
    clock: SharedClock,
    max_stay_nights: u32,
}

impl BookingActor {
    pub fn new(
        calendar: PropertyCalendar,
        clock: SharedClock,
        max_stay_nights: u32,
    ) -> BookingActor {
        BookingActor {
            calendar,
            clock,
            max_stay_nights,
        }
    }

    fn rules(&self) -> StayRules {
        StayRules {
            business_date: self.calendar.business_date(self.clock.now()),
            timezone: self.calendar.timezone,
            max_stay_nights: self.max_stay_nights,
        }
    }
}

impl Actor for BookingActor {
    type Context = Context<Self>;
}

/// A stay as sent, before any parsing.
pub struct ValidateStay {
    pub check_in: Option<String>,
    pub check_out: Option<String>,
}

impl Message for ValidateStay {
    type Result = Result<Stay, StayError>;
}

impl Handler<ValidateStay> for BookingActor {
    type Result = MessageResult<ValidateStay>;

    fn handle(&mut self, stay: ValidateStay, _: &mut Context<Self>) -> Self::Result {
        let result = self
            .rules()
            .validate(stay.check_in.as_deref(), stay.check_out.as_deref());
        metrics::record_booking_validation(result.as_ref().err().map(|error| error.code.as_str()));
        MessageResult(result)
    }
}

/// Asks for the property's current business date.
pub struct CurrentBusinessDate;

impl Message for CurrentBusinessDate {
    type Result = NaiveDate;
}

impl Handler<CurrentBusinessDate> for BookingActor {
    type Result = MessageResult<CurrentBusinessDate>;

    fn handle(&mut self, _: CurrentBusinessDate, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.calendar.business_date(self.clock.now()))
    }
}
