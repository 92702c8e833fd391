//! The dealer's dashboard («Личный кабинет», SPEC §3): the dealer's and its accountant's
//! start page at `/` and `GET /api/dashboard`; the dealer's account manager and admins
//! open any of theirs with `?dealer=`.
//!
//! What each reader gets follows the scope table: costs, the package and documents for
//! everyone who sees the dashboard; open tickets and wishes only for those who see tickets
//! and wishes (not the accountant); the survey banner only for the dealer's staff, who
//! answer it. Every figure is computed from one read of the dealer's tickets (the domain's
//! [`dashboard`](dealerdesk_domain::dashboard) counts), so the page costs a few queries.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::visibility::ensure_visible;
use chrono::{DateTime, Utc};
use dealerdesk_domain::billing::bill::bill_quarter;
use dealerdesk_domain::billing::document::DocumentLine;
use dealerdesk_domain::billing::issued::IssuedDocument;
use dealerdesk_domain::billing::subscription::Subscription;
use dealerdesk_domain::dashboard::{PackageUse, QuarterCosts, open_by_due, quarter_costs};
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::{Actor, DealerId, Quarter, Ticket, Wish, billing_quarter, platform_date};
use dealerdesk_store::{
    BillingRepo, DealerRecord, DirectoryRepo, DocumentRepo, PageRequest, TicketRepo, WishRepo,
};
use rust_decimal::Decimal;

/// Open tickets the dashboard lists at most (the ticket list has them all).
pub const OPEN_TICKETS_SHOWN: usize = 10;
/// Wishes the dashboard lists at most.
pub const WISHES_SHOWN: u32 = 5;
/// Documents the dashboard lists at most (the documents' page has them all).
pub const DOCUMENTS_SHOWN: u32 = 6;
/// Pages of a dealer's tickets read at most (100 each): the quarter's costs come from them.
const TICKET_PAGES: usize = 50;

/// Everything the dashboard shows of one dealer.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub dealer: DealerRecord,
    /// The quarter whose bill the costs so far go into.
    pub quarter: Quarter,
    /// The platform's date when it was read (an invoice past its due date is overdue).
    pub today: chrono::NaiveDate,
    pub costs: QuarterCosts,
    /// The dealer's hour package and how much of it is used; `None` without one.
    pub package: Option<PackageUse>,
    /// The quarter's subscription as its bill will have it; `None` without a subscription.
    pub subscription: Option<SubscriptionSum>,
    /// The latest invoices and acts, newest first.
    pub documents: Vec<IssuedDocument>,
    /// Soonest reaction due first; `None` when the reader does not see tickets.
    pub open_tickets: Option<Vec<Ticket>>,
    /// How many tickets are open in all.
    pub open_count: usize,
    /// Newest first; `None` when the reader does not see wishes.
    pub wishes: Option<Vec<Wish>>,
    /// The quarter whose survey the dealer still owes (dealer staff only).
    pub survey_due: Option<Quarter>,
}

/// Which dealer's dashboard `actor` opens: its own (dealer, accountant), or the one asked
/// for (the account manager of it, admins). Another dealer's is a 404.
pub async fn dealer_of(
    state: &AppState,
    actor: &Actor,
    asked: Option<&str>,
) -> Result<DealerRecord, AppError> {
    let scope = actor.scope(Area::Dashboard);
    if !scope.is_open() {
        return Err(AppError::forbidden());
    }
    let id = match (&actor.dealer_id, asked.filter(|d| !d.is_empty())) {
        (Some(own), None) => own.clone(),
        (_, Some(asked)) => DealerId::new(asked),
        (None, None) => {
            return Err(AppError::bad_request(
                "dealer_required",
                "Укажите дилера: ?dealer=<идентификатор>.",
            ));
        }
    };
    if id.as_str().len() > 64 {
        return Err(AppError::not_found());
    }
    ensure_visible(state, actor, Area::Dashboard, &id).await?;
    state
        .store
        .dealer(&id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Every ticket of `dealer`, newest first.
async fn dealer_tickets(state: &AppState, dealer: &DealerId) -> Result<Vec<Ticket>, AppError> {
    let mut tickets = Vec::new();
    let mut cursor = None;
    for _ in 0..TICKET_PAGES {
        let page = state
            .store
            .dealer_tickets(dealer, None, &PageRequest { limit: 100, cursor })
            .await?;
        tickets.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok(tickets)
}

/// The quarter's subscription: the lines its bill will have before any ticket work (ЦСО
/// and modules pro rata by days, connection fees of the quarter, the package), their sum at
/// the prices of the quarter, and the modules working today.
#[derive(Clone, Debug)]
pub struct SubscriptionSum {
    pub lines: Vec<DocumentLine>,
    pub total: Decimal,
    pub modules: Vec<&'static str>,
}

/// The subscription's sum for `quarter` — the same [`bill_quarter`] the bill run uses,
/// without the work, so the dashboard and the invoice cannot disagree.
async fn subscription_sum(
    state: &AppState,
    dealer: &DealerRecord,
    subscription: &Subscription,
    quarter: Quarter,
    today: chrono::NaiveDate,
) -> Result<SubscriptionSum, AppError> {
    let prices = state.store.price_lists(&dealer.network_id).await?;
    let bill = bill_quarter(quarter, subscription, &prices, &[]);
    Ok(SubscriptionSum {
        total: bill.lines.iter().map(|l| l.amount).sum(),
        lines: bill.lines,
        modules: subscription
            .modules_on(today)
            .map(|m| m.item.label())
            .collect(),
    })
}

/// The dashboard of the dealer `actor` opens (see [`dealer_of`]) at `now`.
pub async fn dashboard(
    state: &AppState,
    actor: &Actor,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Dashboard, AppError> {
    let dealer = dealer_of(state, actor, asked).await?;
    let quarter = billing_quarter(platform_date(now));
    let tickets = dealer_tickets(state, &dealer.id).await?;
    let costs = quarter_costs(&tickets, quarter);
    let stored = state.store.subscription(&dealer.id).await?;
    let package = stored
        .as_ref()
        .and_then(|s| s.package)
        .map(|p| PackageUse::of(p, costs.drawing_minutes()));
    let subscription = match &stored {
        Some(s) => Some(subscription_sum(state, &dealer, s, quarter, platform_date(now)).await?),
        None => None,
    };
    let latest = PageRequest {
        limit: DOCUMENTS_SHOWN,
        cursor: None,
    };
    let documents = state
        .store
        .dealer_documents(&dealer.id, None, &latest)
        .await?
        .items;
    let open = open_by_due(&tickets);
    let open_count = open.len();
    let sees_tickets = actor.scope(Area::Tickets).is_open();
    let open_tickets =
        sees_tickets.then(|| open.into_iter().take(OPEN_TICKETS_SHOWN).cloned().collect());
    let wishes = if actor.scope(Area::Wishes).is_open() {
        let page = PageRequest {
            limit: WISHES_SHOWN,
            cursor: None,
        };
        Some(state.store.dealer_wishes(&dealer.id, &page).await?.items)
    } else {
        None
    };
    let survey_due = if actor.filing_dealer() == Some(&dealer.id) {
        crate::dealer_survey::banner_due(state, &dealer.id, now).await?
    } else {
        None
    };
    Ok(Dashboard {
        dealer,
        quarter,
        today: platform_date(now),
        costs,
        package,
        subscription,
        documents,
        open_tickets,
        open_count,
        wishes,
        survey_due,
    })
}
