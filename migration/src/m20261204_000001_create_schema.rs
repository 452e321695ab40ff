//! The whole data model: a property, its room types, one row per room type and
//! night with the rate and the free units, bookings with one row per booked
//! night, and the inbox of webhook events keyed by the sender's event id.
//!
//! The guards the service relies on live here, so that a bug in application
//! code or a second process cannot break them: unique booking reference,
//! unique event id, free units never negative, check-out after check-in.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(property_table()).await?;
        manager.create_table(room_type_table()).await?;
        manager.create_table(nightly_rate_table()).await?;
        manager.create_table(booking_table()).await?;
        manager.create_table(booking_night_table()).await?;
        manager.create_table(webhook_event_table()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookEvent::Table.into_iden(),
            BookingNight::Table.into_iden(),
            Booking::Table.into_iden(),
            NightlyRate::Table.into_iden(),
            RoomType::Table.into_iden(),
            Property::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Property {
    Table,
    Id,
    Code,
    Name,
    Timezone,
    Currency,
}

#[derive(DeriveIden)]
enum RoomType {
    Table,
    Id,
    PropertyId,
    Code,
    Name,
    MaxGuests,
}

#[derive(DeriveIden)]
enum NightlyRate {
    Table,
    RoomTypeId,
    Date,
    AmountMinor,
    Available,
    SourceTimestamp,
}

#[derive(DeriveIden)]
enum Booking {
    Table,
    Id,
    Reference,
    RoomTypeId,
    Status,
    CheckIn,
    CheckOut,
    Guests,
    GuestName,
    GuestEmail,
    GuestPhone,
    TotalMinor,
    Currency,
    CreatedAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum BookingNight {
    Table,
    BookingId,
    Date,
    AmountMinor,
}

#[derive(DeriveIden)]
enum WebhookEvent {
    Table,
    EventId,
    EventType,
    BodySha256,
    StatusCode,
    ResponseBody,
    ReceivedAt,
}

fn property_table() -> TableCreateStatement {
    Table::create()
        .table(Property::Table)
        .col(pk_auto(Property::Id))
        .col(string_len_uniq(Property::Code, 32))
        .col(string_len(Property::Name, 200))
        .col(string_len(Property::Timezone, 64))
        .col(char_len(Property::Currency, 3))
        .to_owned()
}

fn room_type_table() -> TableCreateStatement {
    Table::create()
        .table(RoomType::Table)
        .col(pk_auto(RoomType::Id))
        .col(integer(RoomType::PropertyId))
        .col(string_len(RoomType::Code, 32))
        .col(string_len(RoomType::Name, 200))
        .col(integer(RoomType::MaxGuests).check(Expr::col(RoomType::MaxGuests).gte(1)))
        .foreign_key(
            ForeignKey::create()
                .name("fk_room_type_property")
                .from(RoomType::Table, RoomType::PropertyId)
                .to(Property::Table, Property::Id),
        )
        .index(
            Index::create()
                .name("uq_room_type_property_code")
                .unique()
                .col(RoomType::PropertyId)
                .col(RoomType::Code),
        )
        .to_owned()
}

/// One row per room type and night. The primary key (room type, date) is the
/// index that both the rates query and the booking's conditional update use,
/// so their cost stays flat however many nights the table holds.
fn nightly_rate_table() -> TableCreateStatement {
    Table::create()
        .table(NightlyRate::Table)
        .col(integer(NightlyRate::RoomTypeId))
        .col(date(NightlyRate::Date))
        .col(
            big_integer(NightlyRate::AmountMinor).check(Expr::col(NightlyRate::AmountMinor).gte(0)),
        )
        .col(integer(NightlyRate::Available).check(Expr::col(NightlyRate::Available).gte(0)))
        .col(big_integer(NightlyRate::SourceTimestamp).default(0))
        .primary_key(
            Index::create()
                .col(NightlyRate::RoomTypeId)
                .col(NightlyRate::Date),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_nightly_rate_room_type")
                .from(NightlyRate::Table, NightlyRate::RoomTypeId)
                .to(RoomType::Table, RoomType::Id),
        )
        .to_owned()
}

fn booking_table() -> TableCreateStatement {
    Table::create()
        .table(Booking::Table)
        .col(string_len(Booking::Id, 36).primary_key())
        .col(string_len_uniq(Booking::Reference, 64))
        .col(integer(Booking::RoomTypeId))
        .col(
            string_len(Booking::Status, 16)
                .check(Expr::col(Booking::Status).is_in(["confirmed", "cancelled"])),
        )
        .col(date(Booking::CheckIn))
        .col(date(Booking::CheckOut))
        .col(integer(Booking::Guests).check(Expr::col(Booking::Guests).gte(1)))
        .col(text(Booking::GuestName))
        .col(text_null(Booking::GuestEmail))
        .col(text_null(Booking::GuestPhone))
        .col(big_integer(Booking::TotalMinor))
        .col(char_len(Booking::Currency, 3))
        .col(timestamp_with_time_zone(Booking::CreatedAt))
        .col(timestamp_with_time_zone_null(Booking::CancelledAt))
        .check((
            "ck_booking_check_out_after_check_in",
            Expr::col(Booking::CheckOut).gt(Expr::col(Booking::CheckIn)),
        ))
        .foreign_key(
            ForeignKey::create()
                .name("fk_booking_room_type")
                .from(Booking::Table, Booking::RoomTypeId)
                .to(RoomType::Table, RoomType::Id),
        )
        .to_owned()
}

fn booking_night_table() -> TableCreateStatement {
    Table::create()
        .table(BookingNight::Table)
        .col(string_len(BookingNight::BookingId, 36))
        .col(date(BookingNight::Date))
        .col(big_integer(BookingNight::AmountMinor))
        .primary_key(
            Index::create()
                .col(BookingNight::BookingId)
                .col(BookingNight::Date),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_booking_night_booking")
                .from(BookingNight::Table, BookingNight::BookingId)
                .to(Booking::Table, Booking::Id),
        )
        .to_owned()
}

/// The inbox: the primary key on the sender's event id is what makes an event
/// apply once across every process that shares the database.
fn webhook_event_table() -> TableCreateStatement {
    Table::create()
        .table(WebhookEvent::Table)
        .col(string_len(WebhookEvent::EventId, 128).primary_key())
        .col(string_len(WebhookEvent::EventType, 64))
        .col(char_len(WebhookEvent::BodySha256, 64))
        .col(integer(WebhookEvent::StatusCode))
        .col(text(WebhookEvent::ResponseBody))
        .col(timestamp_with_time_zone(WebhookEvent::ReceivedAt))
        .to_owned()
}
