//! JSON parsing that rejects an object with the same key twice. serde_json
//! alone keeps the last value, so `{"id":"a","id":"b"}` would be read as
//! something other than what a sender's own parser may have seen.

use std::collections::HashSet;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Parses a JSON document, failing on duplicate object keys. Errors carry
/// the parser's line and column.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut checker = serde_json::Deserializer::from_slice(bytes);
    NoDuplicateKeys.deserialize(&mut checker)?;
    checker.end()?;
    serde_json::from_slice(bytes)
}

/// A visitor that walks a document and keeps nothing but the key sets.
#[derive(Clone, Copy)]
struct NoDuplicateKeys;

impl<'de> DeserializeSeed<'de> for NoDuplicateKeys {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoDuplicateKeys {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while items.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<(), A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = entries.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {:?}",
                    crate::domain::stay::shorten(&key)
                )));
            }
            entries.next_value_seed(self)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_documents() {
        let value = parse_strict(br#"{"a": [1, 2.50, {"b": null}], "c": "x"}"#).unwrap();
        assert_eq!(value["a"][1].to_string(), "2.50");
    }

    #[test]
    fn rejects_duplicate_keys_at_any_depth() {
        assert!(parse_strict(br#"{"a": 1, "a": 2}"#).is_err());
        assert!(parse_strict(br#"{"a": [{"b": 1, "b": 1}]}"#).is_err());
        assert!(parse_strict(br#"{"a": {"b": 1}, "c": {"b": 1}}"#).is_ok());
    }

    #[test]
    fn rejects_trailing_bytes_and_deep_nesting() {
        assert!(parse_strict(b"{} {}").is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_strict(deep.as_bytes()).is_err());
    }
}
