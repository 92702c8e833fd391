//! The lead CRM (SPEC §4): what every lead use case shares — who reads leads, loading a
//! lead the caller may see, creating one (routing → observer → customer profile → lead →
//! notices, one transaction) and saving a change with its escalation index. The areas
//! build on it, each in its own folder with the house shape (use cases, `api.rs`,
//! `portal.rs`, `views.rs`, `jobs.rs`, `routes.rs`).

pub mod card;
pub mod escalation;
pub mod intake;
pub mod privacy;
pub mod survey;

use crate::AppState;
use crate::calendar;
use crate::kernel::error::AppError;
use crate::kernel::fresh::Fresh;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::Site;
use dealerdesk_domain::lead::{
    CityTable, CustomerId, CustomerProfile, DealerHours, Lead, LeadHistoryEntry, LeadId,
    LeadSource, LeadTally, NewLead, Origin, Placement, RoutingTable, identify, identity_keys,
    new_lead_notices, route,
};
use dealerdesk_domain::{Actor, DealerId, NetworkId, Notice, Role, WorkingCalendar};
use dealerdesk_store::{
    CustomerRepo, CustomerWrite, DealerRecord, DirectoryRepo, LeadCreate, LeadCreated,
    LeadIdempotency, LeadListing, LeadNetwork, LeadNetworkRepo, LeadRepo, LeadSave, PostLimitRepo,
    PostLookup, StoreError,
};
use std::sync::OnceLock;

/// This instance's copies of what every lead post reads and people change rarely (issue
/// #12: the webhook at most four store calls), each used for a minute ([`Fresh`]) and
/// dropped at once by a change made on this instance. A change made on another instance is
/// seen here within the minute: a revoked or rotated site key is still taken for up to a
/// minute there (as a logout ends a session elsewhere), a lead may be routed by the rules
/// or timed by the hours of a minute ago, and a renamed dealer is named by its old name.
#[derive(Default)]
pub struct LeadCopies {
    /// Active sites by `key:<hash of the secret key>` and `form:<form id>`.
    pub(crate) sites: Fresh<String, Site>,
    /// Dealers (their network, name and zone).
    pub(crate) dealers: Fresh<DealerId, DealerRecord>,
    /// The networks' routing rules and representatives' assignments.
    pub(crate) networks: Fresh<NetworkId, LeadNetwork>,
    /// The dealers' working hours as the escalation clock reads them (defaults included).
    pub(crate) hours: Fresh<DealerId, DealerHours>,
}

/// A dealer, from this instance's copy when it is under a minute old.
pub async fn dealer(state: &AppState, id: &DealerId) -> Result<Option<DealerRecord>, AppError> {
    if let Some(copy) = state.lead_copies.dealers.get(id) {
        return Ok(Some(copy));
    }
    let dealer = state.store.dealer(id).await?;
    if let Some(d) = &dealer {
        state.lead_copies.dealers.put(id.clone(), d.clone());
    }
    Ok(dealer)
}

/// The customer's survey goes out this long after the lead (SPEC §4.5).
pub const SURVEY_AFTER: Duration = Duration::hours(24);

/// How often a create decides the customer profile again after a concurrent post of the
/// same person won the race for it.
const CREATE_ATTEMPTS: usize = 8;

/// The reference table of cities (regions and federal districts), parsed once.
pub fn cities() -> &'static CityTable {
    static CITIES: OnceLock<CityTable> = OnceLock::new();
    CITIES.get_or_init(CityTable::embedded)
}

/// Whether `actor` works with leads at all: dealers, regional representatives, the brand's
/// head office and the platform operator (SPEC §1); everyone else gets 403.
pub fn reads_leads(actor: &Actor) -> bool {
    actor.reads_leads()
}

/// The listing `actor` reads: a dealer its own leads, a representative the leads it
/// observes, the brand and the operator the whole network's.
pub fn listing_for(actor: &Actor) -> Result<LeadListing, AppError> {
    match (actor.role, &actor.dealer_id) {
        (Role::Dealer, Some(dealer)) => Ok(LeadListing::Dealer(dealer.clone())),
        (Role::RegionalRep, _) => Ok(LeadListing::Observer(actor.user_id.clone())),
        (Role::BrandAdmin | Role::Admin, _) => Ok(LeadListing::All),
        _ => Err(AppError::forbidden()),
    }
}

/// A lead with its history, if `actor` may see it: 403 for a role without leads, 404 for a
/// lead that does not exist or is not the caller's to see (so its existence does not leak).
pub async fn load_visible(
    state: &AppState,
    actor: &Actor,
    id: &LeadId,
) -> Result<(Lead, Vec<LeadHistoryEntry>), AppError> {
    if !reads_leads(actor) {
        return Err(AppError::forbidden());
    }
    match state.store.lead_with_history(id).await? {
        Some((lead, history)) if lead.visible_to(actor) => Ok((lead, history)),
        _ => Err(AppError::not_found()),
    }
}

/// The network's routing rules and assignments (this instance's copy when under a minute
/// old); before the brand saved any, every dealer of the network with no rules (a
/// brand-site lead then needs a chosen dealer).
pub async fn network_settings(
    state: &AppState,
    network: &NetworkId,
) -> Result<LeadNetwork, AppError> {
    if let Some(copy) = state.lead_copies.networks.get(network) {
        return Ok(copy);
    }
    if let Some(settings) = state.store.lead_network(network).await? {
        state
            .lead_copies
            .networks
            .put(network.clone(), settings.clone());
        return Ok(settings);
    }
    let dealers = state
        .store
        .dealers()
        .await?
        .into_iter()
        .filter(|d| &d.network_id == network)
        .map(|d| d.id);
    Ok(LeadNetwork {
        network: network.clone(),
        routing: RoutingTable::new(dealers),
        assignments: Default::default(),
        updated_at: DateTime::<Utc>::UNIX_EPOCH,
        updated_by: None,
        version: 0,
    })
}

/// A dealer's working hours for the escalation clock (this instance's copy when under a
/// minute old); until an admin sets them, Monday to Friday 09:00–18:00 in the dealer's own
/// time zone.
pub async fn dealer_hours(state: &AppState, dealer: &DealerId) -> Result<DealerHours, AppError> {
    if let Some(copy) = state.lead_copies.hours.get(dealer) {
        return Ok(copy);
    }
    let hours = match state.store.dealer_hours(dealer).await? {
        Some(hours) => hours,
        None => {
            let tz = self::dealer(state, dealer)
                .await?
                .and_then(|d| d.timezone.parse().ok())
                .unwrap_or(dealerdesk_domain::calendar::PLATFORM_TZ);
            default_hours(tz)
        }
    };
    state.lead_copies.hours.put(dealer.clone(), hours.clone());
    Ok(hours)
}

/// Monday to Friday 09:00–18:00 in `tz`, pre-holiday days an hour shorter.
pub fn default_hours(tz: chrono_tz::Tz) -> DealerHours {
    let day = Some((hm(9, 0), hm(18, 0)));
    DealerHours::new(
        tz,
        [day, day, day, day, day, None, None],
        Duration::hours(1),
    )
    .expect("09:00–18:00 with an hour's shortening is valid hours")
}

pub(crate) fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// What a save of `lead` stores beside it, both on its dealer's hours (read once): when
/// its next escalation falls due (`None`: none owed) and what it counts in the lead reports
/// (`None`: nothing, it is deleted).
pub async fn derived_of(
    state: &AppState,
    lead: &Lead,
    calendar: &WorkingCalendar,
) -> Result<(Option<DateTime<Utc>>, Option<LeadTally>), AppError> {
    let hours = dealer_hours(state, lead.dealer()).await?;
    Ok(derived_on(lead, &hours, calendar))
}

/// [`derived_of`] on hours the caller already holds.
pub fn derived_on(
    lead: &Lead,
    hours: &DealerHours,
    calendar: &WorkingCalendar,
) -> (Option<DateTime<Utc>>, Option<LeadTally>) {
    let escalate_at = if lead.anonymised_at().is_some() {
        None
    } else {
        lead.next_escalation_at(hours, calendar)
    };
    (escalate_at, LeadTally::of(lead, hours, calendar))
}

/// A lead to create: where it came from and what it says.
#[derive(Clone, Debug)]
pub struct LeadIntake {
    /// The brand network the post belongs to.
    pub network: NetworkId,
    /// A dealer's site (the lead stays with it) or the brand's (routed).
    pub origin: Origin,
    pub source: LeadSource,
    /// The checked draft.
    pub new: NewLead,
    /// A retried post is answered with the first lead.
    pub idempotency: Option<LeadIdempotency>,
}

/// What a create did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Intake {
    /// A new lead.
    Created(Lead),
    /// A retry of an earlier post: its lead, nothing written.
    Replayed(Lead),
}

impl Intake {
    /// The lead, new or first.
    pub fn lead(&self) -> &Lead {
        match self {
            Intake::Created(lead) | Intake::Replayed(lead) => lead,
        }
    }
}

/// The refusal of an idempotency key reused for a different post.
fn key_reused() -> AppError {
    AppError::Refused(Refusal::new(
        RefusalKind::Invalid,
        "idempotency_key_reused",
        "Этот ключ идемпотентности уже использован для другой заявки.",
    ))
}

/// Creates a lead: routes it (a dealer's site keeps it; the brand's goes to the chosen
/// dealer, else by city or region, else the default), finds its observer, joins or starts
/// the customer's profile, and stores lead, profile, identity claims, notices (the dealer's
/// and the customer's confirmation), the escalation index and the survey marker in one
/// transaction. A concurrent post of the same person makes the transaction fail; the
/// profile is then decided again, so one person always ends with one profile.
pub async fn create(state: &AppState, intake: LeadIntake) -> Result<Intake, AppError> {
    create_looked_up(state, intake, None).await
}

/// The identity keys of a post's customer (phone, e-mail) as its profile is decided.
pub fn post_identities(new: &NewLead) -> (Option<String>, Option<String>) {
    (
        identity_keys(new.phone.as_ref(), None).pop(),
        identity_keys(None, new.email.as_ref()).pop(),
    )
}

/// What the table knows of `new` before its create, in one read: the earlier post of its
/// idempotency and the profiles that claimed its phone and e-mail.
pub async fn look_up(
    state: &AppState,
    idempotency: Option<&LeadIdempotency>,
    new: &NewLead,
) -> Result<PostLookup, AppError> {
    let (phone, email) = post_identities(new);
    let identities: Vec<String> = phone.into_iter().chain(email).collect();
    Ok(state
        .store
        .look_up_post(
            idempotency.map(|i| (i.owner.as_str(), i.key.as_str())),
            &identities,
            state.clock.now(),
        )
        .await?)
}

/// The first lead of an earlier post `looked` found, answering a retry of it; the same key
/// with another body is 422.
pub async fn replay(
    state: &AppState,
    idempotency: &LeadIdempotency,
    looked: &PostLookup,
) -> Result<Option<Lead>, AppError> {
    let Some((lead, fingerprint)) = &looked.earlier else {
        return Ok(None);
    };
    if *fingerprint != idempotency.fingerprint {
        return Err(key_reused());
    }
    match state.store.lead(lead).await? {
        Some(first) => Ok(Some(first)),
        None => Err(StoreError::Conflict {
            entity: dealerdesk_store::Entity::Lead,
        }
        .into()),
    }
}

/// [`create`] with the look-up the caller made just before ([`look_up`]): its claims
/// decide the profile on the first attempt, so a new customer's lead reads nothing more.
pub async fn create_looked_up(
    state: &AppState,
    intake: LeadIntake,
    looked: Option<PostLookup>,
) -> Result<Intake, AppError> {
    let settings = network_settings(state, &intake.network).await?;
    let new = &intake.new;
    let routed = route(
        &intake.origin,
        new.chosen_dealer.as_ref(),
        new.city.as_deref(),
        cities(),
        &settings.routing,
    )?;
    let observer = settings
        .assignments
        .observer(&routed.dealer, new.kind.direction())
        .cloned();
    let calendar = calendar::load(state).await?;
    let hours = dealer_hours(state, &routed.dealer).await?;
    let dealer_name = self::dealer(state, &routed.dealer)
        .await?
        .map_or_else(|| routed.dealer.to_string(), |d| d.name);
    let id = LeadId::new(ulid::Ulid::new().to_string());
    let (phone_key, email_key) = post_identities(new);
    let mut first_look = looked;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let now = state.clock.now();
        // The caller's look-up serves the first attempt; a later one (a concurrent post of
        // the same person won) reads the claims again.
        let looked = match first_look.take() {
            Some(l) => l,
            None => look_up(state, None, new).await?,
        };
        let mut owners = looked.owners.into_iter();
        let by_phone = phone_key.as_ref().and_then(|_| owners.next().flatten());
        let by_email = email_key.as_ref().and_then(|_| owners.next().flatten());
        let decision = identify(
            new.phone.as_ref(),
            new.email.as_ref(),
            by_phone.as_ref(),
            by_email.as_ref(),
        );
        let existing = match decision.profile() {
            Some(profile) => state.store.customer(profile).await?,
            None => None,
        };
        let has_identity = phone_key.is_some() || email_key.is_some();
        let customer_id = match (&existing, has_identity) {
            (Some(p), _) => Some(p.id().clone()),
            (None, true) => Some(CustomerId::new(ulid::Ulid::new().to_string())),
            (None, false) => None,
        };
        let lead = Lead::create(
            id.clone(),
            new.clone(),
            intake.source,
            Placement {
                dealer: routed.dealer.clone(),
                observer: observer.clone(),
                customer: customer_id.clone(),
            },
            now,
        );
        // Claim every key of the lead that nobody claimed when we looked; a key claimed
        // meanwhile fails the transaction and the loop looks again.
        let new_claims: Vec<String> = [(&phone_key, &by_phone), (&email_key, &by_email)]
            .into_iter()
            .filter_map(|(key, owner)| key.clone().filter(|_| owner.is_none()))
            .collect();
        let profile: Option<(CustomerProfile, u64)> = match (existing, customer_id) {
            (Some(p), _) => Some((p.join(&lead, &decision, now), p.version())),
            (None, Some(cid)) => Some((CustomerProfile::new(cid, &lead, now), 0)),
            (None, None) => None,
        };
        // The customer's confirmation names the dealer that will call (so does the dealer's).
        let notices: Vec<Notice> = new_lead_notices(&lead)
            .into_iter()
            .map(|n| n.with("dealer_name", dealer_name.clone()))
            .collect();
        let (escalate_at, tally) = derived_on(&lead, &hours, &calendar);
        let survey_due = lead
            .person()
            .email
            .as_ref()
            .map(|_| lead.created_at() + SURVEY_AFTER);
        let outcome = state
            .store
            .create_lead(LeadCreate {
                lead: &lead,
                history: &[],
                notices: &notices,
                customer: profile.as_ref().map(|(p, expected)| CustomerWrite {
                    profile: p,
                    expected_version: *expected,
                    new_claims: new_claims.clone(),
                }),
                idempotency: intake.idempotency.clone(),
                escalate_at,
                survey_due,
                tally: tally.as_ref(),
                now,
            })
            .await;
        match outcome {
            Ok(LeadCreated::Created) => return Ok(Intake::Created(lead)),
            Ok(LeadCreated::Replayed { lead, fingerprint }) => {
                let same = intake
                    .idempotency
                    .as_ref()
                    .is_some_and(|i| i.fingerprint == fingerprint);
                if !same {
                    return Err(key_reused());
                }
                return match state.store.lead(&lead).await? {
                    Some(first) => Ok(Intake::Replayed(first)),
                    None => Err(AppError::from(StoreError::Conflict {
                        entity: dealerdesk_store::Entity::Lead,
                    })),
                };
            }
            Err(StoreError::Conflict { .. }) if attempt < CREATE_ATTEMPTS => {
                // Someone else's post of the same person won; back off a little, unevenly,
                // so fifty racing posts do not collide again in lockstep.
                let jitter = rand::random::<u64>() % (5 * attempt as u64 + 1);
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Stores a change of `before` made by the domain (`after` with its history lines and
/// notices), recomputing when the next escalation falls due and what it counts. A stale version is a 409
/// naming the lead.
pub async fn save_change(
    state: &AppState,
    before: &Lead,
    after: &Lead,
    history: &[LeadHistoryEntry],
    notices: &[Notice],
) -> Result<(), AppError> {
    let calendar = calendar::load(state).await?;
    let (escalate_at, tally) = derived_of(state, after, &calendar).await?;
    state
        .store
        .save_lead(LeadSave {
            before,
            lead: after,
            history,
            notices,
            escalate_at,
            customer: None,
            tally: tally.as_ref(),
        })
        .await?;
    Ok(())
}
