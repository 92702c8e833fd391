//! The sites that post leads, as the admin keeps them (API, portal, CLI): issue a site with
//! its secret key, rotate the key, revoke the site, change its origins and pages; and how the
//! webhook recognises a site (by the hash of its key, or by its public form id).
//!
//! A secret key is 256 random bits, shown once when issued or rotated; the table keeps only
//! its SHA-256.

use crate::AppState;
use crate::calendar::ensure_admin;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use dealerdesk_domain::kernel::{FieldError, Refusal, RefusalKind};
use dealerdesk_domain::lead::{Site, SiteDraft, SiteError, SiteId, SiteOwner};
use dealerdesk_domain::{Actor, DealerId};
use dealerdesk_store::{DirectoryRepo, Entity, StoreError};
use dealerdesk_store::{SiteRepo, SiteWithSpam};

/// A site and the secret key just issued for it (shown once).
#[derive(Clone, Debug)]
pub struct IssuedKey {
    pub site: Site,
    pub secret_key: String,
}

/// A fresh secret key: `dds_` and 256 random bits in hex.
pub fn new_secret_key() -> String {
    format!("dds_{}", auth::new_token())
}

/// The refusal of a post whose key or form id is unknown or revoked.
pub fn unknown_site() -> AppError {
    AppError::Refused(Refusal::new(
        RefusalKind::Unauthenticated,
        "site_unknown",
        "Ключ сайта неизвестен или отозван.",
    ))
}

/// The refusal of a browser post from a page the site does not list.
pub fn foreign_origin() -> AppError {
    AppError::Refused(Refusal::new(
        RefusalKind::Unauthenticated,
        "site_origin_forbidden",
        "Этот сайт не принимает заявки со страниц другого адреса.",
    ))
}

/// Every site with its spam counters (the admin's).
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<SiteWithSpam>, AppError> {
    ensure_admin(actor)?;
    Ok(state.store.sites().await?)
}

/// Every site, for the operator's command line.
pub async fn list_as_operator(state: &AppState) -> Result<Vec<SiteWithSpam>, AppError> {
    Ok(state.store.sites().await?)
}

/// The admin issues a new site and its first key.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    draft: &SiteDraft,
) -> Result<IssuedKey, AppError> {
    ensure_admin(actor)?;
    issue_as_operator(state, draft, None, None).await
}

/// Issues a site (the operator's command line, demo data): `id` and `key` are fixed ones
/// (demo data) or new.
pub async fn issue_as_operator(
    state: &AppState,
    draft: &SiteDraft,
    id: Option<SiteId>,
    key: Option<String>,
) -> Result<IssuedKey, AppError> {
    let checked = draft.validate(true)?;
    let owner = match (checked.dealer, checked.network) {
        (Some(dealer), _) => {
            known_dealer(state, &dealer).await?;
            SiteOwner::Dealer { dealer_id: dealer }
        }
        (None, Some(network)) => {
            let known = state
                .store
                .dealers()
                .await?
                .iter()
                .any(|d| d.network_id == network);
            if !known {
                return Err(field("network_id", "Такой сети нет."));
            }
            SiteOwner::Brand {
                network_id: network,
            }
        }
        (None, None) => return Err(field("dealer_id", "Укажите дилера или сеть.")),
    };
    let id = id.unwrap_or_else(|| {
        SiteId::new(format!(
            "site-{}",
            ulid::Ulid::new().to_string().to_lowercase()
        ))
    });
    let secret_key = key.unwrap_or_else(new_secret_key);
    let site = Site::new(
        id,
        owner,
        checked.settings,
        auth::token_hash(&secret_key),
        state.clock.now(),
    );
    state.store.create_site(&site).await?;
    tracing::info!(site = %site.id, "lead site issued");
    Ok(IssuedKey { site, secret_key })
}

async fn known_dealer(state: &AppState, dealer: &DealerId) -> Result<(), AppError> {
    match state.store.dealer(dealer).await? {
        Some(_) => Ok(()),
        None => Err(field("dealer_id", "Такого дилера нет.")),
    }
}

fn field(name: &'static str, message: &str) -> AppError {
    SiteError::Invalid(vec![FieldError {
        field: name,
        message: message.to_string(),
    }])
    .into()
}

async fn load(state: &AppState, id: &SiteId) -> Result<Site, AppError> {
    state.store.site(id).await?.ok_or_else(AppError::not_found)
}

async fn save(state: &AppState, before: &Site, after: &Site) -> Result<(), AppError> {
    let saved = state
        .store
        .save_site(after, before.version, &before.key_hash)
        .await;
    // A rotated or revoked key stops at once on this instance (other instances within
    // their copy's minute, see `lead::LeadCopies`).
    state
        .lead_copies
        .sites
        .evict_where(|_, site| site.id == before.id);
    match saved {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict { .. }) => Err(AppError::stale(Entity::Site)),
        Err(e) => Err(e.into()),
    }
}

/// The admin rotates a site's key against the version seen: the old key stops at once.
pub async fn rotate(
    state: &AppState,
    actor: &Actor,
    id: &SiteId,
    seen_version: u64,
) -> Result<IssuedKey, AppError> {
    ensure_admin(actor)?;
    rotate_as_operator(state, id, Some(seen_version)).await
}

/// Rotates a key (the operator's command line may skip the version).
pub async fn rotate_as_operator(
    state: &AppState,
    id: &SiteId,
    seen_version: Option<u64>,
) -> Result<IssuedKey, AppError> {
    let site = load(state, id).await?;
    if let Some(v) = seen_version {
        site.check_version(v)?;
    }
    let secret_key = new_secret_key();
    let rotated = site.rotated(auth::token_hash(&secret_key), state.clock.now())?;
    save(state, &site, &rotated).await?;
    tracing::info!(site = %id, "lead site key rotated");
    Ok(IssuedKey {
        site: rotated,
        secret_key,
    })
}

/// The admin revokes a site against the version seen: its key and form id answer 401.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    id: &SiteId,
    seen_version: u64,
) -> Result<Site, AppError> {
    ensure_admin(actor)?;
    revoke_as_operator(state, id, Some(seen_version)).await
}

/// Revokes a site (the operator's command line may skip the version).
pub async fn revoke_as_operator(
    state: &AppState,
    id: &SiteId,
    seen_version: Option<u64>,
) -> Result<Site, AppError> {
    let site = load(state, id).await?;
    if let Some(v) = seen_version {
        site.check_version(v)?;
    }
    let revoked = site.revoked(state.clock.now())?;
    save(state, &site, &revoked).await?;
    tracing::info!(site = %id, "lead site revoked");
    Ok(revoked)
}

/// The admin changes a site's name, origins, thank-you page or consent version.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &SiteId,
    draft: &SiteDraft,
    seen_version: u64,
) -> Result<Site, AppError> {
    ensure_admin(actor)?;
    let site = load(state, id).await?;
    site.check_version(seen_version)?;
    let checked = draft.validate(false)?;
    let changed = site.with_settings(checked.settings)?;
    save(state, &site, &changed).await?;
    Ok(changed)
}

/// The site of a server-to-server post, by its `X-Site-Key` (one read, or none while this
/// instance's copy is under a minute old); 401 for a missing, unknown, rotated-away or
/// revoked key.
pub async fn by_key(state: &AppState, key: Option<&str>) -> Result<Site, AppError> {
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200);
    let Some(key) = key else {
        return Err(unknown_site());
    };
    let hash = auth::token_hash(key);
    let copy = format!("key:{hash}");
    if let Some(site) = state.lead_copies.sites.get(&copy) {
        return Ok(site);
    }
    // An unknown key is never kept: each try costs its read, as a wrong password does.
    let site = state
        .store
        .site_by_key_hash(&hash)
        .await?
        .ok_or_else(unknown_site)?;
    state.lead_copies.sites.put(copy, site.clone());
    Ok(site)
}

/// The site of a browser form, by its public form id (this instance's copy while under a
/// minute old); 401 for an unknown or revoked one.
pub async fn by_form_id(state: &AppState, form_id: Option<&str>) -> Result<Site, AppError> {
    let Some(id) = form_id.map(str::trim).and_then(SiteId::parse) else {
        return Err(unknown_site());
    };
    let copy = format!("form:{id}");
    if let Some(site) = state.lead_copies.sites.get(&copy) {
        return Ok(site);
    }
    match state.store.site(&id).await? {
        Some(site) if site.is_active() => {
            state.lead_copies.sites.put(copy, site.clone());
            Ok(site)
        }
        _ => Err(unknown_site()),
    }
}

/// The demo sites: (site id = form id, secret key, name, dealer or `None` for the brand's).
pub const DEMO_SITES: [(&str, &str, &str, Option<&str>); 5] = [
    (
        "site-dealer-1",
        "demo-site-1",
        "Сайт «Автоцентр Север»",
        Some("dealer-1"),
    ),
    (
        "site-dealer-2",
        "demo-site-2",
        "Сайт «Автоцентр Юг»",
        Some("dealer-2"),
    ),
    (
        "site-dealer-3",
        "demo-site-3",
        "Сайт «Автоцентр Урал»",
        Some("dealer-3"),
    ),
    (
        "site-dealer-4",
        "demo-site-4",
        "Сайт «Автоцентр Восток»",
        Some("dealer-4"),
    ),
    ("site-brand", "demo-brand-site", "Сайт бренда", None),
];

/// Where the demo sites' pages are served from: the README's example page on port 8081.
pub const DEMO_ORIGINS: [&str; 2] = ["http://127.0.0.1:8081", "http://localhost:8081"];

/// The demo network's sites with their fixed keys; running it again changes nothing.
pub async fn seed_demo(state: &AppState, network: &str) -> Result<usize, AppError> {
    let mut created = 0;
    for (id, key, name, dealer) in DEMO_SITES {
        let draft = SiteDraft {
            name: Some(name.to_owned()),
            dealer_id: dealer.map(str::to_owned),
            network_id: Some(network.to_owned()),
            origins: DEMO_ORIGINS.iter().map(|o| (*o).to_owned()).collect(),
            thank_you_url: None,
            consent_version: Some("demo-2026-01".to_owned()),
        };
        match issue_as_operator(state, &draft, Some(SiteId::new(id)), Some(key.to_owned())).await {
            Ok(_) => created += 1,
            // Seeded before (a restart of the same data dir).
            Err(e) if e.code() == "already_exists" => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}
