//! Soft-deleted tickets and leads (SPEC §4.7): the deleted lists and the ticket's delete /
//! restore save. A deleted aggregate keeps its partition — history, ledger, comments,
//! audit — and loses its index keys ([`crate::mapping::as_deleted`]), so every listing,
//! search, queue and job stops finding it; its kind's deleted list (`gsi2`
//! `DELETED#TICKETS` / `DELETED#LEADS`) finds it instead. A lead is deleted and restored
//! through the lead's own save ([`crate::LeadRepo::save_lead`]), which also drops a deleted
//! lead's survey marker.

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::table::GSI2;
use crate::{AuditStamp, Page, PageRequest};
use chrono::{DateTime, Utc};
use dealerdesk_domain::audit::{AuditItem, AuditKind};
use dealerdesk_domain::lead::Lead;
use dealerdesk_domain::{Ticket, UserId};
use std::future::Future;

/// The deleted lists and the ticket's deletion save.
pub trait RestoreRepo {
    /// A page of the deleted tickets, most recently deleted first.
    fn deleted_tickets(
        &self,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Ticket>, StoreError>> + Send;
    /// A page of the deleted leads, most recently deleted first.
    fn deleted_leads(
        &self,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Lead>, StoreError>> + Send;
    /// Stores a ticket deleted or restored by `by` at `at` (its `deleted` already set or
    /// cleared, its version bumped), conditional on `expected_version`, with its audit
    /// entry; its completed-work copy leaves (or rejoins) the estimates in the same
    /// transaction.
    fn save_ticket_deletion(
        &self,
        previous: &Ticket,
        ticket: &Ticket,
        by: &UserId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl RestoreRepo for Store {
    async fn deleted_tickets(&self, page: &PageRequest) -> Result<Page<Ticket>, StoreError> {
        self.page(
            &GSI2,
            keys::DELETED_TICKETS_GSI2PK.to_string(),
            None,
            page,
            crate::ticket::ticket_from_item,
        )
        .await
    }

    async fn deleted_leads(&self, page: &PageRequest) -> Result<Page<Lead>, StoreError> {
        self.page(
            &GSI2,
            keys::DELETED_LEADS_GSI2PK.to_string(),
            None,
            page,
            crate::lead::lead_from_item,
        )
        .await
    }

    async fn save_ticket_deletion(
        &self,
        previous: &Ticket,
        ticket: &Ticket,
        by: &UserId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Ticket,
            crate::ticket::ticket_to_item(ticket),
            previous.version,
            &[],
        )
        .derive(crate::report::ticket_counters)
        .extra(self.completed_work_writes(Some(previous), ticket)?)
        .audit_against(
            AuditStamp::new(
                AuditItem::new(AuditKind::Ticket, ticket.id.as_str()),
                at,
                Some(by.clone()),
            ),
            crate::ticket::ticket_to_item(previous),
        );
        self.save_aggregate(write).await.map(|_| ())
    }
}
