//! Who is told what about a lead. Every key is deterministic (`lead:<id>:…`), so writing the
//! same notice twice (a retried webhook, a double job run) stores it once.

use super::card::Lead;
use super::escalation::EscalationStep;
use crate::{Audience, Notice, Role, UserId};
use chrono::{DateTime, Utc};

/// Who hears about a lead nobody observes: the brand's head office.
fn observer_audience(observer: Option<&UserId>) -> Audience {
    match observer {
        Some(user_id) => Audience::User {
            user_id: user_id.clone(),
        },
        None => Audience::Role {
            role: Role::BrandAdmin,
        },
    }
}

/// The parameters every lead notice carries.
fn notice(
    lead: &Lead,
    suffix: &str,
    template: &str,
    audience: Audience,
    at: DateTime<Utc>,
) -> Notice {
    let person = lead.person();
    let customer = match &person.surname {
        Some(s) => format!("{} {s}", person.name),
        None => person.name.clone(),
    };
    Notice::new(
        format!("lead:{}:{suffix}", lead.id()),
        template,
        audience,
        at,
    )
    .with("lead_id", lead.id().as_str())
    .with("lead_type", lead.kind().label())
    .with("customer", customer)
    .with("model", lead.model().unwrap_or(""))
    .with("dealer_id", lead.dealer().as_str())
    .with("status", lead.status().label())
}

/// A new lead: the dealer's staff, and the customer's confirmation when there is an e-mail.
pub fn new_lead_notices(lead: &Lead) -> Vec<Notice> {
    let at = lead.created_at();
    let mut out = vec![notice(
        lead,
        "new:dealer",
        "lead_new",
        Audience::DealerStaff {
            dealer_id: lead.dealer().clone(),
        },
        at,
    )];
    if let Some(email) = &lead.person().email {
        out.push(notice(
            lead,
            "new:customer",
            "lead_confirmation",
            Audience::Address {
                email: email.to_string(),
            },
            at,
        ));
    }
    out
}

/// An escalation step: 2 h → the dealer's staff, 4 h → the observer.
pub fn escalation_notice(lead: &Lead, step: EscalationStep, at: DateTime<Utc>) -> Notice {
    let suffix = format!("escalation:{}", step.code());
    match step {
        EscalationStep::Dealer => notice(
            lead,
            &suffix,
            "lead_escalation_dealer",
            Audience::DealerStaff {
                dealer_id: lead.dealer().clone(),
            },
            at,
        ),
        EscalationStep::Observer => notice(
            lead,
            &suffix,
            "lead_escalation_observer",
            observer_audience(lead.observer()),
            at,
        ),
    }
}

/// The survey invitation to the customer, `None` when the lead has no survey due.
pub fn survey_invitation(lead: &Lead, link: &str, at: DateTime<Utc>) -> Option<Notice> {
    lead.survey_due_at()?;
    let email = lead.person().email.as_ref()?;
    Some(
        notice(
            lead,
            "survey:invite",
            "lead_survey",
            Audience::Address {
                email: email.to_string(),
            },
            at,
        )
        .with("link", link),
    )
}

/// A negative survey answer alerts the observer; `None` for a positive or missing answer.
pub fn survey_alert(lead: &Lead) -> Option<Notice> {
    let survey = lead.survey().filter(|s| s.answer.is_negative())?;
    Some(
        notice(
            lead,
            "survey:negative",
            "lead_survey_negative",
            observer_audience(lead.observer()),
            survey.answered_at,
        )
        .with("answer", survey.answer.label())
        .with("comment", survey.comment.clone().unwrap_or_default()),
    )
}

/// A transfer: both dealers' staff and the observers (the new one, and the old one when it
/// changed).
pub fn transfer_notices(before: &Lead, after: &Lead, at: DateTime<Utc>) -> Vec<Notice> {
    let v = after.version();
    let mut out = vec![
        notice(
            after,
            &format!("transfer:v{v}:from"),
            "lead_transferred_away",
            Audience::DealerStaff {
                dealer_id: before.dealer().clone(),
            },
            at,
        )
        .with("to_dealer_id", after.dealer().as_str()),
        notice(
            after,
            &format!("transfer:v{v}:to"),
            "lead_transferred_in",
            Audience::DealerStaff {
                dealer_id: after.dealer().clone(),
            },
            at,
        )
        .with("from_dealer_id", before.dealer().as_str()),
        notice(
            after,
            &format!("transfer:v{v}:observer"),
            "lead_transferred_observer",
            observer_audience(after.observer()),
            at,
        )
        .with("from_dealer_id", before.dealer().as_str()),
    ];
    if let Some(old) = before.observer().filter(|o| Some(*o) != after.observer()) {
        out.push(
            notice(
                after,
                &format!("transfer:v{v}:previous-observer"),
                "lead_transferred_observer",
                observer_audience(Some(old)),
                at,
            )
            .with("from_dealer_id", before.dealer().as_str()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::card::tests::{dealer_actor, lead, t};
    use crate::lead::survey::SurveyAnswer;

    #[test]
    fn a_new_lead_tells_the_dealer_and_confirms_to_the_customer() {
        let n = new_lead_notices(&lead());
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].key, "lead:L1:new:dealer");
        assert_eq!(
            n[0].audience,
            Audience::DealerStaff {
                dealer_id: crate::DealerId::new("vostok")
            }
        );
        assert_eq!(n[1].key, "lead:L1:new:customer");
        assert_eq!(
            n[1].audience,
            Audience::Address {
                email: "ivan@mail.ru".into()
            }
        );
        assert_eq!(n[0].params["lead_type"], "Предзаказ");
        assert_eq!(n[0].params["customer"], "Иван Петров");
        // Same lead, same keys: a retry writes nothing new.
        assert_eq!(new_lead_notices(&lead()), n);
    }

    #[test]
    fn escalations_go_to_the_dealer_then_the_observer() {
        let l = lead();
        let two = escalation_notice(&l, EscalationStep::Dealer, t(12, 0));
        assert_eq!(two.key, "lead:L1:escalation:dealer_2h");
        assert!(matches!(two.audience, Audience::DealerStaff { .. }));
        let four = escalation_notice(&l, EscalationStep::Observer, t(14, 0));
        assert_eq!(four.key, "lead:L1:escalation:observer_4h");
        assert_eq!(
            four.audience,
            Audience::User {
                user_id: UserId::new("rep-east")
            }
        );
    }

    #[test]
    fn a_negative_answer_alerts_the_observer() {
        let (l, _) = lead()
            .record_survey(SurveyAnswer::NoContact, None, t(12, 0))
            .unwrap();
        let alert = survey_alert(&l).unwrap();
        assert_eq!(alert.key, "lead:L1:survey:negative");
        assert_eq!(
            alert.audience,
            Audience::User {
                user_id: UserId::new("rep-east")
            }
        );
        let (happy, _) = lead()
            .record_survey(SurveyAnswer::Happy, None, t(12, 0))
            .unwrap();
        assert!(survey_alert(&happy).is_none());
        let invite = survey_invitation(&lead(), "https://x/s/abc", t(9, 0)).unwrap();
        assert_eq!(invite.params["link"], "https://x/s/abc");
    }

    #[test]
    fn a_transfer_tells_both_dealers_and_the_observers() {
        let before = lead();
        let (after, _) = before
            .transfer(
                &dealer_actor("zapad"),
                true,
                Some(UserId::new("rep-west")),
                t(12, 0),
            )
            .unwrap();
        let n = transfer_notices(&before, &after, t(12, 0));
        let keys: Vec<_> = n.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "lead:L1:transfer:v2:from",
                "lead:L1:transfer:v2:to",
                "lead:L1:transfer:v2:observer",
                "lead:L1:transfer:v2:previous-observer"
            ]
        );
        assert_eq!(
            n[0].audience,
            Audience::DealerStaff {
                dealer_id: crate::DealerId::new("vostok")
            }
        );
        assert_eq!(
            n[1].audience,
            Audience::DealerStaff {
                dealer_id: crate::DealerId::new("zapad")
            }
        );
        assert_eq!(
            n[2].audience,
            Audience::User {
                user_id: UserId::new("rep-west")
            }
        );
    }
}
