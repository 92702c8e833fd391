//! Open tickets on the sparse `gsi3` partition `QUEUE#OPEN`: the specialist queue, the
//! SLA watch's sweep, the auto-accept sweep, and the writes the scheduled jobs make.
//!
//! The index holds keys only and is eventually consistent in DynamoDB; the tickets are
//! then read by key, consistently, and a ticket that has left the queue meanwhile is passed
//! over. Every write here is still conditional on the version read, so a ticket changed
//! after that read is a [`StoreError::Conflict`] that changes nothing (the next run sees
//! the fresh one), never a duplicate notice.

use crate::QueueRepo;
use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, Keep, Listing};
use crate::keys;
use crate::mapping::{Item, attr};
use crate::table::GSI3;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use dealerdesk_domain::{Notice, Status, Ticket};

impl Store {
    /// The open tickets on the queue index, soonest watch time first: those whose sort
    /// key is below `below` (if given) and that `keep` accepts, checked on the items read
    /// (the index holds keys only).
    async fn open_tickets_where(
        &self,
        below: Option<String>,
        keep: Option<&Keep>,
    ) -> Result<Vec<Ticket>, StoreError> {
        let listing = Listing {
            to: below,
            newest_first: false,
            ..Listing::newest_first(&GSI3, keys::OPEN_TICKETS_GSI3PK.to_string())
        };
        self.listed_where(&listing, None, keep)
            .await?
            .iter()
            .map(crate::ticket::ticket_from_item)
            .collect()
    }
}

/// Whether a ticket item has waited in review since `since` or longer. A countdown stopped
/// by the dealer's remark has no `review_since`; a ticket stored before the countdown
/// existed has neither attribute and counts from its status start. Instants are compared
/// as stored (RFC 3339 in UTC with milliseconds, which sorts as it reads).
fn in_review_since(item: &Item, since: &str) -> bool {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    };
    if text(attr::STATUS) != Some(Status::InReview.code()) {
        return false;
    }
    match (
        text(attr::REVIEW_SINCE),
        item.contains_key(attr::REVIEW_PAUSED_AT),
    ) {
        (Some(review), _) => review <= since,
        (None, true) => false,
        (None, false) => text(attr::STATUS_SINCE).is_some_and(|at| at <= since),
    }
}

impl QueueRepo for Store {
    async fn open_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        self.open_tickets_where(None, None).await
    }

    async fn tickets_due_for_watch(&self, now: DateTime<Utc>) -> Result<Vec<Ticket>, StoreError> {
        self.open_tickets_where(Some(keys::watch_due_bound(now)), None)
            .await
    }

    async fn tickets_in_review_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<Ticket>, StoreError> {
        let since = keys::instant(since);
        let keep = move |item: &Item| in_review_since(item, &since);
        self.open_tickets_where(None, Some(&keep)).await
    }

    async fn save_ticket(
        &self,
        before: &Ticket,
        ticket: &Ticket,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        // A watch or an auto-acceptance: the ticket and its notices, no history event of
        // its own (auto-acceptance's event is written by the move that carries one).
        let write = AggregateWrite::new(
            Entity::Ticket,
            crate::ticket::ticket_to_item(ticket),
            before.version,
            notices,
        )
        .derive(crate::report::ticket_counters)
        .audit_against(
            crate::ticket::ticket_stamp(ticket, ticket.updated_at, None),
            crate::ticket::ticket_to_item(before),
        );
        self.save_aggregate(write).await.map(|_| ())
    }
}
