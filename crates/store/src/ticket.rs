//! Tickets on the table: numbering, filing (with its idempotency record), moves with their
//! history and notices through the one aggregate save, and the dealer's and everyone's
//! listings through the one paging read.

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, IdempotencyRecord, Saved};
use crate::keys;
use crate::mapping::{self, attr};
use crate::table::{GSI1, GSI2, PK, SK};
use crate::{CreateOutcome, IdempotencyKey, Page, PageRequest, TicketRepo};
use aws_sdk_dynamodb::types::ReturnValue;
use dealerdesk_domain::{DealerId, HistoryEvent, Notice, State, Ticket, TicketId};

/// The counter's value before the first ticket, so the first number is 1001.
const TICKET_NUMBER_BASE: u64 = 1000;

impl TicketRepo for Store {
    async fn next_ticket_number(&self) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::TICKET_NUMBER_COUNTER_PK.to_string(),
                keys::COUNTER_SK,
            )))
            .update_expression("SET #n = if_not_exists(#n, :base) + :one")
            .expression_attribute_names("#n", attr::COUNTER_VALUE)
            .expression_attribute_values(":base", mapping::number(TICKET_NUMBER_BASE))
            .expression_attribute_values(":one", mapping::number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        let attributes = out.attributes.ok_or_else(|| {
            StoreError::Backend("UpdateItem on the ticket counter returned nothing".into())
        })?;
        mapping::counter_value(&attributes)
    }

    async fn create_ticket(
        &self,
        ticket: &Ticket,
        event: &HistoryEvent,
        idempotency: Option<&IdempotencyKey>,
        notices: &[Notice],
    ) -> Result<CreateOutcome, StoreError> {
        // The record's own clock is the ticket's, so an injected clock governs its expiry.
        let now = ticket.created_at;
        let record = idempotency.map(|key| IdempotencyRecord {
            item: mapping::idempotency_to_item(key, &ticket.id, now),
            pk: keys::idempotency_pk(&key.user_id, &key.key),
            sk: keys::IDEMPOTENCY_SK,
            now: now.timestamp(),
        });
        let write =
            AggregateWrite::new(Entity::Ticket, mapping::ticket_to_item(ticket), 0, notices)
                .event(mapping::event_to_item(&ticket.id, ticket.version, event))
                .idempotency(record);
        match self.save_aggregate(write).await? {
            Saved::Written => Ok(CreateOutcome::Created),
            Saved::Replayed(first) => Ok(CreateOutcome::Replayed(mapping::idempotency_ticket(
                &first,
            )?)),
        }
    }

    async fn ticket(&self, id: &TicketId) -> Result<Option<Ticket>, StoreError> {
        self.get(keys::ticket_pk(id), keys::TICKET_SK)
            .await?
            .map(|item| mapping::ticket_from_item(&item))
            .transpose()
    }

    async fn ticket_with_history(
        &self,
        id: &TicketId,
    ) -> Result<Option<(Ticket, Vec<HistoryEvent>)>, StoreError> {
        let mut ticket = None;
        let mut events = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", mapping::string(keys::ticket_pk(id)))
            .consistent_read(true);
        for item in &self.query_all(query).await? {
            if mapping::is_event(item) {
                events.push(mapping::event_from_item(item)?);
            } else if item.get(SK) == Some(&mapping::string(keys::TICKET_SK)) {
                ticket = Some(mapping::ticket_from_item(item)?);
            }
        }
        Ok(ticket.map(|t| (t, events)))
    }

    async fn save_move(
        &self,
        ticket: &Ticket,
        expected_version: u64,
        event: &HistoryEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Ticket,
            mapping::ticket_to_item(ticket),
            expected_version,
            notices,
        )
        .event(mapping::event_to_item(&ticket.id, ticket.version, event))
        // A move that resolves paid work with a cost also records it for the estimate
        // banner (SPEC §2.5), in the same transaction.
        .extra(self.completed_work_writes(None, ticket)?);
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn dealer_tickets(
        &self,
        dealer: &DealerId,
        state: Option<State>,
        page: &PageRequest,
    ) -> Result<Page<Ticket>, StoreError> {
        let only = state.map(|s| (attr::STATE, s.code().to_string()));
        self.page(
            &GSI1,
            keys::dealer_tickets_gsi1pk(dealer),
            only,
            page,
            mapping::ticket_from_item,
        )
        .await
    }

    async fn all_tickets(
        &self,
        state: Option<State>,
        page: &PageRequest,
    ) -> Result<Page<Ticket>, StoreError> {
        let only = state.map(|s| (attr::STATE, s.code().to_string()));
        self.page(
            &GSI2,
            keys::ALL_TICKETS_GSI2PK.to_string(),
            only,
            page,
            mapping::ticket_from_item,
        )
        .await
    }
}
