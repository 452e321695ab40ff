//! A booking made by a webhook sender, identified by the sender's reference.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booking")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub reference: String,
    pub room_type_id: i32,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub check_in: Date,
    pub check_out: Date,
    pub guests: i32,
    pub guest_name: String,
    pub guest_email: Option<String>,
    pub guest_phone: Option<String>,
    pub total_minor: i64,
    pub currency: String,
    pub created_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::booking_night::Entity")]
    BookingNight,
}

impl Related<super::booking_night::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BookingNight.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
