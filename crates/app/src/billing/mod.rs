//! Billing (SPEC §3): the network's price list (admin, versioned by date), each dealer's
//! subscription (admins and the dealer's account manager change it, the dealer reads its
//! own), the dealers' requisites and the platform's billing settings (requisites, VAT).
//!
//! Everything is read where it is used, never cached: a bill priced from a copy would not
//! be the bill of the price list in force.

pub mod api;
pub mod documents;
pub mod documents_api;
pub mod jobs;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::calendar::ensure_admin;
use crate::kernel::error::AppError;
use crate::kernel::visibility::{dealers_in_area, ensure_area, ensure_dealer_visible};
use crate::lead::escalation::network_of;
use dealerdesk_domain::billing::price_list::{PriceListDraft, PriceLists};
use dealerdesk_domain::billing::requisites::{
    BillingSettings, BillingSettingsDraft, RequisitesDraft,
};
use dealerdesk_domain::billing::subscription::{
    Subscription, SubscriptionChange, SubscriptionDraft, SubscriptionError, change_subscription,
    may_edit,
};
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::{Actor, DealerId, NetworkId, platform_date};
use dealerdesk_store::{BillingRepo, DealerRecord, DealerRequisites, DirectoryRepo, Entity};

/// The 400 of a write that does not say which version it saw.
fn version_required(what: &str) -> AppError {
    AppError::bad_request(
        "version_required",
        format!(
            "Укажите версию {what}, которую вы видели (поле version): так чужое изменение не потеряется."
        ),
    )
}

/// A network's price list for the admin: the network named, or the only one.
pub async fn price_lists(
    state: &AppState,
    actor: &Actor,
    network: Option<&str>,
) -> Result<(NetworkId, PriceLists), AppError> {
    ensure_admin(actor)?;
    let (network, _) = network_of(state, network).await?;
    let lists = state.store.price_lists(&network).await?;
    Ok((network, lists))
}

/// The admin adds a version of the network's price list from a date on, against the
/// version seen (a stale one is 409).
pub async fn add_price_list(
    state: &AppState,
    actor: &Actor,
    network: Option<&str>,
    draft: &PriceListDraft,
    seen_version: Option<u64>,
) -> Result<(NetworkId, PriceLists), AppError> {
    let (network, lists) = price_lists(state, actor, network).await?;
    let seen = seen_version.ok_or_else(|| version_required("прайс-листа"))?;
    if seen != lists.version {
        return Err(AppError::stale(Entity::PriceList));
    }
    let now = state.clock.now();
    let next = lists.add(actor, draft, platform_date(now))?;
    state
        .store
        .add_price_list(&network, &next, lists.version, now, &actor.user_id)
        .await?;
    tracing::info!(network = %network, from = %next.effective_from, by = %actor.user_id, "price list version added");
    let lists = state.store.price_lists(&network).await?;
    Ok((network, lists))
}

/// The platform's billing settings, for the admin.
pub async fn billing_settings(
    state: &AppState,
    actor: &Actor,
) -> Result<BillingSettings, AppError> {
    ensure_admin(actor)?;
    Ok(state.store.billing_settings().await?)
}

/// The admin changes the billing settings against the version seen.
pub async fn change_billing_settings(
    state: &AppState,
    actor: &Actor,
    draft: &BillingSettingsDraft,
    seen_version: Option<u64>,
) -> Result<BillingSettings, AppError> {
    let current = billing_settings(state, actor).await?;
    let seen = seen_version.ok_or_else(|| version_required("платёжных настроек"))?;
    if seen != current.version {
        return Err(AppError::stale(Entity::BillingSettings));
    }
    let (seller, vat, payment_days) = draft.validate()?;
    let next = BillingSettings {
        seller: Some(seller),
        vat,
        payment_days,
        version: current.version + 1,
    };
    if next.seller == current.seller
        && next.vat == current.vat
        && next.payment_days == current.payment_days
    {
        return Ok(current);
    }
    state
        .store
        .save_billing_settings(&next, &current, state.clock.now(), Some(&actor.user_id))
        .await?;
    tracing::info!(version = next.version, by = %actor.user_id, "billing settings changed");
    Ok(next)
}

/// A dealer's subscription as its readers see it.
#[derive(Clone, Debug)]
pub struct DealerSubscription {
    pub dealer: DealerRecord,
    /// None until an editor sets it.
    pub subscription: Option<Subscription>,
    /// Oldest first.
    pub history: Vec<SubscriptionChange>,
    /// The network's price list, to price the lines.
    pub prices: PriceLists,
}

/// The dealer, if the actor may see its subscription: 403 for a role that never may, 404
/// for a dealer outside the actor's scope or unknown.
async fn visible_dealer(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<DealerRecord, AppError> {
    ensure_area(actor, Area::Subscription)?;
    // One read of the dealer serves the visibility check (its account manager) and the page.
    let record = state
        .store
        .dealer(dealer)
        .await?
        .ok_or_else(AppError::not_found)?;
    ensure_dealer_visible(actor, Area::Subscription, &record)?;
    Ok(record)
}

/// The dealer's subscription with its history: the dealer's own staff, its account manager,
/// admins.
pub async fn subscription(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<DealerSubscription, AppError> {
    let record = visible_dealer(state, actor, dealer).await?;
    let subscription = state.store.subscription(dealer).await?;
    let mut history = state.store.subscription_history(dealer).await?;
    // In the order the changes were made, which the versions say even when clocks disagree
    // (a change stamped earlier than the one before it still came after it).
    history.sort_by_key(|c| c.version);
    let prices = state.store.price_lists(&record.network_id).await?;
    Ok(DealerSubscription {
        dealer: record,
        subscription,
        history,
        prices,
    })
}

/// An admin or the dealer's account manager changes the subscription against the version
/// seen (0: none yet); the dealer itself may only read it (403).
pub async fn change(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
    draft: &SubscriptionDraft,
    seen_version: Option<u64>,
) -> Result<DealerSubscription, AppError> {
    visible_dealer(state, actor, dealer).await?;
    if !may_edit(actor.role) {
        return Err(SubscriptionError::NotEditor.into());
    }
    let current = state.store.subscription(dealer).await?;
    let current_version = current.as_ref().map_or(0, |s| s.version);
    let seen = seen_version.ok_or_else(|| version_required("подписки"))?;
    if seen != current_version {
        return Err(AppError::stale(Entity::Subscription));
    }
    if let Some((next, change)) =
        change_subscription(current.as_ref(), actor, dealer, draft, state.clock.now())?
    {
        state
            .store
            .save_subscription(&next, current.as_ref(), &change)
            .await?;
        tracing::info!(dealer = %dealer, version = next.version, by = %actor.user_id, "subscription changed");
    }
    subscription(state, actor, dealer).await
}

/// A dealer's requisites for the admin: the dealer and what is stored (none yet).
pub async fn requisites(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<(DealerRecord, Option<DealerRequisites>), AppError> {
    ensure_admin(actor)?;
    let record = state
        .store
        .dealer(dealer)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((record, state.store.dealer_requisites(dealer).await?))
}

/// The admin sets a dealer's requisites against the version seen (0: none yet).
pub async fn change_requisites(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
    draft: &RequisitesDraft,
    seen_version: Option<u64>,
) -> Result<(DealerRecord, Option<DealerRequisites>), AppError> {
    let (record, current) = requisites(state, actor, dealer).await?;
    let current_version = current.as_ref().map_or(0, |r| r.version);
    let seen = seen_version.ok_or_else(|| version_required("реквизитов"))?;
    if seen != current_version {
        return Err(AppError::stale(Entity::Requisites));
    }
    let checked = draft.validate()?;
    if current.as_ref().is_some_and(|c| c.requisites == checked) {
        return Ok((record, current));
    }
    let next = DealerRequisites {
        dealer_id: dealer.clone(),
        requisites: checked,
        updated_at: state.clock.now(),
        updated_by: Some(actor.user_id.clone()),
        version: current_version + 1,
    };
    state
        .store
        .save_dealer_requisites(&next, current.as_ref())
        .await?;
    tracing::info!(dealer = %dealer, by = %actor.user_id, "dealer requisites changed");
    Ok((record, Some(next)))
}

/// The dealers whose subscriptions `actor` changes, by name: every dealer for admins, an
/// account manager's own; 403 for the roles that never change one.
pub async fn editable_dealers(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<DealerRecord>, AppError> {
    ensure_area(actor, Area::Subscription)?;
    if !may_edit(actor.role) {
        return Err(SubscriptionError::NotEditor.into());
    }
    dealers_in_area(state, actor, Area::Subscription).await
}
