//! Pure business rules of DealerDesk.
//!
//! Nothing in this crate does I/O, talks to AWS or reads the clock: every function takes
//! what it needs (including "now") as an argument, so every rule is unit-testable and the
//! same code runs in Lambda, in the local server and in tests.

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod catalog;
pub mod comment;
pub mod cost;
pub mod costing;
pub mod error;
pub mod estimate;
pub mod ids;
pub mod kernel;
pub mod lead;
pub mod lifecycle;
pub mod notice;
pub mod pricing;
pub mod role;
pub mod sla;
pub mod text;
pub mod ticket;
pub mod ticket_sla;
pub mod time_entry;
pub mod wish;

pub use access::Actor;
pub use attachment::{Attachment, AttachmentError, FileKind, MAX_ATTACHMENT_BYTES};
pub use comment::{Comment, CommentError, Side};
pub use calendar::{DayKind, WorkingCalendar, WorkingHours, YearCalendar};
pub use catalog::{Billing, Category, Criticality};
pub use cost::{
    CostAction, CostActionKind, CostError, CostState, CutoffOutcome, Quarter, billing_quarter,
    confirmation_deadline, cutoff, cutoff_due, next_cost_state, reminder_dates,
};
pub use costing::{
    CostEvent, CostEventKind, CostingError, Reclassification, ReclassifyDraft, TicketCost,
    check_estimate_minutes, cost_reminder_notice, minutes_text, platform_date, reminder_due,
};
pub use estimate::{Completed, Estimate, EstimateSettings, estimate, estimate_with};
pub use error::{CalendarError, DomainError, LifecycleError, ValidationError};
pub use ids::{DealerId, NetworkId, TicketId, TimeEntryId, UserId, WishId};
pub use ids::{AttachmentId, CommentId};
pub use lifecycle::{Action, Resume, State, Status};
pub use notice::{Audience, Notice};
pub use pricing::{
    BillableTicket, Overage, OverageLine, SupportPackage, bill_overage, format_rub, hourly_rate,
    ticket_cost,
};
pub use role::Role;
pub use sla::{
    QueueKey, ReactionTime, SlaClock, SlaEffect, queue_key, reaction_due, reaction_time,
    sla_effect, warning_at,
};
pub use text::{Corpus, Terms, similarity, stems, tokens};
pub use ticket::{HistoryEvent, NewTicket, Ticket, TicketDraft};
pub use ticket_sla::DEFAULT_AUTO_ACCEPT_DAYS;
pub use time_entry::{
    CorrectionDraft, NewCorrection, NewTimeEntry, TimeEntry, TimeEntryDraft, TimeEntryError,
    effective_minutes, total_minutes,
};
pub use wish::{
    NewWish, Wish, WishAction, WishActionKind, WishDraft, WishError, WishEvent, WishPlan,
    WishStage, WishStatus, next_wish_status,
};
