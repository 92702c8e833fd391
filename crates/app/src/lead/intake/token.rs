//! The form token: a server-signed statement "the form of site S was shown at T", served to
//! the sites' pages by `GET /api/leads/form-token` (through `/static/lead-form.js`) and sent
//! back with the form. The webhook reads the fill time from it; a post without a valid token
//! of its own site is spam.
//!
//! A token of the kernel's signer (`kernel::sign`, purpose `lead_form`) whose data is
//! `<site id>|<shown at, Unix ms>`, valid for [`FORM_TOKEN_MAX_AGE`]; the site is inside the
//! MAC, so a token of one site is worthless on another.

use crate::kernel::sign;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{FORM_TOKEN_MAX_AGE, SiteId};

const PURPOSE: &str = "lead_form";

/// A token for the form of `site` shown at `now`.
pub fn issue(key: &str, site: &SiteId, now: DateTime<Utc>) -> String {
    let data = format!("{site}|{}", now.timestamp_millis());
    sign::sign(key, PURPOSE, &data, now + FORM_TOKEN_MAX_AGE)
}

/// When the form of `site` was shown, if `token` is a good, unexpired token of that very
/// site; `None` for anything else (absent, another site's, forged, expired, garbage).
pub fn shown_at(
    key: &str,
    site: &SiteId,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let token = token?.trim();
    if token.is_empty() || token.len() > 300 {
        return None;
    }
    let signed = sign::verify(key, PURPOSE, token, now).ok()?;
    let (token_site, ms) = signed.data.split_once('|')?;
    if token_site != site.as_str() {
        return None;
    }
    DateTime::from_timestamp_millis(ms.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn a_token_tells_when_its_own_sites_form_was_shown_and_nothing_else() {
        let key = "k";
        let site = SiteId::new("site-dealer-1");
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let token = issue(key, &site, t);
        let later = t + Duration::seconds(30);
        assert_eq!(shown_at(key, &site, Some(&token), later), Some(t));
        // Another site, another key, a survey's token, garbage, nothing: no time.
        assert_eq!(
            shown_at(key, &SiteId::new("site-dealer-2"), Some(&token), later),
            None
        );
        assert_eq!(shown_at("other", &site, Some(&token), later), None);
        let survey = sign::sign(key, "survey", "site-dealer-1|1", t + Duration::hours(1));
        assert_eq!(shown_at(key, &site, Some(&survey), later), None);
        assert_eq!(shown_at(key, &site, Some("x.y"), later), None);
        assert_eq!(shown_at(key, &site, Some(""), later), None);
        assert_eq!(shown_at(key, &site, None, later), None);
        // A day-old page is reloaded.
        assert_eq!(
            shown_at(key, &site, Some(&token), t + Duration::hours(25)),
            None
        );
    }
}
