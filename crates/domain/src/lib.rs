//! Pure business rules of DealerDesk.
//!
//! Nothing in this crate does I/O, talks to AWS or reads the clock: every function takes
//! what it needs (including "now") as an argument, so every rule is unit-testable and the
//! same code runs in Lambda, in the local server and in tests.
//!
//! One folder per feature (`ticket/`, `wish/`, `calendar/`, `lead/`, `billing`), each holding its
//! rules, its refusals (implementing [`kernel::Refuse`]) and their tests; the shared kernel
//! and the vocabulary every feature uses (ids, roles, the actor, notices, Russian text) sit
//! at the root.

pub mod access;
pub mod audit;
pub mod billing;
pub mod calendar;
pub mod dashboard;
pub mod dealer_survey;
pub mod error;
pub mod ids;
pub mod kb;
pub mod kernel;
pub mod lead;
pub mod notice;
pub mod report;
pub mod role;
pub mod session;
pub mod settings;
pub mod text;
pub mod ticket;
pub mod wish;

#[cfg(test)]
mod properties;

/// The file rules under their old path (`dealerdesk_domain::attachment::check`), which the
/// app's upload handler names.
pub use ticket::attachment;

pub use access::Actor;
pub use billing::words::amount_in_words;
pub use billing::{BillableTicket, Overage, OverageLine, SupportPackage, bill_overage, format_rub};
pub use calendar::{CalendarError, DayKind, WorkingCalendar, WorkingHours, YearCalendar};
pub use error::ValidationError;
pub use ids::{AttachmentId, CommentId};
pub use ids::{DealerId, NetworkId, TicketId, TimeEntryId, UserId, WishId};
pub use notice::{Audience, Notice};
pub use role::Role;
pub use settings::{PlatformSettings, Setting, SettingChange, SettingsDraft, SettingsError};
pub use text::{Corpus, Terms, similarity, stems, tokens};
pub use ticket::attachment::{Attachment, AttachmentError, FileKind, MAX_ATTACHMENT_BYTES};
pub use ticket::catalog::{Billing, Category, Criticality};
pub use ticket::comment::{Comment, CommentError, Side};
pub use ticket::cost::price::{hourly_rate, ticket_cost};
pub use ticket::cost::state::{
    CostAction, CostActionKind, CostError, CostState, CutoffOutcome, Quarter, billing_quarter,
    confirmation_deadline, cutoff, cutoff_due, deadline_text, next_cost_state, reminder_dates,
};
pub use ticket::cost::{
    CostEvent, CostEventKind, CostingError, Reclassification, ReclassifyDraft, TicketCost,
    check_estimate_minutes, cost_reminder_notice, minutes_text, platform_date, reminder_due,
};
pub use ticket::estimate::{
    Completed, Estimate, EstimateDraft, EstimateRequest, EstimateSettings, estimate, estimate_with,
};
pub use ticket::lifecycle::{Action, DomainError, LifecycleError, Resume, State, Status};
pub use ticket::review::ReviewCountdown;
pub use ticket::sla::watch::DEFAULT_AUTO_ACCEPT_DAYS;
pub use ticket::sla::{
    QueueKey, ReactionTime, SlaClock, SlaEffect, queue_key, reaction_due, reaction_time,
    sla_effect, warning_at,
};
pub use ticket::time::{
    CorrectionDraft, NewCorrection, NewTimeEntry, TimeEntry, TimeEntryDraft, TimeEntryError,
    effective_minutes, total_minutes,
};
pub use ticket::{HistoryEvent, NewTicket, Ticket, TicketDraft};
pub use wish::{
    NewWish, StageDue, Wish, WishAction, WishActionKind, WishDeadline, WishDraft, WishError,
    WishEvent, WishPlan, WishStage, WishStatus, next_wish_status,
};
