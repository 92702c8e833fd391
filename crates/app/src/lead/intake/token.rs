//! The form token: a server-signed statement "the form of site S was shown at T", served to
//! the sites' pages by `GET /api/leads/form-token` (through `/static/lead-form.js`) and sent
//! back with the form. The webhook reads the fill time from it; a post without a valid token
//! of its own site is spam.
//!
//! Shape: `<site id>.<issued at, Unix ms>.<HMAC-SHA256 hex>`; the MAC covers a purpose prefix,
//! the site and the time, so a token of one site is worthless on another.

use super::sign::hmac_sha256;
use crate::kernel::auth::secrets_equal;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{FORM_TOKEN_MAX_AGE, SiteId};

const PURPOSE: &str = "lead-form";

fn mac(key: &[u8], site: &SiteId, issued_ms: i64) -> String {
    hex::encode(hmac_sha256(
        key,
        format!("{PURPOSE}:{site}.{issued_ms}").as_bytes(),
    ))
}

/// A token for the form of `site` shown at `now`.
pub fn issue(key: &[u8], site: &SiteId, now: DateTime<Utc>) -> String {
    let ms = now.timestamp_millis();
    format!("{site}.{ms}.{}", mac(key, site, ms))
}

/// When the form of `site` was shown, if `token` is a good token of that very site not
/// older than [`FORM_TOKEN_MAX_AGE`]; `None` for anything else (absent, another site's,
/// forged, expired, garbage).
pub fn shown_at(
    key: &[u8],
    site: &SiteId,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let token = token?.trim();
    if token.len() > 200 {
        return None;
    }
    let mut parts = token.rsplitn(3, '.');
    let (signature, ms, token_site) = (parts.next()?, parts.next()?, parts.next()?);
    if token_site != site.as_str() {
        return None;
    }
    let ms: i64 = ms.parse().ok()?;
    if !secrets_equal(signature, &mac(key, site, ms)) {
        return None;
    }
    let at = DateTime::from_timestamp_millis(ms)?;
    (now - at <= FORM_TOKEN_MAX_AGE).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn a_token_tells_when_its_own_sites_form_was_shown_and_nothing_else() {
        let key = b"k";
        let site = SiteId::new("site-dealer-1");
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let token = issue(key, &site, t);
        let later = t + Duration::seconds(30);
        assert_eq!(shown_at(key, &site, Some(&token), later), Some(t));
        // Another site, another key, a changed time, garbage, nothing: no time.
        assert_eq!(
            shown_at(key, &SiteId::new("site-dealer-2"), Some(&token), later),
            None
        );
        assert_eq!(shown_at(b"other", &site, Some(&token), later), None);
        let forged = token.replace(&t.timestamp_millis().to_string(), "1");
        assert_eq!(shown_at(key, &site, Some(&forged), later), None);
        assert_eq!(shown_at(key, &site, Some("x.y.z"), later), None);
        assert_eq!(shown_at(key, &site, Some(""), later), None);
        assert_eq!(shown_at(key, &site, None, later), None);
        // A day-old page is reloaded.
        assert_eq!(
            shown_at(key, &site, Some(&token), t + Duration::hours(25)),
            None
        );
    }
}
