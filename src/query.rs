//! Strict query-string decoding. A parameter given twice, a broken percent
//! escape or bytes that are not UTF-8 make the query undecodable
//! (`invalid_query`), rather than being guessed at.

use percent_encoding::percent_decode;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query string is not valid: {0:?} is not a valid percent-encoded UTF-8 text")]
    Undecodable(String),
    #[error("the query string is not valid: parameter {0} is given more than once")]
    Repeated(String),
}

#[derive(Debug, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    pub fn parse(query: &str) -> Result<QueryParams, QueryError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for part in query.split('&').filter(|part| !part.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = decode(name)?;
            let value = decode(value)?;
            if pairs.iter().any(|(known, _)| *known == name) {
                return Err(QueryError::Repeated(crate::domain::stay::shorten(&name)));
            }
            pairs.push((name, value));
        }
        Ok(QueryParams { pairs })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }
}

fn decode(text: &str) -> Result<String, QueryError> {
    let undecodable = || QueryError::Undecodable(crate::domain::stay::shorten(text));
    let bytes = text.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(index, byte)| {
        *byte != b'%'
            || (bytes.get(index + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(index + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !escapes_ok {
        return Err(undecodable());
    }
    let plus_as_space = text.replace('+', " ");
    percent_decode(plus_as_space.as_bytes())
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| undecodable())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs() {
        let params = QueryParams::parse("check_in=2026-12-10&room_type=D%4CX&x").unwrap();
        assert_eq!(params.get("check_in"), Some("2026-12-10"));
        assert_eq!(params.get("room_type"), Some("DLX"));
        assert_eq!(params.get("x"), Some(""));
        assert_eq!(params.get("missing"), None);
    }

    #[test]
    fn rejects_bad_escapes_invalid_utf8_and_repeats() {
        assert!(matches!(
            QueryParams::parse("a=%zz"),
            Err(QueryError::Undecodable(_))
        ));
        assert!(matches!(
            QueryParams::parse("a=%F"),
            Err(QueryError::Undecodable(_))
        ));
        assert!(matches!(
            QueryParams::parse("a=%FF"),
            Err(QueryError::Undecodable(_))
        ));
        assert!(matches!(
            QueryParams::parse("a=1&a=2"),
            Err(QueryError::Repeated(_))
        ));
    }
}
