//! The issued documents: the list (the dealer's own for its staff and accountant, its
//! dealers' for an account manager, any dealer's for admins), the PDF, the admin's payment
//! mark and corrective documents.

use crate::AppState;
use crate::billing::jobs::{claim, compute, finish, pdf_key, reference};
use crate::kernel::error::AppError;
use crate::kernel::visibility::{ensure_area, ensure_visible};
use dealerdesk_domain::billing::document::Document;
use dealerdesk_domain::billing::issued::{DocumentStatus, IssuedDocument, document_id};
use dealerdesk_domain::kernel::{Area, Owner, Scope};
use dealerdesk_domain::{Actor, DealerId, Quarter, Role};
use dealerdesk_store::{BillingRepo, DirectoryRepo, DocumentRepo, Entity, PageRequest};

/// A document's PDF as the renderer draws it.
pub fn pdf_bytes(document: &Document) -> Result<Vec<u8>, AppError> {
    dealerdesk_pdf::render(document)
        .map_err(|e| AppError::Config(format!("drawing document {}: {e}", document.number)))
}

/// Every document of `dealer` (all pages), optionally of one quarter.
async fn of_dealer(
    state: &AppState,
    dealer: &DealerId,
    quarter: Option<Quarter>,
) -> Result<Vec<IssuedDocument>, AppError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = state
            .store
            .dealer_documents(dealer, quarter, &PageRequest { limit: 100, cursor })
            .await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// The documents the actor sees, newest first: `dealer` narrows to one dealer (another's is
/// a 404 unless the actor sees it); claimed ones (not issued yet) are left out.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    dealer: Option<&DealerId>,
    quarter: Option<Quarter>,
) -> Result<Vec<IssuedDocument>, AppError> {
    ensure_area(actor, Area::Documents)?;
    let scope = actor.scope(Area::Documents);
    let mut docs = match (dealer, &scope) {
        (Some(dealer), _) => {
            ensure_visible(state, actor, Area::Documents, dealer).await?;
            of_dealer(state, dealer, quarter).await?
        }
        (None, Scope::OwnDealer(own)) => of_dealer(state, own, quarter).await?,
        (None, Scope::All) => {
            let mut all = Vec::new();
            let mut cursor = None;
            loop {
                let page = state
                    .store
                    .all_documents(quarter, &PageRequest { limit: 100, cursor })
                    .await?;
                all.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break all,
                }
            }
        }
        (None, _) => {
            let mut all = Vec::new();
            for d in state.store.dealers().await? {
                let owner = Owner {
                    dealer: &d.id,
                    account_manager: d.account_manager_id.as_ref(),
                };
                if scope.admits(&owner) {
                    all.extend(of_dealer(state, &d.id, quarter).await?);
                }
            }
            all
        }
    };
    docs.retain(|d| d.status != DocumentStatus::Claimed);
    docs.sort_by(|a, b| {
        (b.document.date, &b.document.number).cmp(&(a.document.date, &a.document.number))
    });
    Ok(docs)
}

/// One issued document the actor sees (another dealer's: 404).
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> Result<IssuedDocument, AppError> {
    ensure_area(actor, Area::Documents)?;
    let doc = state
        .store
        .document(id)
        .await?
        .filter(|d| d.status != DocumentStatus::Claimed)
        .ok_or_else(AppError::not_found)?;
    ensure_visible(state, actor, Area::Documents, &doc.dealer_id).await?;
    Ok(doc)
}

/// The document's PDF.
pub async fn pdf(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(IssuedDocument, Vec<u8>), AppError> {
    let doc = get(state, actor, id).await?;
    let bytes = match state.blobs.get(&pdf_key(&doc)).await? {
        Some(bytes) => bytes,
        // The blob store lost it: the document is data, so it is drawn again.
        None => pdf_bytes(&doc.document)?,
    };
    Ok((doc, bytes))
}

/// The version check of an admin's move.
fn check_version(doc: &IssuedDocument, seen: Option<u64>) -> Result<(), AppError> {
    let seen = seen.ok_or_else(|| {
        AppError::bad_request(
            "version_required",
            "Укажите версию документа, которую вы видели (поле version).",
        )
    })?;
    if seen != doc.version {
        return Err(AppError::stale(Entity::Document));
    }
    Ok(())
}

/// The admin marks an invoice paid.
pub async fn mark_paid(
    state: &AppState,
    actor: &Actor,
    id: &str,
    seen: Option<u64>,
) -> Result<IssuedDocument, AppError> {
    let doc = get(state, actor, id).await?;
    if actor.role != Role::Admin {
        return Err(AppError::forbidden());
    }
    check_version(&doc, seen)?;
    let now = state.clock.now();
    let next = doc.mark_paid(actor, now)?;
    state
        .store
        .save_document(&next, &doc, &[], now, Some(&actor.user_id))
        .await?;
    tracing::info!(document = %doc.id, by = %actor.user_id, "invoice marked paid");
    Ok(next)
}

/// The admin corrects a document: the quarter is billed again from today's data and a
/// corrective document (its own number, naming the original) is issued; the original stays
/// as it was, marked as corrected.
pub async fn correct(
    state: &AppState,
    actor: &Actor,
    id: &str,
    seen: Option<u64>,
) -> Result<IssuedDocument, AppError> {
    let doc = get(state, actor, id).await?;
    if actor.role != Role::Admin {
        return Err(AppError::forbidden());
    }
    check_version(&doc, seen)?;
    let dealer = state
        .store
        .dealer(&doc.dealer_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let settings = state.store.billing_settings().await?;
    let seller = settings.seller.clone().ok_or_else(AppError::not_found)?;
    let (bill, issue) = compute(state, &dealer, doc.quarter, &seller, &settings)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = state.clock.now();
    let date = dealerdesk_domain::platform_date(now);
    let corrects = Some(reference(&doc));
    let kind = doc.kind();
    let probe = bill.document(
        kind,
        doc.document.number.clone(),
        &issue,
        corrects.clone(),
        date,
    );
    doc.check_correction(actor, &probe)?;
    let n = 1 + doc
        .id
        .rsplit_once("-c")
        .and_then(|(_, n)| n.parse::<u32>().ok())
        .unwrap_or(0);
    let id = document_id(&doc.dealer_id, doc.quarter, kind, n);
    let replaced = IssuedDocument {
        corrected_by: Some(id.clone()),
        version: doc.version + 1,
        ..doc.clone()
    };
    let draft = |number| bill.document(kind, number, &issue, corrects.clone(), date);
    let corrective = claim(
        state,
        &doc.dealer_id,
        doc.quarter,
        &id,
        &draft,
        Some((&doc, &replaced)),
        Some(&actor.user_id),
        now,
    )
    .await?;
    finish(state, &corrective, now, Some(&actor.user_id)).await?;
    tracing::info!(original = %doc.id, corrective = %id, by = %actor.user_id, "document corrected");
    state
        .store
        .document(&id)
        .await?
        .ok_or_else(AppError::not_found)
}
