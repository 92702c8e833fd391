//! Open tickets on the sparse `gsi3` partition `QUEUE#OPEN`: the specialist queue, the
//! SLA watch's sweep, the auto-accept sweep, and the writes the scheduled jobs make.
//!
//! Index reads are eventually consistent in DynamoDB, so what a sweep reads may be a
//! version behind; every write here is conditional on the version read, so acting on a
//! stale copy is a [`StoreError::Conflict`] that changes nothing (the next run sees the
//! fresh one), never a duplicate notice.

use crate::QueueRepo;
use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{self, Item, attr};
use crate::table::GSI3;
use chrono::{DateTime, Utc};
use dealerdesk_domain::{Notice, Status, Ticket};

/// One Query of the open-tickets partition, every page.
struct OpenQuery<'a> {
    /// Extra key condition on the sort key (`#isk`), against the string value `:bound`.
    sort_condition: Option<(&'a str, String)>,
    filter: Option<Filter<'a>>,
}

/// A filter expression with its attribute names and string values.
struct Filter<'a> {
    expression: &'a str,
    names: Vec<(&'a str, &'a str)>,
    values: Vec<(&'a str, String)>,
}

impl Store {
    async fn open_query(&self, q: OpenQuery<'_>) -> Result<Vec<Ticket>, StoreError> {
        let mut tickets = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&*self.table)
                .index_name(GSI3.name)
                .expression_attribute_names("#ipk", GSI3.partition_key)
                .expression_attribute_values(":ipk", mapping::string(keys::OPEN_TICKETS_GSI3PK))
                .set_exclusive_start_key(start.take());
            query = match &q.sort_condition {
                Some((condition, bound)) => query
                    .key_condition_expression(format!("#ipk = :ipk AND {condition}"))
                    .expression_attribute_names("#isk", GSI3.sort_key)
                    .expression_attribute_values(":bound", mapping::string(bound.clone())),
                None => query.key_condition_expression("#ipk = :ipk"),
            };
            if let Some(filter) = &q.filter {
                query = query.filter_expression(filter.expression);
                for (placeholder, name) in &filter.names {
                    query = query.expression_attribute_names(*placeholder, *name);
                }
                for (placeholder, value) in &filter.values {
                    query = query
                        .expression_attribute_values(*placeholder, mapping::string(value.clone()));
                }
            }
            let out = query.send().await.map_err(|e| self.backend("Query", e))?;
            for item in out.items() {
                tickets.push(crate::ticket::ticket_from_item(item)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(tickets);
            }
        }
    }
}

impl QueueRepo for Store {
    async fn open_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        self.open_query(OpenQuery {
            sort_condition: None,
            filter: None,
        })
        .await
    }

    async fn tickets_due_for_watch(&self, now: DateTime<Utc>) -> Result<Vec<Ticket>, StoreError> {
        self.open_query(OpenQuery {
            sort_condition: Some(("#isk < :bound", keys::watch_due_bound(now))),
            filter: None,
        })
        .await
    }

    async fn tickets_in_review_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<Ticket>, StoreError> {
        self.open_query(OpenQuery {
            sort_condition: None,
            filter: Some(Filter {
                // A countdown stopped by the dealer's remark has no `review_since`; a
                // ticket stored before the countdown existed has neither attribute and
                // counts from its status start.
                expression: "#status = :in_review AND (#review <= :since OR \
                     (attribute_not_exists(#review) AND attribute_not_exists(#paused) \
                     AND #since <= :since))",
                names: vec![
                    ("#status", attr::STATUS),
                    ("#review", attr::REVIEW_SINCE),
                    ("#paused", attr::REVIEW_PAUSED_AT),
                    ("#since", attr::STATUS_SINCE),
                ],
                values: vec![
                    (":in_review", Status::InReview.code().to_string()),
                    (":since", keys::instant(since)),
                ],
            }),
        })
        .await
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
