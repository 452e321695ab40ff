//! The rate and the free units of one room type on one night.
//!
//! `amount_minor` is in the property currency's minor units (fils for AED).
//! `source_timestamp` is the X-Timestamp of the event that last set the row,
//! so an older delivery that arrives late cannot overwrite a newer one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nightly_rate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_type_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub date: Date,
    pub amount_minor: i64,
    pub available: i32,
    pub source_timestamp: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::room_type::Entity",
        from = "Column::RoomTypeId",
        to = "super::room_type::Column::Id"
    )]
    RoomType,
}

impl Related<super::room_type::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoomType.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
