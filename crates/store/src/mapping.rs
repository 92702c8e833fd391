//! Records ⇄ DynamoDB items: the generic attribute helpers ([`Builder`], [`Reader`]) every
//! feature's mapping uses. Each feature maps its own records in its own file (`ticket.rs`,
//! `wish.rs`, `user.rs`, …); the round-trip tests of tickets, users, dealers and sessions
//! still live here.
//!
//! Attribute conventions: codes (status, role, category, …) as their API strings,
//! numbers as `N`, instants as RFC 3339 UTC strings with millisecond precision (see
//! [`keys::instant`]; sub-millisecond parts are dropped), optional fields left out when
//! absent. Every item also carries `type`, so a human reading the table (or a future
//! migration) knows what it is without parsing keys.
//!
//! Reading never panics: anything missing, of the wrong type or unparsable is a
//! [`StoreError::Corrupt`] naming the item and the attribute.

use crate::error::StoreError;
use crate::keys;
use crate::table::{PK, SK};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use dealerdesk_domain::{Resume, Status};
use std::collections::HashMap;

/// One stored item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// How long an idempotency record protects a create (SPEC: a retried create is safe for
/// a day).
pub(crate) const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

pub(crate) const TYPE: &str = "type";

/// Attribute names shared with the queries and conditions in the repositories.
pub(crate) mod attr {
    pub const VERSION: &str = "version";
    pub const STATE: &str = "state";
    pub const STATUS: &str = "status";
    pub const RESUME: &str = "resume";
    pub const COUNTER_VALUE: &str = "n";
    pub const TICKET_ID: &str = "ticket_id";
    pub const USER_ID: &str = "user_id";
    pub const STATUS_SINCE: &str = "status_since";
    /// When the running auto-acceptance countdown started.
    pub const REVIEW_SINCE: &str = "review_since";
    /// When the dealer's remark stopped the auto-acceptance countdown.
    pub const REVIEW_PAUSED_AT: &str = "review_paused_at";
    /// The dealer filed a paid kind of work free (SPEC §2.2).
    pub const FREE_BY_CHOICE: &str = "free_by_choice";
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Builds an item attribute by attribute, leaving absent optionals out.
pub(crate) struct Builder(Item);

impl Builder {
    pub(crate) fn new(pk: String, sk: &str, kind: &str) -> Self {
        let mut item = Item::new();
        item.insert(PK.to_string(), s(pk));
        item.insert(SK.to_string(), s(sk));
        item.insert(TYPE.to_string(), s(kind));
        Builder(item)
    }

    pub(crate) fn put(mut self, name: &str, value: AttributeValue) -> Self {
        self.0.insert(name.to_string(), value);
        self
    }

    pub(crate) fn string(self, name: &str, value: impl Into<String>) -> Self {
        self.put(name, s(value))
    }

    pub(crate) fn opt_string(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.string(name, v),
            None => self,
        }
    }

    pub(crate) fn instant(self, name: &str, at: DateTime<Utc>) -> Self {
        self.string(name, keys::instant(at))
    }

    pub(crate) fn opt_instant(self, name: &str, at: Option<DateTime<Utc>>) -> Self {
        self.opt_string(name, at.map(keys::instant))
    }

    pub(crate) fn bool(self, name: &str, value: bool) -> Self {
        self.put(name, AttributeValue::Bool(value))
    }

    pub(crate) fn build(self) -> Item {
        self.0
    }
}

/// When and by whom a soft-deleted aggregate was deleted.
pub(crate) const DELETED_AT: &str = "deleted_at";
pub(crate) const DELETED_BY: &str = "deleted_by";

/// Makes `item` a deleted aggregate's (SPEC §4.7): every index key goes — so no listing,
/// search, queue or job finds it — and it sits on the deleted list of its kind instead
/// (`gsi2`: `partition` / `sort`), with who deleted it and when.
pub(crate) fn as_deleted(
    item: &mut Item,
    deleted: &dealerdesk_domain::audit::Deletion,
    partition: &str,
    sort: String,
) {
    for gsi in crate::table::TABLE_GSIS {
        item.remove(gsi.partition_key);
        item.remove(gsi.sort_key);
    }
    item.insert(crate::table::GSI2.partition_key.to_string(), s(partition));
    item.insert(crate::table::GSI2.sort_key.to_string(), s(sort));
    item.insert(DELETED_AT.to_string(), s(keys::instant(deleted.at)));
    item.insert(DELETED_BY.to_string(), s(deleted.by.as_str()));
}

/// The deletion [`as_deleted`] wrote, if any.
pub(crate) fn deletion_from_item(
    r: &Reader,
) -> Result<Option<dealerdesk_domain::audit::Deletion>, StoreError> {
    Ok(
        match (r.opt_instant(DELETED_AT)?, r.opt_string(DELETED_BY)?) {
            (Some(at), Some(by)) => Some(dealerdesk_domain::audit::Deletion {
                at,
                by: dealerdesk_domain::UserId::new(by),
            }),
            _ => None,
        },
    )
}

/// Reads typed attributes out of an item, naming the item in every error.
pub(crate) struct Reader<'a> {
    item: &'a Item,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(item: &'a Item) -> Self {
        Reader { item }
    }

    pub(crate) fn corrupt(&self, what: impl std::fmt::Display) -> StoreError {
        let key = |name: &str| match self.item.get(name) {
            Some(AttributeValue::S(v)) => v.as_str(),
            _ => "?",
        };
        StoreError::Corrupt(format!("item {} / {}: {what}", key(PK), key(SK)))
    }

    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<&'a str>, StoreError> {
        match self.item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(v)) => Ok(Some(v.as_str())),
            Some(_) => Err(self.corrupt(format_args!("`{name}` is not a string"))),
        }
    }

    pub(crate) fn str(&self, name: &str) -> Result<&'a str, StoreError> {
        self.opt_str(name)?
            .ok_or_else(|| self.corrupt(format_args!("`{name}` is missing")))
    }

    pub(crate) fn string(&self, name: &str) -> Result<String, StoreError> {
        self.str(name).map(str::to_string)
    }

    pub(crate) fn opt_string(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.opt_str(name)?.map(str::to_string))
    }

    pub(crate) fn u64(&self, name: &str) -> Result<u64, StoreError> {
        match self.item.get(name) {
            Some(AttributeValue::N(v)) => v
                .parse()
                .map_err(|_| self.corrupt(format_args!("`{name}` = {v:?} is not a whole number"))),
            Some(_) => Err(self.corrupt(format_args!("`{name}` is not a number"))),
            None => Err(self.corrupt(format_args!("`{name}` is missing"))),
        }
    }

    pub(crate) fn instant(&self, name: &str) -> Result<DateTime<Utc>, StoreError> {
        let raw = self.str(name)?;
        parse_instant(raw).ok_or_else(|| {
            self.corrupt(format_args!(
                "`{name}` = {raw:?} is not an RFC 3339 instant"
            ))
        })
    }

    pub(crate) fn opt_instant(&self, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self.opt_str(name)? {
            None => Ok(None),
            Some(_) => self.instant(name).map(Some),
        }
    }

    /// A flag; absent reads as `false`.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, StoreError> {
        match self.item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(false),
            Some(AttributeValue::Bool(b)) => Ok(*b),
            Some(_) => Err(self.corrupt(format_args!("`{name}` is not a boolean"))),
        }
    }

    /// A required code parsed by the domain's `from_code`.
    pub(crate) fn code<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let raw = self.str(name)?;
        parse(raw)
            .ok_or_else(|| self.corrupt(format_args!("`{name}` = {raw:?} is not a known code")))
    }

    /// An optional code parsed by the domain's `from_code`.
    pub(crate) fn opt_code<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_str(name)? {
            None => Ok(None),
            Some(raw) => parse(raw).map(Some).ok_or_else(|| {
                self.corrupt(format_args!("`{name}` = {raw:?} is not a known code"))
            }),
        }
    }

    /// A status stored as `<prefix>status` plus `<prefix>resume` for `need_info`.
    pub(crate) fn opt_status(
        &self,
        status: &str,
        resume: &str,
    ) -> Result<Option<Status>, StoreError> {
        let Some(code) = self.opt_str(status)? else {
            return Ok(None);
        };
        let resume = self.opt_code(resume, Resume::from_code)?;
        Status::from_code(code, resume).map(Some).ok_or_else(|| {
            self.corrupt(format_args!(
                "`{status}` = {code:?} with resume {resume:?} is not a known status"
            ))
        })
    }

    pub(crate) fn status(&self, status: &str, resume: &str) -> Result<Status, StoreError> {
        self.opt_status(status, resume)?
            .ok_or_else(|| self.corrupt(format_args!("`{status}` is missing")))
    }
}

/// Parses an instant written by [`keys::instant`] (any RFC 3339 offset is accepted).
pub(crate) fn parse_instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Writes a status as a code, plus where it resumes to when it is `need_info`.
pub(crate) fn with_status(
    b: Builder,
    status_attr: &str,
    resume_attr: &str,
    status: Status,
) -> Builder {
    b.string(status_attr, status.code())
        .opt_string(resume_attr, status.resume().map(Resume::code))
}

/// Whether an item of a ticket's partition is a history event (the rest is the ticket).
pub(crate) fn is_event(item: &Item) -> bool {
    matches!(item.get(SK), Some(AttributeValue::S(sk)) if sk.starts_with(keys::EVENT_SK_PREFIX))
}

/// A number attribute for expression values.
pub(crate) fn number(value: impl ToString) -> AttributeValue {
    n(value)
}

/// A string attribute for expression values.
pub(crate) fn string(value: impl Into<String>) -> AttributeValue {
    s(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::*;
    use crate::session::*;
    use crate::ticket::*;
    use crate::user::*;
    use crate::{DealerRecord, NetworkRecord, SessionRecord, UserRecord};
    use chrono::TimeZone;
    use dealerdesk_domain::{
        Action, Billing, Category, Criticality, DealerId, HistoryEvent, NetworkId, Resume, Role,
        SlaClock, Status, Ticket, TicketId, UserId,
    };

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn ticket(status: Status) -> Ticket {
        Ticket {
            id: TicketId::new("01JTICKET"),
            number: 1042,
            dealer_id: DealerId::new("d1"),
            author_id: UserId::new("u1"),
            title: "Разместить новость".into(),
            text: "Текст «новости»\nс переводом строки".into(),
            category: Category::IndividualNews,
            criticality: Criticality::High,
            billing: Billing::Paid,
            status,
            created_at: at(0),
            updated_at: at(5),
            assignee_id: Some(UserId::new("spec")),
            status_since: at(5),
            review: (status == Status::InReview)
                .then_some(dealerdesk_domain::ReviewCountdown::Counting { since: at(5) }),
            free_by_choice: false,
            sla: SlaClock {
                started_at: at(0),
                due_at: Some(at(180)),
                warn_at: Some(at(144)),
                paused: false,
                breached: true,
                reacted_at: Some(at(2)),
                warning_sent: true,
                breach_reported: false,
            },
            version: 7,
            cost: dealerdesk_domain::TicketCost::default(),
            deleted: None,
        }
    }

    const EVERY_STATUS: [Status; 8] = [
        Status::Accepted,
        Status::NeedInfo(Resume::Accepted),
        Status::NeedInfo(Resume::InProgress),
        Status::EstimateSent,
        Status::InProgress,
        Status::InReview,
        Status::Resolved,
        Status::Impossible,
    ];

    #[test]
    fn a_ticket_round_trips_in_every_status() {
        for status in EVERY_STATUS {
            let t = ticket(status);
            let item = ticket_to_item(&t);
            assert_eq!(ticket_from_item(&item), Ok(t), "{status:?}");
            assert_eq!(item.get("state"), Some(&s(status.state().code())));
            assert_eq!(item.contains_key("resume"), status.resume().is_some());
        }
    }

    #[test]
    fn a_tickets_reaction_clock_round_trips_running_paused_and_stopped() {
        let running = ticket(Status::Accepted);
        let paused = Ticket {
            sla: SlaClock {
                due_at: None,
                warn_at: None,
                paused: true,
                breached: false,
                warning_sent: false,
                ..running.sla
            },
            ..ticket(Status::NeedInfo(Resume::Accepted))
        };
        let stopped = Ticket {
            sla: SlaClock {
                due_at: None,
                warn_at: None,
                reacted_at: None,
                ..running.sla
            },
            ..ticket(Status::Resolved)
        };
        for t in [running, paused, stopped] {
            let item = ticket_to_item(&t);
            assert_eq!(ticket_from_item(&item), Ok(t.clone()));
            assert_eq!(item.contains_key("sla_due_at"), t.sla.due_at.is_some());
        }
    }

    #[test]
    fn an_open_ticket_sits_on_the_queue_index_by_its_next_watch_and_a_done_one_leaves_it() {
        // Warning sent: the next thing the watch does is at the due time.
        let item = ticket_to_item(&ticket(Status::InProgress));
        assert_eq!(item.get("gsi3pk"), Some(&s("QUEUE#OPEN")));
        assert_eq!(
            item.get("gsi3sk"),
            Some(&s("2026-03-02T12:00:00.000Z#01JTICKET"))
        );
        let mut quiet = ticket(Status::InReview);
        quiet.sla.due_at = None;
        quiet.sla.warn_at = None;
        let item = ticket_to_item(&quiet);
        assert_eq!(item.get("gsi3sk"), Some(&s("~#01JTICKET")));
        for done in [Status::Resolved, Status::Impossible] {
            let item = ticket_to_item(&ticket(done));
            assert!(
                !item.contains_key("gsi3pk") && !item.contains_key("gsi3sk"),
                "{done:?}"
            );
        }
    }

    #[test]
    fn a_ticket_item_written_before_the_sla_existed_still_reads() {
        let mut item = ticket_to_item(&ticket(Status::NeedInfo(Resume::InProgress)));
        item.retain(|k, _| !k.starts_with("sla_") && k != "status_since");
        let t = ticket_from_item(&item).unwrap();
        assert_eq!(t.sla.started_at, at(0));
        assert!(t.sla.paused && !t.sla.is_running() && !t.sla.breached);
        assert_eq!(t.status_since, at(5), "the last change stands in");
    }

    #[test]
    fn a_ticket_item_carries_its_listing_keys() {
        let item = ticket_to_item(&ticket(Status::Accepted));
        assert_eq!(item.get("pk"), Some(&s("TICKET#01JTICKET")));
        assert_eq!(item.get("sk"), Some(&s("TICKET")));
        assert_eq!(item.get("gsi1pk"), Some(&s("DEALER#d1#TICKETS")));
        assert_eq!(item.get("gsi2pk"), Some(&s("TICKETS")));
        assert_eq!(
            item.get("gsi2sk"),
            Some(&s("2026-03-02T09:00:00.000Z#01JTICKET"))
        );
        assert_eq!(item.get("number"), Some(&AttributeValue::N("1042".into())));
    }

    #[test]
    fn every_kind_of_history_event_round_trips() {
        let id = TicketId::new("t");
        let creation = HistoryEvent {
            at: at(0),
            actor_id: Some(UserId::new("u1")),
            actor_role: Some(Role::Dealer),
            action: None,
            from: None,
            to: Status::Accepted,
            comment: None,
        };
        let ask = HistoryEvent {
            at: at(1),
            actor_id: Some(UserId::new("spec")),
            actor_role: Some(Role::Specialist),
            action: Some(Action::AskInfo),
            from: Some(Status::InProgress),
            to: Status::NeedInfo(Resume::InProgress),
            comment: Some("Какой раздел?".into()),
        };
        let auto = HistoryEvent {
            at: at(2),
            actor_id: None,
            actor_role: None,
            action: Some(Action::AutoAccept),
            from: Some(Status::NeedInfo(Resume::Accepted)),
            to: Status::Resolved,
            comment: None,
        };
        for (version, event) in [(1, creation), (2, ask), (3, auto)] {
            let item = event_to_item(&id, version, &event);
            assert!(is_event(&item));
            assert_eq!(event_from_item(&item), Ok(event));
        }
    }

    #[test]
    fn users_dealers_networks_and_sessions_round_trip() {
        let user = UserRecord {
            id: UserId::new("u1"),
            email: "a@b.ru".into(),
            name: "Анна".into(),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new("d1")),
            password_hash: "$argon2id$…".into(),
            created_at: at(0),
        };
        assert_eq!(user_from_item(&user_to_item(&user)), Ok(user.clone()));
        assert_eq!(
            email_claim_user(&email_claim_to_item(&user)),
            Ok(UserId::new("u1"))
        );

        let dealer = DealerRecord {
            id: DealerId::new("d1"),
            network_id: NetworkId::new("n1"),
            name: "Автоцентр".into(),
            city: "Москва".into(),
            timezone: "Europe/Moscow".into(),
            account_manager_id: None,
        };
        assert_eq!(dealer_from_item(&dealer_to_item(&dealer)), Ok(dealer));

        let network = NetworkRecord {
            id: NetworkId::new("n1"),
            name: "NIVA".into(),
        };
        assert_eq!(network_from_item(&network_to_item(&network)), Ok(network));

        let session = SessionRecord {
            token_hash: "ab".repeat(32),
            user_id: UserId::new("u1"),
            role: Role::Specialist,
            dealer_id: None,
            csrf: "c".into(),
            created_at: at(0),
            expires_at: at(60),
        };
        let item = session_to_item(&session);
        assert_eq!(item.get("ttl"), Some(&n(at(60).timestamp())));
        assert_eq!(session_from_item(&item), Ok(session));
    }

    #[test]
    fn sub_millisecond_time_is_dropped_not_garbled() {
        let mut t = ticket(Status::Accepted);
        t.created_at = at(0) + chrono::Duration::nanoseconds(1_234_567);
        let back = ticket_from_item(&ticket_to_item(&t)).unwrap();
        assert_eq!(back.created_at, at(0) + chrono::Duration::milliseconds(1));
    }

    fn corrupt(item: &Item) -> String {
        match ticket_from_item(item) {
            Err(StoreError::Corrupt(msg)) => msg,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn a_corrupt_ticket_item_is_reported_not_panicked_on() {
        let good = ticket_to_item(&ticket(Status::NeedInfo(Resume::InProgress)));

        let mut item = good.clone();
        item.remove("title");
        assert!(corrupt(&item).contains("`title` is missing"));
        assert!(corrupt(&item).contains("TICKET#01JTICKET"));

        let mut item = good.clone();
        item.insert("version".into(), AttributeValue::N("-1".into()));
        assert!(corrupt(&item).contains("version"));

        let mut item = good.clone();
        item.insert("number".into(), s("1042"));
        assert!(corrupt(&item).contains("not a number"));

        let mut item = good.clone();
        item.remove("resume");
        assert!(corrupt(&item).contains("need_info"));

        let mut item = good.clone();
        item.insert("status".into(), s("lost"));
        corrupt(&item);

        let mut item = good.clone();
        item.insert("category".into(), s("haircut"));
        corrupt(&item);

        let mut item = good.clone();
        item.insert("created_at".into(), s("yesterday"));
        corrupt(&item);

        let mut item = good.clone();
        item.insert("state".into(), s("done"));
        assert!(corrupt(&item).contains("does not match"));

        let mut item = good.clone();
        item.insert("sla_due_at".into(), s("soon"));
        assert!(corrupt(&item).contains("sla_due_at"));

        let mut item = good.clone();
        item.insert("sla_breached".into(), s("yes"));
        assert!(corrupt(&item).contains("not a boolean"));

        let mut item = good;
        item.insert("title".into(), AttributeValue::Bool(true));
        corrupt(&item);

        corrupt(&Item::new());
    }

    #[test]
    fn a_corrupt_event_or_user_is_reported_not_panicked_on() {
        let mut item = Item::new();
        item.insert("at".into(), s("2026-03-02T09:00:00.000Z"));
        item.insert("to_status".into(), s("need_info"));
        assert!(matches!(
            event_from_item(&item),
            Err(StoreError::Corrupt(_))
        ));
        item.insert("to_resume".into(), s("resolved"));
        assert!(matches!(
            event_from_item(&item),
            Err(StoreError::Corrupt(_))
        ));

        let mut user = user_to_item(&UserRecord {
            id: UserId::new("u1"),
            email: "a@b.ru".into(),
            name: "Анна".into(),
            role: Role::Dealer,
            dealer_id: None,
            password_hash: "h".into(),
            created_at: at(0),
        });
        user.insert("role".into(), s("root"));
        assert!(matches!(user_from_item(&user), Err(StoreError::Corrupt(_))));
    }
}

// Wishes, comments and attachment descriptions: children of this module, so they share
// its `Builder` and `Reader`.
