//! A ticket's time and money (SPEC §2.2, §2.3, §2.5, §2.6) as the ticket carries them:
//! logged minutes, the cost's confirmation state and billing quarter, the estimate sent
//! to the dealer, and the moves on them — logging and correcting time, reclassifying,
//! confirming, disputing, answering, the quarter's cut-off.
//!
//! The rules themselves live in [`price`], [`crate::ticket::time`] and [`state`]; this
//! module applies them to a [`Ticket`] the way [`Ticket::apply`]
//! applies the lifecycle: each move returns the changed ticket (version + 1) and what must
//! be stored with it in one transaction — a time entry, a [`CostEvent`] for the history,
//! notices for the other side.

pub mod price;
pub mod state;

use crate::access::Actor;
use crate::billing::format_rub;
use crate::error::{FieldError, ValidationError};
use crate::ids::{DealerId, TimeEntryId, UserId};
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::notice::{Audience, Notice};
use crate::role::Role;
use crate::ticket::catalog::{Billing, Category};
use crate::ticket::cost::price::ticket_cost;
use crate::ticket::cost::state::{
    CostAction, CostActionKind, CostError, CostState, CutoffOutcome, Quarter, billing_quarter,
    confirmation_deadline, cutoff, cutoff_due, deadline_text, next_cost_state, reminder_dates,
};
use crate::ticket::lifecycle::{Party, Status};
use crate::ticket::time::{
    NewCorrection, NewTimeEntry, TimeEntry, TimeEntryError, effective_minutes, total_minutes,
};
use crate::ticket::{COMMENT_MAX, Ticket};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use thiserror::Error;

/// The most minutes an estimate may promise: 1000 hours.
pub const ESTIMATE_MINUTES_MAX: u32 = 60_000;

/// The calendar date of an instant in the platform's time zone (Europe/Moscow): quarters,
/// deadlines and reminders are dates there.
pub fn platform_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Moscow).date_naive()
}

/// A ticket's time and cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketCost {
    /// Total logged minutes: the sum of the ticket's time ledger, kept on the ticket so
    /// listings and the cost need no second read.
    pub minutes: u32,
    /// Where the cost stands with the dealer.
    pub state: CostState,
    /// The quarter whose bill the cost goes into: set when it becomes payable, moved on
    /// when a dispute outlives the quarter's cut-off.
    pub quarter: Option<Quarter>,
    /// The work estimate sent to the dealer for approval (paid work), in minutes.
    pub estimate_minutes: Option<u32>,
    /// When the ticket was finished.
    pub completed_at: Option<DateTime<Utc>>,
}

impl Default for TicketCost {
    /// A new ticket: no time, nothing to confirm, no estimate.
    fn default() -> Self {
        TicketCost {
            minutes: 0,
            state: CostState::None,
            quarter: None,
            estimate_minutes: None,
            completed_at: None,
        }
    }
}

impl TicketCost {
    /// The cost's state after the ticket is finished at `now`: payable (pending) when it
    /// is paid work with time, nothing to confirm otherwise (SPEC §2.6).
    pub fn on_completion(&self, billing: Billing, now: DateTime<Utc>) -> TicketCost {
        let done = CostAction::Complete {
            billing,
            minutes: self.minutes,
        };
        // Completion from any other state than `none` cannot happen (a finished ticket
        // never moves again); keep the state rather than fail a lifecycle move over it.
        let state = next_cost_state(self.state, &done, Party::System).unwrap_or(self.state);
        TicketCost {
            state,
            quarter: match state {
                CostState::None => None,
                _ => Some(billing_quarter(platform_date(now))),
            },
            completed_at: Some(now),
            ..self.clone()
        }
    }

    /// Whether the dealer still has to act or be answered: the cost is pending or
    /// disputed. Such tickets sit in the open-costs index the cost jobs read.
    pub fn is_open(&self) -> bool {
        matches!(self.state, CostState::Pending | CostState::Disputed)
    }
}

impl Ticket {
    /// The ticket's cost, ₽: rate × minutes / 60 rounded up to 10 ₽; 0 when free.
    pub fn cost_amount(&self) -> Decimal {
        ticket_cost(self.criticality, self.billing, self.cost.minutes)
    }

    /// What the estimate sent to the dealer comes to, ₽.
    pub fn estimate_amount(&self) -> Option<Decimal> {
        self.cost
            .estimate_minutes
            .map(|m| ticket_cost(self.criticality, self.billing, m))
    }

    /// The estimate in words for the dealer: «590 ₽ (10 мин)».
    pub fn estimate_text(&self) -> Option<String> {
        let minutes = self.cost.estimate_minutes?;
        Some(format!(
            "{} ({})",
            format_rub(self.estimate_amount()?),
            minutes_text(minutes)
        ))
    }

    /// As similar work for the estimate banner (SPEC §2.5): a resolved paid ticket with a
    /// cost. A ticket declared impossible or free says nothing about what such work costs.
    pub fn as_completed_work(&self) -> Option<crate::ticket::estimate::Completed> {
        let completed_at = self.cost.completed_at?;
        let cost = self.cost_amount();
        (self.status == Status::Resolved && self.billing == Billing::Paid && cost > Decimal::ZERO)
            .then(|| crate::ticket::estimate::Completed {
                category: self.category,
                criticality: self.criticality,
                billing: self.billing,
                completed_at,
                text: format!("{}\n{}", self.title, self.text),
                cost,
            })
    }

    /// A specialist logs time. Only while the ticket is open: a finished ticket's time
    /// changes only by a correction answering the dealer's dispute.
    pub fn log_time(
        &self,
        actor: &Actor,
        id: TimeEntryId,
        new: NewTimeEntry,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, TimeEntry), CostingError> {
        if !actor.role.works_tickets() {
            return Err(CostingError::NotPlatform);
        }
        if self.status.is_done() {
            return Err(CostingError::TicketDone);
        }
        let entry = TimeEntry::log(id, self.id.clone(), actor.user_id.clone(), new, now);
        let minutes = i64::from(self.cost.minutes) + i64::from(entry.minutes);
        let minutes =
            u32::try_from(minutes).map_err(|_| TimeEntryError::TotalTooLarge { minutes })?;
        let ticket = self.changed(now, |t| t.cost.minutes = minutes);
        Ok((ticket, entry))
    }

    /// A specialist corrects entry `target` of the ticket's ledger `entries`. On an open
    /// ticket it just fixes the total; on a finished one it is the answer to a dispute
    /// (SPEC §2.6): the cost becomes pending again for the dealer to confirm (or nothing
    /// is left to confirm when corrected down to 0).
    pub fn correct_time(
        &self,
        actor: &Actor,
        entries: &[TimeEntry],
        target: &TimeEntryId,
        id: TimeEntryId,
        correction: NewCorrection,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, TimeEntry, CostEvent), CostingError> {
        if !actor.role.works_tickets() {
            return Err(CostingError::NotPlatform);
        }
        if self.status.is_done() {
            // Whether the cost may change at all comes first: on a pending or confirmed
            // cost the dealer has the word, whatever the correction says.
            next_cost_state(
                self.cost.state,
                &CostAction::CorrectTime { minutes: 1 },
                Party::Platform,
            )?;
        }
        let before = effective_minutes(entries, target);
        let note = correction.note.clone();
        let entry =
            TimeEntry::correct(entries, target, id, actor.user_id.clone(), correction, now)?;
        let mut after = entries.to_vec();
        after.push(entry.clone());
        let minutes = total_minutes(&after)?;
        let state = if self.status.is_done() {
            next_cost_state(
                self.cost.state,
                &CostAction::CorrectTime { minutes },
                Party::Platform,
            )?
        } else {
            self.cost.state
        };
        let ticket = self.changed(now, |t| {
            t.cost.minutes = minutes;
            t.cost.state = state;
            if state == CostState::None && t.status.is_done() {
                t.cost.quarter = None;
            }
        });
        let detail = format!(
            "Запись от {}: {} → {}",
            platform_date(
                entries
                    .iter()
                    .find(|e| &e.id == target)
                    .map_or(now, |e| e.at)
            )
            .format("%d.%m.%Y"),
            minutes_text(before.unwrap_or(0).max(0) as u32),
            minutes_text(effective_minutes(&after, target).unwrap_or(0).max(0) as u32),
        );
        let event = ticket.cost_event(
            Some(actor),
            CostEventKind::CorrectTime,
            self.cost.state,
            Some(&note),
            Some(detail),
            now,
        );
        Ok((ticket, entry, event))
    }

    /// The dealer confirms or disputes the cost, or the specialist answers a dispute.
    pub fn cost_move(
        &self,
        actor: &Actor,
        action: CostAction,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, CostEvent), CostingError> {
        let kind = action.kind();
        let event_kind = match kind {
            CostActionKind::Confirm => CostEventKind::Confirm,
            CostActionKind::Dispute => CostEventKind::Dispute,
            CostActionKind::AnswerDispute => CostEventKind::AnswerDispute,
            // Completion is recorded by the lifecycle move; corrections by correct_time.
            CostActionKind::Complete | CostActionKind::CorrectTime => {
                return Err(CostError::NotYourMove { action: kind }.into());
            }
        };
        // The side is checked before the state: a dealer never answers, a specialist
        // never confirms, whatever the cost's state.
        let by = self
            .party_of(actor)
            .filter(|by| *by == kind.party())
            .ok_or(CostError::NotYourMove { action: kind })?;
        // The quarter's 26th is the dealer's last day (SPEC §2.6); from the 27th the
        // cut-off decides, even before its job has run.
        if let (Party::Dealer, Some(quarter)) = (by, self.cost.quarter)
            && cutoff_due(quarter, platform_date(now))
        {
            return Err(CostingError::DeadlinePassed { quarter });
        }
        let state = next_cost_state(self.cost.state, &action, by)?;
        let ticket = self.changed(now, |t| t.cost.state = state);
        let event = ticket.cost_event(
            Some(actor),
            event_kind,
            self.cost.state,
            action.comment(),
            None,
            now,
        );
        Ok((ticket, event))
    }

    /// A specialist changes the category and/or billing class with a reason the dealer
    /// reads (SPEC §2.2); the cost follows. A finished ticket is reclassified only in
    /// answer to the dealer's dispute, like a time correction.
    pub fn reclassify(
        &self,
        actor: &Actor,
        change: &Reclassification,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, CostEvent), CostingError> {
        if !actor.role.works_tickets() {
            return Err(CostingError::NotPlatform);
        }
        // The dealer chose free work with low priority instead of paid work; the platform
        // may tell them the work needs a paid ticket, never bill this one.
        if self.free_by_choice && change.billing == Billing::Paid {
            return Err(CostingError::FreeByDealersChoice);
        }
        let state = if self.status.is_done() {
            if self.cost.state != CostState::Disputed {
                return Err(CostingError::ReclassifyDone {
                    state: self.cost.state,
                });
            }
            let billable = match change.billing {
                Billing::Paid => self.cost.minutes,
                Billing::Free => 0,
            };
            next_cost_state(
                self.cost.state,
                &CostAction::CorrectTime { minutes: billable },
                Party::Platform,
            )?
        } else {
            self.cost.state
        };
        let mut parts = Vec::new();
        if change.category != self.category {
            parts.push(format!(
                "категория: «{}» → «{}»",
                self.category.label(),
                change.category.label()
            ));
        }
        if change.billing != self.billing {
            parts.push(format!(
                "тип: {} → {}",
                self.billing.label(),
                change.billing.label()
            ));
        }
        let ticket = self.changed(now, |t| {
            t.category = change.category;
            t.billing = change.billing;
            t.cost.state = state;
            if state == CostState::None && t.status.is_done() {
                t.cost.quarter = None;
            }
        });
        // «Категория: …» reads as a sentence.
        let joined = parts.join("; ");
        let mut chars = joined.chars();
        let detail: String = chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let event = ticket.cost_event(
            Some(actor),
            CostEventKind::Reclassify,
            self.cost.state,
            Some(&change.reason),
            Some(detail),
            now,
        );
        Ok((ticket, event))
    }

    /// The quarter's cut-off on `today` (SPEC §2.6): a pending cost of a quarter whose
    /// deadline has passed counts as confirmed; a disputed one moves to the next quarter
    /// (past every quarter already cut off). `None` when nothing changes, so running the
    /// cut-off twice changes nothing the second time.
    pub fn cutoff_on(&self, today: NaiveDate, now: DateTime<Utc>) -> Option<(Ticket, CostEvent)> {
        let quarter = self.cost.quarter?;
        if !cutoff_due(quarter, today) {
            return None;
        }
        let outcome = cutoff(self.cost.state);
        let comment = outcome.history_comment()?;
        let (kind, ticket) = match outcome {
            CutoffOutcome::ConfirmedAtCutoff => (
                CostEventKind::ConfirmedAtCutoff,
                self.changed(now, |t| t.cost.state = CostState::Confirmed),
            ),
            CutoffOutcome::MovesToNextQuarter => {
                let mut next = quarter.next();
                while cutoff_due(next, today) {
                    next = next.next();
                }
                (
                    CostEventKind::MovedToNextQuarter,
                    self.changed(now, |t| t.cost.quarter = Some(next)),
                )
            }
            CutoffOutcome::NothingToConfirm | CutoffOutcome::AlreadyConfirmed => return None,
        };
        let detail = ticket
            .cost
            .quarter
            .map(|q| format!("Квартал счёта: {}", q.label()));
        let event = ticket.cost_event(None, kind, self.cost.state, Some(comment), detail, now);
        Some((ticket, event))
    }

    /// Who must hear about a cost event that produced this version: the dealer when the
    /// platform or the system acted, the assignee (or the specialist team) when the dealer
    /// did.
    pub fn cost_notices(&self, event: &CostEvent) -> Vec<Notice> {
        let audience = match event.kind.party() {
            Party::Platform | Party::System => Audience::DealerStaff {
                dealer_id: self.dealer_id.clone(),
            },
            Party::Dealer => self.platform_audience(),
        };
        vec![self.cost_notice(
            format!("cost:{}:v{}", self.id, self.version),
            audience,
            event.kind.label(),
            event.comment.as_deref(),
            event.detail.as_deref(),
            event.at,
        )]
    }

    /// The dealer's notice that a finished ticket's cost awaits confirmation; written with
    /// the lifecycle move that finished it.
    pub fn cost_pending_notice(&self, at: DateTime<Utc>) -> Option<Notice> {
        (self.status.is_done() && self.cost.state == CostState::Pending).then(|| {
            self.cost_notice(
                format!("cost:{}:v{}", self.id, self.version),
                Audience::DealerStaff {
                    dealer_id: self.dealer_id.clone(),
                },
                "Стоимость ожидает подтверждения",
                None,
                self.cost
                    .quarter
                    .map(|q| {
                        format!(
                            "Подтвердите стоимость или запросите детализацию {}.",
                            deadline_text(q)
                        )
                    })
                    .as_deref(),
                at,
            )
        })
    }

    fn cost_notice(
        &self,
        key: String,
        audience: Audience,
        action_label: &str,
        comment: Option<&str>,
        detail: Option<&str>,
        at: DateTime<Utc>,
    ) -> Notice {
        Notice::new(key, "cost_step", audience, at)
            .with("ticket_id", self.id.as_str())
            .with("number", self.display_number())
            .with("title", self.title.clone())
            .with("action_label", action_label)
            .with("cost", format_rub(self.cost_amount()))
            .with("minutes", minutes_text(self.cost.minutes))
            .with("cost_state_label", self.cost.state.label())
            .with("comment", comment.unwrap_or_default())
            .with("detail", detail.unwrap_or_default())
    }

    fn platform_audience(&self) -> Audience {
        match &self.assignee_id {
            Some(user_id) => Audience::User {
                user_id: user_id.clone(),
            },
            None => Audience::Role {
                role: Role::Specialist,
            },
        }
    }

    fn party_of(&self, actor: &Actor) -> Option<Party> {
        if actor.role.works_tickets() {
            Some(Party::Platform)
        } else if actor.is_staff_of(&self.dealer_id) {
            Some(Party::Dealer)
        } else {
            None
        }
    }

    /// This ticket changed by `f` at `now`: the next version.
    fn changed(&self, now: DateTime<Utc>, f: impl FnOnce(&mut Ticket)) -> Ticket {
        let mut t = self.clone();
        f(&mut t);
        t.updated_at = now;
        t.version = self.version + 1;
        t
    }

    /// The history event of a cost move that produced this version.
    fn cost_event(
        &self,
        actor: Option<&Actor>,
        kind: CostEventKind,
        from: CostState,
        comment: Option<&str>,
        detail: Option<String>,
        at: DateTime<Utc>,
    ) -> CostEvent {
        CostEvent {
            at,
            version: self.version,
            actor_id: actor.map(|a| a.user_id.clone()),
            actor_role: actor.map(|a| a.role),
            kind,
            from,
            to: self.cost.state,
            comment: comment
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| c.chars().take(COMMENT_MAX).collect()),
            detail: detail.filter(|d| !d.is_empty()),
            minutes: self.cost.minutes,
            cost: self.cost_amount(),
        }
    }
}

/// Minutes for people: «10 мин», «1 ч 30 мин», «2 ч».
pub fn minutes_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} мин"),
        (h, 0) => format!("{h} ч"),
        (h, m) => format!("{h} ч {m} мин"),
    }
}

/// What kind of step a [`CostEvent`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CostEventKind {
    /// A specialist changed the category and/or billing class.
    Reclassify,
    /// The dealer confirmed the cost.
    Confirm,
    /// The dealer asked for details.
    Dispute,
    /// The specialist explained the time.
    AnswerDispute,
    /// The specialist corrected a time entry.
    CorrectTime,
    /// The quarter's deadline passed: a pending cost counts as confirmed.
    ConfirmedAtCutoff,
    /// The quarter's deadline passed with the dispute open: the cost moves on.
    MovedToNextQuarter,
}

impl CostEventKind {
    /// Every kind.
    pub const ALL: [CostEventKind; 7] = [
        CostEventKind::Reclassify,
        CostEventKind::Confirm,
        CostEventKind::Dispute,
        CostEventKind::AnswerDispute,
        CostEventKind::CorrectTime,
        CostEventKind::ConfirmedAtCutoff,
        CostEventKind::MovedToNextQuarter,
    ];

    /// The API and storage code.
    pub fn code(self) -> &'static str {
        match self {
            CostEventKind::Reclassify => "reclassify",
            CostEventKind::Confirm => "cost_confirm",
            CostEventKind::Dispute => "cost_dispute",
            CostEventKind::AnswerDispute => "cost_answer",
            CostEventKind::CorrectTime => "time_correction",
            CostEventKind::ConfirmedAtCutoff => "cost_confirmed_at_cutoff",
            CostEventKind::MovedToNextQuarter => "cost_moved_to_next_quarter",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<CostEventKind> {
        CostEventKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The history words.
    pub fn label(self) -> &'static str {
        match self {
            CostEventKind::Reclassify => "Изменена категория или тип обращения",
            CostEventKind::Confirm => CostActionKind::Confirm.label(),
            CostEventKind::Dispute => CostActionKind::Dispute.label(),
            CostEventKind::AnswerDispute => CostActionKind::AnswerDispute.label(),
            CostEventKind::CorrectTime => CostActionKind::CorrectTime.label(),
            CostEventKind::ConfirmedAtCutoff => "Стоимость подтверждена по сроку",
            CostEventKind::MovedToNextQuarter => "Стоимость перенесена в следующий квартал",
        }
    }

    /// Who makes this step.
    pub fn party(self) -> Party {
        match self {
            CostEventKind::Confirm | CostEventKind::Dispute => Party::Dealer,
            CostEventKind::Reclassify
            | CostEventKind::AnswerDispute
            | CostEventKind::CorrectTime => Party::Platform,
            CostEventKind::ConfirmedAtCutoff | CostEventKind::MovedToNextQuarter => Party::System,
        }
    }
}

/// A step on a ticket's time and cost, for its history: who, when, the cost state from
/// and to, the words, and the ticket's minutes and cost after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostEvent {
    pub at: DateTime<Utc>,
    /// The ticket version this step produced (orders steps in the same millisecond).
    pub version: u64,
    /// `None` for the system (the cut-off).
    pub actor_id: Option<UserId>,
    pub actor_role: Option<Role>,
    pub kind: CostEventKind,
    pub from: CostState,
    pub to: CostState,
    /// The reason, dispute, answer or correction note.
    pub comment: Option<String>,
    /// What changed, in words («Категория: …», «Запись от …: 40 мин → 20 мин»).
    pub detail: Option<String>,
    pub minutes: u32,
    pub cost: Decimal,
}

/// A time-and-cost move the rules refuse; nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CostingError {
    #[error(transparent)]
    Time(#[from] TimeEntryError),
    #[error(transparent)]
    Cost(#[from] CostError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Logging or correcting time and reclassifying are the platform's work.
    #[error("only specialists log time and reclassify")]
    NotPlatform,
    /// A finished ticket takes no new time entries.
    #[error("time logged on a finished ticket")]
    TicketDone,
    /// A finished ticket is reclassified only while its cost is disputed.
    #[error("reclassifying a finished ticket with cost {}", .state.code())]
    ReclassifyDone { state: CostState },
    /// The dealer filed paid work free with low priority (SPEC §2.2): it is never billed.
    #[error("making paid a ticket the dealer chose to file free")]
    FreeByDealersChoice,
    /// The dealer confirms or disputes after the quarter's last day to do so.
    #[error("the confirmation deadline of {quarter} has passed")]
    DeadlinePassed { quarter: Quarter },
}

impl CostingError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            CostingError::Time(e) => e.message_ru(),
            CostingError::Cost(e) => e.message_ru(),
            CostingError::Invalid(e) => e.message_ru(),
            CostingError::NotPlatform => {
                "Списывать время и менять категорию может только специалист поддержки.".into()
            }
            CostingError::TicketDone => "Обращение завершено: новое время не списывается. \
                 Исправить время можно в ответ на запрос детализации."
                .into(),
            CostingError::ReclassifyDone { state } => format!(
                "Обращение завершено, стоимость «{}»: категорию и тип можно изменить только \
                 в ответ на запрос детализации.",
                state.label()
            ),
            CostingError::FreeByDealersChoice => "Дилер выбрал бесплатное обращение с низким \
                 приоритетом: оно не оплачивается, и сделать его платным нельзя. Если работа \
                 требует платного обращения, напишите об этом дилеру в комментарии."
                .into(),
            CostingError::DeadlinePassed { quarter } => format!(
                "Стоимость за {} можно было подтвердить или оспорить {}; срок прошёл, и \
                 неоспоренная стоимость считается подтверждённой.",
                quarter.label(),
                deadline_text(*quarter)
            ),
        }
    }
}

/// An estimate's minutes as the action body carries them, checked: required for
/// `send_estimate`, 1..=60 000.
pub fn check_estimate_minutes(minutes: Option<i64>) -> Result<u32, ValidationError> {
    match minutes {
        None => Err(ValidationError::field(
            "estimate_minutes",
            "Укажите оценку трудозатрат в минутах: по ней дилер увидит стоимость.",
        )),
        Some(m) if m < 1 || m > i64::from(ESTIMATE_MINUTES_MAX) => Err(ValidationError::field(
            "estimate_minutes",
            "Оценка трудозатрат — от 1 до 60 000 минут.",
        )),
        Some(m) => Ok(m as u32),
    }
}

/// What a specialist typed to reclassify a ticket, unchecked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReclassifyDraft {
    pub category: Option<String>,
    /// Absent means the new category's default billing class.
    pub billing: Option<String>,
    /// Why; the dealer reads it.
    pub reason: Option<String>,
}

/// A checked reclassification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reclassification {
    pub category: Category,
    pub billing: Billing,
    pub reason: String,
}

impl ReclassifyDraft {
    /// Checks the draft against the ticket's current classification; reports every
    /// problem at once.
    ///
    /// A specialist may make paid work free whatever its criticality (e.g. moving to the
    /// platform's own cloud), but never bill a free category.
    pub fn validate(
        &self,
        current: (Category, Billing),
    ) -> Result<Reclassification, ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let category = match given(&self.category) {
            None => Some(current.0),
            Some(code) => Category::from_code(code).or_else(|| {
                bad("category", "Такой категории обращений нет.");
                None
            }),
        };
        let billing = match given(&self.billing) {
            None => match given(&self.category) {
                Some(_) => category.map(Category::default_billing),
                None => Some(current.1),
            },
            Some(code) => Billing::from_code(code).or_else(|| {
                bad(
                    "billing",
                    "Тип обращения может быть «платно» или «бесплатно».",
                );
                None
            }),
        };
        let reason = self.reason.as_deref().map(str::trim).unwrap_or("");
        if reason.is_empty() {
            bad("reason", "Укажите причину: её увидит дилер.");
        } else if reason.chars().count() > COMMENT_MAX {
            bad("reason", "Причина длиннее 10 000 символов.");
        }
        if let (Some(category), Some(billing)) = (category, billing) {
            if category.default_billing() == Billing::Free && billing == Billing::Paid {
                bad(
                    "billing",
                    "Обращения этой категории бесплатны: выберите «бесплатно».",
                );
            } else if (category, billing) == current {
                bad(
                    "category",
                    "Категория и тип уже такие: укажите, что изменить.",
                );
            }
        }
        match (category, billing) {
            (Some(category), Some(billing)) if errors.is_empty() => Ok(Reclassification {
                category,
                billing,
                reason: reason.to_string(),
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

/// A reminder the cost-reminder job sends on `today`, if any: the latest reminder date of
/// today's quarter (7 days, then 1 day before the 26th) that is not after today, up to the
/// deadline itself. A run that missed a reminder day still sends it, and every run on the
/// following days finds the same date, so one deterministic notice key per dealer and
/// date keeps it to one notice.
pub fn reminder_due(today: NaiveDate) -> Option<(Quarter, NaiveDate)> {
    let quarter = Quarter::of(today);
    if today > confirmation_deadline(quarter) {
        return None;
    }
    reminder_dates(quarter)
        .into_iter()
        .rev()
        .find(|d| *d <= today)
        .map(|d| (quarter, d))
}

/// The reminder notice to one dealer about its costs awaiting confirmation.
pub fn cost_reminder_notice(
    dealer: &DealerId,
    quarter: Quarter,
    reminder_date: NaiveDate,
    pending: &[&Ticket],
    at: DateTime<Utc>,
) -> Notice {
    let total: Decimal = pending.iter().map(|t| t.cost_amount()).sum();
    let lines: Vec<String> = pending
        .iter()
        .map(|t| {
            format!(
                "{} «{}» — {}",
                t.display_number(),
                t.title,
                format_rub(t.cost_amount())
            )
        })
        .collect();
    Notice::new(
        format!("cost-reminder:{dealer}:{reminder_date}"),
        "cost_reminder",
        Audience::DealerStaff {
            dealer_id: dealer.clone(),
        },
        at,
    )
    .with("count", pending.len().to_string())
    .with("total", format_rub(total))
    .with(
        "deadline",
        confirmation_deadline(quarter)
            .format("%d.%m.%Y")
            .to_string(),
    )
    .with("deadline_text", deadline_text(quarter))
    .with("quarter_label", quarter.label())
    .with("tickets", lines.join("\n"))
}

impl Refuse for CostingError {
    /// As the app shows it: the ledger's and the cost machine's own refusals, bad input as
    /// `validation_failed`, and "not a specialist" as the plain «forbidden».
    fn refusal(&self) -> Refusal {
        match self {
            CostingError::Time(e) => e.refusal(),
            CostingError::Cost(e) => e.refusal(),
            CostingError::Invalid(e) => e.refusal(),
            CostingError::NotPlatform => Refusal::forbidden(),
            CostingError::TicketDone => {
                Refusal::new(RefusalKind::Conflict, "ticket_done", self.message_ru())
            }
            CostingError::ReclassifyDone { .. } => {
                Refusal::new(RefusalKind::Conflict, "reclassify_done", self.message_ru())
            }
            CostingError::FreeByDealersChoice => Refusal::new(
                RefusalKind::Conflict,
                "free_by_dealers_choice",
                self.message_ru(),
            ),
            CostingError::DeadlinePassed { .. } => Refusal::new(
                RefusalKind::Conflict,
                "confirmation_deadline_passed",
                self.message_ru(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TicketId;
    use crate::ticket::TicketDraft;
    use crate::ticket::lifecycle::Action;
    use crate::ticket::time::{CorrectionDraft, TimeEntryDraft};
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
    }

    fn dealer(d: &str) -> Actor {
        Actor {
            user_id: UserId::new(format!("user-{d}")),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new(d)),
        }
    }

    fn specialist() -> Actor {
        Actor {
            user_id: UserId::new("spec"),
            role: Role::Specialist,
            dealer_id: None,
        }
    }

    fn ticket(category: &str, criticality: &str, billing: Option<&str>) -> Ticket {
        let new = TicketDraft {
            title: Some("Разместить новость".into()),
            text: Some("Новость об акции".into()),
            category: Some(category.into()),
            criticality: Some(criticality.into()),
            billing: billing.map(Into::into),
        }
        .validate()
        .unwrap();
        Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &dealer("d1"),
            new,
            &cal(),
            at(3, 2, 9),
        )
        .0
    }

    fn cal() -> crate::calendar::WorkingCalendar {
        crate::calendar::WorkingCalendar::platform_default()
    }

    fn log(t: &Ticket, id: &str, minutes: i64) -> (Ticket, TimeEntry) {
        let new = TimeEntryDraft {
            minutes: Some(minutes),
            note: Some("работа".into()),
        }
        .validate()
        .unwrap();
        t.log_time(&specialist(), TimeEntryId::new(id), new, at(3, 2, 10))
            .unwrap()
    }

    /// Taken, worked, sent for review and accepted at `done`.
    fn finish(t: &Ticket, done: DateTime<Utc>) -> Ticket {
        let (t, _) = t
            .apply(&specialist(), Action::Take, None, &cal(), done)
            .unwrap();
        let (t, _) = t
            .apply(&specialist(), Action::SendForReview, None, &cal(), done)
            .unwrap();
        t.apply(&dealer("d1"), Action::Accept, None, &cal(), done)
            .unwrap()
            .0
    }

    #[test]
    fn high_criticality_10_minutes_costs_590_rubles() {
        let t = ticket("individual_news", "high", None);
        let (t, entry) = log(&t, "e1", 10);
        assert_eq!(entry.minutes, 10);
        assert_eq!(t.cost.minutes, 10);
        assert_eq!(t.cost_amount(), dec!(590));
        assert_eq!(t.version, 2);
    }

    #[test]
    fn a_free_ticket_costs_nothing_but_keeps_its_minutes() {
        let t = ticket("consultation", "high", None);
        let (t, _) = log(&t, "e1", 45);
        assert_eq!(t.cost.minutes, 45);
        assert_eq!(t.cost_amount(), Decimal::ZERO);
        let done = finish(&t, at(3, 3, 9));
        assert_eq!(done.cost.state, CostState::None, "nothing to confirm");
        assert_eq!(done.cost.quarter, None);
    }

    #[test]
    fn a_finished_paid_ticket_with_time_awaits_confirmation_in_its_quarter() {
        let (t, _) = log(&ticket("individual_news", "high", None), "e1", 10);
        let done = finish(&t, at(3, 20, 9));
        assert_eq!(done.cost.state, CostState::Pending);
        assert_eq!(done.cost.quarter, Quarter::new(2026, 1));
        assert_eq!(done.cost.completed_at, Some(at(3, 20, 9)));
        assert!(done.cost.is_open());
        let late = finish(&t, at(3, 27, 9));
        assert_eq!(
            late.cost.quarter,
            Quarter::new(2026, 2),
            "after the 26th: next bill"
        );
        let notice = done.cost_pending_notice(at(3, 20, 9)).unwrap();
        assert_eq!(notice.template, "cost_step");
        assert_eq!(notice.params["cost"], format_rub(dec!(590)));
        assert!(notice.params["detail"].contains("до 26.03 включительно"));
    }

    #[test]
    fn only_the_platform_logs_time_and_only_on_an_open_ticket() {
        let t = ticket("individual_news", "high", None);
        let new = NewTimeEntry {
            minutes: 5,
            note: String::new(),
        };
        assert_eq!(
            t.log_time(
                &dealer("d1"),
                TimeEntryId::new("e"),
                new.clone(),
                at(3, 2, 9)
            ),
            Err(CostingError::NotPlatform)
        );
        let done = finish(&t, at(3, 2, 9));
        assert_eq!(
            done.log_time(&specialist(), TimeEntryId::new("e"), new, at(3, 2, 9)),
            Err(CostingError::TicketDone)
        );
    }

    #[test]
    fn dispute_answer_correct_and_confirm() {
        let t = ticket("individual_news", "high", None);
        let (t, e1) = log(&t, "e1", 40);
        let done = finish(&t, at(3, 20, 9));
        let d = dealer("d1");
        let s = specialist();

        let silent = CostAction::Dispute {
            comment: " ".into(),
        };
        assert!(matches!(
            done.cost_move(&d, silent, at(3, 20, 10)),
            Err(CostingError::Cost(CostError::CommentRequired { .. }))
        ));
        assert!(matches!(
            done.cost_move(&dealer("d2"), CostAction::Confirm, at(3, 20, 10)),
            Err(CostingError::Cost(CostError::NotYourMove { .. }))
        ));
        let (disputed, ev) = done
            .cost_move(
                &d,
                CostAction::Dispute {
                    comment: "Почему 40 минут?".into(),
                },
                at(3, 20, 10),
            )
            .unwrap();
        assert_eq!(disputed.cost.state, CostState::Disputed);
        assert_eq!((ev.from, ev.to), (CostState::Pending, CostState::Disputed));
        assert_eq!(
            disputed.cost_notices(&ev)[0].audience,
            Audience::User {
                user_id: UserId::new("spec")
            }
        );

        let (answered, ev) = disputed
            .cost_move(
                &s,
                CostAction::AnswerDispute {
                    comment: "Три фото".into(),
                },
                at(3, 20, 11),
            )
            .unwrap();
        assert_eq!(answered.cost.state, CostState::Pending);
        assert_eq!(
            answered.cost_notices(&ev)[0].audience,
            Audience::DealerStaff {
                dealer_id: DealerId::new("d1")
            }
        );

        let (disputed, _) = answered
            .cost_move(
                &d,
                CostAction::Dispute {
                    comment: "Всё же много".into(),
                },
                at(3, 20, 12),
            )
            .unwrap();
        let correction = CorrectionDraft {
            minutes: Some(20),
            note: Some("Лишнее списание".into()),
        }
        .validate()
        .unwrap();
        let (corrected, entry, ev) = disputed
            .correct_time(
                &s,
                std::slice::from_ref(&e1),
                &e1.id,
                TimeEntryId::new("e2"),
                correction.clone(),
                at(3, 21, 9),
            )
            .unwrap();
        assert_eq!(entry.minutes, -20);
        assert_eq!(corrected.cost.minutes, 20);
        assert_eq!(corrected.cost.state, CostState::Pending);
        assert_eq!(ev.kind, CostEventKind::CorrectTime);
        assert_eq!(ev.cost, dec!(1170));
        assert!(ev.detail.as_deref().unwrap().contains("40 мин → 20 мин"));

        // Corrections of a pending cost are refused: the dealer has the word.
        assert!(matches!(
            corrected.correct_time(
                &s,
                &[e1.clone(), entry.clone()],
                &e1.id,
                TimeEntryId::new("e3"),
                correction,
                at(3, 21, 9)
            ),
            Err(CostingError::Cost(CostError::IllegalMove { .. }))
        ));
        let (confirmed, ev) = corrected
            .cost_move(&d, CostAction::Confirm, at(3, 21, 10))
            .unwrap();
        assert_eq!(confirmed.cost.state, CostState::Confirmed);
        assert_eq!(ev.kind, CostEventKind::Confirm);
        assert!(!confirmed.cost.is_open());
    }

    #[test]
    fn the_cutoff_confirms_pending_and_moves_disputed_once() {
        let (t, _) = log(&ticket("individual_news", "high", None), "e1", 10);
        let pending = finish(&t, at(3, 20, 9));
        let before = NaiveDate::from_ymd_opt(2026, 3, 26).unwrap();
        let after = NaiveDate::from_ymd_opt(2026, 3, 27).unwrap();
        assert_eq!(
            pending.cutoff_on(before, at(3, 26, 12)),
            None,
            "not before the 27th"
        );
        let (confirmed, ev) = pending.cutoff_on(after, at(3, 27, 0)).unwrap();
        assert_eq!(confirmed.cost.state, CostState::Confirmed);
        assert_eq!(confirmed.cost.quarter, Quarter::new(2026, 1));
        assert_eq!(ev.kind, CostEventKind::ConfirmedAtCutoff);
        assert_eq!(ev.actor_id, None);
        assert_eq!(
            confirmed.cutoff_on(after, at(3, 27, 0)),
            None,
            "twice changes nothing"
        );

        let (disputed, _) = pending
            .cost_move(
                &dealer("d1"),
                CostAction::Dispute {
                    comment: "?".into(),
                },
                at(3, 21, 9),
            )
            .unwrap();
        let (moved, ev) = disputed.cutoff_on(after, at(3, 27, 0)).unwrap();
        assert_eq!(moved.cost.state, CostState::Disputed);
        assert_eq!(moved.cost.quarter, Quarter::new(2026, 2));
        assert_eq!(ev.kind, CostEventKind::MovedToNextQuarter);
        assert_eq!(
            moved.cutoff_on(after, at(3, 27, 0)),
            None,
            "twice changes nothing"
        );
        // A cut-off that ran late skips quarters already cut off.
        let much_later = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            disputed
                .cutoff_on(much_later, at(7, 1, 0))
                .unwrap()
                .0
                .cost
                .quarter,
            Quarter::new(2026, 3)
        );
    }

    #[test]
    fn reclassifying_changes_the_cost_with_a_reason_the_dealer_reads() {
        // A central update broke the АВН module: the platform's side → free.
        let t = ticket("dealer_side_bug", "high", None);
        let (t, _) = log(&t, "e1", 30);
        assert_eq!(t.cost_amount(), dec!(1750));
        let change = ReclassifyDraft {
            category: Some("platform_bug".into()),
            billing: None,
            reason: Some("Модуль АВН сломало центральное обновление".into()),
        }
        .validate((t.category, t.billing))
        .unwrap();
        assert_eq!(change.billing, Billing::Free);
        let (free, ev) = t.reclassify(&specialist(), &change, at(3, 2, 11)).unwrap();
        assert_eq!(free.billing, Billing::Free);
        assert_eq!(free.cost_amount(), Decimal::ZERO);
        assert_eq!(free.cost.minutes, 30);
        assert!(
            ev.detail.as_deref().unwrap().starts_with("Категория:"),
            "{:?}",
            ev.detail
        );
        let notice = &free.cost_notices(&ev)[0];
        assert_eq!(
            notice.audience,
            Audience::DealerStaff {
                dealer_id: DealerId::new("d1")
            }
        );
        assert!(notice.params["comment"].contains("АВН"));
        assert_eq!(
            t.reclassify(&dealer("d1"), &change, at(3, 2, 11)),
            Err(CostingError::NotPlatform)
        );
    }

    #[test]
    fn the_spec_examples_of_reclassification_hold() {
        let validate =
            |current: (Category, Billing), category: Option<&str>, billing: Option<&str>| {
                ReclassifyDraft {
                    category: category.map(Into::into),
                    billing: billing.map(Into::into),
                    reason: Some("Причина".into()),
                }
                .validate(current)
                .map(|r| (r.category, r.billing))
            };
        let cases = [
            // A contractor's code broke the site → paid.
            (
                (Category::PlatformBug, Billing::Free),
                Some("dealer_side_bug"),
                None,
                (Category::DealerSideBug, Billing::Paid),
            ),
            // A central update broke the АВН module → free.
            (
                (Category::FeedErrors, Billing::Paid),
                Some("platform_bug"),
                None,
                (Category::PlatformBug, Billing::Free),
            ),
            // Cars vanished after the dealer's feed update → paid.
            (
                (Category::PlatformBug, Billing::Free),
                Some("feed_errors"),
                None,
                (Category::FeedErrors, Billing::Paid),
            ),
            // Error in central content → free.
            (
                (Category::CustomContent, Billing::Paid),
                Some("central_update"),
                None,
                (Category::CentralUpdate, Billing::Free),
            ),
            // Moving to another hosting → paid; to the platform's own cloud → free.
            (
                (Category::Other, Billing::Paid),
                Some("site_migration"),
                None,
                (Category::SiteMigration, Billing::Paid),
            ),
            (
                (Category::SiteMigration, Billing::Paid),
                None,
                Some("free"),
                (Category::SiteMigration, Billing::Free),
            ),
        ];
        for (current, category, billing, expected) in cases {
            assert_eq!(
                validate(current, category, billing),
                Ok(expected),
                "{category:?} {billing:?}"
            );
        }
        let err =
            validate((Category::Consultation, Billing::Free), None, Some("paid")).unwrap_err();
        assert_eq!(err.errors[0].field, "billing");
        let err = validate(
            (Category::Consultation, Billing::Free),
            Some("consultation"),
            None,
        )
        .unwrap_err();
        assert_eq!(err.errors[0].field, "category", "nothing changes");
        let err = ReclassifyDraft {
            category: Some("haircut".into()),
            billing: None,
            reason: None,
        }
        .validate((Category::Other, Billing::Paid))
        .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["category", "reason"]);
    }

    #[test]
    fn a_paid_kind_of_work_filed_free_with_low_priority_is_the_dealers_choice_and_never_billed() {
        let t = ticket("meta_tags", "low", Some("free"));
        assert!(t.free_by_choice);
        assert!(!ticket("meta_tags", "low", None).free_by_choice);
        assert!(!ticket("consultation", "low", None).free_by_choice);
        for (category, billing) in [("meta_tags", Some("paid")), ("code_placement", None)] {
            let change = ReclassifyDraft {
                category: Some(category.into()),
                billing: billing.map(Into::into),
                reason: Some("Это платная работа".into()),
            }
            .validate((t.category, t.billing))
            .unwrap();
            assert_eq!(
                t.reclassify(&specialist(), &change, at(3, 2, 11)),
                Err(CostingError::FreeByDealersChoice),
                "{category}"
            );
        }
        // Another paid category kept free is still the dealer's free ticket.
        let change = ReclassifyDraft {
            category: Some("code_placement".into()),
            billing: Some("free".into()),
            reason: Some("Это размещение кода".into()),
        }
        .validate((t.category, t.billing))
        .unwrap();
        let (moved, _) = t.reclassify(&specialist(), &change, at(3, 2, 11)).unwrap();
        assert!(moved.free_by_choice);
        // Worked and finished: nothing to pay, nothing to confirm.
        let (worked, _) = log(&moved, "e1", 90);
        let done = finish(&worked, at(3, 20, 9));
        assert_eq!(done.cost_amount(), dec!(0));
        assert_eq!(done.cost.state, CostState::None);
        assert!(done.cost_pending_notice(at(3, 20, 9)).is_none());
    }

    #[test]
    fn the_26th_is_the_dealers_last_day_through_23_59_moscow_time() {
        let (t, _) = log(&ticket("individual_news", "high", None), "e1", 10);
        let done = finish(&t, at(3, 20, 9));
        assert_eq!(done.cost.quarter, Some(Quarter::new(2026, 1).unwrap()));
        // 26.03 23:59 MSK is 20:59 UTC; 27.03 00:00 MSK is 26.03 21:00 UTC.
        let last_minute = Utc.with_ymd_and_hms(2026, 3, 26, 20, 59, 0).unwrap();
        let too_late = Utc.with_ymd_and_hms(2026, 3, 26, 21, 0, 0).unwrap();
        assert!(
            done.cost_move(&dealer("d1"), CostAction::Confirm, last_minute)
                .is_ok()
        );
        let dispute = || CostAction::Dispute {
            comment: "Почему так?".into(),
        };
        assert!(
            done.cost_move(&dealer("d1"), dispute(), last_minute)
                .is_ok()
        );
        for action in [CostAction::Confirm, dispute()] {
            let err = done.cost_move(&dealer("d1"), action, too_late).unwrap_err();
            assert_eq!(
                err,
                CostingError::DeadlinePassed {
                    quarter: Quarter::new(2026, 1).unwrap()
                }
            );
            assert!(err.message_ru().contains("до 26.03 включительно"));
        }
        // The pending notice says the same words.
        let notice = done.cost_pending_notice(at(3, 20, 9)).unwrap();
        assert!(
            notice.params["detail"].contains("до 26.03 включительно"),
            "{:?}",
            notice.params
        );
    }

    #[test]
    fn a_finished_ticket_is_reclassified_only_in_a_dispute() {
        let (t, _) = log(&ticket("dealer_side_bug", "high", None), "e1", 30);
        let done = finish(&t, at(3, 20, 9));
        let change = ReclassifyDraft {
            category: Some("platform_bug".into()),
            billing: None,
            reason: Some("Ошибка на стороне платформы".into()),
        }
        .validate((done.category, done.billing))
        .unwrap();
        assert_eq!(
            done.reclassify(&specialist(), &change, at(3, 20, 10)),
            Err(CostingError::ReclassifyDone {
                state: CostState::Pending
            })
        );
        let (disputed, _) = done
            .cost_move(
                &dealer("d1"),
                CostAction::Dispute {
                    comment: "Это не наша ошибка".into(),
                },
                at(3, 20, 10),
            )
            .unwrap();
        let (free, ev) = disputed
            .reclassify(&specialist(), &change, at(3, 20, 11))
            .unwrap();
        assert_eq!(free.cost.state, CostState::None, "nothing left to confirm");
        assert_eq!(free.cost.quarter, None);
        assert_eq!((ev.from, ev.to), (CostState::Disputed, CostState::None));
    }

    #[test]
    fn an_estimate_is_required_and_bounded() {
        assert_eq!(check_estimate_minutes(Some(90)), Ok(90));
        for bad in [None, Some(0), Some(-5), Some(60_001)] {
            assert_eq!(
                check_estimate_minutes(bad).unwrap_err().errors[0].field,
                "estimate_minutes"
            );
        }
        let mut t = ticket("individual_news", "high", None);
        t.cost.estimate_minutes = Some(10);
        assert_eq!(t.estimate_amount(), Some(dec!(590)));
        assert_eq!(
            t.estimate_text().unwrap(),
            format!("{} (10 мин)", format_rub(dec!(590)))
        );
    }

    #[test]
    fn only_resolved_paid_work_with_a_cost_is_similar_work() {
        let (t, _) = log(&ticket("individual_news", "high", None), "e1", 10);
        let done = finish(&t, at(3, 20, 9));
        let work = done.as_completed_work().unwrap();
        assert_eq!(work.cost, dec!(590));
        assert!(work.text.contains("Разместить новость"));
        assert!(
            finish(&ticket("individual_news", "high", None), at(3, 20, 9))
                .as_completed_work()
                .is_none()
        );
        let (impossible, _) = t
            .apply(
                &specialist(),
                Action::DeclareImpossible,
                Some("нет"),
                &cal(),
                at(3, 20, 9),
            )
            .unwrap();
        assert!(impossible.as_completed_work().is_none());
    }

    #[test]
    fn reminders_fall_7_days_and_1_day_before_the_26th_and_repeat_the_same_date() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let q1 = Quarter::new(2026, 1).unwrap();
        assert_eq!(reminder_due(d(3, 18)), None);
        assert_eq!(reminder_due(d(3, 19)), Some((q1, d(3, 19))));
        assert_eq!(reminder_due(d(3, 22)), Some((q1, d(3, 19))));
        assert_eq!(reminder_due(d(3, 25)), Some((q1, d(3, 25))));
        assert_eq!(reminder_due(d(3, 26)), Some((q1, d(3, 25))));
        assert_eq!(reminder_due(d(3, 27)), None);
        assert_eq!(reminder_due(d(2, 10)), None);
    }

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes_text(10), "10 мин");
        assert_eq!(minutes_text(90), "1 ч 30 мин");
        assert_eq!(minutes_text(120), "2 ч");
    }

    #[test]
    fn costing_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind as K, Refuse};
        let cases = [
            (
                CostingError::Time(TimeEntryError::NothingToCorrect),
                K::Invalid,
                "nothing_to_correct",
                TimeEntryError::NothingToCorrect.message_ru(),
            ),
            (
                CostingError::Cost(CostError::NotYourMove {
                    action: CostActionKind::Confirm,
                }),
                K::Forbidden,
                "not_your_move",
                CostError::NotYourMove {
                    action: CostActionKind::Confirm,
                }
                .message_ru(),
            ),
            (
                CostingError::Invalid(ValidationError::field("minutes", "Укажите минуты.")),
                K::Invalid,
                "validation_failed",
                "Укажите минуты.".to_string(),
            ),
            (
                CostingError::NotPlatform,
                K::Forbidden,
                "forbidden",
                "Недостаточно прав для этого действия.".to_string(),
            ),
            (
                CostingError::TicketDone,
                K::Conflict,
                "ticket_done",
                CostingError::TicketDone.message_ru(),
            ),
            (
                CostingError::ReclassifyDone {
                    state: CostState::Confirmed,
                },
                K::Conflict,
                "reclassify_done",
                CostingError::ReclassifyDone {
                    state: CostState::Confirmed,
                }
                .message_ru(),
            ),
            (
                CostingError::FreeByDealersChoice,
                K::Conflict,
                "free_by_dealers_choice",
                CostingError::FreeByDealersChoice.message_ru(),
            ),
            (
                CostingError::DeadlinePassed {
                    quarter: Quarter::new(2026, 1).unwrap(),
                },
                K::Conflict,
                "confirmation_deadline_passed",
                "Стоимость за I квартал 2026 г. можно было подтвердить или оспорить до 26.03 \
                 включительно; срок прошёл, и неоспоренная стоимость считается подтверждённой."
                    .to_string(),
            ),
        ];
        for (e, kind, code, message) in cases {
            let r = e.refusal();
            assert_eq!(
                (r.kind, r.code, r.message.clone()),
                (kind, code, message),
                "{e:?}"
            );
        }
        let r =
            CostingError::Invalid(ValidationError::field("minutes", "Укажите минуты.")).refusal();
        assert_eq!(r.fields[0].field, "minutes");
    }
}
