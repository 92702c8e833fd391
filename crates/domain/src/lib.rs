//! Pure business rules of DealerDesk.
//!
//! Nothing in this crate does I/O, talks to AWS or reads the clock: every function takes
//! what it needs (including "now") as an argument, so every rule is unit-testable and the
//! same code runs in Lambda, in the local server and in tests.

pub mod access;
pub mod calendar;
pub mod catalog;
pub mod error;
pub mod ids;
pub mod lifecycle;
pub mod notice;
pub mod role;
pub mod sla;
pub mod ticket;

pub use access::Actor;
pub use calendar::{DayKind, WorkingCalendar, WorkingHours, YearCalendar};
pub use catalog::{Billing, Category, Criticality};
pub use error::{CalendarError, DomainError, LifecycleError, ValidationError};
pub use ids::{DealerId, NetworkId, TicketId, UserId};
pub use lifecycle::{Action, Resume, State, Status};
pub use notice::{Audience, Notice};
pub use role::Role;
pub use sla::{
    QueueKey, ReactionTime, SlaClock, SlaEffect, queue_key, reaction_due, reaction_time,
    sla_effect, warning_at,
};
pub use ticket::{HistoryEvent, NewTicket, Ticket, TicketDraft};
