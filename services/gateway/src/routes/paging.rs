//! `limit`/`offset`/`city` of the public lists (rows 9 and 11), parsed one way for both.
//! Numbers are parsed by hand so every mistake is a 400 `invalid_parameter` naming the
//! parameter, instead of axum's plain-text rejection.

use axum::extract::{Query, rejection::QueryRejection};
use serde::Deserialize;

use crate::error::{GatewayError, Result};

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

/// The query string as sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawQuery {
    limit: Option<String>,
    offset: Option<String>,
    city: Option<String>,
}

/// A checked page request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Page {
    pub limit: u32,
    pub offset: u32,
    /// `None` for every city; an empty `city=` (a blank form field) means every city too.
    pub city: Option<String>,
}

pub(crate) fn parse(query: Result<Query<RawQuery>, QueryRejection>) -> Result<Page> {
    let Query(raw) = query.map_err(|_| invalid("malformed query string"))?;
    let limit = match raw.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| invalid("limit must be an integer between 1 and 100"))?,
    };
    let offset = match raw.offset.as_deref() {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .map_err(|_| invalid("offset must be a non-negative integer"))?,
    };
    let city = raw.city.filter(|city| !city.trim().is_empty());
    Ok(Page {
        limit,
        offset,
        city,
    })
}

fn invalid(message: &'static str) -> GatewayError {
    GatewayError::bad_request("invalid_parameter", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_fields(limit: Option<&str>, offset: Option<&str>, city: Option<&str>) -> Result<Page> {
        parse(Ok(Query(RawQuery {
            limit: limit.map(str::to_owned),
            offset: offset.map(str::to_owned),
            city: city.map(str::to_owned),
        })))
    }

    #[test]
    fn absent_parameters_mean_the_first_twenty_of_every_city() {
        let page = parse_fields(None, None, Some(" ")).expect("valid query");

        assert_eq!((page.limit, page.offset, page.city), (20, 0, None));
    }

    #[test]
    fn bad_limits_and_offsets_are_refused_naming_the_parameter() {
        for (limit, offset, named) in [
            (Some("0"), None, "limit"),
            (Some("101"), None, "limit"),
            (Some("-1"), None, "limit"),
            (Some("ten"), None, "limit"),
            (Some(""), None, "limit"),
            (None, Some("-5"), "offset"),
            (None, Some("1.5"), "offset"),
            (None, Some("99999999999"), "offset"),
        ] {
            let err = parse_fields(limit, offset, None).expect_err("invalid query");
            assert!(
                matches!(&err, GatewayError::BadRequest { code: "invalid_parameter", message }
                    if message.starts_with(named)),
                "{limit:?} {offset:?}: {err}"
            );
        }
    }

    #[test]
    fn limits_up_to_one_hundred_and_any_offset_are_kept() {
        assert_eq!(
            parse_fields(Some("100"), Some("3"), Some("Cali")).ok(),
            Some(Page {
                limit: 100,
                offset: 3,
                city: Some("Cali".to_owned())
            })
        );
    }
}
