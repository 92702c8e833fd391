//! The quarterly bill run (SPEC §3): for every dealer with a subscription and the quarter
//! just ended, an invoice and an act — claimed with their number, drawn as PDF into the blob
//! store at `documents/<dealer>/<id>.pdf`, then issued with their e-mail to the dealer's staff
//! and accountants through the outbox.
//!
//! Each dealer is read by key (its subscription, its requisites, its tickets' partition of
//! the dealer index — whole, [`TicketRepo::every_dealer_ticket`], the read the dashboard
//! counts too —, its two documents), never the whole table. Each document goes through
//! claim → PDF → issue; a run that finds it claimed resumes it from the PDF, one that finds
//! it issued leaves it, so a double run or a run restarted after a crash issues every
//! document exactly once, and the year's numbers run without a gap or a repeat.

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::job::JobReport;
use chrono::{DateTime, Datelike, Utc};
use dealerdesk_domain::billing::bill::{
    BilledWork, Issue, QuarterBill, bill_quarter, document_date, document_number,
};
use dealerdesk_domain::billing::document::{Document, DocumentKind, DocumentRef};
use dealerdesk_domain::billing::issued::{DocumentStatus, IssuedDocument, document_id};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::{DealerId, Quarter, UserId, platform_date};
use dealerdesk_store::{
    BillingRepo, DealerRecord, DirectoryRepo, DocumentRepo, StoreError, TicketRepo,
};
use std::sync::Arc;

/// How often a claim retries when another run (or another dealer of this run) took the
/// number it read.
const CLAIM_ATTEMPTS: usize = 20;

/// Dealers billed at once. Drawing a document's PDF is the run's main work and runs on the
/// blocking pool, so while one dealer's PDFs are drawn others wait on the store: a run uses
/// every core and overlaps the store's latency. Two dealers claiming at the same moment
/// meet on the year's counter and one retries (`claim`), so numbers stay gapless; more at
/// once would only make those retries frequent.
const DEALERS_AT_ONCE: usize = 4;

/// The kinds issued per dealer and quarter, in numbering order.
const KINDS: [DocumentKind; 2] = [DocumentKind::Invoice, DocumentKind::Act];

/// The blob key of a document's PDF.
pub fn pdf_key(doc: &IssuedDocument) -> String {
    format!("documents/{}/{}.pdf", doc.dealer_id, doc.id)
}

/// The quarter a run at `now` bills: the one that ended last (in Moscow time).
pub fn quarter_ended_before(now: DateTime<Utc>) -> Quarter {
    Quarter::of(platform_date(now)).previous()
}

/// `Job::QuarterlyBills`: the quarter just ended, every dealer.
pub async fn quarterly_bills(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    bill(state, quarter_ended_before(now), now, &|_, _| {}).await
}

/// Bills `quarter` for every dealer, calling `progress(done, of)` after each dealer (the
/// command line's progress bar). A dealer that fails is logged and counted and the run goes
/// on; the next run resumes it.
pub async fn bill(
    state: &AppState,
    quarter: Quarter,
    now: DateTime<Utc>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: "quarterly_bills",
        ..JobReport::default()
    };
    let dealers = state.store.dealers().await?;
    let settings = state.store.billing_settings().await?;
    let Some(seller) = settings.seller.clone() else {
        return Err(AppError::Refused(Refusal::new(
            RefusalKind::Conflict,
            "seller_requisites_missing",
            "Укажите реквизиты платформы в платёжных настройках: без них счета не выставить.",
        )));
    };
    let total = dealers.len();
    let (seller, settings) = (Arc::new(seller), Arc::new(settings));
    let mut waiting = dealers.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut finished = 0;
    loop {
        while running.len() < DEALERS_AT_ONCE
            && let Some(dealer) = waiting.next()
        {
            let (state, seller, settings) = (state.clone(), seller.clone(), settings.clone());
            running.spawn(async move {
                let result = bill_dealer(&state, &dealer, quarter, &seller, &settings, now).await;
                (dealer, result)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((_, Ok(issued))) => report.done += issued,
            Ok((dealer, Err(e))) => {
                tracing::warn!(dealer = %dealer.id, quarter = %quarter, error = %e, "billing a dealer failed");
                report.failed += 1;
            }
            // A dealer's task that panicked: counted like a failure, resumed by the next run.
            Err(e) => {
                tracing::error!(quarter = %quarter, error = %e, "billing a dealer stopped");
                report.failed += 1;
            }
        }
        finished += 1;
        progress(finished, total);
    }
    Ok(report)
}

/// What a dealer's documents of `quarter` say today: the bill and the parties. `None` for a
/// dealer without a subscription (nothing to bill).
pub async fn compute(
    state: &AppState,
    dealer: &DealerRecord,
    quarter: Quarter,
    seller: &dealerdesk_domain::billing::document::Requisites,
    settings: &dealerdesk_domain::billing::requisites::BillingSettings,
) -> Result<Option<(QuarterBill, Issue)>, AppError> {
    let Some(subscription) = state.store.subscription(&dealer.id).await? else {
        return Ok(None);
    };
    if subscription.cso_since > quarter.last_day() {
        return Ok(None);
    }
    let buyer = state
        .store
        .dealer_requisites(&dealer.id)
        .await?
        .map(|r| r.requisites)
        .ok_or_else(|| {
            AppError::Refused(Refusal::new(
                RefusalKind::Conflict,
                "dealer_requisites_missing",
                format!(
                    "Укажите реквизиты дилера «{}»: без них счёт не выставить.",
                    dealer.name
                ),
            ))
        })?;
    let prices = state.store.price_lists(&dealer.network_id).await?;
    let work: Vec<BilledWork> = state
        .store
        .every_dealer_ticket(&dealer.id)
        .await?
        .iter()
        .filter_map(BilledWork::of)
        .collect();
    let bill = bill_quarter(quarter, &subscription, &prices, &work);
    let issue = Issue {
        seller: seller.clone(),
        buyer,
        basis: subscription.contract.clone(),
        vat: settings.vat,
        payment_days: settings.payment_days,
    };
    Ok(Some((bill, issue)))
}

/// Issues whatever of the dealer's two documents is not issued yet; how many it issued.
async fn bill_dealer(
    state: &AppState,
    dealer: &DealerRecord,
    quarter: Quarter,
    seller: &dealerdesk_domain::billing::document::Requisites,
    settings: &dealerdesk_domain::billing::requisites::BillingSettings,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut stored = Vec::new();
    for kind in KINDS {
        stored.push(
            state
                .store
                .document(&document_id(&dealer.id, quarter, kind, 0))
                .await?,
        );
    }
    if stored.iter().all(|d| {
        d.as_ref()
            .is_some_and(|d| d.status != DocumentStatus::Claimed)
    }) {
        return Ok(0);
    }
    // Computed only when something is left to claim, and only once for both documents.
    let mut computed = None;
    let mut issued = 0;
    for (kind, existing) in KINDS.into_iter().zip(stored) {
        let doc = match existing {
            Some(doc) => doc,
            None => {
                if computed.is_none() {
                    computed = compute(state, dealer, quarter, seller, settings).await?;
                }
                let Some((bill, issue)) = &computed else {
                    return Ok(issued);
                };
                let id = document_id(&dealer.id, quarter, kind, 0);
                let draft =
                    |number| bill.document(kind, number, issue, None, document_date(quarter));
                claim(state, &dealer.id, quarter, &id, &draft, None, None, now).await?
            }
        };
        if doc.status == DocumentStatus::Claimed && finish(state, &doc, now, None).await? {
            issued += 1;
        }
    }
    Ok(issued)
}

/// Claims document `id` with the next number of its year: retried while other runs take
/// numbers; a document someone else claimed meanwhile is theirs, read back. `replaced` is
/// the original a corrective document corrects, as read and as marked; `by` who claims
/// (`None`: the bill run), for the audit log.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn claim(
    state: &AppState,
    dealer: &DealerId,
    quarter: Quarter,
    id: &str,
    draft: &(dyn Fn(String) -> Document + Sync),
    replaced: Option<(&IssuedDocument, &IssuedDocument)>,
    by: Option<&UserId>,
    now: DateTime<Utc>,
) -> Result<IssuedDocument, AppError> {
    for _ in 0..CLAIM_ATTEMPTS {
        let year = draft(String::new()).date.year();
        let seen = state.store.document_counter(year).await?;
        let doc = IssuedDocument {
            id: id.to_string(),
            dealer_id: dealer.clone(),
            quarter,
            document: draft(document_number(year, seen + 1)),
            status: DocumentStatus::Claimed,
            claimed_at: now,
            issued_at: None,
            paid_at: None,
            paid_by: None,
            corrected_by: None,
            version: 1,
        };
        match state.store.claim_document(&doc, seen, replaced, by).await {
            Ok(()) => {
                tracing::info!(document = %doc.id, number = %doc.document.number, "document claimed");
                return Ok(doc);
            }
            Err(StoreError::AlreadyExists) if replaced.is_none() => {
                return state.store.document(id).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!("document {id} exists and cannot be read")).into()
                });
            }
            Err(StoreError::Conflict { .. } | StoreError::AlreadyExists) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::stale(dealerdesk_store::Entity::Document))
}

/// Draws the claimed document's PDF into the blob store and issues it with its e-mail, as
/// `by` (`None`: the bill run); false when another run issued it first.
pub(crate) async fn finish(
    state: &AppState,
    doc: &IssuedDocument,
    now: DateTime<Utc>,
    by: Option<&UserId>,
) -> Result<bool, AppError> {
    // Drawing is CPU work: on the blocking pool, so other dealers' reads go on meanwhile.
    let document = doc.document.clone();
    let pdf = tokio::task::spawn_blocking(move || super::documents::pdf_bytes(&document))
        .await
        .map_err(|e| AppError::Config(format!("drawing document {}: {e}", doc.id)))??;
    state
        .blobs
        .put(&pdf_key(doc), "application/pdf", pdf)
        .await?;
    let (next, notice) = doc.issue(now)?;
    match state
        .store
        .save_document(&next, doc, std::slice::from_ref(&notice), now, by)
        .await
    {
        Ok(()) => {
            tracing::info!(document = %doc.id, number = %doc.document.number, "document issued");
            Ok(true)
        }
        Err(StoreError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A corrective document's reference to the one it corrects.
pub(crate) fn reference(doc: &IssuedDocument) -> DocumentRef {
    DocumentRef {
        number: doc.document.number.clone(),
        date: doc.document.date,
    }
}
