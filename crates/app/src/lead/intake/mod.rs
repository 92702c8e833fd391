//! Intake (SPEC §4.1): `POST /api/leads` from a site's server (JSON, `X-Site-Key`), from a
//! browser form on a site (the public form id and the signed form token), and from a
//! dealer's own session (a call, a showroom visit); the sites that post leads, their keys
//! and form tokens; spam stopped without a captcha; the post limits kept in the table.
//!
//! The order of a site's post is the rules': the site (401), its page's origin (401), then
//! for a browser form the spam rules (a spam post is answered like any other and never
//! stored), the draft (422 per field), a retry of an earlier post (answered with the first
//! lead before any limit counts it), the limit (429), and the core's create (routing, the
//! customer profile, the lead and its notices in one transaction).
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
use crate::lead::{Intake, LeadIntake};
use chrono::{DateTime, Utc};
use dealerdesk_domain::kernel::{FieldError, Refusal, RefusalKind};
use dealerdesk_domain::lead::{
    BROWSER_POST_LIMIT, Consent, DEALER_ENTRY_CONSENT, Lead, LeadDraft, LeadDraftError, LeadSource,
    NewLead, Origin, PostLimit, SERVER_POST_LIMIT, Site, SiteId, SiteOwner, SpamReason,
    spam_reason,
};
use dealerdesk_domain::{Actor, DealerId, NetworkId, Role};
use dealerdesk_store::{LeadIdempotency, PostLimitRepo, SiteRepo};
use sha2::{Digest, Sha256};

/// How long the same post (same site, phone, type and fields) counts as a retry without an
/// `Idempotency-Key`.
pub const SAME_POST_WINDOW_SECONDS: i64 = 10 * 60;
/// How long an `Idempotency-Key` protects a create.
pub const IDEMPOTENCY_KEY_SECONDS: i64 = 24 * 60 * 60;

/// How a site's post arrived.
#[derive(Clone, Debug)]
pub enum Channel {
    /// The site's server: JSON with its secret key; not timed.
    Server { key: Option<String> },
    /// A browser form: the public form id, the form token, the honeypot field.
    Browser {
        form_id: Option<String>,
        token: Option<String>,
        honeypot: Option<String>,
    },
}

/// A post from a site.
#[derive(Clone, Debug)]
pub struct SitePost {
    pub channel: Channel,
    /// The browser's `Origin`, when one was sent.
    pub origin: Option<String>,
    /// The client's address (limits, the consent's record).
    pub address: Option<String>,
    pub idempotency_key: Option<String>,
    /// The consent-text version the form says it showed.
    pub consent_version: Option<String>,
    pub draft: LeadDraft,
}

/// What became of a post.
#[derive(Clone, Debug)]
pub enum Taken {
    /// A lead: new, or the first one of a retried post.
    Lead { lead: Box<Lead>, created: bool },
    /// Spam: answered like a lead, stored nowhere (counted for the admin).
    Spam,
}

/// A post's answer needs its site (CORS, the thank-you page) even when the post is refused
/// after the site was known.
pub struct SiteAnswer {
    pub site: Option<Site>,
    pub result: Result<Taken, AppError>,
}

/// Takes a site's post (see the module's order of rules).
pub async fn take_from_site(state: &AppState, post: SitePost) -> SiteAnswer {
    let site = match &post.channel {
        Channel::Server { key } => sites::by_key(state, key.as_deref()).await,
        Channel::Browser { form_id, .. } => sites::by_form_id(state, form_id.as_deref()).await,
    };
    let site = match site {
        Ok(site) => site,
        Err(e) => {
            return SiteAnswer {
                site: None,
                result: Err(e),
            };
        }
    };
    let result = take_for_site(state, &site, post).await;
    SiteAnswer {
        site: Some(site),
        result,
    }
}

async fn take_for_site(state: &AppState, site: &Site, post: SitePost) -> Result<Taken, AppError> {
    if post
        .origin
        .as_deref()
        .is_some_and(|o| !site.allows_origin(o))
    {
        return Err(sites::foreign_origin());
    }
    let now = state.clock.now();
    let mut limit = (server_scope(&site.id), SERVER_POST_LIMIT);
    if let Channel::Browser {
        token, honeypot, ..
    } = &post.channel
    {
        let shown = token::shown_at(&state.settings.signing_key, &site.id, token.as_deref(), now);
        let reason = match shown {
            None if honeypot.as_deref().is_none_or(|h| h.trim().is_empty()) => {
                Some(SpamReason::BadToken)
            }
            _ => spam_reason(honeypot.as_deref(), shown, now),
        };
        if let Some(reason) = reason {
            count_spam(state, &site.id, reason).await;
            return Ok(Taken::Spam);
        }
        let address = post.address.clone().unwrap_or_else(|| "unknown".into());
        limit = (browser_scope(&site.id, &address), BROWSER_POST_LIMIT);
    }
    let mut new = validate(&post.draft)?;
    let (origin, network) = match &site.owner {
        SiteOwner::Dealer { dealer_id } => (
            Origin::DealerSite(dealer_id.clone()),
            network_of(state, dealer_id).await?,
        ),
        SiteOwner::Brand { network_id } => (Origin::BrandSite, network_id.clone()),
    };
    let source = new.source.unwrap_or(match site.owner {
        SiteOwner::Dealer { .. } => LeadSource::Site,
        SiteOwner::Brand { .. } => LeadSource::BrandSite,
    });
    let idempotency = idempotency(
        &format!("site:{}", site.id),
        post.idempotency_key.as_deref(),
        &new,
    )?;
    // One read: a retry is answered with its first lead before the limit counts it, and
    // the customer's claims are at hand for the create.
    let looked = crate::lead::look_up(state, Some(&idempotency), &new).await?;
    if let Some(first) = crate::lead::replay(state, &idempotency, &looked).await? {
        return Ok(Taken::Lead {
            lead: Box::new(first),
            created: false,
        });
    }
    check_limit(state, &limit.0, limit.1, now).await?;
    new.consent = Some(Consent::given(
        now,
        post.address.clone(),
        post.consent_version.as_deref(),
        &site.settings.consent_version,
    ));
    let intake = LeadIntake {
        network,
        origin,
        source,
        new,
        idempotency: Some(idempotency),
    };
    created(crate::lead::create_looked_up(state, intake, Some(looked)).await?)
}

/// A lead a dealer's staff typed in (a call, a showroom visit): the same rules, the source
/// `phone` or `showroom`, the lead stays with the dealer. Other roles: 403.
pub async fn take_from_dealer(
    state: &AppState,
    actor: &Actor,
    draft: &LeadDraft,
    idempotency_key: Option<&str>,
    address: Option<String>,
) -> Result<Taken, AppError> {
    let dealer = match (actor.role, &actor.dealer_id) {
        (Role::Dealer, Some(dealer)) => dealer.clone(),
        _ => return Err(AppError::forbidden()),
    };
    let mut new = match (draft.validate(), draft_source(draft)) {
        (Ok(new), Ok(_)) => new,
        (Err(e), source) => {
            let mut fields = e.fields.clone();
            if let Err(f) = source
                && !fields.iter().any(|x| x.field == "source")
            {
                fields.push(f);
            }
            return Err(LeadDraftError { fields }.into());
        }
        (Ok(_), Err(f)) => return Err(LeadDraftError { fields: vec![f] }.into()),
    };
    let source = new.source.unwrap_or(LeadSource::Phone);
    let idempotency = idempotency(&format!("user:{}", actor.user_id), idempotency_key, &new)?;
    let looked = crate::lead::look_up(state, Some(&idempotency), &new).await?;
    if let Some(first) = crate::lead::replay(state, &idempotency, &looked).await? {
        return Ok(Taken::Lead {
            lead: Box::new(first),
            created: false,
        });
    }
    let now = state.clock.now();
    new.consent = Some(Consent::given(now, address, None, DEALER_ENTRY_CONSENT));
    let intake = LeadIntake {
        network: network_of(state, &dealer).await?,
        origin: Origin::DealerSite(dealer),
        source,
        new,
        idempotency: Some(idempotency),
    };
    created(crate::lead::create_looked_up(state, intake, Some(looked)).await?)
}

fn created(intake: Intake) -> Result<Taken, AppError> {
    Ok(match intake {
        Intake::Created(lead) => Taken::Lead {
            lead: Box::new(lead),
            created: true,
        },
        Intake::Replayed(lead) => Taken::Lead {
            lead: Box::new(lead),
            created: false,
        },
    })
}

fn validate(draft: &LeadDraft) -> Result<NewLead, AppError> {
    Ok(draft.validate()?)
}

/// A dealer's lead comes from a call or a visit; the draft must say which.
fn draft_source(draft: &LeadDraft) -> Result<LeadSource, FieldError> {
    match draft
        .source
        .as_deref()
        .map(str::trim)
        .and_then(LeadSource::from_code)
    {
        Some(s @ (LeadSource::Phone | LeadSource::Showroom)) => Ok(s),
        _ => Err(FieldError {
            field: "source",
            message: "Укажите источник заявки: звонок (phone) или визит в салон (showroom).".into(),
        }),
    }
}

async fn network_of(state: &AppState, dealer: &DealerId) -> Result<NetworkId, AppError> {
    match crate::lead::dealer(state, dealer).await? {
        Some(d) => Ok(d.network_id),
        None => Err(AppError::Config(format!(
            "the site's dealer {dealer} is gone"
        ))),
    }
}

/// The fingerprint of a checked post: its fields as the rules read them (normalised phone
/// and e-mail included), so the same lead typed twice is the same post.
fn fingerprint(new: &NewLead) -> String {
    let canonical = serde_json::to_string(new).unwrap_or_default();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// The idempotency of a post by `owner` (a site, a user): its `Idempotency-Key` for a day,
/// else the same site + phone + type + fields for ten minutes.
fn idempotency(owner: &str, key: Option<&str>, new: &NewLead) -> Result<LeadIdempotency, AppError> {
    let fingerprint = fingerprint(new);
    let (key, ttl) = match key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) if k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()) => {
            (format!("key:{k}"), IDEMPOTENCY_KEY_SECONDS)
        }
        Some(_) => {
            return Err(AppError::bad_request(
                "bad_idempotency_key",
                "Ключ идемпотентности — до 100 латинских букв, цифр и знаков без пробелов.",
            ));
        }
        None => {
            let same = format!(
                "{}|{}|{fingerprint}",
                new.phone.as_ref().map_or("", |p| p.as_str()),
                new.kind.code()
            );
            (
                format!("post:{}", hex::encode(Sha256::digest(same.as_bytes()))),
                SAME_POST_WINDOW_SECONDS,
            )
        }
    };
    Ok(LeadIdempotency {
        owner: owner.to_owned(),
        key,
        fingerprint,
        ttl_seconds: ttl,
    })
}

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
