//! The client's review of a result and its auto-acceptance (SPEC §2.4: «если в этот срок
//! замечаний не поступает»).
//!
//! A result sent for review starts a countdown of N working days (an admin setting); when
//! it runs out the system accepts the result. A dealer's remark — a comment — while the
//! result is under review stops the countdown: the dealer has something to say, and
//! accepting on their behalf would answer it with silence. The platform's reply starts the
//! countdown again from that moment, with the whole period anew. Accepting or returning the
//! result ends it, as before.
//!
//! The countdown lives on the ticket ([`Ticket::review`]), so the auto-accept job, the card
//! and the e-mail read one value; a comment that moves it changes the ticket's version.

use crate::calendar::WorkingCalendar;
use crate::ticket::Ticket;
use crate::ticket::comment::{Comment, Side};
use crate::ticket::lifecycle::Status;
use chrono::{DateTime, Utc};

/// Where the auto-acceptance countdown of a result under review stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewCountdown {
    /// Counting N working days from `since`: the result was sent for review then, or the
    /// platform answered the dealer's remark then.
    Counting { since: DateTime<Utc> },
    /// Stopped by the dealer's remark made at `since`; waits for the platform's reply.
    Paused { since: DateTime<Utc> },
}

impl ReviewCountdown {
    /// The countdown a result sent for review at `now` starts with.
    pub fn start(now: DateTime<Utc>) -> Self {
        ReviewCountdown::Counting { since: now }
    }

    /// The countdown after `comment` (SPEC §2.4): the dealer's remark stops a running
    /// countdown; the platform's reply to a stopped one starts it again from the reply.
    /// Anything else leaves it as it is.
    pub fn on_comment(self, comment: &Comment) -> Self {
        match (self, comment.side()) {
            (ReviewCountdown::Counting { .. }, Side::Dealer) => {
                ReviewCountdown::Paused { since: comment.at }
            }
            (ReviewCountdown::Paused { .. }, Side::Platform) => {
                ReviewCountdown::Counting { since: comment.at }
            }
            (same, _) => same,
        }
    }
}

impl Ticket {
    /// This ticket after `comment` was written on it: the next version with the countdown
    /// moved, or `None` when the comment does not touch it (the ticket is not under review,
    /// or the countdown stays as it was). The caller stores the comment and the changed
    /// ticket together, conditional on this version.
    pub fn on_comment(&self, comment: &Comment) -> Option<Ticket> {
        let review = self.review?;
        let next = review.on_comment(comment);
        (next != review).then(|| Ticket {
            review: Some(next),
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// This ticket after `comment`, when the comment changes it: a support comment that is
    /// the owed SLA reaction ([`Ticket::react_by_comment`]) and/or a comment that stops or
    /// restarts the review countdown ([`Ticket::on_comment`]) — one next version either way.
    pub fn changed_by_comment(&self, comment: &Comment) -> Option<Ticket> {
        let reacted = self.react_by_comment(comment);
        let reviewed = reacted.as_ref().unwrap_or(self).on_comment(comment);
        reviewed.or(reacted).map(|changed| Ticket {
            version: self.version + 1,
            ..changed
        })
    }

    /// Whether the auto-acceptance countdown is stopped by a remark of the dealer.
    pub fn review_paused(&self) -> bool {
        matches!(self.review, Some(ReviewCountdown::Paused { .. }))
    }

    /// When the system accepts this result: `days` working days after the countdown
    /// started (the same time of day, as SPEC §2.3 counts working days); `None` unless the
    /// ticket is under review with the countdown running.
    pub fn review_deadline(&self, calendar: &WorkingCalendar, days: u32) -> Option<DateTime<Utc>> {
        match (self.status, self.review) {
            (Status::InReview, Some(ReviewCountdown::Counting { since })) => {
                Some(calendar.add_working_days(since, days))
            }
            _ => None,
        }
    }

    /// What the card and the e-mail say about auto-acceptance, in Moscow time:
    /// «Будет принято автоматически 05.12 в 18:00, если замечаний не будет», or that the
    /// countdown is stopped by the dealer's remark; `None` unless the ticket is under review.
    pub fn auto_accept_note(&self, calendar: &WorkingCalendar, days: u32) -> Option<String> {
        if self.status != Status::InReview {
            return None;
        }
        let moscow = |at: DateTime<Utc>| at.with_timezone(&chrono_tz::Europe::Moscow);
        match self.review? {
            ReviewCountdown::Counting { .. } => {
                let at = moscow(self.review_deadline(calendar, days)?);
                Some(format!(
                    "Будет принято автоматически {} в {}, если замечаний не будет",
                    at.format("%d.%m"),
                    at.format("%H:%M")
                ))
            }
            ReviewCountdown::Paused { since } => {
                let at = moscow(since);
                Some(format!(
                    "Автоматическое принятие остановлено: клиент оставил замечание {} в {}. \
                     Срок начнётся заново после ответа специалиста",
                    at.format("%d.%m"),
                    at.format("%H:%M")
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Actor;
    use crate::ids::{CommentId, DealerId, TicketId, UserId};
    use crate::role::Role;
    use crate::ticket::TicketDraft;
    use crate::ticket::lifecycle::Action;

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

    /// A medium ticket sent for review at `at`.
    fn in_review_at(at: &str) -> Ticket {
        let new = TicketDraft {
            title: Some("Новость".into()),
            text: Some("Разместить новость".into()),
            category: Some("individual_news".into()),
            criticality: Some("medium".into()),
            billing: None,
        }
        .validate()
        .unwrap();
        let filed = utc("2026-11-30T07:00:00Z");
        let (t, _) = Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &dealer(),
            new,
            &cal(),
            filed,
        );
        let (t, _) = t
            .apply(&specialist(), Action::Take, None, &cal(), filed)
            .unwrap();
        t.apply(
            &specialist(),
            Action::SendForReview,
            Some("Готово"),
            &cal(),
            utc(at),
        )
        .unwrap()
        .0
    }

    fn comment(t: &Ticket, who: &Actor, at: &str) -> Comment {
        Comment::write(CommentId::new("c"), t, who, "Текст", utc(at)).unwrap()
    }

    #[test]
    fn a_result_sent_for_review_counts_three_working_days_and_says_when_in_moscow_time() {
        // Wed 02.12.2026 15:00 MSK → Mon 07.12 (Thu, Fri, Mon) 15:00 MSK.
        let t = in_review_at("2026-12-02T12:00:00Z");
        assert_eq!(
            t.review,
            Some(ReviewCountdown::Counting {
                since: utc("2026-12-02T12:00:00Z")
            })
        );
        assert_eq!(
            t.review_deadline(&cal(), 3),
            Some(utc("2026-12-07T12:00:00Z"))
        );
        assert_eq!(
            t.auto_accept_note(&cal(), 3).unwrap(),
            "Будет принято автоматически 07.12 в 15:00, если замечаний не будет"
        );
    }

    #[test]
    fn a_dealers_remark_stops_the_countdown_and_the_specialists_reply_starts_it_anew() {
        let t = in_review_at("2026-12-02T15:00:00Z");
        // Thu 03.12 14:20 MSK: the dealer writes a remark.
        let paused = t
            .on_comment(&comment(&t, &dealer(), "2026-12-03T11:20:00Z"))
            .expect("the remark stops the countdown");
        assert_eq!(paused.version, t.version + 1);
        assert!(paused.review_paused());
        assert_eq!(paused.review_deadline(&cal(), 3), None);
        assert!(!paused.is_auto_accept_due(&cal(), 3, utc("2030-01-01T00:00:00Z")));
        assert_eq!(
            paused.auto_accept_note(&cal(), 3).unwrap(),
            "Автоматическое принятие остановлено: клиент оставил замечание 03.12 в 14:20. \
             Срок начнётся заново после ответа специалиста"
        );
        // A second remark changes nothing.
        assert!(
            paused
                .on_comment(&comment(&paused, &dealer(), "2026-12-04T08:00:00Z"))
                .is_none()
        );
        // Fri 04.12 10:00 MSK: the specialist answers → three full working days from then.
        let resumed = paused
            .on_comment(&comment(&paused, &specialist(), "2026-12-04T07:00:00Z"))
            .expect("the reply starts the countdown");
        assert_eq!(
            resumed.review_deadline(&cal(), 3),
            Some(utc("2026-12-09T07:00:00Z"))
        );
        assert!(!resumed.is_auto_accept_due(&cal(), 3, utc("2026-12-09T06:59:00Z")));
        assert!(resumed.is_auto_accept_due(&cal(), 3, utc("2026-12-09T07:00:00Z")));
        // The specialist's comment on a running countdown does not restart it.
        assert!(
            resumed
                .on_comment(&comment(&resumed, &specialist(), "2026-12-07T07:00:00Z"))
                .is_none()
        );
    }

    #[test]
    fn the_dealer_may_still_accept_or_return_a_paused_result_and_the_countdown_ends() {
        let t = in_review_at("2026-12-02T15:00:00Z");
        let paused = t
            .on_comment(&comment(&t, &dealer(), "2026-12-03T11:20:00Z"))
            .unwrap();
        for action in [Action::Accept, Action::Return] {
            let (moved, _) = paused
                .apply(
                    &dealer(),
                    action,
                    Some("Замечания"),
                    &cal(),
                    utc("2026-12-03T12:00:00Z"),
                )
                .unwrap();
            assert_eq!(moved.review, None, "{action:?}");
            assert_eq!(moved.auto_accept_note(&cal(), 3), None);
        }
    }

    #[test]
    fn comments_outside_review_leave_the_ticket_alone() {
        let t = in_review_at("2026-12-02T15:00:00Z");
        let (back, _) = t
            .apply(
                &dealer(),
                Action::Return,
                Some("Не то"),
                &cal(),
                utc("2026-12-03T08:00:00Z"),
            )
            .unwrap();
        assert!(
            back.on_comment(&comment(&back, &dealer(), "2026-12-03T09:00:00Z"))
                .is_none()
        );
    }
}
