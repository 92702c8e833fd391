//! Intake (SPEC §4.1): the sites that post leads, their keys and form tokens, spam stopped
//! without a captcha, and the post limits kept in the table.
//!
//! - [`sites`]: the admin's sites and keys; how a post's site is recognised;
//! - [`token`]: the signed form token that times a browser form;
//! - `api.rs`, `portal.rs`, `views.rs`, `routes.rs`: the faces.

pub mod api;
pub mod portal;
pub mod routes;
pub mod sites;
pub mod token;
pub mod views;

use crate::AppState;
use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::{PostLimit, Site, SiteId, SpamReason};
use dealerdesk_store::{PostLimitRepo, SiteRepo};

/// A form token for the page of site `form_id`, asked from `origin` (the browser's `Origin`,
/// absent outside a browser). 401 for an unknown or revoked site, or a page the site does
/// not list.
pub async fn form_token(
    state: &AppState,
    form_id: Option<&str>,
    origin: Option<&str>,
) -> Result<(Site, String), AppError> {
    let site = sites::by_form_id(state, form_id).await?;
    if origin.is_some_and(|o| !site.allows_origin(o)) {
        return Err(sites::foreign_origin());
    }
    let token = token::issue(&state.settings.signing_key, &site.id, state.clock.now());
    Ok((site, token))
}

/// Counts a spam post for the admin (never stored as a lead). A failure to count is logged,
/// never shown: the poster gets its success-looking answer either way.
pub async fn count_spam(state: &AppState, site: &SiteId, reason: SpamReason) {
    tracing::info!(site = %site, reason = reason.code(), "lead post taken for spam");
    if let Err(e) = state.store.count_spam(site, reason).await {
        tracing::error!(site = %site, error = %e, "spam counter not updated");
    }
}

/// Counts one post of `scope` against `limit`; 429 with `Retry-After` (the end of the
/// window) when over it.
pub async fn check_limit(
    state: &AppState,
    scope: &str,
    limit: PostLimit,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let start = limit.window_start(now);
    let end = limit.window_end(now);
    let count = state
        .store
        .count_post(scope, start, end + limit.window)
        .await?;
    if limit.allows(count) {
        return Ok(());
    }
    let seconds = u64::try_from((end - now).num_seconds().max(1)).unwrap_or(1);
    Err(AppError::Throttled {
        refusal: Refusal::new(
            RefusalKind::RateLimited,
            "too_many_leads",
            "Слишком много заявок с этого сайта. Повторите чуть позже.",
        ),
        retry_after_seconds: seconds,
    })
}

/// The counter scope of a site's server-to-server posts.
pub fn server_scope(site: &SiteId) -> String {
    format!("SITE#{site}")
}

/// The counter scope of a site's browser posts from one client address.
pub fn browser_scope(site: &SiteId, address: &str) -> String {
    format!("SITE#{site}#ADDR#{address}")
}
