//! A room type of a property (Standard, Deluxe …) with its maximum occupancy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_type")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub property_id: i32,
    pub code: String,
    pub name: String,
    pub max_guests: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::property::Entity",
        from = "Column::PropertyId",
        to = "super::property::Column::Id"
    )]
    Property,
    #[sea_orm(has_many = "super::nightly_rate::Entity")]
    NightlyRate,
}

impl Related<super::property::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Property.def()
    }
}

impl Related<super::nightly_rate::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::NightlyRate.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
