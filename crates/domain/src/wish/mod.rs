//! Central improvement wishes of SPEC §2.7 («пожелания по центральным доработкам»).
//!
//! A dealer submits a wish; the account manager takes it up, records and clarifies it and
//! passes it to development (1–2 working days); the development department decides (2–3
//! working days): rejected with a reason, or accepted into a two-week sprint with planned
//! dates; an accepted wish is then implemented. The dealer is told the status, the planned
//! dates or the reason at every step ([`Wish::dealer_notice`]).
//!
//! # Who decides
//! Each open status belongs to one stage ([`WishStatus::stage`]):
//! - submitted, under review → the **account manager** (`account_manager`, and `admin`, who
//!   may do everything): review, send to development. The account manager never rejects:
//!   only development decides, so a rejection before development is
//!   [`WishError::DevelopmentDecides`];
//! - with development, accepted → the **development department**, which the platform's
//!   `admin` role stands for (there is no separate role for it): reject, accept, implement.
//!
//! Whether an account manager is *this dealer's* account manager is an access question
//! the use case asks ([`crate::Actor::can_view_ticket_of`] style), not a lifecycle one.
//!
//! # Due dates
//! Each stage is due a number of working days after it began ([`Wish::stage_due`]): the
//! account manager's [`MANAGER_STAGE_DAYS`] after the submission, development's decision
//! [`DEVELOPMENT_STAGE_DAYS`] after the hand-over, and an accepted wish by the end of its
//! plan's last day. Past that instant the wish is overdue.
//!
//! The transitions are one `match` in [`next_wish_status`].

use crate::access::Actor;
use crate::calendar::WorkingCalendar;
use crate::error::{FieldError, ValidationError};
use crate::ids::{DealerId, UserId, WishId};
use crate::kernel::{Refusal, RefusalKind, Refuse, TextRule};
use crate::role::Role;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest wish title, in characters.
pub const WISH_TITLE_MAX: usize = 200;
/// Longest wish text, in characters.
pub const WISH_TEXT_MAX: usize = 10_000;
/// Longest note or rejection reason, in characters.
pub const WISH_COMMENT_MAX: usize = 2_000;
/// Longest sprint name, in characters.
pub const SPRINT_MAX: usize = 100;
/// The shortest plan: work goes in two-week sprints, so the planned last day is at least
/// 13 days after the first (14 calendar days inclusive).
pub const MIN_PLAN_DAYS: i64 = 13;
/// The account manager records, clarifies and passes a wish on within 1–2 working days:
/// the stage is due at the end of the range.
pub const MANAGER_STAGE_DAYS: u32 = 2;
/// Development decides within 2–3 working days of the hand-over: due at the end of the range.
pub const DEVELOPMENT_STAGE_DAYS: u32 = 3;

/// A wish's title as a draft field.
const TITLE_RULE: TextRule = TextRule::line(
    "title",
    "Название пожелания",
    "Кратко назовите пожелание.",
    WISH_TITLE_MAX,
);
/// A wish's text as a draft field.
const TEXT_RULE: TextRule = TextRule::text(
    "text",
    "Текст пожелания",
    "Опишите, что и зачем нужно доработать.",
    WISH_TEXT_MAX,
);
/// The account manager's clarification when taking a wish up.
const NOTE_RULE: TextRule = TextRule::text("note", "Комментарий", "", WISH_COMMENT_MAX);
/// Why a wish is rejected: the dealer reads it.
const REASON_RULE: TextRule = TextRule::text(
    "reason",
    "Причина отклонения",
    "Укажите причину отклонения: её увидит дилер.",
    WISH_COMMENT_MAX,
);
/// The sprint an accepted wish is planned into.
const SPRINT_RULE: TextRule =
    TextRule::line("sprint", "Название спринта", "Укажите спринт.", SPRINT_MAX);

crate::coded_enum! {
    /// Where a wish stands.
    pub enum WishStatus {
        /// «Подано»
        Submitted = "submitted" / "Подано",
        /// «На рассмотрении у аккаунт-менеджера»
        UnderReview = "under_review" / "На рассмотрении у аккаунт-менеджера",
        /// «Передано в разработку»
        WithDevelopment = "with_development" / "Передано в разработку",
        /// «Отклонено»
        Rejected = "rejected" / "Отклонено",
        /// «Принято в работу»
        Accepted = "accepted" / "Принято в работу",
        /// «Реализовано»
        Implemented = "implemented" / "Реализовано",
    }
}

/// Who decides a wish in a given status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WishStage {
    /// The dealer's account manager (or an admin).
    AccountManager,
    /// The development department: the platform's admins.
    Development,
}

impl WishStage {
    /// Whether a person with `role` decides at this stage.
    pub fn decided_by(self, role: Role) -> bool {
        match self {
            WishStage::AccountManager => matches!(role, Role::AccountManager | Role::Admin),
            WishStage::Development => role == Role::Admin,
        }
    }
}

impl WishStatus {
    /// Who decides now; `None` once the wish is rejected or implemented.
    pub fn stage(self) -> Option<WishStage> {
        match self {
            WishStatus::Submitted | WishStatus::UnderReview => Some(WishStage::AccountManager),
            WishStatus::WithDevelopment | WishStatus::Accepted => Some(WishStage::Development),
            WishStatus::Rejected | WishStatus::Implemented => None,
        }
    }

    /// Rejected or implemented: nothing more happens.
    pub fn is_final(self) -> bool {
        self.stage().is_none()
    }
}

crate::coded_enum! {
    /// What the current stage of a wish is due for.
    pub enum WishDeadline {
        /// The account manager records, clarifies and passes the wish on.
        Review = "review" / "Рассмотрение аккаунт-менеджером",
        /// Development accepts or rejects the wish.
        Decision = "decision" / "Решение отдела разработки",
        /// An accepted wish is implemented by its plan's last day.
        Implementation = "implementation" / "Реализация по плану",
    }
}

/// When the current stage of a wish is due, and whether it is late now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageDue {
    /// What is due.
    pub what: WishDeadline,
    /// The instant the stage is due.
    pub due_at: DateTime<Utc>,
    /// Past `due_at` and still in the stage.
    pub overdue: bool,
}

/// A decision on a wish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WishAction {
    /// The account manager takes the wish up, optionally recording a clarification.
    Review { note: Option<String> },
    /// The account manager hands the wish to development.
    SendToDevelopment,
    /// Development will not do the wish; the dealer is told why.
    Reject { reason: String },
    /// Development plans the wish into a sprint of at least two weeks.
    Accept {
        sprint: String,
        planned_from: NaiveDate,
        planned_to: NaiveDate,
    },
    /// Development reports the wish done.
    Implement,
}

crate::coded_enum! {
    /// The kind of a [`WishAction`], without its data.
    pub enum WishActionKind {
        Review = "review" / "Взять на рассмотрение",
        SendToDevelopment = "send_to_development" / "Передать в разработку",
        Reject = "reject" / "Отклонить",
        Accept = "accept" / "Принять в работу",
        Implement = "implement" / "Отметить как реализованное",
    }
}

impl WishAction {
    /// The kind of this decision.
    pub fn kind(&self) -> WishActionKind {
        match self {
            WishAction::Review { .. } => WishActionKind::Review,
            WishAction::SendToDevelopment => WishActionKind::SendToDevelopment,
            WishAction::Reject { .. } => WishActionKind::Reject,
            WishAction::Accept { .. } => WishActionKind::Accept,
            WishAction::Implement => WishActionKind::Implement,
        }
    }

    /// Checks the decision's own data: a reason to reject, a sprint and a plan of at least
    /// two weeks to accept, lengths.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        match self {
            WishAction::Review { note } => {
                if let Err(e) = NOTE_RULE.optional(note.as_deref()) {
                    bad(e.field, &e.message);
                }
            }
            WishAction::Reject { reason } => {
                if let Err(e) = REASON_RULE.required(Some(reason)) {
                    bad(e.field, &e.message);
                }
            }
            WishAction::Accept {
                sprint,
                planned_from,
                planned_to,
            } => {
                if let Err(e) = SPRINT_RULE.required(Some(sprint)) {
                    bad(e.field, &e.message);
                }
                if planned_to < planned_from {
                    bad(
                        "planned_to",
                        "Дата окончания не может быть раньше даты начала.",
                    );
                } else if (*planned_to - *planned_from).num_days() < MIN_PLAN_DAYS {
                    bad(
                        "planned_to",
                        "Доработки идут двухнедельными спринтами: срок — не меньше двух недель.",
                    );
                }
            }
            WishAction::SendToDevelopment | WishAction::Implement => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }
}

/// A wish decision the rules refuse; nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum WishError {
    /// The decision does not exist from this status.
    #[error("{} is not allowed from wish status {}", .action.code(), .from.code())]
    IllegalMove {
        from: WishStatus,
        action: WishActionKind,
    },
    /// A rejection before development has seen the wish: only development decides, the
    /// account manager's stage ends in passing the wish on.
    #[error("only development rejects a wish; it is still with the account manager")]
    DevelopmentDecides,
    /// The decision belongs to another stage's people.
    #[error("{} is not this actor's decision", .action.code())]
    NotYourMove { action: WishActionKind },
    /// The decision's data broke a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl WishError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            WishError::IllegalMove { from, action } => format!(
                "Действие «{}» невозможно: пожелание в статусе «{}».",
                action.label(),
                from.label()
            ),
            WishError::DevelopmentDecides => "Отклонить пожелание может только отдел разработки: \
                 аккаунт-менеджер уточняет пожелание и передаёт его в разработку."
                .to_string(),
            WishError::NotYourMove { action } => {
                format!("Действие «{}» вам недоступно.", action.label())
            }
            WishError::Invalid(e) => e.message_ru(),
        }
    }
}

/// The wish lifecycle: where `action` takes a wish in `status`, or why it cannot.
pub fn next_wish_status(status: WishStatus, action: &WishAction) -> Result<WishStatus, WishError> {
    wish_move(status, action.kind())
}

/// The wish lifecycle by the kind of decision alone (the whole machine is this one
/// `match`): where a decision of `kind` takes a wish in `status`, or why it cannot. The
/// decision's data never changes the answer; [`WishAction::validate`] checks it apart.
pub fn wish_move(status: WishStatus, kind: WishActionKind) -> Result<WishStatus, WishError> {
    use WishActionKind as K;
    use WishStatus as S;
    match (status, kind) {
        (S::Submitted, K::Review) => Ok(S::UnderReview),
        (S::UnderReview, K::SendToDevelopment) => Ok(S::WithDevelopment),
        (S::Submitted | S::UnderReview, K::Reject) => Err(WishError::DevelopmentDecides),
        (S::WithDevelopment, K::Reject) => Ok(S::Rejected),
        (S::WithDevelopment, K::Accept) => Ok(S::Accepted),
        (S::Accepted, K::Implement) => Ok(S::Implemented),
        (from, action) => Err(WishError::IllegalMove { from, action }),
    }
}

/// What a dealer typed into the wish form, unchecked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WishDraft {
    pub title: Option<String>,
    pub text: Option<String>,
}

/// A checked new wish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWish {
    pub title: String,
    pub text: String,
}

impl WishDraft {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<NewWish, ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        let title = TITLE_RULE
            .required(self.title.as_deref())
            .unwrap_or_else(|e| {
                bad(e.field, &e.message);
                String::new()
            });
        let text = TEXT_RULE
            .required(self.text.as_deref())
            .unwrap_or_else(|e| {
                bad(e.field, &e.message);
                String::new()
            });
        if errors.is_empty() {
            Ok(NewWish { title, text })
        } else {
            Err(ValidationError { errors })
        }
    }
}

/// An accepted wish's plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishPlan {
    pub sprint: String,
    pub planned_from: NaiveDate,
    pub planned_to: NaiveDate,
}

/// One step in a wish's history: who, when, from, to, and what was said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishEvent {
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub actor_role: Role,
    /// `None` for the submission.
    pub action: Option<WishActionKind>,
    pub from: Option<WishStatus>,
    pub to: WishStatus,
    /// The clarification, the reason, or the plan in words.
    pub comment: Option<String>,
    /// What the dealer is told about this step ([`Wish::dealer_notice`] after it).
    pub dealer_notice: String,
}

/// A central improvement wish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    pub id: WishId,
    pub dealer_id: DealerId,
    pub author_id: UserId,
    pub title: String,
    pub text: String,
    pub status: WishStatus,
    /// Set when accepted; kept once implemented.
    pub plan: Option<WishPlan>,
    /// Set when rejected.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic-lock version; starts at 1 and grows by one with every change.
    pub version: u64,
}

/// The first instant after `date` in the calendar's zone: a plan's last day is a whole day.
fn end_of_day(calendar: &WorkingCalendar, date: NaiveDate) -> Option<DateTime<Utc>> {
    let next = date.checked_add_days(Days::new(1))?;
    calendar
        .tz()
        .from_local_datetime(&next.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn ru_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

impl Wish {
    /// A dealer's freshly submitted wish and its first history event. The caller has
    /// checked that `author` files for `dealer_id`.
    pub fn submit(
        id: WishId,
        dealer_id: DealerId,
        author: &Actor,
        new: NewWish,
        now: DateTime<Utc>,
    ) -> (Wish, WishEvent) {
        let wish = Wish {
            id,
            dealer_id,
            author_id: author.user_id.clone(),
            title: new.title,
            text: new.text,
            status: WishStatus::Submitted,
            plan: None,
            reason: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let event = WishEvent {
            at: now,
            actor_id: author.user_id.clone(),
            actor_role: author.role,
            action: None,
            from: None,
            to: WishStatus::Submitted,
            comment: None,
            dealer_notice: wish.dealer_notice(),
        };
        (wish, event)
    }

    /// A decision by `actor`. Returns the changed wish and its history event (carrying
    /// the dealer's notice); the caller stores both together, conditional on
    /// [`Wish::version`] being unchanged, and sends the notice.
    pub fn apply(
        &self,
        actor: &Actor,
        action: WishAction,
        now: DateTime<Utc>,
    ) -> Result<(Wish, WishEvent), WishError> {
        let kind = action.kind();
        let to = self.check_move(actor, kind)?;
        action.validate()?;
        let mut wish = Wish {
            status: to,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        };
        let comment = match action {
            WishAction::Review { note } => {
                note.map(|n| NOTE_RULE.clean(&n)).filter(|n| !n.is_empty())
            }
            WishAction::Reject { reason } => {
                let reason = REASON_RULE.clean(&reason);
                wish.reason = Some(reason.clone());
                Some(reason)
            }
            WishAction::Accept {
                sprint,
                planned_from,
                planned_to,
            } => {
                let plan = WishPlan {
                    sprint: SPRINT_RULE.clean(&sprint),
                    planned_from,
                    planned_to,
                };
                let words = format!(
                    "Спринт «{}», {} — {}",
                    plan.sprint,
                    ru_date(planned_from),
                    ru_date(planned_to)
                );
                wish.plan = Some(plan);
                Some(words)
            }
            WishAction::SendToDevelopment | WishAction::Implement => None,
        };
        let event = WishEvent {
            at: now,
            actor_id: actor.user_id.clone(),
            actor_role: actor.role,
            action: Some(kind),
            from: Some(self.status),
            to,
            comment,
            dealer_notice: wish.dealer_notice(),
        };
        Ok((wish, event))
    }

    /// When the current stage began. The account manager's stage starts with the
    /// submission (taking the wish up does not restart it); every later stage starts with
    /// the move into it, which is the last change, since every move changes the status.
    pub fn stage_since(&self) -> DateTime<Utc> {
        match self.status {
            WishStatus::Submitted | WishStatus::UnderReview => self.created_at,
            WishStatus::WithDevelopment
            | WishStatus::Accepted
            | WishStatus::Rejected
            | WishStatus::Implemented => self.updated_at,
        }
    }

    /// When the current stage is due on `calendar` (working days, in its zone) and whether
    /// it is overdue at `now`; `None` once the wish is rejected or implemented (or an
    /// accepted wish's plan ends beyond the dates the calendar can name).
    pub fn stage_due(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> Option<StageDue> {
        let (what, due_at) = match self.status {
            WishStatus::Submitted | WishStatus::UnderReview => (
                WishDeadline::Review,
                calendar.add_working_days(self.stage_since(), MANAGER_STAGE_DAYS),
            ),
            WishStatus::WithDevelopment => (
                WishDeadline::Decision,
                calendar.add_working_days(self.stage_since(), DEVELOPMENT_STAGE_DAYS),
            ),
            WishStatus::Accepted => (
                WishDeadline::Implementation,
                end_of_day(calendar, self.plan.as_ref()?.planned_to)?,
            ),
            WishStatus::Rejected | WishStatus::Implemented => return None,
        };
        Some(StageDue {
            what,
            due_at,
            overdue: now > due_at,
        })
    }

    /// Whether `actor` may make a decision of `kind` on this wish now, whatever its data:
    /// where it would take the wish, or the refusal [`Wish::apply`] gives for it (an
    /// illegal move first, then another stage's decision). The caller has checked that
    /// `actor` sees the wish.
    pub fn check_move(&self, actor: &Actor, kind: WishActionKind) -> Result<WishStatus, WishError> {
        let to = wish_move(self.status, kind)?;
        if !self
            .status
            .stage()
            .is_some_and(|s| s.decided_by(actor.role))
        {
            return Err(WishError::NotYourMove { action: kind });
        }
        Ok(to)
    }

    /// Whether `actor` may make a decision of `kind` on this wish now.
    pub fn may(&self, actor: &Actor, kind: WishActionKind) -> bool {
        self.check_move(actor, kind).is_ok()
    }

    /// The decisions a person with `role` can make now, for the portal's buttons.
    pub fn available_actions(&self, role: Role) -> Vec<WishActionKind> {
        if !self.status.stage().is_some_and(|s| s.decided_by(role)) {
            return Vec::new();
        }
        WishActionKind::ALL
            .into_iter()
            .filter(|&k| wish_move(self.status, k).is_ok())
            .collect()
    }

    /// What the dealer is told about the wish now: its status and, as they apply, the
    /// planned dates or the reason.
    pub fn dealer_notice(&self) -> String {
        let title = &self.title;
        match self.status {
            WishStatus::Submitted => format!(
                "Пожелание «{title}» подано. Аккаунт-менеджер рассмотрит его в течение 1–2 рабочих дней."
            ),
            WishStatus::UnderReview => format!(
                "Пожелание «{title}» на рассмотрении у аккаунт-менеджера: он уточнит детали и передаст его в разработку."
            ),
            WishStatus::WithDevelopment => format!(
                "Пожелание «{title}» передано в отдел разработки. Решение будет принято в течение 2–3 рабочих дней."
            ),
            WishStatus::Rejected => format!(
                "Пожелание «{title}» отклонено. Причина: {}",
                self.reason.as_deref().unwrap_or("не указана.")
            ),
            WishStatus::Accepted => match &self.plan {
                Some(plan) => format!(
                    "Пожелание «{title}» принято в работу: спринт «{}», планируемые сроки — с {} по {}.",
                    plan.sprint,
                    ru_date(plan.planned_from),
                    ru_date(plan.planned_to)
                ),
                None => format!("Пожелание «{title}» принято в работу."),
            },
            WishStatus::Implemented => format!("Пожелание «{title}» реализовано."),
        }
    }
}

impl Refuse for WishError {
    fn refusal(&self) -> Refusal {
        match self {
            WishError::IllegalMove { .. } => Refusal::new(
                RefusalKind::Conflict,
                "illegal_transition",
                self.message_ru(),
            ),
            WishError::DevelopmentDecides => Refusal::new(
                RefusalKind::Conflict,
                "development_decides",
                self.message_ru(),
            ),
            WishError::NotYourMove { .. } => {
                Refusal::new(RefusalKind::Forbidden, "not_your_move", self.message_ru())
            }
            WishError::Invalid(e) => e.refusal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WishAction as A;
    use WishStatus as S;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 12, 10, 0, 0).unwrap()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(format!("user-{}", role.code())),
            role,
            dealer_id: role.is_dealer_bound().then(|| DealerId::new("d1")),
        }
    }

    fn accept() -> WishAction {
        A::Accept {
            sprint: "Спринт 24".into(),
            planned_from: d(6, 1),
            planned_to: d(6, 14),
        }
    }

    fn reject() -> WishAction {
        A::Reject {
            reason: "Уже есть в модуле «Акции»".into(),
        }
    }

    fn every_action() -> Vec<WishAction> {
        vec![
            A::Review { note: None },
            A::SendToDevelopment,
            reject(),
            accept(),
            A::Implement,
        ]
    }

    fn wish_in(status: WishStatus) -> Wish {
        let new = WishDraft {
            title: Some("Фильтр по цвету в АВН".into()),
            text: Some("Покупатели просят искать машины в наличии по цвету кузова.".into()),
        }
        .validate()
        .unwrap();
        let (wish, _) = Wish::submit(
            WishId::new("w1"),
            DealerId::new("d1"),
            &actor(Role::Dealer),
            new,
            now(),
        );
        Wish { status, ..wish }
    }

    #[test]
    fn statuses_carry_codes_and_russian_labels() {
        let table: Vec<_> = WishStatus::ALL
            .into_iter()
            .map(|s| (s.code(), s.label()))
            .collect();
        assert_eq!(
            table,
            vec![
                ("submitted", "Подано"),
                ("under_review", "На рассмотрении у аккаунт-менеджера"),
                ("with_development", "Передано в разработку"),
                ("rejected", "Отклонено"),
                ("accepted", "Принято в работу"),
                ("implemented", "Реализовано"),
            ]
        );
        for s in WishStatus::ALL {
            assert_eq!(WishStatus::from_code(s.code()), Some(s));
        }
        for k in WishActionKind::ALL {
            assert_eq!(WishActionKind::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn the_account_manager_takes_a_submitted_wish_under_review() {
        assert_eq!(
            next_wish_status(S::Submitted, &A::Review { note: None }),
            Ok(S::UnderReview)
        );
    }

    #[test]
    fn the_account_manager_sends_a_reviewed_wish_to_development() {
        assert_eq!(
            next_wish_status(S::UnderReview, &A::SendToDevelopment),
            Ok(S::WithDevelopment)
        );
    }

    #[test]
    fn only_development_rejects_a_wish() {
        assert_eq!(
            next_wish_status(S::WithDevelopment, &reject()),
            Ok(S::Rejected)
        );
        for from in [S::Submitted, S::UnderReview] {
            assert_eq!(
                next_wish_status(from, &reject()),
                Err(WishError::DevelopmentDecides)
            );
        }
    }

    #[test]
    fn the_account_manager_never_rejects_and_is_told_to_pass_the_wish_on() {
        for who in [actor(Role::AccountManager), actor(Role::Admin)] {
            for from in [S::Submitted, S::UnderReview] {
                let err = wish_in(from).apply(&who, reject(), now()).unwrap_err();
                assert_eq!(err, WishError::DevelopmentDecides);
                assert_eq!(
                    err.message_ru(),
                    "Отклонить пожелание может только отдел разработки: аккаунт-менеджер \
                     уточняет пожелание и передаёт его в разработку."
                );
                assert!(
                    !wish_in(from)
                        .available_actions(who.role)
                        .contains(&WishActionKind::Reject)
                );
            }
        }
    }

    #[test]
    fn development_accepts_a_wish_into_a_sprint() {
        assert_eq!(
            next_wish_status(S::WithDevelopment, &accept()),
            Ok(S::Accepted)
        );
    }

    #[test]
    fn an_accepted_wish_is_implemented() {
        assert_eq!(
            next_wish_status(S::Accepted, &A::Implement),
            Ok(S::Implemented)
        );
    }

    #[test]
    fn the_machine_allows_exactly_the_listed_moves() {
        let mut allowed = Vec::new();
        for from in WishStatus::ALL {
            for action in every_action() {
                if let Ok(to) = next_wish_status(from, &action) {
                    allowed.push((from, action.kind(), to));
                }
            }
        }
        use WishActionKind as K;
        assert_eq!(
            allowed,
            vec![
                (S::Submitted, K::Review, S::UnderReview),
                (S::UnderReview, K::SendToDevelopment, S::WithDevelopment),
                (S::WithDevelopment, K::Reject, S::Rejected),
                (S::WithDevelopment, K::Accept, S::Accepted),
                (S::Accepted, K::Implement, S::Implemented),
            ]
        );
    }

    #[test]
    fn illegal_moves_are_refused_with_a_russian_message() {
        let cases = [
            (S::Submitted, A::SendToDevelopment),
            (S::Submitted, accept()),
            (S::UnderReview, accept()),
            (S::WithDevelopment, A::Implement),
            (S::Accepted, reject()),
            (S::UnderReview, A::Review { note: None }),
        ];
        for (from, action) in cases {
            assert_eq!(
                next_wish_status(from, &action),
                Err(WishError::IllegalMove {
                    from,
                    action: action.kind()
                })
            );
        }
        let err = next_wish_status(S::Submitted, &accept()).unwrap_err();
        assert_eq!(
            err.message_ru(),
            "Действие «Принять в работу» невозможно: пожелание в статусе «Подано»."
        );
    }

    #[test]
    fn rejected_and_implemented_wishes_never_move() {
        for from in [S::Rejected, S::Implemented] {
            assert!(from.is_final());
            for action in every_action() {
                assert!(next_wish_status(from, &action).is_err());
            }
        }
    }

    #[test]
    fn the_account_manager_decides_review_and_development_decides_the_rest() {
        let manager = actor(Role::AccountManager);
        let admin = actor(Role::Admin);
        // Account manager's stage.
        let w = wish_in(S::Submitted);
        assert!(w.apply(&manager, A::Review { note: None }, now()).is_ok());
        let w = wish_in(S::UnderReview);
        assert!(w.apply(&manager, A::SendToDevelopment, now()).is_ok());
        assert_eq!(
            w.apply(&manager, reject(), now()).unwrap_err(),
            WishError::DevelopmentDecides
        );
        // Development's stage: an account manager cannot decide it.
        let w = wish_in(S::WithDevelopment);
        for action in [accept(), reject()] {
            assert_eq!(
                w.apply(&manager, action.clone(), now()).unwrap_err(),
                WishError::NotYourMove {
                    action: action.kind()
                }
            );
            assert!(w.apply(&admin, action, now()).is_ok());
        }
        let w = wish_in(S::Accepted);
        assert!(w.apply(&manager, A::Implement, now()).is_err());
        assert!(w.apply(&admin, A::Implement, now()).is_ok());
        // Admin may do everything, including the account manager's part.
        assert!(
            wish_in(S::Submitted)
                .apply(&admin, A::Review { note: None }, now())
                .is_ok()
        );
    }

    #[test]
    fn dealers_specialists_and_others_decide_nothing() {
        for role in [
            Role::Dealer,
            Role::Accountant,
            Role::Specialist,
            Role::RegionalRep,
            Role::BrandAdmin,
        ] {
            for status in WishStatus::ALL {
                assert_eq!(wish_in(status).available_actions(role), vec![], "{role:?}");
            }
            let err = wish_in(S::Submitted)
                .apply(&actor(role), A::Review { note: None }, now())
                .unwrap_err();
            assert_eq!(
                err.message_ru(),
                "Действие «Взять на рассмотрение» вам недоступно."
            );
        }
    }

    #[test]
    fn buttons_show_each_stages_decisions() {
        use WishActionKind as K;
        let manager = Role::AccountManager;
        assert_eq!(
            wish_in(S::Submitted).available_actions(manager),
            vec![K::Review]
        );
        assert_eq!(
            wish_in(S::UnderReview).available_actions(manager),
            vec![K::SendToDevelopment]
        );
        assert_eq!(
            wish_in(S::WithDevelopment).available_actions(manager),
            vec![]
        );
        assert_eq!(
            wish_in(S::WithDevelopment).available_actions(Role::Admin),
            vec![K::Reject, K::Accept]
        );
        assert_eq!(
            wish_in(S::Accepted).available_actions(Role::Admin),
            vec![K::Implement]
        );
    }

    #[test]
    fn rejecting_needs_a_reason() {
        let w = wish_in(S::WithDevelopment);
        let err = w
            .apply(
                &actor(Role::Admin),
                A::Reject {
                    reason: "  ".into(),
                },
                now(),
            )
            .unwrap_err();
        assert_eq!(
            err.message_ru(),
            "Укажите причину отклонения: её увидит дилер."
        );
    }

    #[test]
    fn accepting_needs_a_sprint_and_at_least_two_weeks() {
        let w = wish_in(S::WithDevelopment);
        let admin = actor(Role::Admin);
        let plan = |sprint: &str, from: NaiveDate, to: NaiveDate| A::Accept {
            sprint: sprint.into(),
            planned_from: from,
            planned_to: to,
        };
        // Exactly two weeks: 1..=14 June.
        assert!(
            w.apply(&admin, plan("Спринт 24", d(6, 1), d(6, 14)), now())
                .is_ok()
        );
        let too_short = w
            .apply(&admin, plan("Спринт 24", d(6, 1), d(6, 13)), now())
            .unwrap_err();
        assert_eq!(
            too_short.message_ru(),
            "Доработки идут двухнедельными спринтами: срок — не меньше двух недель."
        );
        let backwards = w
            .apply(&admin, plan("Спринт 24", d(6, 14), d(6, 1)), now())
            .unwrap_err();
        assert_eq!(
            backwards.message_ru(),
            "Дата окончания не может быть раньше даты начала."
        );
        let WishError::Invalid(no_sprint) = w
            .apply(&admin, plan(" ", d(6, 1), d(6, 28)), now())
            .unwrap_err()
        else {
            panic!("expected a validation error");
        };
        assert_eq!(no_sprint.errors[0].field, "sprint");
    }

    #[test]
    fn a_wish_draft_needs_a_title_and_a_text() {
        let err = WishDraft::default().validate().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["title", "text"]);
        let long = WishDraft {
            title: Some("я".repeat(201)),
            text: Some("ok".into()),
        };
        assert_eq!(
            long.validate().unwrap_err().message_ru(),
            "Название пожелания длиннее 200 символов."
        );
        let ok = WishDraft {
            title: Some("  Фильтр по цвету ".into()),
            text: Some(" Нужен фильтр ".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.title, "Фильтр по цвету");
        assert_eq!(ok.text, "Нужен фильтр");
    }

    #[test]
    fn the_dealer_is_told_the_status_the_plan_or_the_reason_at_every_step() {
        let manager = actor(Role::AccountManager);
        let admin = actor(Role::Admin);
        let submitted = wish_in(S::Submitted);
        assert_eq!(
            submitted.dealer_notice(),
            "Пожелание «Фильтр по цвету в АВН» подано. Аккаунт-менеджер рассмотрит его в течение 1–2 рабочих дней."
        );
        let (reviewed, event) = submitted
            .apply(
                &manager,
                A::Review {
                    note: Some("Уточнили: нужен фильтр и в АСП".into()),
                },
                now(),
            )
            .unwrap();
        assert_eq!(
            event.comment.as_deref(),
            Some("Уточнили: нужен фильтр и в АСП")
        );
        assert!(
            event
                .dealer_notice
                .contains("на рассмотрении у аккаунт-менеджера")
        );
        let (sent, event) = reviewed
            .apply(&manager, A::SendToDevelopment, now())
            .unwrap();
        assert!(event.dealer_notice.contains("передано в отдел разработки"));
        let (accepted, event) = sent.apply(&admin, accept(), now()).unwrap();
        assert_eq!(
            event.dealer_notice,
            "Пожелание «Фильтр по цвету в АВН» принято в работу: спринт «Спринт 24», планируемые сроки — с 01.06.2026 по 14.06.2026."
        );
        assert_eq!(
            event.comment.as_deref(),
            Some("Спринт «Спринт 24», 01.06.2026 — 14.06.2026")
        );
        let (done, event) = accepted.apply(&admin, A::Implement, now()).unwrap();
        assert_eq!(
            event.dealer_notice,
            "Пожелание «Фильтр по цвету в АВН» реализовано."
        );
        assert_eq!(
            done.plan.as_ref().map(|p| p.sprint.as_str()),
            Some("Спринт 24")
        );
        assert_eq!(done.version, 5);

        let (rejected, event) = sent.apply(&admin, reject(), now()).unwrap();
        assert_eq!(
            event.dealer_notice,
            "Пожелание «Фильтр по цвету в АВН» отклонено. Причина: Уже есть в модуле «Акции»"
        );
        assert_eq!(
            rejected.reason.as_deref(),
            Some("Уже есть в модуле «Акции»")
        );
    }

    #[test]
    fn a_move_records_who_when_from_and_to() {
        let (_, event) = wish_in(S::Submitted)
            .apply(
                &actor(Role::AccountManager),
                A::Review { note: None },
                now(),
            )
            .unwrap();
        assert_eq!(event.actor_role, Role::AccountManager);
        assert_eq!(event.at, now());
        assert_eq!(event.from, Some(S::Submitted));
        assert_eq!(event.to, S::UnderReview);
        assert_eq!(event.action, Some(WishActionKind::Review));
        assert_eq!(event.comment, None);
    }

    #[test]
    fn wish_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind as K, Refuse};
        let illegal = WishError::IllegalMove {
            from: WishStatus::Submitted,
            action: WishActionKind::Accept,
        };
        let r = illegal.refusal();
        assert_eq!((r.kind, r.code), (K::Conflict, "illegal_transition"));
        assert_eq!(r.message, illegal.message_ru());
        assert!(r.message.contains("«Подано»"));
        let not_yours = WishError::NotYourMove {
            action: WishActionKind::Accept,
        };
        let r = not_yours.refusal();
        assert_eq!((r.kind, r.code), (K::Forbidden, "not_your_move"));
        assert_eq!(r.message, not_yours.message_ru());
        let r = WishError::DevelopmentDecides.refusal();
        assert_eq!((r.kind, r.code), (K::Conflict, "development_decides"));
        assert_eq!(r.message, WishError::DevelopmentDecides.message_ru());
        let invalid = WishError::Invalid(ValidationError::field(
            "reason",
            "Укажите причину отклонения: её увидит дилер.",
        ));
        let r = invalid.refusal();
        assert_eq!((r.kind, r.code), (K::Invalid, "validation_failed"));
        assert_eq!(r.message, "Укажите причину отклонения: её увидит дилер.");
        assert_eq!(r.fields[0].field, "reason");
    }

    #[test]
    fn may_answers_exactly_what_apply_would_refuse_whatever_the_data() {
        // Every role, status and decision: `check_move` refuses as `apply` does with valid
        // data, and `may` is its yes/no; invalid data never changes whether it is allowed.
        for role in Role::ALL {
            let who = actor(role);
            for status in WishStatus::ALL {
                let w = wish_in(status);
                for action in every_action() {
                    let kind = action.kind();
                    let applied = w.apply(&who, action, now()).map(|(w, _)| w.status);
                    assert_eq!(
                        w.check_move(&who, kind),
                        applied,
                        "{role:?} {status:?} {kind:?}"
                    );
                    assert_eq!(w.may(&who, kind), applied.is_ok());
                    assert_eq!(w.available_actions(role).contains(&kind), applied.is_ok());
                }
            }
        }
        let w = wish_in(S::WithDevelopment);
        let admin = actor(Role::Admin);
        assert!(w.may(&admin, WishActionKind::Reject));
        assert!(
            w.apply(&admin, A::Reject { reason: " ".into() }, now())
                .is_err()
        );
        assert_eq!(
            w.check_move(&actor(Role::Dealer), WishActionKind::Reject),
            Err(WishError::NotYourMove {
                action: WishActionKind::Reject
            })
        );
        assert!(matches!(
            w.check_move(&admin, WishActionKind::Implement),
            Err(WishError::IllegalMove { .. })
        ));
    }
    // ------------------------------------------------------------ due dates

    fn msk(m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Moscow
            .with_ymd_and_hms(2026, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn submitted_at(at: DateTime<Utc>) -> Wish {
        Wish {
            created_at: at,
            updated_at: at,
            ..wish_in(S::Submitted)
        }
    }

    #[test]
    fn the_account_managers_stage_is_due_two_working_days_after_submission_across_the_may_holidays()
    {
        let calendar = WorkingCalendar::platform_default();
        // Thursday 7 May 15:00: Friday the 8th works; 9–11 May are days off.
        let wish = submitted_at(msk(5, 7, 15, 0));
        let due = wish.stage_due(&calendar, msk(5, 7, 15, 0)).unwrap();
        assert_eq!(due.what, WishDeadline::Review);
        assert_eq!(due.what.label(), "Рассмотрение аккаунт-менеджером");
        assert_eq!(due.due_at, msk(5, 12, 15, 0));
        assert!(!due.overdue);
    }

    #[test]
    fn taking_a_wish_up_does_not_restart_the_account_managers_clock() {
        let calendar = WorkingCalendar::platform_default();
        let wish = submitted_at(msk(5, 7, 15, 0));
        let (reviewed, _) = wish
            .apply(
                &actor(Role::AccountManager),
                A::Review { note: None },
                msk(5, 8, 10, 0),
            )
            .unwrap();
        assert_eq!(reviewed.stage_since(), msk(5, 7, 15, 0));
        assert_eq!(
            reviewed
                .stage_due(&calendar, msk(5, 8, 10, 0))
                .unwrap()
                .due_at,
            msk(5, 12, 15, 0)
        );
    }

    #[test]
    fn development_decides_within_three_working_days_of_the_hand_over() {
        let calendar = WorkingCalendar::platform_default();
        let reviewed = Wish {
            status: S::UnderReview,
            ..submitted_at(msk(5, 7, 15, 0))
        };
        // Handed over on Friday 8 May at 11:00; Tuesday 12th, Wednesday 13th, Thursday 14th.
        let (sent, _) = reviewed
            .apply(
                &actor(Role::AccountManager),
                A::SendToDevelopment,
                msk(5, 8, 11, 0),
            )
            .unwrap();
        let due = sent.stage_due(&calendar, msk(5, 8, 11, 0)).unwrap();
        assert_eq!(due.what, WishDeadline::Decision);
        assert_eq!(due.what.label(), "Решение отдела разработки");
        assert_eq!(due.due_at, msk(5, 14, 11, 0));
    }

    #[test]
    fn an_accepted_wish_is_due_by_the_end_of_its_plans_last_day_in_moscow() {
        let calendar = WorkingCalendar::platform_default();
        let sent = Wish {
            status: S::WithDevelopment,
            ..submitted_at(msk(5, 7, 15, 0))
        };
        let (accepted, _) = sent.apply(&actor(Role::Admin), accept(), now()).unwrap();
        let due = accepted.stage_due(&calendar, now()).unwrap();
        assert_eq!(due.what, WishDeadline::Implementation);
        assert_eq!(due.due_at, msk(6, 15, 0, 0));
        assert!(
            !accepted
                .stage_due(&calendar, msk(6, 14, 23, 59))
                .unwrap()
                .overdue
        );
        assert!(
            accepted
                .stage_due(&calendar, msk(6, 15, 0, 1))
                .unwrap()
                .overdue
        );
    }

    #[test]
    fn a_wish_is_overdue_only_after_its_due_instant_and_never_once_decided() {
        let calendar = WorkingCalendar::platform_default();
        let wish = submitted_at(msk(5, 7, 15, 0));
        assert!(
            !wish
                .stage_due(&calendar, msk(5, 12, 15, 0))
                .unwrap()
                .overdue
        );
        assert!(
            wish.stage_due(&calendar, msk(5, 12, 15, 1))
                .unwrap()
                .overdue
        );
        for status in [S::Rejected, S::Implemented] {
            let done = Wish {
                status,
                ..wish.clone()
            };
            assert_eq!(done.stage_due(&calendar, msk(12, 1, 0, 0)), None);
        }
    }
}
