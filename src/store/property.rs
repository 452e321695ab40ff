//! The property this grace serves: one row of `property`.

use sea_orm::{ConnectionTrait, DbErr};

use super::statement;
use crate::domain::money::Currency;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyInfo {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub currency: Currency,
}

/// Loads the property, `None` on an empty database. grace serves one
/// property per database; with several, the one created first is used.
pub async fn load_property<C: ConnectionTrait>(
    connection: &C,
) -> Result<Option<PropertyInfo>, DbErr> {
    let backend = connection.get_database_backend();
    let row = connection
        .query_one_raw(statement(
            backend,
            "SELECT id, code, name, currency FROM property ORDER BY id LIMIT 1",
            vec![],
        ))
        .await?;
    row.map(|row| {
        let currency: String = row.try_get_by_index(3)?;
        Ok(PropertyInfo {
            id: row.try_get_by_index(0)?,
            code: row.try_get_by_index(1)?,
            name: row.try_get_by_index(2)?,
            currency: Currency::new(currency.trim()),
        })
    })
    .transpose()
}
