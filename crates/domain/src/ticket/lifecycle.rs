//! The ticket lifecycle of SPEC §2.4: states, detailed statuses and the moves between them.
//!
//! The whole machine is one `match` in [`next_status`]; who may make a move is
//! [`Action::party`]. Everything not listed there is an [`LifecycleError::IllegalMove`].

use crate::error::ValidationError;
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::ticket::catalog::Billing;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// «Состояние заявки»: the coarse state a status belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    New,
    Approval,
    InProgress,
    Review,
    Done,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 5] = [
        State::New,
        State::Approval,
        State::InProgress,
        State::Review,
        State::Done,
    ];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            State::New => "new",
            State::Approval => "approval",
            State::InProgress => "in_progress",
            State::Review => "review",
            State::Done => "done",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The UI words.
    pub fn label(self) -> &'static str {
        match self {
            State::New => "Новая",
            State::Approval => "На согласовании",
            State::InProgress => "В работе",
            State::Review => "На проверке клиентом",
            State::Done => "Завершена",
        }
    }
}

/// Where a ticket goes back to once the dealer answers a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resume {
    Accepted,
    InProgress,
}

impl Resume {
    fn status(self) -> Status {
        match self {
            Resume::Accepted => Status::Accepted,
            Resume::InProgress => Status::InProgress,
        }
    }

    /// The code of the status resumed to.
    pub fn code(self) -> &'static str {
        self.status().code()
    }

    /// Parses the code of a status that can be resumed to.
    pub fn from_code(code: &str) -> Option<Resume> {
        match code {
            "accepted" => Some(Resume::Accepted),
            "in_progress" => Some(Resume::InProgress),
            _ => None,
        }
    }
}

/// The detailed status inside a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// «Принято к рассмотрению»
    Accepted,
    /// «Недостаточно информации»; remembers where the dealer's answer returns the ticket.
    NeedInfo(Resume),
    /// «Согласование стоимости»
    EstimateSent,
    /// «В стадии решения»
    InProgress,
    /// «Результат на проверке»
    InReview,
    /// «Успешно решено»
    Resolved,
    /// «Не представляется возможным решить»
    Impossible,
}

impl Status {
    /// The state this status belongs to.
    pub fn state(self) -> State {
        match self {
            Status::Accepted => State::New,
            Status::NeedInfo(_) | Status::EstimateSent => State::Approval,
            Status::InProgress => State::InProgress,
            Status::InReview => State::Review,
            Status::Resolved | Status::Impossible => State::Done,
        }
    }

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::NeedInfo(_) => "need_info",
            Status::EstimateSent => "estimate_sent",
            Status::InProgress => "in_progress",
            Status::InReview => "in_review",
            Status::Resolved => "resolved",
            Status::Impossible => "impossible",
        }
    }

    /// Rebuilds a status from its stored code (and, for `need_info`, where it resumes to).
    pub fn from_code(code: &str, resume: Option<Resume>) -> Option<Status> {
        Some(match code {
            "accepted" => Status::Accepted,
            "need_info" => Status::NeedInfo(resume?),
            "estimate_sent" => Status::EstimateSent,
            "in_progress" => Status::InProgress,
            "in_review" => Status::InReview,
            "resolved" => Status::Resolved,
            "impossible" => Status::Impossible,
            _ => return None,
        })
    }

    /// Where a `need_info` ticket resumes to.
    pub fn resume(self) -> Option<Resume> {
        match self {
            Status::NeedInfo(r) => Some(r),
            _ => None,
        }
    }

    /// The UI words.
    pub fn label(self) -> &'static str {
        match self {
            Status::Accepted => "Принято к рассмотрению",
            Status::NeedInfo(_) => "Недостаточно информации",
            Status::EstimateSent => "Согласование стоимости",
            Status::InProgress => "В стадии решения",
            Status::InReview => "Результат на проверке",
            Status::Resolved => "Успешно решено",
            Status::Impossible => "Не представляется возможным решить",
        }
    }

    /// The ticket waits on the dealer: the reaction clock does not run.
    pub fn waits_on_dealer(self) -> bool {
        matches!(
            self,
            Status::NeedInfo(_) | Status::EstimateSent | Status::InReview
        )
    }

    /// The ticket is finished.
    pub fn is_done(self) -> bool {
        self.state() == State::Done
    }
}

/// Who makes a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// Support specialists (and the platform admin).
    Platform,
    /// The ticket's own dealer.
    Dealer,
    /// The scheduler, never a person.
    System,
}

/// A move on a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Take,
    AskInfo,
    Answer,
    SendEstimate,
    ApproveEstimate,
    RejectEstimate,
    SendForReview,
    Accept,
    Return,
    DeclareImpossible,
    AutoAccept,
}

impl Action {
    /// Every move, the system's last.
    pub const ALL: [Action; 11] = [
        Action::Take,
        Action::AskInfo,
        Action::Answer,
        Action::SendEstimate,
        Action::ApproveEstimate,
        Action::RejectEstimate,
        Action::SendForReview,
        Action::Accept,
        Action::Return,
        Action::DeclareImpossible,
        Action::AutoAccept,
    ];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Action::Take => "take",
            Action::AskInfo => "ask_info",
            Action::Answer => "answer",
            Action::SendEstimate => "send_estimate",
            Action::ApproveEstimate => "approve_estimate",
            Action::RejectEstimate => "reject_estimate",
            Action::SendForReview => "send_for_review",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::DeclareImpossible => "declare_impossible",
            Action::AutoAccept => "auto_accept",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The button / history words.
    pub fn label(self) -> &'static str {
        match self {
            Action::Take => "Взять в работу",
            Action::AskInfo => "Запросить информацию",
            Action::Answer => "Ответить",
            Action::SendEstimate => "Отправить оценку стоимости",
            Action::ApproveEstimate => "Согласовать стоимость",
            Action::RejectEstimate => "Отклонить оценку",
            Action::SendForReview => "Отправить на проверку",
            Action::Accept => "Принять результат",
            Action::Return => "Вернуть на доработку",
            Action::DeclareImpossible => "Невозможно решить",
            Action::AutoAccept => "Принято автоматически",
        }
    }

    /// Who may make this move.
    pub fn party(self) -> Party {
        match self {
            Action::Take
            | Action::AskInfo
            | Action::SendEstimate
            | Action::SendForReview
            | Action::DeclareImpossible => Party::Platform,
            Action::Answer
            | Action::ApproveEstimate
            | Action::RejectEstimate
            | Action::Accept
            | Action::Return => Party::Dealer,
            Action::AutoAccept => Party::System,
        }
    }

    /// Moves that mean nothing without words: a question, an answer, an estimate,
    /// remarks on a returned result, the reason work is impossible.
    pub fn requires_comment(self) -> bool {
        matches!(
            self,
            Action::AskInfo
                | Action::Answer
                | Action::SendEstimate
                | Action::Return
                | Action::DeclareImpossible
        )
    }
}

/// The lifecycle itself: where `action` takes a ticket in `status`, or why it cannot.
pub fn next_status(
    status: Status,
    action: Action,
    billing: Billing,
) -> Result<Status, LifecycleError> {
    use Action as A;
    use Status as S;
    match (status, action) {
        (S::Accepted, A::Take) => Ok(S::InProgress),
        (S::Accepted, A::AskInfo) => Ok(S::NeedInfo(Resume::Accepted)),
        (S::InProgress, A::AskInfo) => Ok(S::NeedInfo(Resume::InProgress)),
        (S::NeedInfo(back_to), A::Answer) => Ok(back_to.status()),
        (S::Accepted | S::InProgress, A::SendEstimate) => match billing {
            Billing::Paid => Ok(S::EstimateSent),
            Billing::Free => Err(LifecycleError::EstimateOnFreeTicket),
        },
        (S::EstimateSent, A::ApproveEstimate) => Ok(S::InProgress),
        (S::EstimateSent, A::RejectEstimate) => Ok(S::Impossible),
        (S::InProgress, A::SendForReview) => Ok(S::InReview),
        (S::InReview, A::Accept | A::AutoAccept) => Ok(S::Resolved),
        (S::InReview, A::Return) => Ok(S::InProgress),
        (S::Accepted | S::InProgress | S::NeedInfo(_) | S::EstimateSent, A::DeclareImpossible) => {
            Ok(S::Impossible)
        }
        (from, action) => Err(LifecycleError::IllegalMove { from, action }),
    }
}

/// A move the lifecycle refuses.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LifecycleError {
    /// The move does not exist from this status.
    #[error("{} is not allowed from {}", .action.code(), .from.code())]
    IllegalMove { from: Status, action: Action },
    /// The move exists but belongs to the other side (or to the scheduler).
    #[error("{} is not this actor's move", .action.code())]
    NotYourMove { action: Action },
    /// The move needs words: a question, an answer, remarks, a reason.
    #[error("{} needs a comment", .action.code())]
    CommentRequired { action: Action },
    /// Estimates exist only for paid work.
    #[error("estimate on a free ticket")]
    EstimateOnFreeTicket,
}

impl LifecycleError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            LifecycleError::IllegalMove { from, action } => format!(
                "Действие «{}» невозможно: обращение в статусе «{}».",
                action.label(),
                from.label()
            ),
            LifecycleError::NotYourMove { action } => {
                format!("Действие «{}» вам недоступно.", action.label())
            }
            LifecycleError::CommentRequired { action } => {
                format!("Для действия «{}» нужен комментарий.", action.label())
            }
            LifecycleError::EstimateOnFreeTicket => {
                "Оценка стоимости отправляется только по платным обращениям.".to_string()
            }
        }
    }
}

/// Everything the domain can refuse.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
}

impl DomainError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            DomainError::Validation(e) => e.message_ru(),
            DomainError::Lifecycle(e) => e.message_ru(),
        }
    }
}

impl Refuse for LifecycleError {
    fn refusal(&self) -> Refusal {
        let (kind, code) = match self {
            LifecycleError::IllegalMove { .. } => (RefusalKind::Conflict, "illegal_transition"),
            LifecycleError::NotYourMove { .. } => (RefusalKind::Forbidden, "not_your_move"),
            LifecycleError::CommentRequired { .. } => (RefusalKind::Invalid, "comment_required"),
            LifecycleError::EstimateOnFreeTicket => {
                (RefusalKind::Conflict, "estimate_on_free_ticket")
            }
        };
        Refusal::new(kind, code, self.message_ru())
    }
}

impl Refuse for DomainError {
    fn refusal(&self) -> Refusal {
        match self {
            DomainError::Validation(e) => e.refusal(),
            DomainError::Lifecycle(e) => e.refusal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Status as S;

    const EVERY_STATUS: [Status; 8] = [
        S::Accepted,
        S::NeedInfo(Resume::Accepted),
        S::NeedInfo(Resume::InProgress),
        S::EstimateSent,
        S::InProgress,
        S::InReview,
        S::Resolved,
        S::Impossible,
    ];

    fn go(from: Status, action: Action) -> Result<Status, LifecycleError> {
        next_status(from, action, Billing::Paid)
    }

    #[test]
    fn states_and_statuses_carry_the_spec_words() {
        let table = [
            (
                S::Accepted,
                "new",
                "Новая",
                "accepted",
                "Принято к рассмотрению",
            ),
            (
                S::NeedInfo(Resume::Accepted),
                "approval",
                "На согласовании",
                "need_info",
                "Недостаточно информации",
            ),
            (
                S::EstimateSent,
                "approval",
                "На согласовании",
                "estimate_sent",
                "Согласование стоимости",
            ),
            (
                S::InProgress,
                "in_progress",
                "В работе",
                "in_progress",
                "В стадии решения",
            ),
            (
                S::InReview,
                "review",
                "На проверке клиентом",
                "in_review",
                "Результат на проверке",
            ),
            (
                S::Resolved,
                "done",
                "Завершена",
                "resolved",
                "Успешно решено",
            ),
            (
                S::Impossible,
                "done",
                "Завершена",
                "impossible",
                "Не представляется возможным решить",
            ),
        ];
        for (status, state_code, state_label, status_code, status_label) in table {
            assert_eq!(status.state().code(), state_code);
            assert_eq!(status.state().label(), state_label);
            assert_eq!(status.code(), status_code);
            assert_eq!(status.label(), status_label);
            assert_eq!(
                Status::from_code(status.code(), status.resume()),
                Some(status)
            );
        }
    }

    #[test]
    fn specialist_takes_an_accepted_ticket_into_work() {
        assert_eq!(go(S::Accepted, A::Take), Ok(S::InProgress));
    }

    #[test]
    fn answering_a_question_returns_the_ticket_where_it_was() {
        let asked_before_work = go(S::Accepted, A::AskInfo).unwrap();
        assert_eq!(go(asked_before_work, A::Answer), Ok(S::Accepted));
        let asked_during_work = go(S::InProgress, A::AskInfo).unwrap();
        assert_eq!(go(asked_during_work, A::Answer), Ok(S::InProgress));
    }

    #[test]
    fn an_estimate_is_approved_into_work_or_rejected_into_impossible() {
        assert_eq!(go(S::Accepted, A::SendEstimate), Ok(S::EstimateSent));
        assert_eq!(go(S::InProgress, A::SendEstimate), Ok(S::EstimateSent));
        assert_eq!(go(S::EstimateSent, A::ApproveEstimate), Ok(S::InProgress));
        assert_eq!(go(S::EstimateSent, A::RejectEstimate), Ok(S::Impossible));
    }

    #[test]
    fn a_free_ticket_gets_no_estimate() {
        assert_eq!(
            next_status(S::InProgress, A::SendEstimate, Billing::Free),
            Err(LifecycleError::EstimateOnFreeTicket)
        );
    }

    #[test]
    fn a_result_under_review_is_accepted_returned_or_auto_accepted() {
        assert_eq!(go(S::InProgress, A::SendForReview), Ok(S::InReview));
        assert_eq!(go(S::InReview, A::Accept), Ok(S::Resolved));
        assert_eq!(go(S::InReview, A::AutoAccept), Ok(S::Resolved));
        assert_eq!(go(S::InReview, A::Return), Ok(S::InProgress));
    }

    #[test]
    fn impossible_can_be_declared_on_any_open_ticket_not_under_review() {
        for from in EVERY_STATUS {
            let expected_ok = !from.is_done() && from != S::InReview;
            assert_eq!(
                go(from, A::DeclareImpossible).is_ok(),
                expected_ok,
                "{from:?}"
            );
        }
    }

    #[test]
    fn the_machine_allows_exactly_the_listed_moves() {
        let mut allowed = Vec::new();
        for from in EVERY_STATUS {
            for action in Action::ALL {
                if let Ok(to) = go(from, action) {
                    allowed.push((from, action, to));
                }
            }
        }
        let expected = vec![
            (S::Accepted, A::Take, S::InProgress),
            (S::Accepted, A::AskInfo, S::NeedInfo(Resume::Accepted)),
            (S::Accepted, A::SendEstimate, S::EstimateSent),
            (S::Accepted, A::DeclareImpossible, S::Impossible),
            (S::NeedInfo(Resume::Accepted), A::Answer, S::Accepted),
            (
                S::NeedInfo(Resume::Accepted),
                A::DeclareImpossible,
                S::Impossible,
            ),
            (S::NeedInfo(Resume::InProgress), A::Answer, S::InProgress),
            (
                S::NeedInfo(Resume::InProgress),
                A::DeclareImpossible,
                S::Impossible,
            ),
            (S::EstimateSent, A::ApproveEstimate, S::InProgress),
            (S::EstimateSent, A::RejectEstimate, S::Impossible),
            (S::EstimateSent, A::DeclareImpossible, S::Impossible),
            (S::InProgress, A::AskInfo, S::NeedInfo(Resume::InProgress)),
            (S::InProgress, A::SendEstimate, S::EstimateSent),
            (S::InProgress, A::SendForReview, S::InReview),
            (S::InProgress, A::DeclareImpossible, S::Impossible),
            (S::InReview, A::Accept, S::Resolved),
            (S::InReview, A::Return, S::InProgress),
            (S::InReview, A::AutoAccept, S::Resolved),
        ];
        assert_eq!(allowed, expected);
    }

    #[test]
    fn a_finished_ticket_never_moves() {
        for action in Action::ALL {
            assert_eq!(
                go(S::Resolved, action),
                Err(LifecycleError::IllegalMove {
                    from: S::Resolved,
                    action
                })
            );
            assert!(go(S::Impossible, action).is_err());
        }
    }

    #[test]
    fn the_clock_pauses_only_while_waiting_on_the_dealer() {
        let paused: Vec<_> = EVERY_STATUS
            .into_iter()
            .filter(|s| s.waits_on_dealer())
            .collect();
        assert_eq!(
            paused,
            vec![
                S::NeedInfo(Resume::Accepted),
                S::NeedInfo(Resume::InProgress),
                S::EstimateSent,
                S::InReview
            ]
        );
    }

    #[test]
    fn action_codes_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        assert_eq!(Action::from_code("close"), None);
    }

    #[test]
    fn lifecycle_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind, Refuse};
        let cases = [
            (
                LifecycleError::IllegalMove {
                    from: Status::Accepted,
                    action: Action::Accept,
                },
                RefusalKind::Conflict,
                "illegal_transition",
            ),
            (
                LifecycleError::NotYourMove {
                    action: Action::Accept,
                },
                RefusalKind::Forbidden,
                "not_your_move",
            ),
            (
                LifecycleError::CommentRequired {
                    action: Action::Accept,
                },
                RefusalKind::Invalid,
                "comment_required",
            ),
            (
                LifecycleError::EstimateOnFreeTicket,
                RefusalKind::Conflict,
                "estimate_on_free_ticket",
            ),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!(
                (r.kind, r.code, r.message.as_str()),
                (kind, code, e.message_ru().as_str()),
                "{e:?}"
            );
            assert!(r.fields.is_empty());
            assert_eq!(DomainError::from(e.clone()).refusal(), r);
        }
        let r = LifecycleError::IllegalMove {
            from: Status::Accepted,
            action: Action::Accept,
        }
        .refusal();
        assert!(r.message.contains("Принято к рассмотрению"));
    }
}
