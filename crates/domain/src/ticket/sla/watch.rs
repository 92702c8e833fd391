//! The ticket's side of the SLA (SPEC §2.3) and of auto-acceptance (SPEC §2.4): what the
//! SLA watch tells whom, when a result left in review is accepted by the system, and a
//! recount of the due time after an admin edits the calendar.
//!
//! Kept out of `ticket.rs` so that the lifecycle and the scheduled rules read separately;
//! the clock itself is `sla::SlaClock`, which every move already updates.

use crate::calendar::WorkingCalendar;
use crate::notice::{Audience, Notice};
use crate::role::Role;
use crate::ticket::Ticket;
use crate::ticket::sla::reaction_time;
use chrono::{DateTime, SecondsFormat, Utc};

/// Working days a result may wait in «Результат на проверке» before the system accepts it
/// (SPEC §2.4: «3 рабочих дня»; a setting).
pub const DEFAULT_AUTO_ACCEPT_DAYS: u32 = 3;

/// `12.05.2026 11:30 (МСК)`: an instant on the calendar's wall clock, for e-mails.
fn local(calendar: &WorkingCalendar, at: DateTime<Utc>) -> String {
    let tz = calendar.tz();
    let zone = if tz == chrono_tz::Europe::Moscow {
        "МСК".to_string()
    } else {
        tz.name().to_string()
    };
    format!(
        "{} ({zone})",
        at.with_timezone(&tz).format("%d.%m.%Y %H:%M")
    )
}

impl Ticket {
    /// The ticket still needs the platform or the dealer: not resolved, not impossible.
    pub fn is_open(&self) -> bool {
        !self.status.is_done()
    }

    /// The key of this period's 80 % warning: one per ticket and reaction period, so the
    /// outbox stores it once however often the watch runs.
    pub fn sla_warning_key(&self) -> String {
        format!("sla-warning:{}:{}", self.id, self.period_stamp())
    }

    /// The key of this period's breach report (see [`Ticket::sla_warning_key`]).
    pub fn sla_breach_key(&self) -> String {
        format!("sla-breach:{}:{}", self.id, self.period_stamp())
    }

    fn period_stamp(&self) -> String {
        self.sla
            .started_at
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// What the SLA watch does to this ticket at `now` (SPEC §2.3): once 80 % of the
    /// reaction time has passed without a reaction, the specialist team is warned; once
    /// the due time has passed, the dealer's account manager is told of the breach.
    ///
    /// Returns the ticket with the sent notices marked on its clock (next version) and the
    /// notices, to be stored in one transaction conditional on the version read; `None`
    /// when nothing is owed. A second run finds the marks and returns `None`, and the
    /// notice keys are per period, so each notice goes out once.
    pub fn sla_watch(
        &self,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Option<(Ticket, Vec<Notice>)> {
        if !self.is_open() {
            return None;
        }
        let mut sla = self.sla;
        let mut notices = Vec::new();
        if sla.needs_warning(now) {
            sla.warning_sent = true;
            notices.push(self.sla_notice(
                self.sla_warning_key(),
                "sla_warning",
                Audience::Role {
                    role: Role::Specialist,
                },
                calendar,
                now,
            ));
        }
        if sla.needs_breach_report(now) {
            sla.breach_reported = true;
            notices.push(self.sla_notice(
                self.sla_breach_key(),
                "sla_breach",
                Audience::AccountManagerOf {
                    dealer_id: self.dealer_id.clone(),
                },
                calendar,
                now,
            ));
        }
        if notices.is_empty() {
            return None;
        }
        let marked = Ticket {
            sla,
            version: self.version + 1,
            ..self.clone()
        };
        Some((marked, notices))
    }

    fn sla_notice(
        &self,
        key: String,
        template: &str,
        audience: Audience,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Notice {
        let due = self
            .sla
            .due_at
            .map(|d| local(calendar, d))
            .unwrap_or_default();
        Notice::new(key, template, audience, now)
            .with("ticket_id", self.id.as_str())
            .with("number", self.display_number())
            .with("title", self.title.clone())
            .with("dealer_id", self.dealer_id.as_str())
            .with("criticality_label", self.criticality.label())
            .with("billing_label", self.billing.label())
            .with("reaction_label", reaction_time(self.criticality).label())
            .with("started_local", local(calendar, self.sla.started_at))
            .with("due_local", due)
            .with("status_label", self.status.label())
    }

    /// When the system accepts this ticket's result: `days` working days after its review
    /// countdown started (see `ticket::review`); `None` unless the ticket is in «Результат
    /// на проверке» with the countdown running.
    pub fn auto_accept_at(&self, calendar: &WorkingCalendar, days: u32) -> Option<DateTime<Utc>> {
        self.review_deadline(calendar, days)
    }

    /// Whether the auto-accept job should accept this ticket at `now`.
    pub fn is_auto_accept_due(
        &self,
        calendar: &WorkingCalendar,
        days: u32,
        now: DateTime<Utc>,
    ) -> bool {
        self.auto_accept_at(calendar, days)
            .is_some_and(|at| now >= at)
    }

    /// The ticket with its running reaction period counted again in a changed calendar
    /// (next version), or `None` when the due time does not move.
    pub fn recount_sla(&self, calendar: &WorkingCalendar) -> Option<Ticket> {
        let sla = self.sla.recount(calendar, self.criticality);
        (sla != self.sla).then(|| Ticket {
            sla,
            version: self.version + 1,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Actor;
    use crate::calendar::DayKind;
    use crate::ids::{DealerId, TicketId, UserId};
    use crate::ticket::TicketDraft;
    use crate::ticket::lifecycle::{Action, Resume, Status};
    use chrono::{Duration, NaiveDate};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::platform_default()
    }

    fn dealer() -> Actor {
        Actor {
            user_id: UserId::new("user-d1"),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new("d1")),
        }
    }

    fn specialist() -> Actor {
        Actor {
            user_id: UserId::new("spec"),
            role: Role::Specialist,
            dealer_id: None,
        }
    }

    fn file(criticality: &str, at: &str) -> Ticket {
        let new = TicketDraft {
            title: Some("Разместить новость".into()),
            text: Some("Новость об акции".into()),
            category: Some("individual_news".into()),
            criticality: Some(criticality.into()),
            billing: None,
        }
        .validate()
        .unwrap();
        Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &dealer(),
            new,
            &cal(),
            utc(at),
        )
        .0
    }

    fn act(t: &Ticket, who: &Actor, action: Action, at: &str) -> Ticket {
        t.apply(who, action, Some("комментарий"), &cal(), utc(at))
            .unwrap()
            .0
    }

    // --- the clock on the ticket ---

    #[test]
    fn a_friday_evening_high_ticket_is_due_monday_late_morning() {
        // Fri 14.03.2025 17:30 MSK: 30 min on Friday, 2 h 30 on Monday → Mon 11:30 MSK.
        let t = file("high", "2025-03-14T14:30:00Z");
        assert_eq!(t.sla.started_at, utc("2025-03-14T14:30:00Z"));
        assert_eq!(t.sla.due_at, Some(utc("2025-03-17T08:30:00Z")));
        assert_eq!(t.sla.warn_at, Some(utc("2025-03-17T07:54:00Z")));
        assert!(!t.sla.paused && !t.sla.breached);
        assert_eq!(t.status_since, t.created_at);
    }

    #[test]
    fn a_ticket_filed_before_the_may_holidays_is_due_after_them() {
        // Fri 08.05.2026 is a shortened day (closes 17:00); 09.05 is Victory Day and Monday
        // 11.05 the day off moved from it. 16:30 MSK, high: 30 min, then Tue 12.05 09:00 + 2 h 30.
        let t = file("high", "2026-05-08T13:30:00Z");
        assert_eq!(t.sla.due_at, Some(utc("2026-05-12T08:30:00Z")));
    }

    #[test]
    fn the_clock_pauses_on_need_info_and_restarts_from_the_dealers_answer() {
        // Mon 10.03.2025 10:00 MSK, high → due 13:00. Asked at 10:30 (on time): paused.
        let t = file("high", "2025-03-10T07:00:00Z");
        let asked = act(&t, &specialist(), Action::AskInfo, "2025-03-10T07:30:00Z");
        assert!(asked.sla.paused && asked.sla.due_at.is_none() && !asked.sla.breached);
        assert_eq!(asked.status_since, utc("2025-03-10T07:30:00Z"));
        // Waiting on the dealer past the old due time is never a breach.
        assert!(!asked.sla.is_breached(utc("2025-03-10T15:00:00Z")));
        // Answered at 17:00 MSK: 1 h that evening, 2 h on Tuesday → Tue 11:00 MSK.
        let answered = act(&asked, &dealer(), Action::Answer, "2025-03-10T14:00:00Z");
        assert!(!answered.sla.paused);
        assert_eq!(answered.sla.started_at, utc("2025-03-10T14:00:00Z"));
        assert_eq!(answered.sla.due_at, Some(utc("2025-03-11T08:00:00Z")));
        assert_eq!(answered.status, Status::Accepted);
    }

    #[test]
    fn a_late_reaction_stays_breached_to_the_end() {
        let t = file("high", "2025-03-10T07:00:00Z");
        // Due 13:00 MSK, taken at 14:00 MSK: late.
        let taken = act(&t, &specialist(), Action::Take, "2025-03-10T11:00:00Z");
        assert!(taken.sla.breached);
        let review = act(
            &taken,
            &specialist(),
            Action::SendForReview,
            "2025-03-10T12:00:00Z",
        );
        assert!(review.sla.paused);
        let (done, _) = review
            .auto_accept(&cal(), utc("2025-03-13T12:00:00Z"))
            .unwrap();
        assert!(done.sla.breached, "late stays late in reports");
        assert!(!done.sla.is_running() && !done.sla.paused);
    }

    // --- the SLA watch ---

    #[test]
    fn the_watch_warns_the_team_at_80_percent_and_tells_the_manager_of_a_breach_once_each() {
        // Mon 10.03.2025 10:00 MSK, high: warning 12:24, due 13:00 MSK.
        let t = file("high", "2025-03-10T07:00:00Z");
        let c = cal();
        assert!(
            t.sla_watch(&c, utc("2025-03-10T09:23:59Z")).is_none(),
            "not before 80 %"
        );

        let (warned, notices) = t.sla_watch(&c, utc("2025-03-10T09:24:00Z")).unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].key, "sla-warning:t1:2025-03-10T07:00:00.000Z");
        assert_eq!(notices[0].template, "sla_warning");
        assert_eq!(
            notices[0].audience,
            Audience::Role {
                role: Role::Specialist
            }
        );
        assert_eq!(notices[0].params["due_local"], "10.03.2025 13:00 (МСК)");
        assert_eq!(notices[0].params["reaction_label"], "3 рабочих часа");
        assert!(warned.sla.warning_sent && !warned.sla.breach_reported);
        assert_eq!(warned.version, t.version + 1);
        assert!(
            warned.sla_watch(&c, utc("2025-03-10T09:50:00Z")).is_none(),
            "warned once"
        );

        let (reported, notices) = warned.sla_watch(&c, utc("2025-03-10T10:00:01Z")).unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].key, "sla-breach:t1:2025-03-10T07:00:00.000Z");
        assert_eq!(
            notices[0].audience,
            Audience::AccountManagerOf {
                dealer_id: DealerId::new("d1")
            }
        );
        assert!(reported.sla.breach_reported);
        assert!(
            reported
                .sla_watch(&c, utc("2025-03-12T10:00:00Z"))
                .is_none(),
            "reported once"
        );
        assert_eq!(reported.sla.next_watch_at(), None);
    }

    #[test]
    fn a_watch_that_first_runs_after_the_due_time_sends_both_notices_in_one_go() {
        let t = file("high", "2025-03-10T07:00:00Z");
        let (marked, notices) = t.sla_watch(&cal(), utc("2025-03-11T07:00:00Z")).unwrap();
        let templates: Vec<_> = notices.iter().map(|n| n.template.as_str()).collect();
        assert_eq!(templates, ["sla_warning", "sla_breach"]);
        assert!(marked.sla.warning_sent && marked.sla.breach_reported);
        assert_eq!(marked.version, t.version + 1, "one change, one version");
    }

    #[test]
    fn a_reaction_in_time_leaves_the_watch_nothing_to_do_and_a_new_period_warns_again() {
        let c = cal();
        let t = file("high", "2025-03-10T07:00:00Z");
        let (warned, _) = t.sla_watch(&c, utc("2025-03-10T09:30:00Z")).unwrap();
        let asked = act(
            &warned,
            &specialist(),
            Action::AskInfo,
            "2025-03-10T09:40:00Z",
        );
        assert!(asked.sla_watch(&c, utc("2025-03-11T09:00:00Z")).is_none());
        // The dealer answers: a new period, with new keys, warns again.
        let answered = act(&asked, &dealer(), Action::Answer, "2025-03-11T07:00:00Z");
        assert!(!answered.sla.warning_sent);
        let (_, notices) = answered.sla_watch(&c, utc("2025-03-11T09:30:00Z")).unwrap();
        assert_eq!(notices[0].key, "sla-warning:t1:2025-03-11T07:00:00.000Z");
    }

    #[test]
    fn the_next_watch_instant_walks_from_warning_to_due_to_nothing() {
        let c = cal();
        let t = file("high", "2025-03-10T07:00:00Z");
        assert_eq!(t.sla.next_watch_at(), Some(utc("2025-03-10T09:24:00Z")));
        let (warned, _) = t.sla_watch(&c, utc("2025-03-10T09:24:00Z")).unwrap();
        assert_eq!(
            warned.sla.next_watch_at(),
            Some(utc("2025-03-10T10:00:00Z"))
        );
        let taken = act(&t, &specialist(), Action::Take, "2025-03-10T07:10:00Z");
        assert_eq!(taken.sla.next_watch_at(), None);
    }

    // --- auto-acceptance ---

    fn in_review_at(at: &str) -> Ticket {
        let t = file("medium", "2025-03-03T07:00:00Z");
        let t = act(&t, &specialist(), Action::Take, "2025-03-03T07:10:00Z");
        act(&t, &specialist(), Action::SendForReview, at)
    }

    #[test]
    fn a_result_in_review_is_accepted_after_three_working_days_and_not_before() {
        let c = cal();
        // Sent for review Mon 10.03.2025 10:00 MSK → accepted from Thu 13.03 10:00 MSK.
        let t = in_review_at("2025-03-10T07:00:00Z");
        assert_eq!(t.auto_accept_at(&c, 3), Some(utc("2025-03-13T07:00:00Z")));
        // Two working days and 23 hours: Thu 09:00 MSK — not yet.
        let early = utc("2025-03-10T07:00:00Z") + Duration::days(2) + Duration::hours(23);
        assert!(!t.is_auto_accept_due(&c, 3, early));
        assert!(t.is_auto_accept_due(&c, 3, utc("2025-03-13T07:00:00Z")));
        let (done, event) = t.auto_accept(&c, utc("2025-03-13T07:00:00Z")).unwrap();
        assert_eq!(done.status, Status::Resolved);
        assert_eq!(event.action, Some(Action::AutoAccept));
        assert_eq!(event.actor_id, None);
        assert!(event.comment.as_deref().unwrap().contains("автоматически"));
        // The dealer hears of it.
        let notices = done.notices(&event);
        assert_eq!(
            notices[0].audience,
            Audience::DealerStaff {
                dealer_id: DealerId::new("d1")
            }
        );
        assert_eq!(notices[0].params["action_label"], "Принято автоматически");
    }

    #[test]
    fn auto_acceptance_counts_working_days_across_a_weekend_and_a_holiday() {
        let c = cal();
        // Thu 06.03.2025 15:00 MSK: Fri 07.03 (1, shortened), 08.03 holiday, Sunday,
        // Mon 10.03 (2), Tue 11.03 (3) → Tue 11.03 15:00 MSK; five calendar days.
        let t = in_review_at("2025-03-06T12:00:00Z");
        assert_eq!(t.auto_accept_at(&c, 3), Some(utc("2025-03-11T12:00:00Z")));
        assert!(!t.is_auto_accept_due(&c, 3, utc("2025-03-10T12:00:00Z")));
        assert!(t.is_auto_accept_due(&c, 3, utc("2025-03-11T12:00:00Z")));
    }

    #[test]
    fn only_a_ticket_in_review_is_ever_auto_accepted() {
        let c = cal();
        let t = file("low", "2025-03-03T07:00:00Z");
        assert_eq!(t.auto_accept_at(&c, 3), None);
        assert!(!t.is_auto_accept_due(&c, 3, utc("2030-01-01T00:00:00Z")));
        let asked = act(&t, &specialist(), Action::AskInfo, "2025-03-03T08:00:00Z");
        assert_eq!(asked.status, Status::NeedInfo(Resume::Accepted));
        assert_eq!(asked.auto_accept_at(&c, 3), None);
    }

    // --- a calendar edit ---

    #[test]
    fn a_day_made_non_working_moves_a_running_due_time() {
        // Mon 10.03.2025 17:00 MSK, high: 1 h Monday, 2 h Tuesday → Tue 11:00 MSK.
        let t = file("high", "2025-03-10T14:00:00Z");
        assert_eq!(t.sla.due_at, Some(utc("2025-03-11T08:00:00Z")));
        let mut year = cal().year(2025).into_owned();
        year.set_day(
            NaiveDate::from_ymd_opt(2025, 3, 11).unwrap(),
            DayKind::NonWorking,
        )
        .unwrap();
        let mut edited = cal();
        edited.set_year(year);
        let moved = t.recount_sla(&edited).unwrap();
        assert_eq!(moved.sla.due_at, Some(utc("2025-03-12T08:00:00Z")));
        assert_eq!(moved.version, t.version + 1);
        assert!(moved.recount_sla(&edited).is_none(), "nothing moves twice");
        // A paused clock has nothing to move.
        let asked = act(&t, &specialist(), Action::AskInfo, "2025-03-10T14:10:00Z");
        assert!(asked.recount_sla(&edited).is_none());
    }
}
