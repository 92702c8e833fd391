//! One page of a listing, read from the query: `limit` (1–100, default 50) and `cursor`.

use crate::kernel::error::AppError;
use dealerdesk_store::{PageRequest, StoreError};
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct PageQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

fn bad_query() -> AppError {
    AppError::bad_request("bad_query", "Некорректные параметры запроса.")
}

/// Reads `limit` and `cursor` of a listing's query string (other parameters are the
/// feature's).
pub fn page_request(raw: Option<&str>) -> Result<PageRequest, AppError> {
    let q: PageQuery = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| bad_query())?;
    let limit = match q.limit.as_deref() {
        None | Some("") => 50,
        Some(n) => match n.parse::<u32>() {
            Ok(n @ 1..=100) => n,
            _ => {
                return Err(AppError::bad_request(
                    "bad_limit",
                    "Размер страницы — число от 1 до 100.",
                ));
            }
        },
    };
    let cursor = q.cursor.filter(|c| !c.is_empty());
    if cursor.as_deref().is_some_and(|c| !is_cursor(c)) {
        return Err(AppError::from(StoreError::BadCursor));
    }
    Ok(PageRequest { limit, cursor })
}

/// The longest cursor the app hands out is well under this.
const MAX_CURSOR: usize = 2048;

/// Whether `raw` can be a cursor the app handed out: the store's are hex, the queue's a
/// number — both lowercase hex digits. Anything else is refused here, before the store.
fn is_cursor(raw: &str) -> bool {
    raw.len() <= MAX_CURSOR && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn a_page_defaults_to_fifty() {
        let page = page_request(None).unwrap();
        assert_eq!(page.limit, 50);
        assert_eq!(page.cursor, None);
    }

    #[test]
    fn a_page_reads_limit_and_cursor() {
        let page = page_request(Some("state=review&limit=10&cursor=abc")).unwrap();
        assert_eq!(
            page_request(Some("cursor=120")).unwrap().cursor.as_deref(),
            Some("120")
        );
        assert_eq!(page.limit, 10);
        assert_eq!(page.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn cursors_that_the_app_never_hands_out_are_400_bad_cursor() {
        let long = "a".repeat(3000);
        for c in ["not-a-cursor", "ABC", "%FF", long.as_str()] {
            let err = page_request(Some(&format!("cursor={c}"))).unwrap_err();
            assert_eq!(
                (err.status(), err.code()),
                (StatusCode::BAD_REQUEST, "bad_cursor"),
                "{c}"
            );
        }
    }

    #[test]
    fn bad_limits_are_400s() {
        for q in ["limit=0", "limit=101", "limit=x"] {
            let err = page_request(Some(q)).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{q}");
        }
    }
}
