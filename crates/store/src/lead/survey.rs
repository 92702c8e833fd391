//! The customer survey's and the customer's privacy writes on the table.
//!
//! - The survey invitation: the lead's due marker (`LEAD#SURVEY` on `gsi3`) is removed in the
//!   same transaction that puts the invitation into the outbox, on the condition that the
//!   marker is still there — so however often the job runs, the letter is stored once.
//! - Anonymisation (152-ФЗ): the profile and every lead of the person are rewritten without
//!   personal data, their stored history lines scrubbed in place, each lead with its new
//!   history line, its survey marker removed — in one transaction when it fits.

use super::{CustomerWrite, LEAD_EVENT_TYPE, LEAD_TYPE, item_type, lead_to_item};
use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::keys;
use crate::mapping::{self, Item, Reader};
use crate::table::{GSI3, PK};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use dealerdesk_domain::Notice;
use dealerdesk_domain::lead::anonymise_history;
use dealerdesk_domain::lead::{Lead, LeadHistoryEntry, LeadId};
use std::future::Future;

/// DynamoDB's limit of items in one `TransactWriteItems`.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// One lead of a customer being anonymised: the lead after the change, the version read
/// and the change's new history line(s).
#[derive(Clone, Debug)]
pub struct LeadErasure<'a> {
    pub lead: &'a Lead,
    pub expected_version: u64,
    pub history: &'a [LeadHistoryEntry],
}

/// The survey's and the privacy rules' writes.
pub trait LeadSurveyRepo {
    /// The survey of `lead` was dealt with: its due marker is removed and `invitation` (when
    /// there is one: `None` for a lead that no longer gets a survey) stored in the outbox, in
    /// one transaction on the condition that the marker is still there. `false`: the marker
    /// was gone (an earlier run sent it), nothing was written.
    fn survey_sent(
        &self,
        lead: &LeadId,
        invitation: Option<&Notice>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores an anonymised customer: the profile (conditional on its version), its
    /// identity claims in `released_claims` removed (their keys are the phone and e-mail),
    /// and each of its leads (each conditional on its version) with their stored history scrubbed of
    /// personal texts, their new history line and their survey marker removed. One
    /// transaction when it fits DynamoDB's limit, else one per lead and the profile last (a
    /// retry finishes what an interrupted run left, since anonymising twice changes
    /// nothing). [`StoreError::Conflict`] when something changed meanwhile.
    fn anonymise_customer(
        &self,
        customer: CustomerWrite<'_>,
        released_claims: &[String],
        leads: &[LeadErasure<'_>],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Store {
    pub(crate) fn delete_item(
        &self,
        pk: String,
        sk: &str,
        must_exist: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut delete = Delete::builder()
            .table_name(&*self.table)
            .set_key(Some(Store::key(pk, sk)));
        if must_exist {
            delete = delete
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", PK);
        }
        let delete = delete
            .build()
            .map_err(|e| StoreError::Backend(format!("building a transaction Delete: {e}")))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// The writes that anonymise one stored lead.
    async fn erasure_writes(
        &self,
        erasure: &LeadErasure<'_>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let lead = erasure.lead;
        let mut writes = Vec::new();
        let mut escalate = None;
        let mut before = None;
        for item in self.partition(keys::lead_pk(lead.id())).await? {
            match item_type(&item) {
                Some(LEAD_EVENT_TYPE) => {
                    if let Some(scrubbed) = scrub_event(&item)? {
                        writes.push(self.put(scrubbed, Condition::none())?);
                    }
                }
                Some(LEAD_TYPE) => {
                    escalate = item.get(GSI3.sort_key).cloned();
                    before = Some(item);
                }
                _ => {}
            }
        }
        let mut item = lead_to_item(lead, None)?;
        // Anonymising changes no counter: the lead keeps what it counted.
        if let Some(tally) = before.as_ref().and_then(|b| b.get(super::stats::TALLY)) {
            item.insert(super::stats::TALLY.to_string(), tally.clone());
        }
        if let Some(sk) = escalate {
            // An escalation still owed stays owed: the dealer still has to react.
            item.insert(
                GSI3.partition_key.to_string(),
                mapping::string(keys::LEAD_ESCALATE_GSI3PK),
            );
            item.insert(GSI3.sort_key.to_string(), sk);
        }
        if let Some(before) = &before {
            let stamp = crate::AuditStamp::new(
                dealerdesk_domain::audit::AuditItem::new(
                    dealerdesk_domain::audit::AuditKind::Lead,
                    lead.id().as_str(),
                ),
                lead.updated_at(),
                None,
            );
            // Before the lead's own write, so a long lead's chunks scrub first (see
            // `chunks`).
            writes.extend(self.erasing_audit_writes(&stamp, before, &item).await?);
        }
        writes.push(self.put(item, Condition::version(erasure.expected_version))?);
        writes.push(self.lead_copy_write(lead)?);
        writes.extend(self.history_writes(lead, erasure.history)?);
        writes.push(self.delete_item(keys::lead_pk(lead.id()), keys::LEAD_SURVEY_SK, false)?);
        Ok(writes)
    }

    async fn transact_or_conflict(
        &self,
        items: Vec<TransactWriteItem>,
        entity: Entity,
    ) -> Result<(), StoreError> {
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => match cancelled.backend_failure() {
                Some(err) => Err(err),
                None => Err(StoreError::Conflict { entity }),
            },
        }
    }
}

/// A stored history line with its personal texts erased; `None` when it has none.
fn scrub_event(item: &Item) -> Result<Option<Item>, StoreError> {
    let r = Reader::new(item);
    let entry: LeadHistoryEntry = serde_json::from_str(r.str("data")?)
        .map_err(|e| r.corrupt(format_args!("`data` is not valid: {e}")))?;
    let scrubbed = anonymise_history(std::slice::from_ref(&entry));
    match scrubbed.into_iter().next() {
        Some(clean) if clean != entry => {
            let data = serde_json::to_string(&clean)
                .map_err(|e| StoreError::Corrupt(format!("lead history: {e}")))?;
            let mut item = item.clone();
            item.insert("data".to_string(), AttributeValue::S(data));
            Ok(Some(item))
        }
        _ => Ok(None),
    }
}

impl LeadSurveyRepo for Store {
    async fn survey_sent(
        &self,
        lead: &LeadId,
        invitation: Option<&Notice>,
    ) -> Result<bool, StoreError> {
        let mut items = vec![self.delete_item(keys::lead_pk(lead), keys::LEAD_SURVEY_SK, true)?];
        if let Some(notice) = invitation {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        match self.transact(items).await? {
            Ok(()) => Ok(true),
            Err(cancelled) => match cancelled.backend_failure() {
                Some(err) => Err(err),
                None => Ok(false),
            },
        }
    }

    async fn anonymise_customer(
        &self,
        customer: CustomerWrite<'_>,
        released_claims: &[String],
        leads: &[LeadErasure<'_>],
    ) -> Result<(), StoreError> {
        let mut per_lead = Vec::with_capacity(leads.len());
        for erasure in leads {
            per_lead.push(self.erasure_writes(erasure).await?);
        }
        let mut profile = self.customer_writes(&customer)?;
        for identity in released_claims {
            profile.push(self.delete_item(
                keys::customer_key_pk(identity),
                keys::CUSTOMER_KEY_SK,
                false,
            )?);
        }
        let total: usize = per_lead.iter().map(Vec::len).sum::<usize>() + profile.len();
        if total <= MAX_TRANSACTION_ITEMS {
            let items = per_lead.into_iter().flatten().chain(profile).collect();
            return self.transact_or_conflict(items, Entity::Customer).await;
        }
        for writes in per_lead {
            for chunk in chunks(writes) {
                self.transact_or_conflict(chunk, Entity::Lead).await?;
            }
        }
        self.transact_or_conflict(profile, Entity::Customer).await
    }
}

/// A long lead's writes in transactions DynamoDB accepts: the scrubbed history lines first,
/// the lead's own item (conditional on its version) at the end, so a retry after an
/// interruption scrubs again and then changes the lead.
fn chunks(writes: Vec<TransactWriteItem>) -> Vec<Vec<TransactWriteItem>> {
    let mut out: Vec<Vec<TransactWriteItem>> = Vec::new();
    let mut current = Vec::new();
    for w in writes {
        if current.len() == MAX_TRANSACTION_ITEMS {
            out.push(std::mem::take(&mut current));
        }
        current.push(w);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
