//! The dealer's dashboard («Личный кабинет», SPEC §3): the dealer's and its accountant's
//! start page at `/` and `GET /api/dashboard`; the dealer's account manager and admins
//! open any of theirs with `?dealer=`.
//!
//! What each reader gets follows the scope table: costs, the package and documents for
//! everyone who sees the dashboard; open tickets and wishes only for those who see tickets
//! and wishes (not the accountant); the survey banner only for the dealer's staff, who
//! answer it. Every figure is computed from one read of the dealer's tickets — the bill run's
//! own read, [`TicketRepo::every_dealer_ticket`], whole, so the costs shown are the ones the
//! bill will count (the domain's [`dashboard`](dealerdesk_domain::dashboard) counts) — so
//! the page costs a few queries.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::visibility::ensure_dealer_visible;
use chrono::{DateTime, Utc};
use dealerdesk_domain::billing::bill::bill_quarter;
use dealerdesk_domain::billing::document::DocumentLine;
use dealerdesk_domain::billing::issued::IssuedDocument;
use dealerdesk_domain::billing::price_list::PriceLists;
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
    // One read of the dealer serves the visibility check (its account manager) and the page.
    let dealer = state
        .store
        .dealer(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    ensure_dealer_visible(actor, Area::Dashboard, &dealer)?;
    Ok(dealer)
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
fn subscription_sum(
    subscription: &Subscription,
    prices: &PriceLists,
    quarter: Quarter,
    today: chrono::NaiveDate,
) -> SubscriptionSum {
    let bill = bill_quarter(quarter, subscription, prices, &[]);
    SubscriptionSum {
        total: bill.lines.iter().map(|l| l.amount).sum(),
        lines: bill.lines,
        modules: subscription
            .modules_on(today)
            .map(|m| m.item.label())
            .collect(),
    }
}

/// The dashboard of the dealer `actor` opens (see [`dealer_of`]) at `now`.
pub async fn dashboard(
    state: &AppState,
    actor: &Actor,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Dashboard, AppError> {
    let dealer = dealer_of(state, actor, asked).await?;
    let today = platform_date(now);
    let quarter = billing_quarter(today);
    let sees_wishes = actor.scope(Area::Wishes).is_open();
    let answers_survey = actor.filing_dealer() == Some(&dealer.id);
    let latest = PageRequest {
        limit: DOCUMENTS_SHOWN,
        cursor: None,
    };
    let newest_wishes = PageRequest {
        limit: WISHES_SHOWN,
        cursor: None,
    };
    // The reads are independent of each other: sent together, the page waits for the
    // slowest one instead of their sum.
    let (tickets, stored, documents, prices, wishes, survey_due) = tokio::try_join!(
        async { Ok::<_, AppError>(state.store.every_dealer_ticket(&dealer.id).await?) },
        async { Ok(state.store.subscription(&dealer.id).await?) },
        async {
            Ok(state
                .store
                .dealer_documents(&dealer.id, None, &latest)
                .await?
                .items)
        },
        async { Ok(state.store.price_lists(&dealer.network_id).await?) },
        async {
            if !sees_wishes {
                return Ok(None);
            }
            let page = state
                .store
                .dealer_wishes(&dealer.id, &newest_wishes)
                .await?;
            Ok(Some(page.items))
        },
        async {
            if answers_survey {
                crate::dealer_survey::banner_due(state, &dealer.id, now).await
            } else {
                Ok(None)
            }
        },
    )?;
    let costs = quarter_costs(&tickets, quarter);
    let package = stored
        .as_ref()
        .and_then(|s| s.package)
        .map(|p| PackageUse::of(p, costs.drawing_minutes()));
    let subscription = stored
        .as_ref()
        .map(|s| subscription_sum(s, &prices, quarter, today));
    let open = open_by_due(&tickets);
    let open_count = open.len();
    let sees_tickets = actor.scope(Area::Tickets).is_open();
    let open_tickets =
        sees_tickets.then(|| open.into_iter().take(OPEN_TICKETS_SHOWN).cloned().collect());
    Ok(Dashboard {
        dealer,
        quarter,
        today,
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
