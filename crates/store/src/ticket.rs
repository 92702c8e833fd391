//! Tickets on the table: numbering, filing (with its idempotency record), moves with their
//! history and notices through the one aggregate save, and the dealer's and everyone's
//! listings through the one paging read.

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, CounterMoved, CounterStep, IdempotencyRecord, Listing, Saved};
use crate::keys;
use crate::mapping::{self, Builder, IDEMPOTENCY_TTL_SECONDS, Item, Reader, attr, n, with_status};
use crate::table::{GSI1, GSI2, GSI3, SK, TTL_ATTRIBUTE};
use crate::{
    CreateOutcome, Filed, Filing, IdempotencyKey, IdempotentResult, Page, PageRequest, TicketRepo,
};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{
    Action, Billing, Category, Criticality, DealerId, HistoryEvent, Notice, ReviewCountdown, Role,
    SlaClock, State, Status, Ticket, TicketId, UserId,
};

/// The audit stamp of a ticket's change.
pub(crate) fn ticket_stamp(
    ticket: &Ticket,
    at: DateTime<Utc>,
    by: Option<UserId>,
) -> crate::AuditStamp {
    crate::AuditStamp::new(
        dealerdesk_domain::audit::AuditItem::new(
            dealerdesk_domain::audit::AuditKind::Ticket,
            ticket.id.as_str(),
        ),
        at,
        by,
    )
}

/// The counter's value before the first ticket, so the first number is 1001.
const TICKET_NUMBER_BASE: u64 = 1000;

impl TicketRepo for Store {
    async fn create_ticket(
        &self,
        idempotency: Option<&IdempotencyKey>,
        mut build: impl FnMut(u64) -> Filing + Send,
    ) -> Result<Filed, StoreError> {
        let pk = keys::TICKET_NUMBER_COUNTER_PK;
        let sequence = &self.sequences.tickets;
        let under_way = sequence.begin();
        let mut in_transaction = under_way.alone;
        loop {
            let number = if in_transaction {
                self.known_number(sequence, pk, TICKET_NUMBER_BASE).await?
            } else {
                self.draw_number(sequence, pk, TICKET_NUMBER_BASE).await?
            };
            let filing = build(number);
            let ticket = &filing.ticket;
            let event = &filing.event;
            // The record's own clock is the ticket's, so an injected clock governs its expiry.
            let now = ticket.created_at;
            let record = idempotency.map(|key| IdempotencyRecord {
                item: idempotency_to_item(key, &ticket.id, now),
                pk: keys::idempotency_pk(&key.user_id, &key.key),
                sk: keys::IDEMPOTENCY_SK,
                now: now.timestamp(),
            });
            let mut write =
                AggregateWrite::new(Entity::Ticket, ticket_to_item(ticket), 0, &filing.notices)
                    .derive(crate::report::ticket_counters)
                    .event(event_to_item(&ticket.id, ticket.version, event))
                    .idempotency(record)
                    .audit(ticket_stamp(ticket, event.at, event.actor_id.clone()));
            if in_transaction {
                write = write.counter(CounterStep { pk, to: number });
            }
            match self.save_numbered(write).await {
                Ok(Ok(Saved::Written)) => return Ok(Filed::Created(Box::new(filing.ticket))),
                Ok(Ok(Saved::Replayed(first))) => {
                    if in_transaction {
                        sequence.give_back(number);
                    }
                    return Ok(Filed::Replayed(idempotent_result(&first)?));
                }
                // The counter moved past what this instance knew: draw the number instead
                // (a drawn number cannot be taken by anyone else).
                Ok(Err(CounterMoved(counter))) => {
                    if let Some(counter) = counter {
                        sequence.raise(counter);
                    }
                    in_transaction = false;
                }
                Err(err @ StoreError::Backend(_)) => {
                    // Whether it was written is unknown (an answer lost for good): the
                    // next create alone reads the counter.
                    if in_transaction {
                        sequence.forget();
                    }
                    return Err(err);
                }
                Err(err) => {
                    if in_transaction {
                        sequence.give_back(number);
                    }
                    return Err(err);
                }
            }
        }
    }

    async fn save_move_once(
        &self,
        before: &Ticket,
        ticket: &Ticket,
        event: &HistoryEvent,
        notices: &[Notice],
        key: &IdempotencyKey,
    ) -> Result<CreateOutcome, StoreError> {
        let now = event.at;
        let write = AggregateWrite::new(
            Entity::Ticket,
            ticket_to_item(ticket),
            before.version,
            notices,
        )
        .derive(crate::report::ticket_counters)
        .event(event_to_item(&ticket.id, ticket.version, event))
        .extra(self.completed_work_writes(None, ticket)?)
        .audit_against(
            ticket_stamp(ticket, event.at, event.actor_id.clone()),
            ticket_to_item(before),
        )
        .idempotency(Some(IdempotencyRecord {
            item: idempotency_to_item(key, &ticket.id, now),
            pk: keys::idempotency_pk(&key.user_id, &key.key),
            sk: keys::IDEMPOTENCY_SK,
            now: now.timestamp(),
        }));
        match self.save_aggregate(write).await? {
            Saved::Written => Ok(CreateOutcome::Created),
            Saved::Replayed(first) => Ok(CreateOutcome::Replayed(idempotent_result(&first)?)),
        }
    }

    async fn idempotent_result(
        &self,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentResult>, StoreError> {
        let Some(item) = self
            .get(
                keys::idempotency_pk(&key.user_id, &key.key),
                keys::IDEMPOTENCY_SK,
            )
            .await?
        else {
            return Ok(None);
        };
        // A record past its lifetime that TTL has not removed yet no longer counts.
        let r = Reader::new(&item);
        if r.u64(TTL_ATTRIBUTE)? < now.timestamp().max(0) as u64 {
            return Ok(None);
        }
        idempotent_result(&item).map(Some)
    }

    async fn ticket(&self, id: &TicketId) -> Result<Option<Ticket>, StoreError> {
        self.get(keys::ticket_pk(id), keys::TICKET_SK)
            .await?
            .map(|item| ticket_from_item(&item))
            .transpose()
    }

    async fn ticket_with_history(
        &self,
        id: &TicketId,
    ) -> Result<Option<(Ticket, Vec<HistoryEvent>)>, StoreError> {
        let mut ticket = None;
        let mut events = Vec::new();
        for item in &self.partition(keys::ticket_pk(id)).await? {
            if mapping::is_event(item) {
                events.push(event_from_item(item)?);
            } else if item.get(SK) == Some(&mapping::string(keys::TICKET_SK)) {
                ticket = Some(ticket_from_item(item)?);
            }
        }
        Ok(ticket.map(|t| (t, events)))
    }

    async fn save_move(
        &self,
        before: &Ticket,
        ticket: &Ticket,
        event: &HistoryEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Ticket,
            ticket_to_item(ticket),
            before.version,
            notices,
        )
        .derive(crate::report::ticket_counters)
        .event(event_to_item(&ticket.id, ticket.version, event))
        // A move that resolves paid work with a cost also records it for the estimate
        // banner (SPEC §2.5), in the same transaction.
        .extra(self.completed_work_writes(None, ticket)?)
        .audit_against(
            ticket_stamp(ticket, event.at, event.actor_id.clone()),
            ticket_to_item(before),
        );
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
            ticket_from_item,
        )
        .await
    }

    async fn every_dealer_ticket(&self, dealer: &DealerId) -> Result<Vec<Ticket>, StoreError> {
        let listing = Listing::newest_first(&GSI1, keys::dealer_tickets_gsi1pk(dealer));
        self.listed(&listing)
            .await?
            .iter()
            .map(ticket_from_item)
            .collect()
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
            ticket_from_item,
        )
        .await
    }
}

// ---------------------------------------------------------------- mapping: tickets and their history ⇄ items

pub(crate) fn ticket_to_item(ticket: &Ticket) -> Item {
    let listing_sk = keys::ticket_listing_sk(ticket.created_at, &ticket.id);
    let b = Builder::new(keys::ticket_pk(&ticket.id), keys::TICKET_SK, "ticket")
        .string(
            GSI1.partition_key,
            keys::dealer_tickets_gsi1pk(&ticket.dealer_id),
        )
        .string(GSI1.sort_key, listing_sk.clone())
        .string(GSI2.partition_key, keys::ALL_TICKETS_GSI2PK)
        .string(GSI2.sort_key, listing_sk)
        .string("id", ticket.id.as_str())
        .put("number", n(ticket.number))
        .string("dealer_id", ticket.dealer_id.as_str())
        .string("author_id", ticket.author_id.as_str())
        .opt_string(
            "assignee_id",
            ticket.assignee_id.as_ref().map(UserId::as_str),
        )
        .string("title", &ticket.title)
        .string("text", &ticket.text)
        .string("category", ticket.category.code())
        .string("criticality", ticket.criticality.code())
        .string("billing", ticket.billing.code())
        .string(attr::STATE, ticket.status.state().code())
        .instant("created_at", ticket.created_at)
        .instant("updated_at", ticket.updated_at)
        .put(attr::VERSION, n(ticket.version));
    let b = with_sla(b, ticket);
    let b = with_review(b, ticket).bool(attr::FREE_BY_CHOICE, ticket.free_by_choice);
    let mut item = with_status(b, attr::STATUS, attr::RESUME, ticket.status).build();
    crate::cost::add_ticket_cost(&mut item, ticket);
    if let Some(deleted) = &ticket.deleted {
        crate::mapping::as_deleted(
            &mut item,
            deleted,
            keys::DELETED_TICKETS_GSI2PK,
            keys::deleted_listing_sk(deleted.at, ticket.id.as_str()),
        );
    }
    item
}

/// The ticket's reaction clock as flat attributes (readable in the console, usable in
/// filters), its status start, and — while the ticket is open — its place on the sparse
/// open-tickets index, keyed by when the SLA watch next has something to do.
fn with_sla(b: Builder, ticket: &Ticket) -> Builder {
    let sla = &ticket.sla;
    let b = b
        .instant(attr::STATUS_SINCE, ticket.status_since)
        .instant("sla_started_at", sla.started_at)
        .opt_instant("sla_due_at", sla.due_at)
        .opt_instant("sla_warn_at", sla.warn_at)
        .opt_instant("sla_reacted_at", sla.reacted_at)
        .bool("sla_paused", sla.paused)
        .bool("sla_breached", sla.breached)
        .bool("sla_warning_sent", sla.warning_sent)
        .bool("sla_breach_reported", sla.breach_reported);
    if ticket.status.is_done() {
        return b;
    }
    b.string(GSI3.partition_key, keys::OPEN_TICKETS_GSI3PK)
        .string(
            GSI3.sort_key,
            keys::open_ticket_gsi3sk(sla.next_watch_at(), &ticket.id),
        )
}

/// The auto-acceptance countdown: `review_since` while it runs (the auto-accept sweep
/// filters on it), `review_paused_at` while the dealer's remark stops it.
fn with_review(b: Builder, ticket: &Ticket) -> Builder {
    let (since, paused) = match ticket.review {
        Some(ReviewCountdown::Counting { since }) => (Some(since), None),
        Some(ReviewCountdown::Paused { since }) => (None, Some(since)),
        None => (None, None),
    };
    b.opt_instant(attr::REVIEW_SINCE, since)
        .opt_instant(attr::REVIEW_PAUSED_AT, paused)
}

/// Reads the countdown written by [`with_review`]. A ticket in review stored before the
/// countdown existed counts from when its review began.
fn read_review(
    r: &Reader,
    status: Status,
    status_since: DateTime<Utc>,
) -> Result<Option<ReviewCountdown>, StoreError> {
    if status != Status::InReview {
        return Ok(None);
    }
    Ok(Some(
        match (
            r.opt_instant(attr::REVIEW_SINCE)?,
            r.opt_instant(attr::REVIEW_PAUSED_AT)?,
        ) {
            (_, Some(since)) => ReviewCountdown::Paused { since },
            (Some(since), None) => ReviewCountdown::Counting { since },
            (None, None) => ReviewCountdown::Counting {
                since: status_since,
            },
        },
    ))
}

/// Reads the clock written by [`with_sla`]. An item written before tickets carried a clock
/// has no `sla_started_at`: it reads as a clock started at creation that owes nothing
/// (paused while the ticket waits on the dealer), rather than as corrupt, so old local
/// data stays readable; its next move starts a real clock.
fn read_sla(r: &Reader, status: Status, created_at: DateTime<Utc>) -> Result<SlaClock, StoreError> {
    if r.opt_str("sla_started_at")?.is_none() {
        return Ok(SlaClock {
            started_at: created_at,
            due_at: None,
            warn_at: None,
            paused: status.waits_on_dealer(),
            breached: false,
            reacted_at: None,
            warning_sent: false,
            breach_reported: false,
        });
    }
    Ok(SlaClock {
        started_at: r.instant("sla_started_at")?,
        due_at: r.opt_instant("sla_due_at")?,
        warn_at: r.opt_instant("sla_warn_at")?,
        paused: r.flag("sla_paused")?,
        breached: r.flag("sla_breached")?,
        reacted_at: r.opt_instant("sla_reacted_at")?,
        warning_sent: r.flag("sla_warning_sent")?,
        breach_reported: r.flag("sla_breach_reported")?,
    })
}

pub(crate) fn ticket_from_item(item: &Item) -> Result<Ticket, StoreError> {
    let r = Reader::new(item);
    let status = r.status(attr::STATUS, attr::RESUME)?;
    // The state attribute drives the listing filter; one that disagrees with the status
    // would make the ticket show up under the wrong state.
    let state = r.str(attr::STATE)?;
    if state != status.state().code() {
        return Err(r.corrupt(format_args!(
            "`state` = {state:?} does not match status {:?}",
            status.code()
        )));
    }
    let created_at = r.instant("created_at")?;
    let updated_at = r.instant("updated_at")?;
    let sla = read_sla(&r, status, created_at)?;
    // Absent on items written before the attribute existed: their last change is the
    // best known start of the current status.
    let status_since = r.opt_instant(attr::STATUS_SINCE)?.unwrap_or(updated_at);
    let review = read_review(&r, status, status_since)?;
    let category = r.code("category", Category::from_code)?;
    let billing = r.code("billing", Billing::from_code)?;
    // Absent on items written before the attribute existed: a paid kind of work filed free
    // can only have been the dealer's choice then.
    let free_by_choice = match item.get(attr::FREE_BY_CHOICE) {
        Some(_) => r.flag(attr::FREE_BY_CHOICE)?,
        None => category.default_billing() == Billing::Paid && billing == Billing::Free,
    };
    Ok(Ticket {
        id: TicketId::new(r.string("id")?),
        number: r.u64("number")?,
        dealer_id: DealerId::new(r.string("dealer_id")?),
        author_id: UserId::new(r.string("author_id")?),
        assignee_id: r.opt_string("assignee_id")?.map(UserId::new),
        title: r.string("title")?,
        text: r.string("text")?,
        category,
        criticality: r.code("criticality", Criticality::from_code)?,
        billing,
        status,
        created_at,
        updated_at,
        status_since,
        sla,
        review,
        free_by_choice,
        version: r.u64(attr::VERSION)?,
        cost: crate::cost::ticket_cost_from_item(item)?,
        deleted: crate::mapping::deletion_from_item(&r)?,
    })
}

/// A history event of `ticket`; `version` is the ticket version the event produced.
pub(crate) fn event_to_item(ticket: &TicketId, version: u64, event: &HistoryEvent) -> Item {
    let b = Builder::new(
        keys::ticket_pk(ticket),
        &keys::event_sk(event.at, version),
        "event",
    )
    .string(attr::TICKET_ID, ticket.as_str())
    .put(attr::VERSION, n(version))
    .instant("at", event.at)
    .opt_string("actor_id", event.actor_id.as_ref().map(UserId::as_str))
    .opt_string("actor_role", event.actor_role.map(Role::code))
    .opt_string("action", event.action.map(Action::code))
    .opt_string("comment", event.comment.clone());
    let b = match event.from {
        Some(from) => with_status(b, "from_status", "from_resume", from),
        None => b,
    };
    with_status(b, "to_status", "to_resume", event.to).build()
}

pub(crate) fn event_from_item(item: &Item) -> Result<HistoryEvent, StoreError> {
    let r = Reader::new(item);
    Ok(HistoryEvent {
        at: r.instant("at")?,
        actor_id: r.opt_string("actor_id")?.map(UserId::new),
        actor_role: r.opt_code("actor_role", Role::from_code)?,
        action: r.opt_code("action", Action::from_code)?,
        from: r.opt_status("from_status", "from_resume")?,
        to: r.status("to_status", "to_resume")?,
        comment: r.opt_string("comment")?,
    })
}

/// The record that a create with `key` made `ticket`, alive for a day from `now`.
pub(crate) fn idempotency_to_item(
    key: &IdempotencyKey,
    ticket: &TicketId,
    now: DateTime<Utc>,
) -> Item {
    Builder::new(
        keys::idempotency_pk(&key.user_id, &key.key),
        keys::IDEMPOTENCY_SK,
        "idempotency",
    )
    .string(attr::TICKET_ID, ticket.as_str())
    .string("fingerprint", &key.fingerprint)
    .instant("created_at", now)
    .put(TTL_ATTRIBUTE, n(now.timestamp() + IDEMPOTENCY_TTL_SECONDS))
    .build()
}

/// What the request of an idempotency record did. A record written before fingerprints
/// were kept matches no request (its key is then refused for a different one, never
/// replayed wrongly).
pub(crate) fn idempotent_result(item: &Item) -> Result<IdempotentResult, StoreError> {
    let r = Reader::new(item);
    Ok(IdempotentResult {
        ticket: TicketId::new(r.string(attr::TICKET_ID)?),
        fingerprint: r.opt_string("fingerprint")?.unwrap_or_default(),
    })
}
