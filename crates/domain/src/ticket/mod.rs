//! The ticket aggregate (SPEC §2.1): filing, moves, history, and everything a ticket
//! carries, one file per part: its lifecycle, catalog (category, criticality, billing),
//! SLA, time, cost, estimate, comments and files.

pub mod attachment;
pub mod catalog;
pub mod comment;
pub mod cost;
pub mod estimate;
pub mod lifecycle;
pub mod review;
pub mod sla;
pub mod time;

use crate::access::Actor;
use crate::calendar::WorkingCalendar;
use crate::error::{FieldError, ValidationError};
use crate::ids::{DealerId, TicketId, UserId};
use crate::kernel::TextRule;
use crate::notice::{Audience, Notice};
use crate::role::Role;
use crate::ticket::catalog::{Billing, Category, Criticality};
use crate::ticket::cost::TicketCost;
use crate::ticket::lifecycle::{Action, LifecycleError, Party, Status, next_status};
use crate::ticket::review::ReviewCountdown;
use crate::ticket::sla::SlaClock;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest title accepted, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest ticket text accepted, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Longest comment on a move, in characters.
pub const COMMENT_MAX: usize = 10_000;

/// The ticket's title as a draft field.
pub(crate) const TITLE_RULE: TextRule = TextRule::line(
    "title",
    "Тема обращения",
    "Укажите тему обращения.",
    TITLE_MAX,
);
/// The ticket's text as a draft field.
pub(crate) const TEXT_RULE: TextRule = TextRule::text(
    "text",
    "Текст обращения",
    "Опишите, что нужно сделать.",
    TEXT_MAX,
);

/// What a dealer typed into the new-ticket form, unchecked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TicketDraft {
    pub title: Option<String>,
    pub text: Option<String>,
    pub category: Option<String>,
    pub criticality: Option<String>,
    /// Absent means the category's default billing class.
    pub billing: Option<String>,
}

/// A checked new ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicket {
    pub title: String,
    pub text: String,
    pub category: Category,
    pub criticality: Criticality,
    pub billing: Billing,
}

impl TicketDraft {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<NewTicket, ValidationError> {
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
        let category = match self.category.as_deref() {
            None | Some("") => {
                bad("category", "Выберите категорию обращения.");
                None
            }
            Some(code) => Category::from_code(code).or_else(|| {
                bad("category", "Такой категории обращений нет.");
                None
            }),
        };
        let criticality = match self.criticality.as_deref() {
            None | Some("") => {
                bad("criticality", "Выберите критичность.");
                None
            }
            Some(code) => Criticality::from_code(code).or_else(|| {
                bad(
                    "criticality",
                    "Критичность может быть низкой, средней или высокой.",
                );
                None
            }),
        };
        let billing = match self.billing.as_deref() {
            None | Some("") => category.map(Category::default_billing),
            Some(code) => Billing::from_code(code).or_else(|| {
                bad(
                    "billing",
                    "Тип обращения может быть «платно» или «бесплатно».",
                );
                None
            }),
        };
        if let (Some(category), Some(criticality), Some(billing)) = (category, criticality, billing)
        {
            match (category.default_billing(), billing) {
                (Billing::Free, Billing::Paid) => bad(
                    "billing",
                    "Обращения этой категории бесплатны: выберите «бесплатно».",
                ),
                // The helpdesk's rule: a paid kind of work may be filed free, but then it
                // waits with low priority behind paid tickets.
                (Billing::Paid, Billing::Free) if criticality != Criticality::Low => bad(
                    "criticality",
                    "Бесплатное обращение по платной категории подаётся только с низкой критичностью.",
                ),
                _ => {}
            }
        }
        match (category, criticality, billing) {
            (Some(category), Some(criticality), Some(billing)) if errors.is_empty() => {
                Ok(NewTicket {
                    title,
                    text,
                    category,
                    criticality,
                    billing,
                })
            }
            _ => Err(ValidationError { errors }),
        }
    }
}

impl NewTicket {
    /// Whether the dealer chose to file a paid kind of work free, with low priority
    /// (SPEC §2.2): the category is paid by default, the ticket is free.
    pub fn is_free_by_choice(&self) -> bool {
        self.category.default_billing() == Billing::Paid && self.billing == Billing::Free
    }
}

/// One move in a ticket's history: who, when, from, to, comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub at: DateTime<Utc>,
    /// `None` when the system moved the ticket (auto-acceptance) or at creation by import.
    pub actor_id: Option<UserId>,
    pub actor_role: Option<Role>,
    /// `None` for the creation event.
    pub action: Option<Action>,
    pub from: Option<Status>,
    pub to: Status,
    pub comment: Option<String>,
}

/// A support ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    /// Sequential per platform; shown as `DD-<number>`.
    pub number: u64,
    pub dealer_id: DealerId,
    pub author_id: UserId,
    pub title: String,
    pub text: String,
    pub category: Category,
    pub criticality: Criticality,
    pub billing: Billing,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The specialist who took the ticket (the first platform move sets it); the dealer's
    /// answers go to them.
    pub assignee_id: Option<UserId>,
    /// When the current status began (filing or the last move); auto-acceptance counts
    /// the working days in review from here.
    pub status_since: DateTime<Utc>,
    /// The reaction clock of SPEC §2.3, moved by every move (see `sla::SlaClock::on_move`).
    pub sla: SlaClock,
    /// The auto-acceptance countdown while the result is under review (`review.rs`);
    /// `None` in every other status.
    pub review: Option<ReviewCountdown>,
    /// The dealer filed a paid kind of work free, with low priority (SPEC §2.2): their
    /// choice, never billed, and no reclassification makes it paid.
    pub free_by_choice: bool,
    /// Optimistic-lock version; starts at 1 and grows by one with every change.
    pub version: u64,
    /// Logged time, the cost's confirmation state and the estimate (`costing`).
    pub cost: TicketCost,
    /// Soft-deleted by the admin (SPEC §4.7): out of every list, queue and job until
    /// restored; `None` while live.
    pub deleted: Option<crate::audit::Deletion>,
}

impl Ticket {
    /// A freshly filed ticket and its creation event. The reaction clock starts now, in
    /// `calendar`.
    pub fn file(
        id: TicketId,
        number: u64,
        dealer_id: DealerId,
        author: &Actor,
        new: NewTicket,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> (Ticket, HistoryEvent) {
        let sla = SlaClock::start(calendar, new.criticality, now);
        let free_by_choice = new.is_free_by_choice();
        let ticket = Ticket {
            id,
            number,
            dealer_id,
            author_id: author.user_id.clone(),
            title: new.title,
            text: new.text,
            category: new.category,
            criticality: new.criticality,
            billing: new.billing,
            status: Status::Accepted,
            created_at: now,
            updated_at: now,
            assignee_id: None,
            status_since: now,
            sla,
            review: None,
            free_by_choice,
            version: 1,
            cost: TicketCost::default(),
            deleted: None,
        };
        let event = HistoryEvent {
            at: now,
            actor_id: Some(author.user_id.clone()),
            actor_role: Some(author.role),
            action: None,
            from: None,
            to: Status::Accepted,
            comment: None,
        };
        (ticket, event)
    }

    /// The number as people say it.
    pub fn display_number(&self) -> String {
        format!("DD-{}", self.number)
    }

    /// Whether `actor` is the party that may make `action` on this ticket.
    fn is_party(&self, actor: &Actor, action: Action) -> bool {
        match action.party() {
            Party::Platform => actor.role.works_tickets(),
            Party::Dealer => actor.is_staff_of(&self.dealer_id),
            Party::System => false,
        }
    }

    /// A person's move. Returns the changed ticket and its history event; the caller
    /// stores both together, conditional on [`Ticket::version`] being unchanged. The
    /// reaction clock moves in `calendar` (a restart counts a new period from `now`).
    pub fn apply(
        &self,
        actor: &Actor,
        action: Action,
        comment: Option<&str>,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, HistoryEvent), LifecycleError> {
        let to = next_status(self.status, action, self.billing)?;
        if !self.is_party(actor, action) {
            return Err(LifecycleError::NotYourMove { action });
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if action.requires_comment() && comment.is_none() {
            return Err(LifecycleError::CommentRequired { action });
        }
        Ok(self.moved(to, action, Some(actor), comment, calendar, now))
    }

    /// The scheduler accepts a result the dealer left unanswered (SPEC §2.4). When that
    /// is due is [`Ticket::auto_accept_at`].
    pub fn auto_accept(
        &self,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Result<(Ticket, HistoryEvent), LifecycleError> {
        let to = next_status(self.status, Action::AutoAccept, self.billing)?;
        Ok(self.moved(
            to,
            Action::AutoAccept,
            None,
            Some("Результат принят автоматически: клиент не ответил в срок."),
            calendar,
            now,
        ))
    }

    fn moved(
        &self,
        to: Status,
        action: Action,
        actor: Option<&Actor>,
        comment: Option<&str>,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> (Ticket, HistoryEvent) {
        let event = HistoryEvent {
            at: now,
            actor_id: actor.map(|a| a.user_id.clone()),
            actor_role: actor.map(|a| a.role),
            action: Some(action),
            from: Some(self.status),
            to,
            comment: comment.map(|c| c.chars().take(COMMENT_MAX).collect()),
        };
        let assignee_id = match (&self.assignee_id, actor) {
            (None, Some(a)) if action.party() == Party::Platform => Some(a.user_id.clone()),
            (current, _) => current.clone(),
        };
        let mut ticket = Ticket {
            status: to,
            updated_at: now,
            assignee_id,
            status_since: now,
            sla: self
                .sla
                .on_move(calendar, self.criticality, action, to, now),
            review: (to == Status::InReview).then(|| ReviewCountdown::start(now)),
            version: self.version + 1,
            ..self.clone()
        };
        // Finishing a ticket makes its cost payable (SPEC §2.6) in the same write.
        if to.is_done() {
            ticket.cost = ticket.cost.on_completion(ticket.billing, now);
        }
        (ticket, event)
    }

    /// Who must hear about `event`, which produced this version of the ticket: the dealer
    /// when the platform (or the system) moved it, the assignee (or the whole specialist
    /// team) when the dealer did, the team when a ticket is filed.
    pub fn notices(&self, event: &HistoryEvent) -> Vec<Notice> {
        let audience = match event.action.map(Action::party) {
            None => Audience::Role {
                role: Role::Specialist,
            },
            Some(Party::Platform | Party::System) => Audience::DealerStaff {
                dealer_id: self.dealer_id.clone(),
            },
            Some(Party::Dealer) => match &self.assignee_id {
                Some(user_id) => Audience::User {
                    user_id: user_id.clone(),
                },
                None => Audience::Role {
                    role: Role::Specialist,
                },
            },
        };
        let template = if event.action.is_none() {
            "ticket_created"
        } else {
            "ticket_moved"
        };
        let mut notice = Notice::new(
            format!("ticket:{}:v{}", self.id, self.version),
            template,
            audience,
            event.at,
        )
        .with("ticket_id", self.id.as_str())
        .with("number", self.display_number())
        .with("title", self.title.clone())
        .with("state_label", self.status.state().label())
        .with("status_label", self.status.label())
        .with(
            "action_label",
            event
                .action
                .map(Action::label)
                .unwrap_or("Обращение создано"),
        )
        .with("comment", event.comment.clone().unwrap_or_default());
        // The dealer approves an estimate by its amount.
        if let (Status::EstimateSent, Some(estimate)) = (self.status, self.estimate_text()) {
            notice = notice.with("estimate", estimate);
        }
        let mut notices = vec![notice];
        notices.extend(self.cost_pending_notice(event.at));
        notices
    }

    /// The moves `actor` can make now, for the portal's buttons.
    pub fn available_actions(&self, actor: &Actor) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|&a| {
                self.is_party(actor, a) && next_status(self.status, a, self.billing).is_ok()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::platform_default()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
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

    fn draft(category: &str, criticality: &str, billing: Option<&str>) -> TicketDraft {
        TicketDraft {
            title: Some("Разместить новость".into()),
            text: Some("Нужно разместить новость об акции".into()),
            category: Some(category.into()),
            criticality: Some(criticality.into()),
            billing: billing.map(Into::into),
        }
    }

    fn filed(billing: Option<&str>) -> Ticket {
        let new = draft("individual_news", "low", billing).validate().unwrap();
        Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &dealer("d1"),
            new,
            &cal(),
            now(),
        )
        .0
    }

    #[test]
    fn a_filed_ticket_is_new_and_accepted_for_consideration() {
        let t = filed(None);
        assert_eq!(t.status, Status::Accepted);
        assert_eq!(t.status.state().label(), "Новая");
        assert_eq!(t.status.label(), "Принято к рассмотрению");
        assert_eq!(t.version, 1);
        assert_eq!(t.display_number(), "DD-1001");
        assert_eq!(t.billing, Billing::Paid);
    }

    #[test]
    fn the_category_sets_the_default_billing_class() {
        let new = draft("consultation", "high", None).validate().unwrap();
        assert_eq!(new.billing, Billing::Free);
    }

    #[test]
    fn a_free_category_cannot_be_filed_as_paid() {
        let err = draft("consultation", "high", Some("paid"))
            .validate()
            .unwrap_err();
        assert_eq!(err.errors[0].field, "billing");
    }

    #[test]
    fn a_paid_category_may_be_filed_free_only_with_low_priority() {
        assert_eq!(
            draft("individual_news", "low", Some("free"))
                .validate()
                .unwrap()
                .billing,
            Billing::Free
        );
        let err = draft("individual_news", "high", Some("free"))
            .validate()
            .unwrap_err();
        assert_eq!(err.errors[0].field, "criticality");
    }

    #[test]
    fn an_empty_form_reports_every_missing_field_in_russian() {
        let err = TicketDraft::default().validate().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["title", "text", "category", "criticality"]);
        assert!(err.message_ru().contains("Укажите тему обращения."));
    }

    #[test]
    fn unknown_codes_are_refused() {
        let err = draft("haircut", "urgent", Some("maybe"))
            .validate()
            .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["category", "criticality", "billing"]);
    }

    #[test]
    fn an_overlong_title_is_refused() {
        let mut d = draft("consultation", "low", None);
        d.title = Some("я".repeat(TITLE_MAX + 1));
        assert_eq!(d.validate().unwrap_err().errors[0].field, "title");
    }

    #[test]
    fn a_move_records_who_when_from_to_and_comment() {
        let t = filed(None);
        let later = now() + chrono::Duration::minutes(5);
        let (t2, ev) = t
            .apply(&specialist(), Action::Take, Some("  беру  "), &cal(), later)
            .unwrap();
        assert_eq!(t2.status, Status::InProgress);
        assert_eq!(t2.version, 2);
        assert_eq!(t2.updated_at, later);
        assert_eq!(ev.actor_id, Some(UserId::new("spec")));
        assert_eq!(ev.from, Some(Status::Accepted));
        assert_eq!(ev.to, Status::InProgress);
        assert_eq!(ev.comment.as_deref(), Some("беру"));
    }

    #[test]
    fn a_dealer_cannot_take_its_own_ticket() {
        let t = filed(None);
        assert_eq!(
            t.apply(&dealer("d1"), Action::Take, None, &cal(), now()),
            Err(LifecycleError::NotYourMove {
                action: Action::Take
            })
        );
    }

    #[test]
    fn another_dealer_cannot_accept_the_result() {
        let t = filed(None);
        let (t, _) = t
            .apply(&specialist(), Action::Take, None, &cal(), now())
            .unwrap();
        let (t, _) = t
            .apply(&specialist(), Action::SendForReview, None, &cal(), now())
            .unwrap();
        assert_eq!(
            t.apply(&dealer("d2"), Action::Accept, None, &cal(), now()),
            Err(LifecycleError::NotYourMove {
                action: Action::Accept
            })
        );
        assert!(
            t.apply(&dealer("d1"), Action::Accept, None, &cal(), now())
                .is_ok()
        );
    }

    #[test]
    fn returning_a_result_needs_remarks() {
        let t = filed(None);
        let (t, _) = t
            .apply(&specialist(), Action::Take, None, &cal(), now())
            .unwrap();
        let (t, _) = t
            .apply(&specialist(), Action::SendForReview, None, &cal(), now())
            .unwrap();
        assert_eq!(
            t.apply(&dealer("d1"), Action::Return, Some("   "), &cal(), now()),
            Err(LifecycleError::CommentRequired {
                action: Action::Return
            })
        );
    }

    #[test]
    fn an_illegal_move_is_reported_before_the_party() {
        let t = filed(None);
        assert_eq!(
            t.apply(&dealer("d1"), Action::Accept, None, &cal(), now()),
            Err(LifecycleError::IllegalMove {
                from: Status::Accepted,
                action: Action::Accept
            })
        );
    }

    #[test]
    fn nobody_but_the_system_auto_accepts() {
        let t = filed(None);
        let (t, _) = t
            .apply(&specialist(), Action::Take, None, &cal(), now())
            .unwrap();
        let (t, _) = t
            .apply(&specialist(), Action::SendForReview, None, &cal(), now())
            .unwrap();
        assert!(
            t.apply(&dealer("d1"), Action::AutoAccept, None, &cal(), now())
                .is_err()
        );
        let (done, ev) = t.auto_accept(&cal(), now()).unwrap();
        assert_eq!(done.status, Status::Resolved);
        assert_eq!(ev.actor_id, None);
        assert!(ev.comment.unwrap().contains("автоматически"));
    }

    #[test]
    fn buttons_show_only_the_moves_the_viewer_can_make() {
        let t = filed(None);
        assert_eq!(
            t.available_actions(&specialist()),
            vec![
                Action::Take,
                Action::AskInfo,
                Action::SendEstimate,
                Action::DeclareImpossible
            ]
        );
        assert!(t.available_actions(&dealer("d1")).is_empty());
        let (t, _) = t
            .apply(
                &specialist(),
                Action::AskInfo,
                Some("Какой раздел?"),
                &cal(),
                now(),
            )
            .unwrap();
        assert_eq!(t.available_actions(&dealer("d1")), vec![Action::Answer]);
        assert!(t.available_actions(&dealer("d2")).is_empty());
    }

    #[test]
    fn the_first_specialist_to_move_becomes_the_assignee() {
        let t = filed(None);
        assert_eq!(t.assignee_id, None);
        let (t, _) = t
            .apply(&specialist(), Action::Take, None, &cal(), now())
            .unwrap();
        assert_eq!(t.assignee_id, Some(UserId::new("spec")));
        let other = Actor {
            user_id: UserId::new("spec2"),
            ..specialist()
        };
        let (t, _) = t
            .apply(&other, Action::SendForReview, None, &cal(), now())
            .unwrap();
        assert_eq!(
            t.assignee_id,
            Some(UserId::new("spec")),
            "the first one keeps it"
        );
    }

    #[test]
    fn the_dealer_hears_of_platform_moves_and_the_assignee_of_dealer_moves() {
        let (t, created) = {
            let new = draft("individual_news", "low", None).validate().unwrap();
            Ticket::file(
                TicketId::new("t1"),
                1001,
                DealerId::new("d1"),
                &dealer("d1"),
                new,
                &cal(),
                now(),
            )
        };
        let n = t.notices(&created);
        assert_eq!(
            n[0].audience,
            Audience::Role {
                role: Role::Specialist
            }
        );
        assert_eq!(n[0].template, "ticket_created");
        assert_eq!(n[0].key, "ticket:t1:v1");

        let (t, asked) = t
            .apply(
                &specialist(),
                Action::AskInfo,
                Some("Какой раздел?"),
                &cal(),
                now(),
            )
            .unwrap();
        let n = t.notices(&asked);
        assert_eq!(
            n[0].audience,
            Audience::DealerStaff {
                dealer_id: DealerId::new("d1")
            }
        );
        assert_eq!(n[0].params["comment"], "Какой раздел?");
        assert_eq!(n[0].params["status_label"], "Недостаточно информации");
        assert_eq!(n[0].key, "ticket:t1:v2");

        let (t, answered) = t
            .apply(
                &dealer("d1"),
                Action::Answer,
                Some("Новости"),
                &cal(),
                now(),
            )
            .unwrap();
        assert_eq!(
            t.notices(&answered)[0].audience,
            Audience::User {
                user_id: UserId::new("spec")
            }
        );
    }

    #[test]
    fn the_walk_of_the_skeleton_issue_holds() {
        let s = specialist();
        let d = dealer("d1");
        let t = filed(None);
        let steps = [
            (&s, Action::Take, None, "in_progress", "in_progress"),
            (&s, Action::AskInfo, Some("?"), "approval", "need_info"),
            (&d, Action::Answer, Some("!"), "in_progress", "in_progress"),
            (&s, Action::SendForReview, None, "review", "in_review"),
            (
                &d,
                Action::Return,
                Some("не то"),
                "in_progress",
                "in_progress",
            ),
            (&s, Action::SendForReview, None, "review", "in_review"),
            (&d, Action::Accept, None, "done", "resolved"),
        ];
        let mut t = t;
        for (actor, action, comment, state, status) in steps {
            t = t.apply(actor, action, comment, &cal(), now()).unwrap().0;
            assert_eq!((t.status.state().code(), t.status.code()), (state, status));
        }
        assert_eq!(t.version, 8);
    }

    #[test]
    fn draft_texts_are_cleaned_by_the_kernels_text_rule() {
        let mut d = draft("individual_news", "low", None);
        d.title = Some(" Новость\u{0}\nоб акции\u{202E} ".into());
        d.text = Some("Первая строка\r\nвторая\u{1b}".into());
        let new = d.validate().unwrap();
        assert_eq!(new.title, "Новость об акции");
        assert_eq!(new.text, "Первая строка\nвторая");
        d.title = Some("\u{0}\u{1b}".into());
        let err = d.validate().unwrap_err();
        assert_eq!(err.errors[0].field, "title");
        assert_eq!(err.errors[0].message, "Укажите тему обращения.");
    }
}
