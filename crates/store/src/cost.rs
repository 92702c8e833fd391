//! Time, cost and estimate storage (SPEC §2.3, §2.5, §2.6): the ticket's cost attributes,
//! its time ledger and cost history, the open-costs index and the completed-work
//! projection. The layout is documented in [`crate::keys`].

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, Listing};
use crate::keys;
use crate::mapping::{self, Item};
use crate::table::{GSI3, PK, SK};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{
    Billing, Category, Completed, CostEvent, CostEventKind, CostState, Criticality, Notice,
    Quarter, Role, Ticket, TicketCost, TicketId, TimeEntry, TimeEntryId, UserId,
};
use rust_decimal::Decimal;
use std::future::Future;
use std::str::FromStr;

/// A ticket's time ledger and cost history, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub time_entries: Vec<TimeEntry>,
    pub events: Vec<CostEvent>,
}

/// A resolved paid ticket as the estimate banner reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct CompletedWork {
    pub ticket_id: TicketId,
    pub work: Completed,
}

/// One change of a ticket's time or cost, written in one transaction: the ticket
/// (conditional on `previous.version`), the new time entry and cost event, the
/// completed-work projection kept in step, and the notices.
#[derive(Clone, Copy, Debug)]
pub struct LedgerWrite<'a> {
    /// The ticket as read; its version is the write's condition.
    pub previous: &'a Ticket,
    /// The changed ticket.
    pub ticket: &'a Ticket,
    pub time_entry: Option<&'a TimeEntry>,
    pub event: Option<&'a CostEvent>,
    pub notices: &'a [Notice],
}

/// Time entries, cost history, open costs and completed work.
pub trait CostRepo {
    /// A ticket's time entries and cost events, oldest first (one key-range query).
    fn ticket_ledger(
        &self,
        id: &TicketId,
    ) -> impl Future<Output = Result<Ledger, StoreError>> + Send;
    /// Writes a [`LedgerWrite`] in one transaction; [`StoreError::Conflict`] and nothing
    /// written when the stored ticket is no longer `previous.version`.
    fn save_ledger_write(
        &self,
        write: &LedgerWrite<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Resolved paid work of one category and criticality finished at or after `since`,
    /// oldest first.
    fn completed_work(
        &self,
        category: Category,
        criticality: Criticality,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<CompletedWork>, StoreError>> + Send;
    /// Tickets whose cost is pending or disputed and billed in `up_to` or an earlier
    /// quarter (the sparse `COST#OPEN` index; eventually consistent).
    fn open_costs(
        &self,
        up_to: Quarter,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;
}

// ---------------------------------------------------------------- attributes

const MINUTES: &str = "minutes";
const COST: &str = "cost";
const COST_STATE: &str = "cost_state";
const COST_QUARTER: &str = "cost_quarter";
const ESTIMATE_MINUTES: &str = "estimate_minutes";
const COMPLETED_AT: &str = "completed_at";

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn corrupt(item: &Item, what: impl std::fmt::Display) -> StoreError {
    let key = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => v.as_str(),
        _ => "?",
    };
    StoreError::Corrupt(format!("item {} / {}: {what}", key(PK), key(SK)))
}

fn opt_str<'a>(item: &'a Item, name: &str) -> Result<Option<&'a str>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(v)) => Ok(Some(v.as_str())),
        Some(_) => Err(corrupt(item, format_args!("`{name}` is not a string"))),
    }
}

fn str<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    opt_str(item, name)?.ok_or_else(|| corrupt(item, format_args!("`{name}` is missing")))
}

fn opt_num<T: FromStr>(item: &Item, name: &str) -> Result<Option<T>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map(Some)
            .map_err(|_| corrupt(item, format_args!("`{name}` = {v:?} is out of range"))),
        Some(_) => Err(corrupt(item, format_args!("`{name}` is not a number"))),
    }
}

fn num<T: FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    opt_num(item, name)?.ok_or_else(|| corrupt(item, format_args!("`{name}` is missing")))
}

fn code<T>(item: &Item, name: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let raw = str(item, name)?;
    parse(raw).ok_or_else(|| corrupt(item, format_args!("`{name}` = {raw:?} is not a known code")))
}

fn opt_code<T>(
    item: &Item,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    match opt_str(item, name)? {
        None => Ok(None),
        Some(raw) => parse(raw)
            .map(Some)
            .ok_or_else(|| corrupt(item, format_args!("`{name}` = {raw:?} is not a known code"))),
    }
}

fn instant(item: &Item, name: &str) -> Result<DateTime<Utc>, StoreError> {
    let raw = str(item, name)?;
    mapping::parse_instant(raw).ok_or_else(|| {
        corrupt(
            item,
            format_args!("`{name}` = {raw:?} is not an RFC 3339 instant"),
        )
    })
}

fn opt_instant(item: &Item, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    match opt_str(item, name)? {
        None => Ok(None),
        Some(_) => instant(item, name).map(Some),
    }
}

fn decimal(item: &Item, name: &str) -> Result<Decimal, StoreError> {
    let raw = str(item, name)?;
    Decimal::from_str(raw)
        .map_err(|_| corrupt(item, format_args!("`{name}` = {raw:?} is not a decimal")))
}

fn put_opt(item: &mut Item, name: &str, value: Option<AttributeValue>) {
    if let Some(value) = value {
        item.insert(name.to_string(), value);
    }
}

// ---------------------------------------------------------------- the ticket's cost

/// Adds the ticket's time and cost attributes, and the open-costs index keys while the
/// cost is pending or disputed. The cost itself is derived (rate × minutes) but stored as
/// well, for people and reports reading the table.
pub(crate) fn add_ticket_cost(item: &mut Item, ticket: &Ticket) {
    let cost = &ticket.cost;
    item.insert(MINUTES.into(), n(cost.minutes));
    item.insert(COST.into(), s(ticket.cost_amount().to_string()));
    item.insert(COST_STATE.into(), s(cost.state.code()));
    put_opt(item, COST_QUARTER, cost.quarter.map(|q| s(q.code())));
    put_opt(item, ESTIMATE_MINUTES, cost.estimate_minutes.map(n));
    put_opt(
        item,
        COMPLETED_AT,
        cost.completed_at.map(|at| s(keys::instant(at))),
    );
    if let (true, Some(quarter)) = (cost.is_open(), cost.quarter) {
        item.insert(GSI3.partition_key.into(), s(keys::COST_OPEN_GSI3PK));
        item.insert(
            GSI3.sort_key.into(),
            s(keys::cost_open_gsi3sk(quarter, &ticket.id)),
        );
    }
}

/// The ticket's time and cost. Tickets stored before costs existed read as no time and
/// nothing to confirm.
pub(crate) fn ticket_cost_from_item(item: &Item) -> Result<TicketCost, StoreError> {
    Ok(TicketCost {
        minutes: opt_num(item, MINUTES)?.unwrap_or(0),
        state: opt_code(item, COST_STATE, CostState::from_code)?.unwrap_or(CostState::None),
        quarter: opt_code(item, COST_QUARTER, Quarter::from_code)?,
        estimate_minutes: opt_num(item, ESTIMATE_MINUTES)?,
        completed_at: opt_instant(item, COMPLETED_AT)?,
    })
}

// ---------------------------------------------------------------- ledger items

pub(crate) fn time_entry_to_item(entry: &TimeEntry) -> Item {
    let mut item = Item::from([
        (PK.to_string(), s(keys::ticket_pk(&entry.ticket_id))),
        (SK.to_string(), s(keys::time_entry_sk(entry.at, &entry.id))),
        ("type".to_string(), s("time_entry")),
        ("id".to_string(), s(entry.id.as_str())),
        ("ticket_id".to_string(), s(entry.ticket_id.as_str())),
        ("specialist_id".to_string(), s(entry.specialist_id.as_str())),
        (MINUTES.to_string(), n(entry.minutes)),
        ("note".to_string(), s(&entry.note)),
        ("at".to_string(), s(keys::instant(entry.at))),
    ]);
    put_opt(
        &mut item,
        "corrects",
        entry.corrects.as_ref().map(|c| s(c.as_str())),
    );
    item
}

pub(crate) fn time_entry_from_item(item: &Item) -> Result<TimeEntry, StoreError> {
    Ok(TimeEntry {
        id: TimeEntryId::new(str(item, "id")?),
        ticket_id: TicketId::new(str(item, "ticket_id")?),
        specialist_id: UserId::new(str(item, "specialist_id")?),
        minutes: num(item, MINUTES)?,
        note: str(item, "note")?.to_string(),
        at: instant(item, "at")?,
        corrects: opt_str(item, "corrects")?.map(TimeEntryId::new),
    })
}

pub(crate) fn cost_event_to_item(ticket: &TicketId, event: &CostEvent) -> Item {
    let mut item = Item::from([
        (PK.to_string(), s(keys::ticket_pk(ticket))),
        (
            SK.to_string(),
            s(keys::cost_event_sk(event.at, event.version)),
        ),
        ("type".to_string(), s("cost_event")),
        ("ticket_id".to_string(), s(ticket.as_str())),
        ("version".to_string(), n(event.version)),
        ("at".to_string(), s(keys::instant(event.at))),
        ("kind".to_string(), s(event.kind.code())),
        ("from_cost_state".to_string(), s(event.from.code())),
        ("to_cost_state".to_string(), s(event.to.code())),
        (MINUTES.to_string(), n(event.minutes)),
        (COST.to_string(), s(event.cost.to_string())),
    ]);
    put_opt(
        &mut item,
        "actor_id",
        event.actor_id.as_ref().map(|a| s(a.as_str())),
    );
    put_opt(
        &mut item,
        "actor_role",
        event.actor_role.map(|r| s(r.code())),
    );
    put_opt(&mut item, "comment", event.comment.as_ref().map(s));
    put_opt(&mut item, "detail", event.detail.as_ref().map(s));
    item
}

pub(crate) fn cost_event_from_item(item: &Item) -> Result<CostEvent, StoreError> {
    Ok(CostEvent {
        at: instant(item, "at")?,
        version: num(item, "version")?,
        actor_id: opt_str(item, "actor_id")?.map(UserId::new),
        actor_role: opt_code(item, "actor_role", Role::from_code)?,
        kind: code(item, "kind", CostEventKind::from_code)?,
        from: code(item, "from_cost_state", CostState::from_code)?,
        to: code(item, "to_cost_state", CostState::from_code)?,
        comment: opt_str(item, "comment")?.map(str::to_string),
        detail: opt_str(item, "detail")?.map(str::to_string),
        minutes: num(item, MINUTES)?,
        cost: decimal(item, COST)?,
    })
}

// ---------------------------------------------------------------- completed work

/// The key of a ticket's completed-work item, when it has one.
fn projection_key(ticket: &Ticket) -> Option<(String, String)> {
    // A deleted ticket's work leaves the estimates until it is restored.
    if ticket.deleted.is_some() {
        return None;
    }
    let work = ticket.as_completed_work()?;
    Some((
        keys::completed_work_pk(work.category, work.criticality),
        keys::completed_work_sk(work.completed_at, &ticket.id),
    ))
}

/// The completed-work item of a resolved paid ticket with a cost.
pub(crate) fn completed_work_to_item(ticket: &Ticket) -> Option<Item> {
    let work = ticket.as_completed_work()?;
    let (pk, sk) = projection_key(ticket)?;
    Some(Item::from([
        (PK.to_string(), s(pk)),
        (SK.to_string(), s(sk)),
        ("type".to_string(), s("completed_work")),
        ("ticket_id".to_string(), s(ticket.id.as_str())),
        ("category".to_string(), s(work.category.code())),
        ("criticality".to_string(), s(work.criticality.code())),
        ("billing".to_string(), s(work.billing.code())),
        (
            COMPLETED_AT.to_string(),
            s(keys::instant(work.completed_at)),
        ),
        ("text".to_string(), s(work.text)),
        (COST.to_string(), s(work.cost.to_string())),
    ]))
}

pub(crate) fn completed_work_from_item(item: &Item) -> Result<CompletedWork, StoreError> {
    Ok(CompletedWork {
        ticket_id: TicketId::new(str(item, "ticket_id")?),
        work: Completed {
            category: code(item, "category", Category::from_code)?,
            criticality: code(item, "criticality", Criticality::from_code)?,
            billing: code(item, "billing", Billing::from_code)?,
            completed_at: instant(item, COMPLETED_AT)?,
            text: str(item, "text")?.to_string(),
            cost: decimal(item, COST)?,
        },
    })
}

// ---------------------------------------------------------------- transaction items

impl Store {
    fn transact_delete(&self, pk: String, sk: &str) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&*self.table)
            .set_key(Some(Store::key(pk, sk)))
            .build()
            .map_err(|e| StoreError::Backend(format!("building a transaction Delete: {e}")))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// The completed-work writes that take `previous` to `ticket`: the item of a newly
    /// resolved ticket, its cost kept in step after a correction, moved or removed when a
    /// reclassification or a correction changes what it is. Two writes on one item are
    /// not allowed in a transaction, so an unchanged key is one Put.
    pub(crate) fn completed_work_writes(
        &self,
        previous: Option<&Ticket>,
        ticket: &Ticket,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let old = previous.and_then(projection_key);
        let new = projection_key(ticket);
        let mut writes = Vec::new();
        if let Some((pk, sk)) = old.filter(|old| Some(old) != new.as_ref()) {
            writes.push(self.transact_delete(pk, &sk)?);
        }
        if let Some(item) = completed_work_to_item(ticket) {
            writes.push(self.put(item, Condition::none())?);
        }
        Ok(writes)
    }
}

impl CostRepo for Store {
    async fn ticket_ledger(&self, id: &TicketId) -> Result<Ledger, StoreError> {
        let mut ledger = Ledger::default();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(keys::ticket_pk(id)))
            .expression_attribute_values(":prefix", s(keys::LEDGER_SK_PREFIX))
            .consistent_read(true);
        for item in &self.query_all(query).await? {
            match item.get(SK) {
                Some(AttributeValue::S(sk)) if sk.starts_with(keys::TIME_ENTRY_SK_PREFIX) => {
                    ledger.time_entries.push(time_entry_from_item(item)?);
                }
                Some(AttributeValue::S(sk)) if sk.starts_with(keys::COST_EVENT_SK_PREFIX) => {
                    ledger.events.push(cost_event_from_item(item)?);
                }
                _ => return Err(corrupt(item, "unknown ledger item")),
            }
        }
        Ok(ledger)
    }

    async fn save_ledger_write(&self, write: &LedgerWrite<'_>) -> Result<(), StoreError> {
        let mut extra = Vec::new();
        if let Some(entry) = write.time_entry {
            extra.push(self.put(time_entry_to_item(entry), Condition::absent())?);
        }
        extra.extend(self.completed_work_writes(Some(write.previous), write.ticket)?);
        let mut aggregate = AggregateWrite::new(
            Entity::Ticket,
            crate::ticket::ticket_to_item(write.ticket),
            write.previous.version,
            write.notices,
        )
        .derive(crate::report::ticket_counters)
        .extra(extra);
        // Who: the cost step's actor (`None`: the cut-off), else the specialist who logged
        // the time.
        let (at, by) = match (write.event, write.time_entry) {
            (Some(event), _) => (event.at, event.actor_id.clone()),
            (None, Some(entry)) => (entry.at, Some(entry.specialist_id.clone())),
            (None, None) => (write.ticket.updated_at, None),
        };
        aggregate = aggregate.audit_against(
            crate::ticket::ticket_stamp(write.ticket, at, by),
            crate::ticket::ticket_to_item(write.previous),
        );
        if let Some(event) = write.event {
            aggregate = aggregate.event(cost_event_to_item(&write.ticket.id, event));
        }
        self.save_aggregate(aggregate).await.map(|_| ())
    }

    async fn completed_work(
        &self,
        category: Category,
        criticality: Criticality,
        since: DateTime<Utc>,
    ) -> Result<Vec<CompletedWork>, StoreError> {
        let mut work = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND #sk >= :since")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(keys::completed_work_pk(category, criticality)))
            .expression_attribute_values(":since", s(keys::instant(since)));
        for item in &self.query_all(query).await? {
            work.push(completed_work_from_item(item)?);
        }
        Ok(work)
    }

    async fn open_costs(&self, up_to: Quarter) -> Result<Vec<Ticket>, StoreError> {
        let mut tickets = Vec::new();
        let listing = Listing {
            // `2026-Q1#…` < `2026-Q2`: every quarter up to and including `up_to`.
            to: Some(up_to.next().code()),
            newest_first: false,
            ..Listing::newest_first(&GSI3, keys::COST_OPEN_GSI3PK.to_string())
        };
        for item in &self.listed(&listing).await? {
            tickets.push(crate::ticket::ticket_from_item(item)?);
        }
        Ok(tickets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::{DealerId, Status};
    use rust_decimal_macros::dec;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn ticket(status: Status, cost: TicketCost) -> Ticket {
        Ticket {
            id: TicketId::new("01JTICKET"),
            number: 1042,
            dealer_id: DealerId::new("d1"),
            author_id: UserId::new("u1"),
            title: "Разместить новость".into(),
            text: "Текст".into(),
            category: Category::IndividualNews,
            criticality: Criticality::High,
            billing: Billing::Paid,
            status,
            created_at: at(0),
            updated_at: at(5),
            assignee_id: None,
            version: 3,
            cost,
            status_since: at(5),
            review: (status == Status::InReview)
                .then_some(dealerdesk_domain::ReviewCountdown::Counting { since: at(5) }),
            free_by_choice: false,
            sla: dealerdesk_domain::SlaClock {
                started_at: at(0),
                due_at: None,
                warn_at: None,
                paused: false,
                breached: false,
                reacted_at: Some(at(1)),
                warning_sent: false,
                breach_reported: false,
            },
            deleted: None,
        }
    }

    fn pending() -> TicketCost {
        TicketCost {
            minutes: 10,
            state: CostState::Pending,
            quarter: Quarter::new(2026, 1),
            estimate_minutes: Some(15),
            completed_at: Some(at(5)),
        }
    }

    #[test]
    fn a_ticket_cost_round_trips_and_an_open_cost_is_indexed() {
        let t = ticket(Status::Resolved, pending());
        let item = crate::ticket::ticket_to_item(&t);
        assert_eq!(crate::ticket::ticket_from_item(&item), Ok(t.clone()));
        assert_eq!(item.get("cost"), Some(&s("590")));
        assert_eq!(item.get("gsi3pk"), Some(&s("COST#OPEN")));
        assert_eq!(item.get("gsi3sk"), Some(&s("2026-Q1#01JTICKET")));

        let confirmed = ticket(
            Status::Resolved,
            TicketCost {
                state: CostState::Confirmed,
                ..pending()
            },
        );
        let item = crate::ticket::ticket_to_item(&confirmed);
        assert!(
            !item.contains_key("gsi3pk"),
            "a settled cost leaves the index"
        );
        assert_eq!(crate::ticket::ticket_from_item(&item), Ok(confirmed));
    }

    #[test]
    fn a_ticket_stored_before_costs_reads_as_no_time() {
        let t = ticket(Status::Accepted, TicketCost::default());
        let mut item = crate::ticket::ticket_to_item(&t);
        for name in [MINUTES, COST, COST_STATE] {
            item.remove(name);
        }
        assert_eq!(crate::ticket::ticket_from_item(&item), Ok(t));
    }

    #[test]
    fn ledger_items_round_trip_and_sort_after_history() {
        let entry = TimeEntry {
            id: TimeEntryId::new("e2"),
            ticket_id: TicketId::new("t"),
            specialist_id: UserId::new("spec"),
            minutes: -20,
            note: "Лишнее".into(),
            at: at(1),
            corrects: Some(TimeEntryId::new("e1")),
        };
        let item = time_entry_to_item(&entry);
        assert_eq!(time_entry_from_item(&item), Ok(entry));
        let sk = match item.get(SK) {
            Some(AttributeValue::S(sk)) => sk.clone(),
            _ => unreachable!(),
        };
        assert!(sk.as_str() > keys::event_sk(at(1), 1).as_str() && sk.as_str() < keys::TICKET_SK);

        let event = CostEvent {
            at: at(2),
            version: 7,
            actor_id: None,
            actor_role: None,
            kind: CostEventKind::MovedToNextQuarter,
            from: CostState::Disputed,
            to: CostState::Disputed,
            comment: Some("Перенесено".into()),
            detail: None,
            minutes: 10,
            cost: dec!(590),
        };
        let item = cost_event_to_item(&TicketId::new("t"), &event);
        assert_eq!(cost_event_from_item(&item), Ok(event));

        let mut bad = item.clone();
        bad.insert("cost".into(), s("много"));
        assert!(matches!(
            cost_event_from_item(&bad),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn only_resolved_paid_work_with_a_cost_is_projected() {
        let t = ticket(Status::Resolved, pending());
        let item = completed_work_to_item(&t).unwrap();
        assert_eq!(item.get(PK), Some(&s("DONE#individual_news#high")));
        assert_eq!(item.get(SK), Some(&s("2026-03-02T09:05:00.000Z#01JTICKET")));
        let back = completed_work_from_item(&item).unwrap();
        assert_eq!(back.work.cost, dec!(590));
        assert_eq!(back.ticket_id, t.id);
        assert!(completed_work_to_item(&ticket(Status::Impossible, pending())).is_none());
        assert!(
            completed_work_to_item(&ticket(
                Status::Resolved,
                TicketCost {
                    minutes: 0,
                    ..pending()
                }
            ))
            .is_none()
        );
    }
}
