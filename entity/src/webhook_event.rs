//! The inbox row of a processed webhook event and the outcome sent back, so a
//! second delivery of the same event id gets the first outcome again.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub event_type: String,
    /// Lowercase hex SHA-256 of the body, to spot a different body sent under a known id.
    pub body_sha256: String,
    pub status_code: i32,
    pub response_body: String,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
