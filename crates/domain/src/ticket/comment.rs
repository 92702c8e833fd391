//! Comments on a ticket (SPEC §2.1): the conversation beside the lifecycle.
//!
//! A comment never moves the ticket and never changes its version: it is its own record,
//! so someone writing a comment cannot make a colleague's move fail with a stale version,
//! and two people commenting at once both keep their words.
//!
//! # Who writes
//! The two sides of a support conversation:
//! - the **dealer** — the ticket's own dealer staff (`dealer` role);
//! - the **platform** — specialists and admins, who work tickets, and the dealer's
//!   account manager, who sees the dealer's tickets and is the dealer's contact on the
//!   platform (SLA escalations land on them, so they must be able to answer in the ticket).
//!
//! Accountants, regional representatives and the brand have no tickets and write nothing.
//! Whether the writer sees this ticket at all (own dealer, own account) is the use case's
//! access check, asked before this module is.
//!
//! # Who is told
//! The other side: a dealer's comment goes to the specialist who took the ticket, or the
//! whole specialist team while nobody has; a platform comment goes to the dealer's staff.

use crate::access::Actor;
use crate::error::ValidationError;
use crate::ids::{CommentId, TicketId, UserId};
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::notice::{Audience, Notice};
use crate::role::Role;
use crate::ticket::Ticket;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest comment, in characters (the same as a move's comment).
pub const TICKET_COMMENT_MAX: usize = crate::ticket::COMMENT_MAX;

/// The side of a ticket's conversation a person writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The ticket's dealer.
    Dealer,
    /// Support: specialists, admins, the dealer's account manager.
    Platform,
}

impl Side {
    /// The side a role writes for; `None` for roles without tickets.
    pub fn of(role: Role) -> Option<Side> {
        match role {
            Role::Dealer => Some(Side::Dealer),
            Role::Specialist | Role::Admin | Role::AccountManager => Some(Side::Platform),
            Role::Accountant | Role::RegionalRep | Role::BrandAdmin => None,
        }
    }
}

/// Why a comment is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    /// The role takes no part in ticket conversations, or a dealer writes on another
    /// dealer's ticket.
    #[error("this actor does not write on this ticket")]
    NotYourTicket,
    /// Empty or too long.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl CommentError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            CommentError::NotYourTicket => "Комментировать это обращение вы не можете.".to_string(),
            CommentError::Invalid(e) => e.message_ru(),
        }
    }
}

/// One comment on a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: CommentId,
    pub ticket_id: TicketId,
    pub author_id: UserId,
    pub author_role: Role,
    pub text: String,
    pub at: DateTime<Utc>,
}

impl Comment {
    /// `author`'s comment on `ticket`, checked: a side that takes part, a text that is not
    /// empty and not too long. The caller has checked that `author` sees the ticket.
    pub fn write(
        id: CommentId,
        ticket: &Ticket,
        author: &Actor,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Comment, CommentError> {
        match Side::of(author.role) {
            None => return Err(CommentError::NotYourTicket),
            Some(Side::Dealer) if !author.is_staff_of(&ticket.dealer_id) => {
                return Err(CommentError::NotYourTicket);
            }
            Some(_) => {}
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(ValidationError::field("text", "Напишите текст комментария.").into());
        }
        if text.chars().count() > TICKET_COMMENT_MAX {
            return Err(
                ValidationError::field("text", "Комментарий длиннее 10 000 символов.").into(),
            );
        }
        Ok(Comment {
            id,
            ticket_id: ticket.id.clone(),
            author_id: author.user_id.clone(),
            author_role: author.role,
            text: text.to_string(),
            at: now,
        })
    }

    /// The side this comment was written for.
    pub fn side(&self) -> Side {
        // Only roles with a side can write (see `write`); a stored comment of another role
        // can only be damage, and is then treated as the platform's.
        Side::of(self.author_role).unwrap_or(Side::Platform)
    }

    /// Who must hear of this comment: the other side of `ticket`. The e-mail kind is
    /// `ticket_comment`; the key is unique per comment, so writing it twice stores it once.
    pub fn notices(&self, ticket: &Ticket) -> Vec<Notice> {
        let audience = match self.side() {
            Side::Platform => Audience::DealerStaff {
                dealer_id: ticket.dealer_id.clone(),
            },
            Side::Dealer => match &ticket.assignee_id {
                Some(user_id) => Audience::User {
                    user_id: user_id.clone(),
                },
                None => Audience::Role {
                    role: Role::Specialist,
                },
            },
        };
        let notice = Notice::new(
            format!("comment:{}:{}", ticket.id, self.id),
            "ticket_comment",
            audience,
            self.at,
        )
        .with("ticket_id", ticket.id.as_str())
        .with("number", ticket.display_number())
        .with("title", ticket.title.clone())
        .with("status_label", ticket.status.label())
        .with("author_role", self.author_role.label())
        .with("text", self.text.clone());
        vec![notice]
    }
}

impl Refuse for CommentError {
    fn refusal(&self) -> Refusal {
        match self {
            CommentError::NotYourTicket => {
                Refusal::new(RefusalKind::Forbidden, "forbidden", self.message_ru())
            }
            CommentError::Invalid(e) => e.refusal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DealerId;
    use crate::ticket::TicketDraft;
    use crate::ticket::lifecycle::Action;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn actor(role: Role, dealer: Option<&str>) -> Actor {
        Actor {
            user_id: UserId::new(format!("user-{}", role.code())),
            role,
            dealer_id: dealer.map(DealerId::new),
        }
    }

    fn ticket() -> Ticket {
        let new = TicketDraft {
            title: Some("Новость".into()),
            text: Some("Разместить новость".into()),
            category: Some("individual_news".into()),
            criticality: Some("high".into()),
            billing: None,
        }
        .validate()
        .unwrap();
        Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &actor(Role::Dealer, Some("d1")),
            new,
            &crate::calendar::WorkingCalendar::platform_default(),
            now(),
        )
        .0
    }

    fn write(t: &Ticket, who: &Actor, text: &str) -> Result<Comment, CommentError> {
        Comment::write(CommentId::new("c1"), t, who, text, now())
    }

    #[test]
    fn the_dealer_and_the_platform_write_and_others_do_not() {
        let t = ticket();
        for who in [
            actor(Role::Dealer, Some("d1")),
            actor(Role::Specialist, None),
            actor(Role::Admin, None),
            actor(Role::AccountManager, None),
        ] {
            assert!(write(&t, &who, "Текст").is_ok(), "{:?}", who.role);
        }
        for who in [
            actor(Role::Dealer, Some("d2")),
            actor(Role::Accountant, Some("d1")),
            actor(Role::RegionalRep, None),
            actor(Role::BrandAdmin, None),
        ] {
            assert_eq!(
                write(&t, &who, "Текст"),
                Err(CommentError::NotYourTicket),
                "{:?}",
                who.role
            );
        }
    }

    #[test]
    fn a_comment_needs_words_and_is_trimmed() {
        let t = ticket();
        let dealer = actor(Role::Dealer, Some("d1"));
        let err = write(&t, &dealer, "   ").unwrap_err();
        assert_eq!(err.message_ru(), "Напишите текст комментария.");
        let long = "я".repeat(TICKET_COMMENT_MAX + 1);
        assert!(matches!(
            write(&t, &dealer, &long),
            Err(CommentError::Invalid(_))
        ));
        assert_eq!(write(&t, &dealer, "  да  ").unwrap().text, "да");
    }

    #[test]
    fn the_other_side_is_told() {
        let t = ticket();
        let dealer = actor(Role::Dealer, Some("d1"));
        let specialist = actor(Role::Specialist, None);
        // Nobody took the ticket yet: the whole team hears the dealer.
        let n = write(&t, &dealer, "Срочно").unwrap().notices(&t);
        assert_eq!(
            n[0].audience,
            Audience::Role {
                role: Role::Specialist
            }
        );
        assert_eq!(n[0].template, "ticket_comment");
        assert_eq!(n[0].key, "comment:t1:c1");
        assert_eq!(n[0].params["text"], "Срочно");
        // Once taken, the assignee does.
        let (taken, _) = t
            .apply(
                &specialist,
                Action::Take,
                None,
                &crate::calendar::WorkingCalendar::platform_default(),
                now(),
            )
            .unwrap();
        let n = write(&taken, &dealer, "Срочно").unwrap().notices(&taken);
        assert_eq!(
            n[0].audience,
            Audience::User {
                user_id: specialist.user_id.clone()
            }
        );
        // The platform's comment goes to the dealer's staff.
        for who in [specialist, actor(Role::AccountManager, None)] {
            let n = write(&taken, &who, "Готовим").unwrap().notices(&taken);
            assert_eq!(
                n[0].audience,
                Audience::DealerStaff {
                    dealer_id: DealerId::new("d1")
                }
            );
        }
    }

    #[test]
    fn comment_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind as K, Refuse};
        let r = CommentError::NotYourTicket.refusal();
        assert_eq!(
            (r.kind, r.code, r.message.as_str()),
            (
                K::Forbidden,
                "forbidden",
                "Комментировать это обращение вы не можете."
            )
        );
        let r = CommentError::Invalid(ValidationError::field(
            "text",
            "Напишите текст комментария.",
        ))
        .refusal();
        assert_eq!(
            (r.kind, r.code, r.message.as_str()),
            (
                K::Invalid,
                "validation_failed",
                "Напишите текст комментария."
            )
        );
        assert_eq!(r.fields[0].field, "text");
    }
}
