//! A hotel property: its code, IANA timezone and the currency of its rates.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "property")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::room_type::Entity")]
    RoomType,
}

impl Related<super::room_type::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoomType.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
