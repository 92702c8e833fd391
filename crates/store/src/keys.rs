//! Every key string of the table, and nothing else.
//!
//! DealerDesk keeps all its data in one DynamoDB table whose primary key is two strings,
//! `pk` and `sk`, with three overloaded global secondary indexes (`gsi1`, `gsi2`, `gsi3`;
//! see [`crate::TABLE_GSIS`]). No other module formats a key: a key written here is the only
//! spelling of it, so a reader and a writer can never disagree.
//!
//! The indexes project keys only (issue #12): an index entry is the item's `pk` and `sk`
//! with that index's two keys, nothing else, so the "index keys" column below is all an
//! index holds of an item; the item itself is read from the table by its `pk` / `sk`. A
//! reader that needs only what the keys spell (the survey sweep: the lead from `pk`, the due
//! time from the sort key, [`lead_due_from_keys`]) reads no item.
//!
//! # Item layout
//!
//! | item | `pk` | `sk` | index keys |
//! |---|---|---|---|
//! | network | `NETWORK#<id>` | `NETWORK` | — |
//! | dealer | `DEALER#<id>` | `DEALER` | gsi1: `DEALERS` / `<name>#<id>` |
//! | user | `USER#<id>` | `USER` | — |
//! | e-mail claim | `EMAIL#<email>` | `EMAIL` | — |
//! | session | `SESSION#<sha256 hex>` | `SESSION` | — (`ttl` = expiry) |
//! | ticket | `TICKET#<id>` | `TICKET` | gsi1: `DEALER#<dealer>#TICKETS` / `<created>#<id>`; gsi2: `TICKETS` / `<created>#<id>`; gsi3 while open: `QUEUE#OPEN` / `<watch>#<id>` |
//! | history event | `TICKET#<id>` | `EVENT#<at>#<version>` | — |
//! | ticket number counter | `COUNTER#TICKET_NUMBER` | `COUNTER` | — |
//! | idempotency record | `IDEMP#<user>#<key>` | `IDEMP` | — (`ttl` = 24 h) |
//! | outbox notice | `OUTBOX#<notice key>` | `OUTBOX` | gsi3 while pending: `OUTBOX#PENDING` / `<created>#<key>` (`ttl` once sent) |
//! | calendar year | `CALENDAR#platform` | `YEAR#<yyyy>` | — |
//! | working hours | `CALENDAR#platform` | `HOURS` | — |
//! | platform settings | `SETTINGS#platform` | `SETTINGS` | — |
//! | settings change | `SETTINGS#platform` | `CHANGE#<at>#<version>#<setting>` | — |
//! | time entry | `TICKET#<id>` | `LEDGER#TIME#<at>#<entry id>` | — |
//! | cost event | `TICKET#<id>` | `LEDGER#COST#<at>#<version>` | — |
//! | completed paid work | `DONE#<category>#<criticality>` | `<completed>#<ticket id>` | — |
//!
//! The ticket item also carries gsi3 `COST#OPEN` / `<quarter>#<ticket id>` while its cost
//! is pending or disputed (`<quarter>` is the billing quarter, `2026-Q1`).
//! | ticket comment | `TICKET#<id>` | `COMMENT#<at>#<comment id>` | — |
//! | attachment metadata | `TICKET#<id>` | `ATTACH#<attachment id>` | — |
//! | wish | `WISH#<id>` | `WISH` | gsi1: `DEALER#<dealer>#WISHES` / `<created>#<id>`; gsi2: `WISHES` / `<created>#<id>` |
//! | wish history event | `WISH#<id>` | `EVENT#<at>#<version>` | — |
//! | failed-login counter | `THROTTLE#LOGIN#ADDR#<address>` or `THROTTLE#LOGIN#ACCOUNT#<email>#<address>` | `THROTTLE` | — (`ttl` = a day after the last failure) |
//! | inbox entry | `INBOX#<user>` | `NOTE#<ulid>` | — |
//! | inbox unread counter | `INBOX#<user>` | `COUNT` | — |
//! | lead | `LEAD#<id>` | `LEAD` | gsi1: `DEALER#<dealer>#LEADS` / `<created>#<id>`; gsi2: `LEADS` / `<created>#<id>`; gsi3 while an escalation is owed: `LEAD#ESCALATE` / `<due>#<id>` |
//! | lead history line | `LEAD#<id>` | `EVENT#<at>#<version>#<n>` | — |
//! | representative's copy of a lead | `LEAD#<id>` | `OBSERVER` | gsi1 while observed: `OBSERVER#<user>#LEADS` / `<created>#<id>`; gsi2 (the search across dealers): `LEADSEARCH#<surname>#<name>` (folded) / `<created>#<id>`; gsi3 once the customer answered the survey: `LEADSURVEYS#<yyyy-mm>` / `<answered>#<id>` |
//! | customer survey due | `LEAD#<id>` | `SURVEY` | gsi3: `LEAD#SURVEY` / `<due>#<id>` (the sweep reads these keys alone) |
//! | lead counters of a dealer's year, quarter or month | `LEADSTATS#<yyyy>`, `LEADSTATS#<yyyy>-Q<n>` or `LEADSTATS#<yyyy-mm>` | `P#<dealer>#<direction>` | — |
//! | lead counters of a dealer's day | `LEADSTATS#<yyyy-mm>` | `D#<yyyy-mm-dd>#<dealer>#<direction>` | — |
//! | lead heat-map cells (weekday × hour) of a dealer's year, quarter or month | as its counters | `HP#<dealer>#<direction>` | — |
//! | lead heat-map cells of a dealer's day | `LEADSTATS#<yyyy-mm>` | `HD#<yyyy-mm-dd>#<dealer>#<direction>` | — |
//! | lead idempotency record | `IDEMP#LEAD#<site or user>#<key>` | `IDEMP` | — (`ttl`) |
//! | customer profile | `CUSTOMER#<id>` | `CUSTOMER` | — |
//! | identity claim | `CUSTKEY#phone#<e164>` or `CUSTKEY#email#<email>` | `CUSTKEY` | — |
//! | network lead settings | `LEADNET#<network>` | `LEADNET` | — |
//! | dealer working hours | `DEALER#<id>` | `HOURS` | — |
//! | current KB suggestion index | `KBSUGGEST#index` | `CURRENT` | — (the index's bytes are a blob) |
//! | KB suggestion event | `KBSUGGEST#events` | `<at>#<draft>#<kind>` | — (`ttl` = 400 days) |
//! | KB query that found nothing | `KBSUGGEST#misses` | `<normalised query>` | — (`ttl` = 400 days after the last) |
//! | knowledge-base article | `KB#ARTICLE#<slug>` | `ARTICLE` | gsi2: `KB#ARTICLES` / `<section>#<slug>` |
//! | article version | `KB#ARTICLE#<slug>` | `EVENT#<at>#<version>` | — |
//! | dealer survey answer | `SURVEY#<quarter>` | `DEALER#<dealer>` | — |
//! | survey follow-up task | `SURVEYTASK#<id>` | `TASK` | gsi2: `SURVEYTASKS` / `<created>#<id>` |
//! | deleted ticket or lead | its own `pk` / `sk` | no index key of the live item; gsi2: `DELETED#TICKETS` or `DELETED#LEADS` / `<deleted>#<id>` |
//! | audit entry | `AUDIT#<kind>:<id>` | `<at>#<version>` | gsi1: `AUDIT#ITEM#<kind>:<id>` / `<at>#<version>`; gsi2 (a person's change): `AUDIT#USER#<user>` / `<at>#<kind>:<id>#<version>`; gsi3: `AUDIT#MONTH#<yyyy-mm>` / `<at>#<kind>:<id>#<version>` |
//! | price list head | `PRICELIST#<network>` | `HEAD` | — |
//! | price list version | `PRICELIST#<network>` | `FROM#<yyyy-mm-dd>` | — |
//! | billing settings | `SETTINGS#billing` | `BILLING` | — |
//! | dealer subscription | `DEALER#<id>` | `SUBSCRIPTION` | — |
//! | subscription change | `DEALER#<id>` | `SUBCHANGE#<at>#<version>` | — |
//! | dealer requisites | `DEALER#<id>` | `REQUISITES` | — |
//! | billing document | `DOC#<id>` | `DOC` | gsi1: `DEALER#<dealer>#DOCS` / `<date>#<id>`; gsi2: `DOCS` / `<date>#<id>` |
//! | document number counter | `COUNTER#DOC#<yyyy>` | `COUNTER` | — |
//! | ticket report counters of a month | `REPORT#TICKETS#<yyyy-mm>` | `DEALER#<dealer>` | — (attributes `<counter>@<dd>`, numbers) |
//! | ticket cost counters of a billing quarter | `REPORT#COSTS#<yyyy-Qn>` | `DEALER#<dealer>` | — (attributes `c.<state>.<minutes\|cost\|n>`, `m.<…>`) |
//!
//! A billing document's id is deterministic (`<dealer>-<yyyy>q<n>-<kind>`), so the bill run
//! claims it on the condition that it does not exist, together with the year's counter on the
//! condition that it still holds the number read: a document gets exactly one number, and a
//! number exactly one document, however often or however interrupted the run is.
//!
//! Users also carry index keys: gsi1 `USERS#DEALER#<dealer>` / `<email>` (a dealer's people)
//! and gsi2 `USERS#ROLE#<role>` / `<email>` (everyone with a role), so a notice to "the
//! dealer's staff" or "the specialist team" is one Query.
//!
//! `<created>` and `<at>` are RFC 3339 UTC instants with millisecond precision
//! (`2026-03-02T09:00:00.000Z`): fixed width, so string order is time order.
//! `<version>` is the ticket version the event produced, zero-padded to 20 digits.
//!
//! Why these shapes:
//! - A quarter's survey answers share one partition, keyed by dealer: a dealer's answer is
//!   one GetItem, a quarter's results one Query, the trend one Query per quarter shown.
//!   Follow-up tasks of low scores are few (a dealer, a quarter, a complaint), so they are
//!   listed from one `gsi2` partition, newest first, and filtered by the caller's scope.
//! - A ticket and its history share a partition, and `EVENT#…` sorts before `TICKET`, so
//!   one Query on the ticket's `pk` returns the whole history in order plus the ticket.
//!   Events sort by time and, for events in the same millisecond (an injected clock in
//!   tests, or two quick moves), by the version they produced — which optimistic locking
//!   makes strictly sequential per ticket — so the order is always the order of the moves.
//! - Listings read an index partition newest first: one dealer's tickets through `gsi1`,
//!   every ticket through `gsi2`. The ticket id after the instant keeps the sort keys
//!   unique and the order stable for tickets created in the same millisecond.
//! - The dealer directory is small and read whole, by name, from one `gsi1` partition.
//! - An e-mail is unique because its claim item is written in the same transaction as
//!   the user, on the condition that the claim does not exist yet.
//! - The idempotency record of a create is keyed by user, because two users may pick the
//!   same key.
//! - Comments and attachment descriptions live in their ticket's partition, each its own
//!   item: they never touch the ticket item, so they neither bump its version (no 409 for
//!   someone moving the ticket meanwhile) nor get lost to a concurrent write. A comment
//!   sorts by time (then its ULID); an attachment is keyed by its id alone, because it is
//!   fetched by id for download (its ULID already sorts by upload time).
//! - A wish and its history share a partition exactly like a ticket and its history
//!   (`EVENT#…` sorts before `WISH`), and are listed per dealer (`gsi1`) and for everyone
//!   (`gsi2`), newest first, like tickets.
//!
//! - Lead counters (SPEC §4.6): a lead's save adds the difference of what it counted before
//!   and after (`domain::lead::tally`) to its dealer's items for its direction — the day,
//!   the month, the quarter and the year of its arrival (Moscow time) — in the lead's
//!   transaction: four Updates with `ADD` on four distinct items, eight on a transfer (the
//!   old dealer's and the new one's). A period's items share a partition, so a report cuts
//!   its period into whole years, quarters and months (one Query of the `P#` items each, or
//!   a `begins_with P#<dealer>#` Query per dealer for a small scope) and the days at its
//!   ragged edges (one `D#<from>` … `D#<to>#~` range of the month). A year of 1 000 dealers
//!   is then one partition of 3 000 items, not 100 000 leads. The lead item keeps what it
//!   counted (`tally`), so the difference is taken against the stored item the save's
//!   version condition checks, never against a recomputation.
//! - The customer-survey answers are rows, not counts: the lead's listing copy carries a
//!   `gsi3` key once answered, so a period's answers are one range Query per UTC month.
//! - The audit log (SPEC §4.7) has its own partition per item, never the item's: the
//!   card's whole-partition read stays the size of its history, and the log grows apart.
//!   Each entry sits on three index partitions, one per way an admin searches: the item
//!   (`gsi1`), the person who changed it (`gsi2`, left out for the platform's own jobs)
//!   and the month (`gsi3`, so the whole log is read month by month without a partition
//!   that grows for ever). Every sort key starts with the instant, so a period is a key
//!   range; the item and version after it keep keys unique. The month partitions are
//!   the only `gsi3` partitions that are not "due" work: they share the index because the
//!   table has three and an audit entry never needs a due key.
//!
//! - The reports' counters (`domain::report::tickets`) are one item per dealer and month
//!   (Moscow), in the month's partition, with a counter per day as its own attribute
//!   (`<counter>@<dd>`): every ticket change adds "after minus before" with one
//!   `UPDATE … ADD` per item in the change's own transaction (the deltas of one item are
//!   merged first: a transaction may not touch an item twice). A report reads the months of
//!   its period — one Query per month for the whole platform, or one GetItem per month and
//!   dealer for a few dealers — and sums the days of the period, so any period is exact
//!   and a page costs O(months), not O(tickets). Costs are counted per billing quarter the
//!   same way.
//!
//! `gsi3` (`gsi3pk` / `gsi3sk`) is the sparse "due" index: an item carries the attributes
//! only while something is due, so a sweep reads what is due, not the table. The outbox
//! uses it for notices not yet delivered (partition `OUTBOX#PENDING`); tickets use it
//! while open (partition `QUEUE#OPEN`), so a ticket and a notice never share a partition.
//!
//! An open ticket's `<watch>` is the instant the SLA watch next has something to do for
//! it (the 80 % warning, then the due time, until each is sent), or `~` — which sorts
//! after every instant — when nothing is owed (paused, reacted). So:
//! - the specialist queue is one Query of `QUEUE#OPEN` (every open ticket, sorted in
//!   memory by the queue rule, which depends on "now");
//! - the SLA watch reads only `gsi3sk < <now + 1 ms>`: the tickets that need it;
//! - a finished ticket loses the attributes and leaves the index.
//!
//! The platform calendar's items share one partition, so loading the whole calendar
//! (every year and the hours) is one Query; `<yyyy>` is four digits, so years sort.
//!
//! uses it for notices not yet delivered.
//!
//! Time and cost (SPEC §2.3, §2.5, §2.6):
//! - Time entries and cost events live in the ticket's partition under `LEDGER#`, written
//!   in the same transaction as the ticket (which carries the totals), so one key-range
//!   Query (`begins_with LEDGER#`) gives the ledger and the cost's history without
//!   re-reading the lifecycle history. `LEDGER#…` sorts between `EVENT#…` and `TICKET`, so
//!   the whole-partition read of a ticket with its history skips over it unchanged.
//! - `COST#OPEN` is the cost jobs' sparse gsi3 partition: a ticket is in it only while the
//!   dealer must confirm (pending) or the specialist must answer (disputed), i.e. only
//!   once it is finished; an open ticket's gsi3 partition (the work queue) is never needed
//!   at the same time, so one ticket never needs both. Sorting by billing quarter lets the
//!   cut-off read "every open cost of this quarter or earlier" as one key range.
//! - `DONE#<category>#<criticality>` holds a small copy (title and text, final cost) of
//!   every resolved paid ticket with a cost, written with the move that finishes it and
//!   kept in step when its time is corrected, so the estimate banner (same category and
//!   criticality, last 90 days) is one key-range Query.

use chrono::{DateTime, SecondsFormat, Utc};
use dealerdesk_domain::{DealerId, NetworkId, TicketId, UserId};

/// The sort key of a network item.
pub const NETWORK_SK: &str = "NETWORK";
/// The sort key of a dealer item.
pub const DEALER_SK: &str = "DEALER";
/// The `gsi1pk` under which every dealer is listed.
pub const DEALERS_GSI1PK: &str = "DEALERS";
/// The sort key of a user item.
pub const USER_SK: &str = "USER";
/// The sort key of an e-mail claim item.
pub const EMAIL_SK: &str = "EMAIL";
/// The sort key of a session item.
pub const SESSION_SK: &str = "SESSION";
/// The sort key of a ticket item.
pub const TICKET_SK: &str = "TICKET";
/// The prefix of every history event's sort key.
pub const EVENT_SK_PREFIX: &str = "EVENT#";
/// The `gsi2pk` under which every ticket is listed.
pub const ALL_TICKETS_GSI2PK: &str = "TICKETS";
/// The partition key of the ticket number counter.
pub const TICKET_NUMBER_COUNTER_PK: &str = "COUNTER#TICKET_NUMBER";
/// The sort key of a counter item.
pub const COUNTER_SK: &str = "COUNTER";
/// The sort key of an idempotency record.
pub const IDEMPOTENCY_SK: &str = "IDEMP";
/// The `gsi3pk` of every open ticket (the queue and the SLA sweeps).
pub const OPEN_TICKETS_GSI3PK: &str = "QUEUE#OPEN";
/// The `<watch>` part of an open ticket the SLA watch has nothing to do for; `~` sorts
/// after every RFC 3339 instant.
pub const NO_WATCH: &str = "~";
/// The partition of the platform's settings and their history.
pub const PLATFORM_SETTINGS_PK: &str = "SETTINGS#platform";
/// The sort key of the platform's settings item.
pub const SETTINGS_SK: &str = "SETTINGS";
/// The prefix of a settings change's sort key.
pub const SETTING_CHANGE_SK_PREFIX: &str = "CHANGE#";

/// The sort key of one settings change: by time, then the version it produced (one save
/// may change several settings, hence the setting last).
pub fn setting_change_sk(at: DateTime<Utc>, version: u64, setting: &str) -> String {
    format!(
        "{SETTING_CHANGE_SK_PREFIX}{}#{version:020}#{setting}",
        instant(at)
    )
}

/// The partition of the platform's working calendar.
pub const PLATFORM_CALENDAR_PK: &str = "CALENDAR#platform";
/// The prefix of a calendar year's sort key.
pub const CALENDAR_YEAR_SK_PREFIX: &str = "YEAR#";
/// The sort key of the working hours.
pub const CALENDAR_HOURS_SK: &str = "HOURS";
/// The sort key of a failed-login counter.
pub const THROTTLE_SK: &str = "THROTTLE";

/// An instant as it appears in keys and attributes: RFC 3339, UTC, milliseconds.
pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The partition key of a network.
pub fn network_pk(id: &NetworkId) -> String {
    format!("NETWORK#{id}")
}

/// The partition key of a dealer.
pub fn dealer_pk(id: &DealerId) -> String {
    format!("DEALER#{id}")
}

/// The `gsi1sk` of a dealer in the directory listing: by name, then id.
pub fn dealer_gsi1sk(name: &str, id: &DealerId) -> String {
    format!("{name}#{id}")
}

/// The partition key of a user.
pub fn user_pk(id: &UserId) -> String {
    format!("USER#{id}")
}

/// The partition key of the item that claims an e-mail for one user.
///
/// The e-mail is trimmed and lower-cased here as well, so that a caller who forgot to
/// normalise can neither register `A@b.ru` beside `a@b.ru` nor miss it on login.
pub fn email_pk(email: &str) -> String {
    format!("EMAIL#{}", email.trim().to_lowercase())
}

/// The partition key of a session, by the SHA-256 hex digest of its token.
pub fn session_pk(token_hash: &str) -> String {
    format!("SESSION#{token_hash}")
}

/// The partition key of a failed-login counter. The e-mail is normalised as in
/// [`email_pk`], so `A@b.ru` and `a@b.ru` share one count.
pub fn login_throttle_pk(key: &crate::ThrottleKey) -> String {
    match key {
        crate::ThrottleKey::Address(address) => format!("THROTTLE#LOGIN#ADDR#{address}"),
        crate::ThrottleKey::AccountAtAddress { email, address } => format!(
            "THROTTLE#LOGIN#ACCOUNT#{}#{address}",
            email.trim().to_lowercase()
        ),
    }
}

/// The partition key of a ticket and its history.
pub fn ticket_pk(id: &TicketId) -> String {
    format!("TICKET#{id}")
}

/// The sort key of a history event: when it happened, then the ticket version it made.
pub fn event_sk(at: DateTime<Utc>, version: u64) -> String {
    format!("{EVENT_SK_PREFIX}{}#{version:020}", instant(at))
}

/// The `gsi1pk` of one dealer's tickets.
pub fn dealer_tickets_gsi1pk(dealer: &DealerId) -> String {
    format!("DEALER#{dealer}#TICKETS")
}

/// The listing sort key of a ticket (`gsi1sk` and `gsi2sk`): creation instant, then id.
pub fn ticket_listing_sk(created_at: DateTime<Utc>, id: &TicketId) -> String {
    format!("{}#{id}", instant(created_at))
}

/// The partition key of an idempotency record.
pub fn idempotency_pk(user: &UserId, key: &str) -> String {
    format!("IDEMP#{user}#{key}")
}

/// The `gsi3sk` of an open ticket: when the SLA watch next needs it, then the id.
pub fn open_ticket_gsi3sk(watch_at: Option<DateTime<Utc>>, id: &TicketId) -> String {
    match watch_at {
        Some(at) => format!("{}#{id}", instant(at)),
        None => format!("{NO_WATCH}#{id}"),
    }
}

/// The exclusive upper bound of the SLA watch's Query at `now`: every `<watch>` at or
/// before `now` sorts below it (instants have millisecond precision).
pub fn watch_due_bound(now: DateTime<Utc>) -> String {
    instant(now + chrono::Duration::milliseconds(1))
}

/// The sort key of one year of the platform calendar (`YEAR#2026`).
pub fn calendar_year_sk(year: i32) -> String {
    format!("{CALENDAR_YEAR_SK_PREFIX}{year:04}")
}

/// The sort key of an outbox notice.
pub const OUTBOX_SK: &str = "OUTBOX";
/// The `gsi3pk` of every notice still to deliver.
pub const OUTBOX_PENDING_GSI3PK: &str = "OUTBOX#PENDING";

/// The partition key of an outbox notice; the notice key makes a repeated write a no-op.
pub fn outbox_pk(notice_key: &str) -> String {
    format!("OUTBOX#{notice_key}")
}

/// Pending notices sort by creation, oldest first.
pub fn outbox_gsi3sk(created_at: DateTime<Utc>, notice_key: &str) -> String {
    format!("{}#{notice_key}", instant(created_at))
}

/// The `gsi1pk` listing a dealer's people.
pub fn users_of_dealer_gsi1pk(dealer: &DealerId) -> String {
    format!("USERS#DEALER#{dealer}")
}

/// The `gsi2pk` listing everyone with a role.
pub fn users_with_role_gsi2pk(role: dealerdesk_domain::Role) -> String {
    format!("USERS#ROLE#{}", role.code())
}

/// The prefix of every time-ledger and cost-history item in a ticket's partition.
pub const LEDGER_SK_PREFIX: &str = "LEDGER#";
/// The prefix of a time entry's sort key.
pub const TIME_ENTRY_SK_PREFIX: &str = "LEDGER#TIME#";
/// The prefix of a cost event's sort key.
pub const COST_EVENT_SK_PREFIX: &str = "LEDGER#COST#";
/// The `gsi3pk` of every ticket whose cost is pending or disputed.
pub const COST_OPEN_GSI3PK: &str = "COST#OPEN";

/// The sort key of a time entry: when it was logged, then its id (unique).
pub fn time_entry_sk(at: DateTime<Utc>, id: &dealerdesk_domain::TimeEntryId) -> String {
    format!("{TIME_ENTRY_SK_PREFIX}{}#{id}", instant(at))
}

/// The sort key of a cost event: when, then the ticket version it produced.
pub fn cost_event_sk(at: DateTime<Utc>, version: u64) -> String {
    format!("{COST_EVENT_SK_PREFIX}{}#{version:020}", instant(at))
}

/// The `gsi3sk` of an open cost: billing quarter (`2026-Q1`), then ticket.
pub fn cost_open_gsi3sk(quarter: dealerdesk_domain::Quarter, ticket: &TicketId) -> String {
    format!("{}#{ticket}", quarter.code())
}

/// The partition of resolved paid work of one category and criticality.
pub fn completed_work_pk(
    category: dealerdesk_domain::Category,
    criticality: dealerdesk_domain::Criticality,
) -> String {
    format!("DONE#{}#{}", category.code(), criticality.code())
}

/// The sort key of resolved paid work: when it was finished, then the ticket.
pub fn completed_work_sk(completed_at: DateTime<Utc>, ticket: &TicketId) -> String {
    format!("{}#{ticket}", instant(completed_at))
}

/// The sort key of a lead item.
pub const LEAD_SK: &str = "LEAD";
/// The sort key of a representative's listing copy of a lead.
pub const LEAD_OBSERVER_SK: &str = "OBSERVER";
/// The sort key of a lead's survey-due marker.
pub const LEAD_SURVEY_SK: &str = "SURVEY";
/// The `gsi2pk` under which every lead of the network is listed.
pub const ALL_LEADS_GSI2PK: &str = "LEADS";
/// The `gsi3pk` of leads with an escalation owed.
pub const LEAD_ESCALATE_GSI3PK: &str = "LEAD#ESCALATE";
/// The `gsi3pk` of surveys not yet sent.
pub const LEAD_SURVEY_GSI3PK: &str = "LEAD#SURVEY";
/// The sort key of a customer profile.
pub const CUSTOMER_SK: &str = "CUSTOMER";
/// The sort key of an identity claim.
pub const CUSTOMER_KEY_SK: &str = "CUSTKEY";
/// The sort key of a network's lead settings.
pub const LEAD_NETWORK_SK: &str = "LEADNET";
/// The sort key of a dealer's working hours (in the dealer's partition).
pub const DEALER_HOURS_SK: &str = "HOURS";

/// The partition key of a lead, its history, its copy and its survey marker.
pub fn lead_pk(id: &dealerdesk_domain::lead::LeadId) -> String {
    format!("LEAD#{id}")
}

/// The `gsi1pk` of one dealer's leads.
pub fn dealer_leads_gsi1pk(dealer: &DealerId) -> String {
    format!("DEALER#{dealer}#LEADS")
}

/// The `gsi1pk` of the leads a representative observes.
pub fn observer_leads_gsi1pk(user: &UserId) -> String {
    format!("OBSERVER#{user}#LEADS")
}

/// The listing sort key of a lead: creation instant, then id.
pub fn lead_listing_sk(created_at: DateTime<Utc>, id: &dealerdesk_domain::lead::LeadId) -> String {
    format!("{}#{id}", instant(created_at))
}

/// The `gsi3sk` of a lead's due work: when, then the lead.
pub fn lead_due_gsi3sk(due: DateTime<Utc>, id: &dealerdesk_domain::lead::LeadId) -> String {
    format!("{}#{id}", instant(due))
}

/// The lead and the due time a due entry's keys name (its `pk` and its
/// [`lead_due_gsi3sk`]), so a sweep that needs nothing else reads no item; `None` when
/// the two keys disagree or are not ours.
pub fn lead_due_from_keys(
    pk: &str,
    gsi3sk: &str,
) -> Option<(dealerdesk_domain::lead::LeadId, DateTime<Utc>)> {
    let (at, id) = gsi3sk.split_once('#')?;
    let due = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    let id = dealerdesk_domain::lead::LeadId::new(id);
    (pk == lead_pk(&id)).then_some((id, due))
}

/// The partition of one period's lead counters: `LEADSTATS#2026` (a year),
/// `LEADSTATS#2026-Q1` (a quarter) or `LEADSTATS#2026-03` (a month, which also holds the
/// month's day items). The period is the platform zone's, of the leads' arrival.
pub fn lead_stats_pk(period: &str) -> String {
    format!("LEADSTATS#{period}")
}

/// The codes of the year, the quarter and the month of a day: `2026`, `2026-Q1`, `2026-03`.
pub fn lead_stats_periods(day: chrono::NaiveDate) -> [String; 3] {
    use chrono::Datelike;
    [
        day.format("%Y").to_string(),
        format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
        day.format("%Y-%m").to_string(),
    ]
}

/// The prefix of the period items' sort keys in a period's counter partition.
pub const LEAD_STATS_PERIOD_PREFIX: &str = "P#";
/// The prefix of the day items' sort keys in a month's counter partition.
pub const LEAD_STATS_DAY_PREFIX: &str = "D#";

/// What marks the heat-map items beside the counter items: each counter sort key, prefix
/// or range bound with this in front is its heat-map twin (`HP#…`, `HD#…`), outside every
/// range and prefix of the counters themselves (`P#…`, `D#…`).
pub const LEAD_STATS_HEAT_MARK: &str = "H";

/// The heat-map twin of a counter sort key, prefix or range bound (see
/// [`LEAD_STATS_HEAT_MARK`]).
pub fn lead_stats_heat(sk: &str) -> String {
    format!("{LEAD_STATS_HEAT_MARK}{sk}")
}

/// The sort key of a dealer's item of a whole period for one direction:
/// `P#<dealer>#<direction>`.
pub fn lead_stats_period_sk(dealer: &DealerId, direction: &str) -> String {
    format!("{LEAD_STATS_PERIOD_PREFIX}{dealer}#{direction}")
}

/// The prefix of one dealer's period items (every direction): `P#<dealer>#`.
pub fn lead_stats_dealer_prefix(dealer: &DealerId) -> String {
    format!("{LEAD_STATS_PERIOD_PREFIX}{dealer}#")
}

/// The sort key of a dealer's day item for one direction: `D#<yyyy-mm-dd>#<dealer>#<direction>`
/// (the day first, so a range of days is one key range).
pub fn lead_stats_day_sk(day: chrono::NaiveDate, dealer: &DealerId, direction: &str) -> String {
    format!(
        "{LEAD_STATS_DAY_PREFIX}{}#{dealer}#{direction}",
        day.format("%Y-%m-%d")
    )
}

/// The first and the last possible day sort keys of the days `from..=to`.
pub fn lead_stats_day_range(from: chrono::NaiveDate, to: chrono::NaiveDate) -> (String, String) {
    (
        format!("{LEAD_STATS_DAY_PREFIX}{}#", from.format("%Y-%m-%d")),
        format!("{LEAD_STATS_DAY_PREFIX}{}#~", to.format("%Y-%m-%d")),
    )
}

/// The `gsi3pk` of the customer-survey answers of one month (the UTC month of the
/// answer), on the lead's listing copy: `LEADSURVEYS#2026-03`.
pub fn lead_surveys_gsi3pk(month: &str) -> String {
    format!("LEADSURVEYS#{month}")
}

/// The sort key of one line of a lead's history: when, the lead version the save made,
/// then the line's place in that save (one save may change several fields).
pub fn lead_event_sk(at: DateTime<Utc>, version: u64, index: usize) -> String {
    format!("{EVENT_SK_PREFIX}{}#{version:020}#{index:04}", instant(at))
}

/// The partition key of a lead create's idempotency record, per site or user.
pub fn lead_idempotency_pk(owner: &str, key: &str) -> String {
    format!("IDEMP#LEAD#{owner}#{key}")
}

/// The partition key of a customer profile.
pub fn customer_pk(id: &dealerdesk_domain::lead::CustomerId) -> String {
    format!("CUSTOMER#{id}")
}

/// The partition key of the claim of an identity key (`phone#+7…`, `email#…`).
pub fn customer_key_pk(identity: &str) -> String {
    format!("CUSTKEY#{identity}")
}

/// The partition key of a network's lead settings.
pub fn lead_network_pk(network: &NetworkId) -> String {
    format!("LEADNET#{network}")
}

/// The sort key of a price list's head item (its version: how many versions were added).
pub const PRICE_LIST_HEAD_SK: &str = "HEAD";
/// The prefix of a price list version's sort key.
pub const PRICE_LIST_VERSION_SK_PREFIX: &str = "FROM#";
/// The partition of the platform's billing settings.
pub const BILLING_SETTINGS_PK: &str = "SETTINGS#billing";
/// The sort key of the billing settings item.
pub const BILLING_SETTINGS_SK: &str = "BILLING";
/// The sort key of a dealer's subscription (in the dealer's partition).
pub const SUBSCRIPTION_SK: &str = "SUBSCRIPTION";
/// The prefix of a subscription change's sort key.
pub const SUBSCRIPTION_CHANGE_SK_PREFIX: &str = "SUBCHANGE#";
/// The sort key of a dealer's requisites (in the dealer's partition).
pub const DEALER_REQUISITES_SK: &str = "REQUISITES";

/// The sort key of a billing document.
pub const DOCUMENT_SK: &str = "DOC";
/// The `gsi2pk` of every billing document.
pub const ALL_DOCUMENTS_GSI2PK: &str = "DOCS";

/// The partition of a billing document.
pub fn document_pk(id: &str) -> String {
    format!("DOC#{id}")
}

/// The `gsi1pk` of a dealer's billing documents.
pub fn dealer_documents_gsi1pk(dealer: &DealerId) -> String {
    format!("DEALER#{dealer}#DOCS")
}

/// A billing document's listing key: by date, then id.
pub fn document_listing_sk(date: chrono::NaiveDate, id: &str) -> String {
    format!("{}#{id}", date.format("%Y-%m-%d"))
}

/// The partition of a year's document number counter.
pub fn document_counter_pk(year: i32) -> String {
    format!("COUNTER#DOC#{year:04}")
}

/// The partition of a network's price list: its head and every version, so the whole
/// price list is one Query.
pub fn price_list_pk(network: &NetworkId) -> String {
    format!("PRICELIST#{network}")
}

/// The sort key of the price version taking effect on `from`: ISO dates sort by time.
pub fn price_list_version_sk(from: chrono::NaiveDate) -> String {
    format!("{PRICE_LIST_VERSION_SK_PREFIX}{}", from.format("%Y-%m-%d"))
}

/// The sort key of a subscription change: by time, then the version it produced.
pub fn subscription_change_sk(at: DateTime<Utc>, version: u64) -> String {
    format!(
        "{SUBSCRIPTION_CHANGE_SK_PREFIX}{}#{version:020}",
        instant(at)
    )
}

/// The `sk` of a knowledge-base article (its versions are `EVENT#…` in the same partition).
pub const KB_ARTICLE_SK: &str = "ARTICLE";
/// The `gsi2pk` of every article, sorted by section and slug.
pub const KB_ARTICLES_GSI2PK: &str = "KB#ARTICLES";

/// The partition of an article and its versions.
pub fn kb_article_pk(slug: &str) -> String {
    format!("KB#ARTICLE#{slug}")
}

/// The `gsi2sk` of an article in the list of all articles.
pub fn kb_article_listing_sk(section: &str, slug: &str) -> String {
    format!("{section}#{slug}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_are_utc_with_milliseconds_and_fixed_width() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        assert_eq!(instant(at), "2026-03-02T09:00:00.000Z");
        let later = at + chrono::Duration::microseconds(1_234_567);
        assert_eq!(instant(later), "2026-03-02T09:00:01.234Z");
    }

    #[test]
    fn events_sort_by_time_then_by_version() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let mut keys = vec![
            event_sk(at + chrono::Duration::seconds(1), 3),
            event_sk(at, 10),
            event_sk(at, 2),
        ];
        keys.sort();
        assert_eq!(
            keys,
            vec![
                event_sk(at, 2),
                event_sk(at, 10),
                event_sk(at + chrono::Duration::seconds(1), 3)
            ]
        );
        assert!(keys.iter().all(|k| k.as_str() < TICKET_SK));
    }

    #[test]
    fn keys_have_the_documented_shapes() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let t = TicketId::new("01T");
        assert_eq!(ticket_pk(&t), "TICKET#01T");
        assert_eq!(
            event_sk(at, 1),
            "EVENT#2026-03-02T09:00:00.000Z#00000000000000000001"
        );
        assert_eq!(
            dealer_tickets_gsi1pk(&DealerId::new("d1")),
            "DEALER#d1#TICKETS"
        );
        assert_eq!(ticket_listing_sk(at, &t), "2026-03-02T09:00:00.000Z#01T");
        assert_eq!(idempotency_pk(&UserId::new("u1"), "k"), "IDEMP#u1#k");
        assert_eq!(email_pk("a@b.ru"), "EMAIL#a@b.ru");
        assert_eq!(email_pk(" A@B.ru "), "EMAIL#a@b.ru");
        assert_eq!(dealer_gsi1sk("Авто", &DealerId::new("d1")), "Авто#d1");
        assert_eq!(
            open_ticket_gsi3sk(Some(at), &t),
            "2026-03-02T09:00:00.000Z#01T"
        );
        assert_eq!(open_ticket_gsi3sk(None, &t), "~#01T");
        assert_eq!(calendar_year_sk(2026), "YEAR#2026");
    }

    #[test]
    fn the_watch_bound_takes_exactly_the_instants_up_to_now() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let t = TicketId::new("01T");
        let bound = watch_due_bound(now);
        assert!(open_ticket_gsi3sk(Some(now), &t) < bound);
        assert!(open_ticket_gsi3sk(Some(now - chrono::Duration::days(400)), &t) < bound);
        assert!(open_ticket_gsi3sk(Some(now + chrono::Duration::milliseconds(1)), &t) > bound);
        assert!(open_ticket_gsi3sk(None, &t) > bound);
        assert!(
            open_ticket_gsi3sk(None, &t)
                > open_ticket_gsi3sk(Some(now + chrono::Duration::days(3000)), &t)
        );
    }
    #[test]
    fn cost_keys_have_the_documented_shapes() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let t = TicketId::new("01T");
        let e = dealerdesk_domain::TimeEntryId::new("01E");
        assert_eq!(
            time_entry_sk(at, &e),
            "LEDGER#TIME#2026-03-02T09:00:00.000Z#01E"
        );
        assert_eq!(
            cost_event_sk(at, 3),
            "LEDGER#COST#2026-03-02T09:00:00.000Z#00000000000000000003"
        );
        let q1 = dealerdesk_domain::Quarter::new(2026, 1).unwrap();
        assert_eq!(cost_open_gsi3sk(q1, &t), "2026-Q1#01T");
        assert!(
            cost_open_gsi3sk(q1, &t) < q1.next().code(),
            "a quarter's range ends before the next"
        );
        assert_eq!(
            completed_work_pk(
                dealerdesk_domain::Category::IndividualNews,
                dealerdesk_domain::Criticality::High
            ),
            "DONE#individual_news#high"
        );
        assert_eq!(completed_work_sk(at, &t), "2026-03-02T09:00:00.000Z#01T");
        // Ledger items sit between the history and the ticket in its partition.
        assert!(
            event_sk(at, 1) < time_entry_sk(at, &e) && time_entry_sk(at, &e).as_str() < TICKET_SK
        );
    }
}

/// The prefix of a ticket comment's sort key.
pub const COMMENT_SK_PREFIX: &str = "COMMENT#";
/// The prefix of an attachment description's sort key.
pub const ATTACHMENT_SK_PREFIX: &str = "ATTACH#";
/// The sort key of a wish item.
pub const WISH_SK: &str = "WISH";
/// The `gsi2pk` under which every wish is listed.
pub const ALL_WISHES_GSI2PK: &str = "WISHES";

/// The sort key of a comment in its ticket's partition: when, then its id.
pub fn comment_sk(at: DateTime<Utc>, id: &dealerdesk_domain::CommentId) -> String {
    format!("{COMMENT_SK_PREFIX}{}#{id}", instant(at))
}

/// The sort key of an attachment description in its ticket's partition.
pub fn attachment_sk(id: &dealerdesk_domain::AttachmentId) -> String {
    format!("{ATTACHMENT_SK_PREFIX}{id}")
}

/// The partition key of a wish and its history.
pub fn wish_pk(id: &dealerdesk_domain::WishId) -> String {
    format!("WISH#{id}")
}

/// The `gsi1pk` of one dealer's wishes.
pub fn dealer_wishes_gsi1pk(dealer: &DealerId) -> String {
    format!("DEALER#{dealer}#WISHES")
}

/// The listing sort key of a wish (`gsi1sk` and `gsi2sk`): creation instant, then id.
pub fn wish_listing_sk(created_at: DateTime<Utc>, id: &dealerdesk_domain::WishId) -> String {
    format!("{}#{id}", instant(created_at))
}

#[cfg(test)]
mod wish_key_tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::{AttachmentId, CommentId, WishId};

    #[test]
    fn wish_comment_and_attachment_keys_have_the_documented_shapes() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let w = WishId::new("01W");
        assert_eq!(wish_pk(&w), "WISH#01W");
        assert_eq!(
            dealer_wishes_gsi1pk(&DealerId::new("d1")),
            "DEALER#d1#WISHES"
        );
        assert_eq!(wish_listing_sk(at, &w), "2026-03-02T09:00:00.000Z#01W");
        assert!(
            event_sk(at, 1).as_str() < WISH_SK,
            "a wish's history sorts before it"
        );
        assert_eq!(
            comment_sk(at, &CommentId::new("01C")),
            "COMMENT#2026-03-02T09:00:00.000Z#01C"
        );
        assert_eq!(attachment_sk(&AttachmentId::new("01A")), "ATTACH#01A");
        // Neither is mistaken for a history event or the ticket itself.
        for sk in [
            comment_sk(at, &CommentId::new("c")),
            attachment_sk(&AttachmentId::new("a")),
        ] {
            assert!(!sk.starts_with(EVENT_SK_PREFIX));
            assert_ne!(sk, TICKET_SK);
        }
    }
}

/// The partition of the current knowledge-base suggestion index's pointer.
pub const KB_SUGGEST_PK: &str = "KBSUGGEST#index";
/// The sort key of that pointer.
pub const KB_SUGGEST_INDEX_SK: &str = "CURRENT";
/// The partition of the suggestions' deflection events (openings, filed tickets).
pub const KB_SUGGEST_EVENTS_PK: &str = "KBSUGGEST#events";
/// The partition of the queries that found no article.
pub const KB_SUGGEST_MISSES_PK: &str = "KBSUGGEST#misses";

/// The sort key of a deflection event: time first, so a period is one key range.
pub fn kb_suggest_event_sk(at: DateTime<Utc>, draft: &str, kind: &str) -> String {
    format!("{}#{draft}#{kind}", instant(at))
}

/// The sort key of a user's unread counter in the inbox partition.
pub const INBOX_COUNT_SK: &str = "COUNT";
/// The prefix of an inbox entry's sort key.
pub const INBOX_ITEM_SK_PREFIX: &str = "NOTE#";

/// The partition of one user's notification inbox: its entries and its unread counter.
/// The entries' ids are ULIDs, so `NOTE#<ulid>` sorts by time; `COUNT` sorts before them.
pub fn inbox_pk(user: &UserId) -> String {
    format!("INBOX#{user}")
}

/// The sort key of one inbox entry.
pub fn inbox_item_sk(id: &str) -> String {
    format!("{INBOX_ITEM_SK_PREFIX}{id}")
}

/// The `gsi2pk` under which the search across dealers finds a lead: its folded surname and
/// name (`петров#иван`, see `dealerdesk_domain::lead::search_key`).
pub fn lead_search_gsi2pk(key: &str) -> String {
    format!("LEADSEARCH#{key}")
}

// ---------------------------------------------------------------- lead intake: sites and limits
//
// | item | `pk` | `sk` | index keys |
// |---|---|---|---|
// | site | `SITE#<site id>` | `SITE` | gsi1: `SITES` / `<site id>#SITE` |
// | site's spam counters | `SITE#<site id>` | `SPAM` | gsi1: `SITES` / `<site id>#SPAM` |
// | site key claim | `SITEKEY#<sha256 hex of the key>` | `SITEKEY` | — (a copy of the site: one read per post) |
// | post counter | `LIMIT#LEAD#<scope>#<window start>` | `LIMIT` | — (`ttl` = a window after its end) |
//
// The sites and their spam counters share one gsi1 partition, so the admin's list (with the
// spam counts) is one Query. The key claim holds a copy of the site, written in the same
// transaction as the site, so a server-to-server post costs one GetItem to authenticate;
// rotating deletes the old claim and writes the new one, revoking deletes it.

/// The sort key of a site item.
pub const SITE_SK: &str = "SITE";
/// The sort key of a site's spam counters.
pub const SITE_SPAM_SK: &str = "SPAM";
/// The `gsi1pk` of every site and its spam counters.
pub const SITES_GSI1PK: &str = "SITES";
/// The sort key of a site key claim.
pub const SITE_KEY_SK: &str = "SITEKEY";
/// The sort key of a post counter.
pub const LIMIT_SK: &str = "LIMIT";

/// The partition of a site and its spam counters.
pub fn site_pk(id: &dealerdesk_domain::lead::SiteId) -> String {
    format!("SITE#{id}")
}

/// The `gsi1sk` of a site's item (`SITE`) or its spam counters (`SPAM`).
pub fn site_gsi1sk(id: &dealerdesk_domain::lead::SiteId, sk: &str) -> String {
    format!("{id}#{sk}")
}

/// The partition of the claim of a site key, by the key's SHA-256 hex digest.
pub fn site_key_pk(key_hash: &str) -> String {
    format!("SITEKEY#{key_hash}")
}

/// The partition of one post counter: its scope (`SITE#<id>` or `SITE#<id>#ADDR#<ip>`)
/// and the start of its window.
pub fn post_limit_pk(scope: &str, window_start: DateTime<Utc>) -> String {
    format!("LIMIT#LEAD#{scope}#{}", instant(window_start))
}

#[cfg(test)]
mod site_key_tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::lead::SiteId;

    #[test]
    fn site_keys_have_the_documented_shapes() {
        let s = SiteId::new("site-dealer-1");
        assert_eq!(site_pk(&s), "SITE#site-dealer-1");
        assert_eq!(site_gsi1sk(&s, SITE_SPAM_SK), "site-dealer-1#SPAM");
        let lead = dealerdesk_domain::lead::LeadId::new("01JLEAD");
        let due = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        assert_eq!(
            lead_due_from_keys(&lead_pk(&lead), &lead_due_gsi3sk(due, &lead)),
            Some((lead.clone(), due))
        );
        assert_eq!(
            lead_due_from_keys("LEAD#other", &lead_due_gsi3sk(due, &lead)),
            None
        );
        assert_eq!(lead_due_from_keys(&lead_pk(&lead), "garbage"), None);
        assert_eq!(site_key_pk("ab"), "SITEKEY#ab");
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        assert_eq!(
            post_limit_pk("SITE#s", at),
            "LIMIT#LEAD#SITE#s#2026-03-02T09:00:00.000Z"
        );
    }
}

/// The partition of one quarter's survey answers (`2026-Q4`).
pub fn survey_pk(quarter: &str) -> String {
    format!("SURVEY#{quarter}")
}

/// The sort key of a dealer's survey answer.
pub fn survey_answer_sk(dealer: &DealerId) -> String {
    format!("DEALER#{dealer}")
}

/// The partition key of a survey follow-up task.
pub fn survey_task_pk(id: &str) -> String {
    format!("SURVEYTASK#{id}")
}

/// The sort key of a survey follow-up task.
pub const SURVEY_TASK_SK: &str = "TASK";
/// The `gsi2pk` under which every survey follow-up task is listed.
pub const SURVEY_TASKS_GSI2PK: &str = "SURVEYTASKS";

/// The `gsi2sk` of a survey follow-up task: newest first by creation, then its id.
pub fn survey_task_listing_sk(created: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", instant(created))
}

/// The `gsi2pk` of the deleted tickets (the admin's «Удалённые»).
pub const DELETED_TICKETS_GSI2PK: &str = "DELETED#TICKETS";
/// The `gsi2pk` of the deleted leads (the head office's and the admin's «Удалённые»).
pub const DELETED_LEADS_GSI2PK: &str = "DELETED#LEADS";

/// The `gsi2sk` of a deleted item: when it was deleted, then its id.
pub fn deleted_listing_sk(deleted_at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", instant(deleted_at))
}

/// The partition of one item's audit entries (`AUDIT#ticket:DD-1001`).
pub fn audit_pk(item: &str) -> String {
    format!("AUDIT#{item}")
}

/// The sort key of an audit entry in its item's partition and on the item's index.
pub fn audit_sk(at: DateTime<Utc>, version: u64) -> String {
    format!("{}#{version:020}", instant(at))
}

/// The `gsi1pk` of one item's audit entries.
pub fn audit_item_gsi1pk(item: &str) -> String {
    format!("AUDIT#ITEM#{item}")
}

/// The `gsi2pk` of the audit entries of one person's changes.
pub fn audit_user_gsi2pk(user: &UserId) -> String {
    format!("AUDIT#USER#{user}")
}

/// The `gsi3pk` of a month's audit entries (`AUDIT#MONTH#2026-03`, the UTC month).
pub fn audit_month_gsi3pk(month: &str) -> String {
    format!("AUDIT#MONTH#{month}")
}

/// The UTC month (`2026-03`) an instant falls in: the audit's month partition.
pub fn audit_month(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

/// The sort key of an audit entry on the user and month indexes.
pub fn audit_listing_sk(at: DateTime<Utc>, item: &str, version: u64) -> String {
    format!("{}#{item}#{version:020}", instant(at))
}

#[cfg(test)]
mod audit_key_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn audit_keys_have_the_documented_shapes() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        assert_eq!(audit_pk("ticket:DD-1001"), "AUDIT#ticket:DD-1001");
        assert_eq!(
            audit_sk(at, 3),
            "2026-03-02T09:00:00.000Z#00000000000000000003"
        );
        assert_eq!(audit_item_gsi1pk("lead:01J"), "AUDIT#ITEM#lead:01J");
        assert_eq!(audit_user_gsi2pk(&UserId::new("u1")), "AUDIT#USER#u1");
        assert_eq!(audit_month_gsi3pk(&audit_month(at)), "AUDIT#MONTH#2026-03");
        assert_eq!(
            audit_listing_sk(at, "wish:w1", 2),
            "2026-03-02T09:00:00.000Z#wish:w1#00000000000000000002"
        );
    }
}

/// The partition of the ticket report counters of one month (Moscow), `2026-11`.
pub fn report_tickets_pk(month: &str) -> String {
    format!("REPORT#TICKETS#{month}")
}

/// The partition of the ticket cost counters of one billing quarter, `2026-Q4`.
pub fn report_costs_pk(quarter: &str) -> String {
    format!("REPORT#COSTS#{quarter}")
}

/// The sort key of a dealer's counters in a report partition.
pub fn report_dealer_sk(dealer: &DealerId) -> String {
    format!("DEALER#{dealer}")
}

/// The dealer of a report counters' sort key.
pub fn report_dealer_of(sk: &str) -> Option<DealerId> {
    sk.strip_prefix("DEALER#").map(DealerId::new)
}

/// The attribute of a day's counter: `<counter>@<dd>`.
pub fn report_day_counter(counter: &str, day: u32) -> String {
    format!("{counter}@{day:02}")
}
