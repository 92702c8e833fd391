//! Processing control (SPEC §4.4): each dealer's working hours for leads (edited by admins
//! and the dealer's account manager), the network's routing rules and representatives'
//! assignments (edited by the brand head office), the escalation job and the
//! representative's live view of overdue leads.

pub mod api;
pub mod jobs;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::visibility::{dealers_in_area, ensure_area, ensure_visible};
use chrono::{DateTime, Utc};
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::lead::{
    Assignments, DealerHours, DealerHoursDraft, NetworkFacts, NetworkRulesDraft, RoutingTable,
};
use dealerdesk_domain::lead::{EscalationStep, Lead, LeadStatus, working_deadline};
use dealerdesk_domain::{Actor, DealerId, NetworkId, Role};
use dealerdesk_store::{
    DealerRecord, DirectoryRepo, Entity, LeadNetwork, LeadNetworkRepo, LeadRepo, PageRequest,
    UserRecord, UserRepo,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One dealer's hours as an editor sees them.
#[derive(Clone, Debug)]
pub struct HoursOfDealer {
    pub dealer: DealerRecord,
    pub hours: DealerHours,
    /// Whether the hours were ever saved (otherwise they are the default).
    pub saved: bool,
}

/// The dealer, if the actor may edit its hours: 403 for a role that never may, 404 for a
/// dealer outside the actor's scope or unknown.
async fn editable_dealer(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<DealerRecord, AppError> {
    ensure_visible(state, actor, Area::DealerHours, dealer).await?;
    state
        .store
        .dealer(dealer)
        .await?
        .ok_or_else(AppError::not_found)
}

/// The dealers whose hours the actor edits, by name: every dealer for an admin, the dealers
/// an account manager looks after; anyone else 403.
pub async fn editable_dealers(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<DealerRecord>, AppError> {
    dealers_in_area(state, actor, Area::DealerHours).await
}

/// The dealer's hours for an admin or its account manager.
pub async fn hours(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<HoursOfDealer, AppError> {
    let record = editable_dealer(state, actor, dealer).await?;
    Ok(match state.store.dealer_hours(dealer).await? {
        Some(hours) => HoursOfDealer {
            dealer: record,
            hours,
            saved: true,
        },
        // Never set: the core's default (Monday to Friday 09:00–18:00) in the dealer's zone.
        None => HoursOfDealer {
            hours: crate::lead::default_hours(
                record
                    .timezone
                    .parse()
                    .unwrap_or(dealerdesk_domain::calendar::PLATFORM_TZ),
            ),
            dealer: record,
            saved: false,
        },
    })
}

/// An admin or the dealer's account manager sets the dealer's hours, checked field by
/// field first; the escalation clock of leads counts in them from then on, the dealer's
/// unprocessed leads included (their due index moves with the hours).
pub async fn change_hours(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
    draft: &DealerHoursDraft,
) -> Result<HoursOfDealer, AppError> {
    let current = hours(state, actor, dealer).await?;
    let next = draft.validate()?;
    if current.saved && next == current.hours {
        return Ok(current);
    }
    state
        .store
        .put_dealer_hours(dealer, &next, state.clock.now(), Some(&actor.user_id))
        .await?;
    // The reindex below and every later lead on this instance count in the new hours.
    state.lead_copies.hours.evict(dealer);
    let moved = reindex_unprocessed(state, dealer, &next).await?;
    tracing::info!(dealer = %dealer, by = %actor.user_id, leads = moved, "dealer hours changed");
    Ok(HoursOfDealer {
        hours: next,
        saved: true,
        dealer: current.dealer,
    })
}

/// Puts the dealer's unprocessed leads («Новый», «Не обработан») on the due index at their
/// next escalation under `hours` (the lead itself unchanged, at the version read); returns
/// how many moved. A lead saved meanwhile was indexed by its own save and is skipped.
async fn reindex_unprocessed(
    state: &AppState,
    dealer: &DealerId,
    hours: &DealerHours,
) -> Result<usize, AppError> {
    let calendar = crate::calendar::load(state).await?;
    let listing = dealerdesk_store::LeadListing::Dealer(dealer.clone());
    let mut moved = 0;
    for status in [LeadStatus::New, LeadStatus::NotProcessed] {
        let mut cursor = None;
        loop {
            let page = state
                .store
                .leads(&listing, Some(status), &PageRequest { limit: 100, cursor })
                .await?;
            for lead in page.items {
                let (escalate_at, tally) = crate::lead::derived_on(&lead, hours, &calendar);
                let saved = state
                    .store
                    .save_lead(dealerdesk_store::LeadSave {
                        before: &lead,
                        lead: &lead,
                        history: &[],
                        notices: &[],
                        escalate_at,
                        customer: None,
                        tally: tally.as_ref(),
                    })
                    .await;
                match saved {
                    Ok(()) => moved += 1,
                    Err(dealerdesk_store::StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(moved)
}

/// A network's lead settings as the head office edits them, with what the form offers.
#[derive(Clone, Debug)]
pub struct NetworkRules {
    pub network: NetworkId,
    /// The network's dealers, by name.
    pub dealers: Vec<DealerRecord>,
    /// Everyone with the role `regional_rep`, by name.
    pub reps: Vec<UserRecord>,
    pub routing: RoutingTable,
    pub assignments: Assignments,
    /// 0 while nothing was saved.
    pub version: u64,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_by: Option<dealerdesk_domain::UserId>,
    /// The rules as stored (`None` while nothing was saved): what a change replaces, for
    /// its audit entry without reading them again.
    pub stored: Option<LeadNetwork>,
}

/// The network the head office edits: the one named, else the only one there is (a
/// deployment serving several networks needs the name).
pub(crate) async fn network_of(
    state: &AppState,
    named: Option<&str>,
) -> Result<(NetworkId, Vec<DealerRecord>), AppError> {
    let dealers = state.store.dealers().await?;
    let networks: BTreeSet<NetworkId> = dealers.iter().map(|d| d.network_id.clone()).collect();
    let network = match named.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => networks
            .into_iter()
            .find(|n| n.as_str() == name)
            .ok_or_else(AppError::not_found)?,
        None if networks.len() == 1 => networks
            .into_iter()
            .next()
            .ok_or_else(AppError::not_found)?,
        None => {
            return Err(AppError::bad_request(
                "network_required",
                "Укажите сеть (параметр network): платформа обслуживает несколько сетей.",
            ));
        }
    };
    let mut mine: Vec<DealerRecord> = dealers
        .into_iter()
        .filter(|d| d.network_id == network)
        .collect();
    mine.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((network, mine))
}

/// The network's routing rules and assignments for the brand head office (and admins);
/// anyone else 403.
pub async fn network_rules(
    state: &AppState,
    actor: &Actor,
    named: Option<&str>,
) -> Result<NetworkRules, AppError> {
    ensure_area(actor, Area::LeadNetwork)?;
    let (network, dealers) = network_of(state, named).await?;
    let mut reps = state.store.users_with_role(Role::RegionalRep).await?;
    reps.sort_by(|a, b| a.name.cmp(&b.name));
    let saved = state.store.lead_network(&network).await?;
    let ids = dealers.iter().map(|d| d.id.clone());
    Ok(match saved {
        Some(s) => NetworkRules {
            routing: s.routing.clone().with_dealers(ids),
            assignments: s.assignments.clone(),
            version: s.version,
            updated_at: Some(s.updated_at),
            updated_by: s.updated_by.clone(),
            network,
            dealers,
            reps,
            stored: Some(s),
        },
        None => NetworkRules {
            routing: RoutingTable::new(ids),
            assignments: Assignments::new(),
            version: 0,
            updated_at: None,
            updated_by: None,
            network,
            dealers,
            reps,
            stored: None,
        },
    })
}

/// The head office replaces the network's rules and assignments, against the version it
/// saw (a stale one is 409); a rule naming a dealer outside the network, a region not in
/// the reference table or a user who is not a regional representative is 422.
pub async fn change_network_rules(
    state: &AppState,
    actor: &Actor,
    named: Option<&str>,
    draft: &NetworkRulesDraft,
    seen_version: u64,
) -> Result<NetworkRules, AppError> {
    let current = network_rules(state, actor, named).await?;
    let dealers: BTreeSet<DealerId> = current.dealers.iter().map(|d| d.id.clone()).collect();
    let reps = current.reps.iter().map(|u| u.id.clone()).collect();
    let (routing, assignments) = draft.validate(NetworkFacts {
        dealers: &dealers,
        reps: &reps,
        cities: crate::lead::cities(),
    })?;
    if current.version != seen_version {
        return Err(AppError::stale(Entity::LeadNetwork));
    }
    let now = state.clock.now();
    let next = LeadNetwork {
        network: current.network.clone(),
        routing,
        assignments,
        updated_at: now,
        updated_by: Some(actor.user_id.clone()),
        version: current.version + 1,
    };
    state
        .store
        .save_lead_network(current.stored.as_ref(), &next)
        .await?;
    state.lead_copies.networks.evict(&next.network);
    tracing::info!(network = %next.network, version = next.version, by = %actor.user_id, "lead routing rules changed");
    Ok(NetworkRules {
        routing: next.routing.clone(),
        assignments: next.assignments.clone(),
        version: next.version,
        updated_at: Some(now),
        updated_by: next.updated_by.clone(),
        stored: Some(next),
        ..current
    })
}

/// One overdue lead: still «Новый» or «Не обработан» past 2 working hours of its dealer.
#[derive(Clone, Debug)]
pub struct OverdueLead {
    pub lead: Lead,
    /// When its 2 working hours ran out.
    pub overdue_since: DateTime<Utc>,
}

/// A dealer's overdue leads, oldest first.
#[derive(Clone, Debug)]
pub struct OverdueGroup {
    pub dealer: DealerId,
    pub leads: Vec<OverdueLead>,
}

/// SPEC §4.4's live view: the unprocessed leads past their dealer's 2 working hours at
/// `now`, grouped by dealer (the dealer with the oldest first), oldest first in a group.
pub async fn overdue(
    state: &AppState,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<OverdueGroup>, AppError> {
    // A representative sees the leads they observe (their dealers and directions), a
    // dealer's staff their own, the head office and the operator the network's.
    let listing = crate::lead::listing_for(actor)?;
    let calendar = crate::calendar::load(state).await?;
    let mut hours: HashMap<DealerId, DealerHours> = HashMap::new();
    let mut by_dealer: BTreeMap<DealerId, Vec<OverdueLead>> = BTreeMap::new();
    for status in [LeadStatus::New, LeadStatus::NotProcessed] {
        let mut cursor = None;
        loop {
            let page = state
                .store
                .leads(&listing, Some(status), &PageRequest { limit: 100, cursor })
                .await?;
            for lead in page.items {
                if lead.is_processed() || lead.anonymised_at().is_some() {
                    continue;
                }
                let dealer = lead.dealer().clone();
                if !hours.contains_key(&dealer) {
                    let h = crate::lead::dealer_hours(state, &dealer).await?;
                    hours.insert(dealer.clone(), h);
                }
                let Some(dealer_hours) = hours.get(&dealer) else {
                    continue;
                };
                let since = working_deadline(
                    lead.created_at(),
                    EscalationStep::Dealer.after(),
                    dealer_hours,
                    &calendar,
                );
                if since <= now {
                    by_dealer.entry(dealer).or_default().push(OverdueLead {
                        lead,
                        overdue_since: since,
                    });
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    let mut groups: Vec<OverdueGroup> = by_dealer
        .into_iter()
        .map(|(dealer, mut leads)| {
            leads.sort_by_key(|l| (l.lead.created_at(), l.lead.id().clone()));
            OverdueGroup { dealer, leads }
        })
        .collect();
    groups.sort_by_key(|g| g.leads.first().map(|l| l.lead.created_at()));
    Ok(groups)
}
