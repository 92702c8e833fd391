//! Single-table DynamoDB storage — the one storage implementation of DealerDesk.
//!
//! The same code talks to DynamoDB in AWS and to dynoxide (an embedded
//! DynamoDB-compatible engine) locally. Use cases see only the repository traits and
//! record types below; no SDK type crosses this crate's boundary, except in [`aws`]: the
//! configuration and HTTP client every AWS SDK client of the app (S3, SES) is built with.
//!
//! Keys are built in [`keys`] and nowhere else; the item layout is documented there.
//! The table's shape (key attributes, [`TABLE_GSIS`], [`TTL_ATTRIBUTE`]) must match the
//! SAM template; [`Store::ensure_table`] creates it for local engines and tests.
//!
//! Errors: a failed write condition is [`StoreError::Conflict`] (stale version, concurrent
//! write) or [`StoreError::AlreadyExists`] (duplicate id or e-mail), and nothing was
//! written; a stored item that does not map back is [`StoreError::Corrupt`], never a panic.
//!
//! Tested by `tests/conformance.rs`: one suite run on dynoxide (in-process) and on
//! `moto_server` (PyPI `moto[server]`, which must be installed; `MOTO_SERVER` overrides the
//! command).

use chrono::{DateTime, Utc};
use dealerdesk_domain::{
    DealerId, HistoryEvent, NetworkId, Notice, Role, State, Ticket, TicketId, UserId, WorkingHours,
    YearCalendar,
};
use std::future::Future;

mod accountant;
mod audit;
pub mod aws;
mod billing;
mod calendar;
mod client;
mod comment;
mod cost;
mod cursor;
mod dealer_survey;
mod directory;
mod error;
mod faults;
mod inbox;
mod kb;
mod kb_suggest;
mod kernel;
pub mod keys;
mod lead;
mod mapping;
mod numbering;
mod outbox;
mod queue;
mod report;
mod restore;
mod seed;
mod session;
mod settings;
mod table;
mod throttle;
mod ticket;
mod user;
mod wish;

pub use accountant::AccountantRepo;
pub use audit::{AuditRepo, AuditStamp};
pub use billing::{BillingRepo, DealerRequisites, DocumentRepo};
pub use client::{BATCH_ATTEMPTS, IndexReads, MAX_PAGE_LIMIT, Store, StoreConfig};
pub use comment::{TicketNotes, TicketNotesRepo};
pub use cost::{CompletedWork, CostRepo, Ledger, LedgerWrite};
pub use dealer_survey::DealerSurveyRepo;
pub use error::{Entity, StoreError};
pub use faults::{ANY_OPERATION, Fault, Faults};
pub use inbox::{InboxEntry, InboxRepo};
pub use kb::KbRepo;
pub use kb_suggest::{
    KbSuggestRepo, SuggestEvent, SuggestEventKind, SuggestIndexPointer, SuggestMiss,
};
pub use lead::{
    CounterSet as LeadCounterSet, DealerSet, LeadStatsRepo, MAX_SURVEY_ROWS, Span as StatsSpan,
};
pub use lead::{
    CustomerRepo, CustomerWrite, LeadCreate, LeadCreated, LeadErasure, LeadFilter, LeadIdempotency,
    LeadListRepo, LeadListing, LeadNetwork, LeadNetworkRepo, LeadOrder, LeadRepo, LeadSave,
    LeadSurveyRepo, PostLimitRepo, PostLookup, SiteRepo, SiteWithSpam,
};
pub use report::{DealerCounters, ReportRepo};
pub use restore::RestoreRepo;
pub use seed::Seed;
pub use settings::SettingsRepo;
pub use table::{GsiDefinition, TABLE_GSIS, TTL_ATTRIBUTE, table_definition_summary};
pub use wish::WishRepo;

/// A brand network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkRecord {
    pub id: NetworkId,
    pub name: String,
}

/// A dealer centre.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealerRecord {
    pub id: DealerId,
    pub network_id: NetworkId,
    pub name: String,
    pub city: String,
    /// IANA time zone of the dealer's working hours (e.g. `Europe/Moscow`).
    pub timezone: String,
    /// The platform account manager who looks after this dealer.
    pub account_manager_id: Option<UserId>,
}

/// A person who logs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    /// Lower-cased and trimmed; unique across the platform.
    pub email: String,
    pub name: String,
    pub role: Role,
    pub dealer_id: Option<DealerId>,
    /// PHC string (argon2id).
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A logged-in session. The token itself is never stored, only its SHA-256 hex digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: UserId,
    pub role: Role,
    pub dealer_id: Option<DealerId>,
    /// The portal's CSRF token bound to this session.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    /// After this instant the session is dead, whether or not DynamoDB's TTL has removed it.
    pub expires_at: DateTime<Utc>,
}

/// A client-chosen key that makes a create request safe to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Keys are per user: two users may pick the same key.
    pub user_id: UserId,
    pub key: String,
    /// What the request asked for (a digest of its route and body): a retry carries the
    /// same, a different request that reuses the key does not (HTTP 422).
    pub fingerprint: String,
}

/// What the first request with an idempotency key did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentResult {
    /// The ticket it created or moved.
    pub ticket: TicketId,
    /// Its request's fingerprint.
    pub fingerprint: String,
}

/// What a new ticket writes, built by the caller for the number the store gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    /// The ticket, carrying the number.
    pub ticket: Ticket,
    /// Its creation event.
    pub event: HistoryEvent,
    /// The notices its filing sends.
    pub notices: Vec<Notice>,
}

/// What [`TicketRepo::create_ticket`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filed {
    /// The ticket was written (as built for the number it got).
    Created(Box<Ticket>),
    /// The idempotency key was used before; nothing was written and this is what the
    /// first request did.
    Replayed(IdempotentResult),
}

/// What [`TicketRepo::save_move_once`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    /// The ticket was written.
    Created,
    /// The idempotency key was used before; nothing was written and this is what the
    /// first request did.
    Replayed(IdempotentResult),
}

/// One page of a listing.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// At most this many items (1..=100; the store clamps).
    pub limit: u32,
    /// The `next_cursor` of the previous page, opaque to callers.
    pub cursor: Option<String>,
}

/// A page of results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when there may be more.
    pub next_cursor: Option<String>,
}

/// Networks and dealers.
pub trait DirectoryRepo {
    /// Creates or replaces a network.
    fn put_network(
        &self,
        network: &NetworkRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Creates or replaces a dealer.
    fn put_dealer(
        &self,
        dealer: &DealerRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One dealer.
    fn dealer(
        &self,
        id: &DealerId,
    ) -> impl Future<Output = Result<Option<DealerRecord>, StoreError>> + Send;
    /// Every dealer, by name.
    fn dealers(&self) -> impl Future<Output = Result<Vec<DealerRecord>, StoreError>> + Send;
}

/// Users and their unique e-mails.
pub trait UserRepo {
    /// Creates a user; [`StoreError::AlreadyExists`] when the e-mail is taken.
    fn create_user(&self, user: &UserRecord)
    -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Looks a user up by normalised e-mail.
    fn user_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    /// One user.
    fn user(
        &self,
        id: &UserId,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    /// Every user bound to a dealer (its staff and accountants), by e-mail.
    fn users_of_dealer(
        &self,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;
    /// Everyone with a role, by e-mail.
    fn users_with_role(
        &self,
        role: Role,
    ) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;
}

/// A notice waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub notice: Notice,
    /// Failed delivery attempts so far.
    pub attempts: u32,
}

/// The outbox: notices written with the changes that cause them, delivered later.
pub trait OutboxRepo {
    /// Writes notices outside a state change (a job's reminder). A notice whose key is
    /// already stored is left alone; returns how many were new.
    fn enqueue(&self, notices: &[Notice])
    -> impl Future<Output = Result<usize, StoreError>> + Send;
    /// Up to `limit` undelivered notices, oldest first, that nobody holds a lease on at `now`.
    fn pending_notices(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;
    /// Takes a lease on a pending notice until `until`; `false` when it is delivered or
    /// leased by another sender (so two senders never deliver one notice together).
    fn claim_notice(
        &self,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Marks a notice delivered: it leaves the pending index and expires later.
    fn mark_sent(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a failed attempt; the notice is retried after `retry_at`, or given up
    /// (`dead`) and kept for inspection.
    fn mark_failed(
        &self,
        key: &str,
        error: &str,
        retry_at: DateTime<Utc>,
        dead: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Which failed-login counter: see [`dealerdesk_domain::session`] for why there is no
/// counter per account alone. `address` is the client's IP address as text (`unknown` when
/// the edge could not tell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottleKey {
    /// Every login from one address.
    Address(String),
    /// One account's logins from one address.
    AccountAtAddress { email: String, address: String },
}

impl ThrottleKey {
    /// The rules' name for this counter.
    pub fn scope(&self) -> dealerdesk_domain::session::ThrottleScope {
        match self {
            ThrottleKey::Address(_) => dealerdesk_domain::session::ThrottleScope::Address,
            ThrottleKey::AccountAtAddress { .. } => {
                dealerdesk_domain::session::ThrottleScope::AccountAtAddress
            }
        }
    }
}

/// Failed-login counters (SPEC: login abuse; kept in the table so limits hold across
/// instances).
pub trait LoginThrottleRepo {
    /// The counter as stored (forgotten runs included; the rules decide what still counts).
    fn login_failures(
        &self,
        key: &ThrottleKey,
    ) -> impl Future<Output = Result<Option<dealerdesk_domain::session::Failures>, StoreError>> + Send;
    /// Counts one more failure at `now` (`restart`: the stored run is forgotten, start at one);
    /// returns the counter after it.
    fn record_login_failure(
        &self,
        key: &ThrottleKey,
        restart: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<dealerdesk_domain::session::Failures, StoreError>> + Send;
    /// Forgets a counter (after a successful login).
    fn clear_login_failures(
        &self,
        key: &ThrottleKey,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Login sessions.
pub trait SessionRepo {
    /// Stores a new session (with a TTL attribute at `expires_at`).
    fn put_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A live session; expired ones are `None` even before TTL removes them.
    fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<SessionRecord>, StoreError>> + Send;
    /// Ends a session; ending an unknown one is fine.
    fn delete_session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Tickets and their history.
pub trait TicketRepo {
    /// Files a new ticket with the next human number (the first is 1001): `build` makes
    /// the ticket, its creation event and its notices for a number, and the store writes
    /// them in one transaction with the number taken and the idempotency record when a key
    /// is given; no number is taken twice. The instance's only create under way takes its
    /// number in that transaction (one round trip on a warm instance; a create that is not
    /// written takes none); beside other creates of the instance, or after the counter moved
    /// past what the instance knew (another instance's create: `build` then runs again), the
    /// number is drawn by its own `UpdateItem` first and skipped if the create then fails.
    /// See `numbering`.
    fn create_ticket(
        &self,
        idempotency: Option<&IdempotencyKey>,
        build: impl FnMut(u64) -> Filing + Send,
    ) -> impl Future<Output = Result<Filed, StoreError>> + Send;
    /// One ticket.
    fn ticket(
        &self,
        id: &TicketId,
    ) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send;
    /// One ticket with its history, oldest event first (one query).
    fn ticket_with_history(
        &self,
        id: &TicketId,
    ) -> impl Future<Output = Result<Option<(Ticket, Vec<HistoryEvent>)>, StoreError>> + Send;
    /// Stores a moved ticket, its history event and its notices in one transaction, only
    /// if the stored ticket still is `before` (its version); otherwise
    /// [`StoreError::Conflict`] and nothing is written. `before` is the ticket as the
    /// caller read it: the audit entry's old values, so the save reads nothing first.
    fn save_move(
        &self,
        before: &Ticket,
        ticket: &Ticket,
        event: &HistoryEvent,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// [`TicketRepo::save_move`] of a request with an idempotency key: the key's record is
    /// written with the move, and a retry (the key's record exists) writes nothing and
    /// answers [`CreateOutcome::Replayed`] — even when the ticket moved on since.
    fn save_move_once(
        &self,
        before: &Ticket,
        ticket: &Ticket,
        event: &HistoryEvent,
        notices: &[Notice],
        key: &IdempotencyKey,
    ) -> impl Future<Output = Result<CreateOutcome, StoreError>> + Send;
    /// The live record of an idempotency key, if a request used it (one read), so a retry
    /// is answered before it takes a ticket number.
    fn idempotent_result(
        &self,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<IdempotentResult>, StoreError>> + Send;
    /// One dealer's tickets, newest first, optionally in one state.
    fn dealer_tickets(
        &self,
        dealer: &DealerId,
        state: Option<State>,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Ticket>, StoreError>> + Send;
    /// Every ticket of one dealer, newest first: the dealer's whole partition of the ticket
    /// index, read in the engine's own pages (up to 1 MB, some hundreds of tickets each),
    /// not in listing pages. What the bill run bills and the dashboard counts.
    ///
    /// Unbounded on purpose, the one bound policy of both readers: a bill must count every
    /// paid ticket (a read that stopped early would under-bill without a word), and the
    /// dashboard shows the figures of that same bill. The partition holds one dealer's
    /// tickets only, so its size grows with that dealer's own work, never the network's.
    fn every_dealer_ticket(
        &self,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;
    /// Every dealer's tickets, newest first, optionally in one state.
    fn all_tickets(
        &self,
        state: Option<State>,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Ticket>, StoreError>> + Send;
}

/// Open tickets (not resolved, not impossible), read from their sparse index: the
/// specialist queue and the scheduled SLA jobs. See `keys` for the layout.
pub trait QueueRepo {
    /// Every open ticket, in index order (next SLA-watch instant); callers sort.
    fn open_tickets(&self) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;
    /// The open tickets the SLA watch has something to do for at `now` (their 80 %
    /// warning or due time has come and is not marked sent yet).
    fn tickets_due_for_watch(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;
    /// Tickets in «Результат на проверке» since `since` or earlier (auto-accept candidates;
    /// the job checks the working days itself).
    fn tickets_in_review_since(
        &self,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;
    /// Stores a ticket changed outside a move (the SLA watch's marks, a recount after a
    /// calendar edit) with its notices in one transaction, only if the stored ticket is
    /// still `before` (its version, read by the caller); otherwise [`StoreError::Conflict`]
    /// and nothing is written.
    fn save_ticket(
        &self,
        before: &Ticket,
        ticket: &Ticket,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Where a stored calendar year came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarSource {
    /// The official production calendar file, seeded unchanged.
    Official,
    /// Entered or edited by an admin.
    Admin,
}

impl CalendarSource {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            CalendarSource::Official => "official",
            CalendarSource::Admin => "admin",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<CalendarSource> {
        [CalendarSource::Official, CalendarSource::Admin]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One stored year of the platform calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarYearRecord {
    pub calendar: YearCalendar,
    pub source: CalendarSource,
    /// Optimistic-lock version; 1 when first stored.
    pub version: u64,
    pub updated_at: DateTime<Utc>,
    /// The admin who last changed it; `None` when seeded.
    pub updated_by: Option<UserId>,
}

/// The stored working hours of the platform calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingHoursRecord {
    /// On the platform's one wall clock, Moscow time.
    pub hours: WorkingHours,
    pub version: u64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
}

/// Everything stored about the platform calendar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredCalendar {
    /// Stored years, in year order.
    pub years: Vec<CalendarYearRecord>,
    pub hours: Option<WorkingHoursRecord>,
}

/// The platform's working calendar as data the admin edits.
pub trait CalendarRepo {
    /// Every stored year and the hours (one Query, strongly consistent).
    fn platform_calendar(&self) -> impl Future<Output = Result<StoredCalendar, StoreError>> + Send;
    /// Writes a year, only if its stored version is `expected_version` (`0`: not stored
    /// yet); otherwise [`StoreError::Conflict`]. `record.version` is the new version.
    fn put_calendar_year(
        &self,
        record: &CalendarYearRecord,
        expected_version: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Writes the working hours, with the same version rule.
    fn put_working_hours(
        &self,
        record: &WorkingHoursRecord,
        expected_version: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
