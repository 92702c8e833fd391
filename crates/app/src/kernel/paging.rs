//! One page of a listing, read from the query: `limit` (1–100, default 50) and `cursor`.

use crate::kernel::error::AppError;
use dealerdesk_store::PageRequest;
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
    Ok(PageRequest {
        limit,
        cursor: q.cursor.filter(|c| !c.is_empty()),
    })
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
        assert_eq!(page.limit, 10);
        assert_eq!(page.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn bad_limits_are_400s() {
        for q in ["limit=0", "limit=101", "limit=x"] {
            let err = page_request(Some(q)).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{q}");
        }
    }
}
