//! Cost confirmation of SPEC §2.6 («Детализация», «согласование стоимости») and the
//! quarter calendar it runs on.
//!
//! A completed paid ticket with logged time gets a cost the dealer must confirm or
//! dispute; the specialist answers the dispute or corrects the time and the dealer then
//! confirms. The whole machine is one `match` in [`next_cost_state`]; the quarter's
//! cut-off is [`cutoff`].
//!
//! Dates here are calendar dates of the platform's time zone (Europe/Moscow); the caller
//! converts "now" to such a date before asking.

use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::ticket::catalog::Billing;
use crate::ticket::lifecycle::Party;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

crate::coded_enum! {
    /// Where a ticket's cost stands with the dealer.
    pub enum CostState {
        /// Nothing to confirm: the ticket is open, free, or has no paid time.
        None = "none" / "Не начислена",
        /// Waiting for the dealer to confirm or dispute.
        Pending = "pending" / "Ожидает подтверждения",
        /// Confirmed by the dealer, or counted as confirmed at the cut-off.
        Confirmed = "confirmed" / "Подтверждена",
        /// The dealer asked for details; the specialist's turn.
        Disputed = "disputed" / "Запрошена детализация",
    }
}

/// A move on a ticket's cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CostAction {
    /// The system: the ticket has just been completed with this billing class and total
    /// confirmed-to-be minutes.
    Complete { billing: Billing, minutes: u32 },
    /// The dealer confirms the cost.
    Confirm,
    /// The dealer requests details; the comment says what is unclear.
    Dispute { comment: String },
    /// The specialist explains the time without changing it.
    AnswerDispute { comment: String },
    /// The specialist has corrected the time; `minutes` is the ticket's new total.
    CorrectTime { minutes: u32 },
}

crate::coded_enum! {
    /// The kind of a [`CostAction`], without its data: for codes, labels and errors.
    pub enum CostActionKind {
        Complete = "complete" / "Обращение завершено",
        Confirm = "confirm" / "Подтвердить стоимость",
        Dispute = "dispute" / "Запросить детализацию",
        AnswerDispute = "answer_dispute" / "Ответить на запрос детализации",
        CorrectTime = "correct_time" / "Исправить время",
    }
}

impl CostActionKind {
    /// Who may make this move: the dealer confirms or disputes, the platform answers or
    /// corrects, the system records completion.
    pub fn party(self) -> Party {
        match self {
            CostActionKind::Complete => Party::System,
            CostActionKind::Confirm | CostActionKind::Dispute => Party::Dealer,
            CostActionKind::AnswerDispute | CostActionKind::CorrectTime => Party::Platform,
        }
    }
}

impl CostAction {
    /// The kind of this move.
    pub fn kind(&self) -> CostActionKind {
        match self {
            CostAction::Complete { .. } => CostActionKind::Complete,
            CostAction::Confirm => CostActionKind::Confirm,
            CostAction::Dispute { .. } => CostActionKind::Dispute,
            CostAction::AnswerDispute { .. } => CostActionKind::AnswerDispute,
            CostAction::CorrectTime { .. } => CostActionKind::CorrectTime,
        }
    }

    /// The move's words, trimmed, when it carries any.
    pub fn comment(&self) -> Option<&str> {
        match self {
            CostAction::Dispute { comment } | CostAction::AnswerDispute { comment } => {
                Some(comment.trim())
            }
            _ => None,
        }
    }
}

/// A cost move the rules refuse; nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CostError {
    /// The move does not exist from this state.
    #[error("{} is not allowed from cost state {}", .action.code(), .from.code())]
    IllegalMove {
        from: CostState,
        action: CostActionKind,
    },
    /// The move belongs to the other side (or to the system).
    #[error("{} is not this actor's move", .action.code())]
    NotYourMove { action: CostActionKind },
    /// A dispute and its answer need words.
    #[error("{} needs a comment", .action.code())]
    CommentRequired { action: CostActionKind },
}

impl CostError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            CostError::IllegalMove { from, action } => format!(
                "Действие «{}» невозможно: стоимость в состоянии «{}».",
                action.label(),
                from.label()
            ),
            CostError::NotYourMove { action } => {
                format!("Действие «{}» вам недоступно.", action.label())
            }
            CostError::CommentRequired { action } => match action {
                CostActionKind::Dispute => {
                    "Напишите, что именно нужно пояснить в стоимости.".to_string()
                }
                _ => format!("Для действия «{}» нужен комментарий.", action.label()),
            },
        }
    }
}

/// The cost machine: where `action`, made by `by`, takes a cost in `state`, or why it
/// cannot.
///
/// - completion of a paid ticket with time → pending; of a free one or without time → none;
/// - pending → confirmed (dealer confirms) or disputed (dealer disputes, comment required);
/// - disputed → pending again once the specialist answers (comment required) or corrects
///   the time; the dealer then confirms. A correction down to 0 minutes leaves nothing to
///   confirm (→ none).
///
/// Confirmed is final here; the cut-off is [`cutoff`].
pub fn next_cost_state(
    state: CostState,
    action: &CostAction,
    by: Party,
) -> Result<CostState, CostError> {
    use CostAction as A;
    use CostState as S;
    let kind = action.kind();
    let to = match (state, action) {
        (
            S::None,
            A::Complete {
                billing: Billing::Paid,
                minutes: 1..,
            },
        ) => S::Pending,
        (S::None, A::Complete { .. }) => S::None,
        (S::Pending, A::Confirm) => S::Confirmed,
        (S::Pending, A::Dispute { .. }) => S::Disputed,
        (S::Disputed, A::AnswerDispute { .. }) => S::Pending,
        (S::Disputed, A::CorrectTime { minutes: 0 }) => S::None,
        (S::Disputed, A::CorrectTime { .. }) => S::Pending,
        (from, _) => return Err(CostError::IllegalMove { from, action: kind }),
    };
    if kind.party() != by {
        return Err(CostError::NotYourMove { action: kind });
    }
    if action.comment().is_some_and(str::is_empty) {
        return Err(CostError::CommentRequired { action: kind });
    }
    Ok(to)
}

/// What the quarter's cut-off does to one cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutoffOutcome {
    /// No cost: nothing happens.
    NothingToConfirm,
    /// Already confirmed: stays, billed this quarter.
    AlreadyConfirmed,
    /// Neither confirmed nor disputed: counts as confirmed, billed this quarter.
    ConfirmedAtCutoff,
    /// Still disputed: stays disputed and is billed in the next quarter.
    MovesToNextQuarter,
}

impl CutoffOutcome {
    /// The cost's state after the cut-off.
    pub fn state(self) -> CostState {
        match self {
            CutoffOutcome::NothingToConfirm => CostState::None,
            CutoffOutcome::AlreadyConfirmed | CutoffOutcome::ConfirmedAtCutoff => {
                CostState::Confirmed
            }
            CutoffOutcome::MovesToNextQuarter => CostState::Disputed,
        }
    }

    /// Whether the state changes, so that the cut-off job writes something (and running
    /// it twice changes nothing the second time).
    pub fn changes_state(self) -> bool {
        matches!(self, CutoffOutcome::ConfirmedAtCutoff)
    }

    /// Whether the cost goes into this quarter's bill.
    pub fn billed_this_quarter(self) -> bool {
        matches!(
            self,
            CutoffOutcome::AlreadyConfirmed | CutoffOutcome::ConfirmedAtCutoff
        )
    }

    /// The history words the dealer reads, when there is something to say.
    pub fn history_comment(self) -> Option<&'static str> {
        match self {
            CutoffOutcome::ConfirmedAtCutoff => {
                Some("Стоимость считается подтверждённой: срок согласования в квартале истёк.")
            }
            CutoffOutcome::MovesToNextQuarter => Some(
                "Запрос детализации не закрыт к сроку: стоимость перенесена в следующий квартал.",
            ),
            CutoffOutcome::NothingToConfirm | CutoffOutcome::AlreadyConfirmed => None,
        }
    }
}

/// SPEC §2.6 cut-off: costs neither confirmed nor disputed count as confirmed;
/// still-disputed ones move to the next quarter; confirmed ones stay.
pub fn cutoff(state: CostState) -> CutoffOutcome {
    match state {
        CostState::None => CutoffOutcome::NothingToConfirm,
        CostState::Pending => CutoffOutcome::ConfirmedAtCutoff,
        CostState::Confirmed => CutoffOutcome::AlreadyConfirmed,
        CostState::Disputed => CutoffOutcome::MovesToNextQuarter,
    }
}

/// A calendar quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    q: u8,
}

impl Quarter {
    /// Quarter `q` (1..=4) of `year`.
    pub fn new(year: i32, q: u8) -> Option<Quarter> {
        (1..=4).contains(&q).then_some(Quarter { year, q })
    }

    /// The quarter a date falls in.
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            q: (date.month0() / 3 + 1) as u8,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The quarter number, 1..=4.
    pub fn q(self) -> u8 {
        self.q
    }

    /// The following quarter (Q4 → Q1 of the next year).
    pub fn next(self) -> Quarter {
        match self.q {
            4 => Quarter {
                year: self.year + 1,
                q: 1,
            },
            q => Quarter {
                year: self.year,
                q: q + 1,
            },
        }
    }

    /// The preceding quarter (Q1 → Q4 of the previous year).
    pub fn previous(self) -> Quarter {
        match self.q {
            1 => Quarter {
                year: self.year - 1,
                q: 4,
            },
            q => Quarter {
                year: self.year,
                q: q - 1,
            },
        }
    }

    fn last_month(self) -> u32 {
        u32::from(self.q) * 3
    }

    /// The quarter's first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.last_month() - 2, 1).expect("valid quarter")
    }

    /// The quarter's last day.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid quarter")
    }

    /// Whether `date` falls in this quarter.
    pub fn contains(self, date: NaiveDate) -> bool {
        Quarter::of(date) == self
    }

    /// The stored code, e.g. `2026-Q1`.
    pub fn code(self) -> String {
        format!("{}-Q{}", self.year, self.q)
    }

    /// Parses a stored code such as `2026-Q1`.
    pub fn from_code(code: &str) -> Option<Quarter> {
        let (year, q) = code.split_once("-Q")?;
        Quarter::new(year.parse().ok()?, q.parse().ok()?)
    }

    /// The portal's words, e.g. «I квартал 2026 г.».
    pub fn label(self) -> String {
        let roman = ["I", "II", "III", "IV"][usize::from(self.q - 1)];
        format!("{roman} квартал {} г.", self.year)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

/// The day of the quarter's cut-off (SPEC §2.6): the 26th of its last month — 26 Mar,
/// 26 Jun, 26 Sep, 26 Dec. The dealer may confirm or dispute through that whole day.
pub fn confirmation_deadline(quarter: Quarter) -> NaiveDate {
    NaiveDate::from_ymd_opt(quarter.year, quarter.last_month(), 26).expect("valid quarter")
}

/// The deadline in the words every text uses (SPEC §2.6: the 26th is the last day, through
/// 23:59 Moscow time): «до 26.03 включительно».
pub fn deadline_text(quarter: Quarter) -> String {
    format!(
        "до {} включительно",
        confirmation_deadline(quarter).format("%d.%m")
    )
}

/// The days the dealer is reminded of the deadline: 7 days and 1 day before it.
pub fn reminder_dates(quarter: Quarter) -> [NaiveDate; 2] {
    let deadline = confirmation_deadline(quarter);
    [deadline - Days::new(7), deadline - Days::new(1)]
}

/// Whether the cut-off of `quarter` applies on `today`: from the day after the deadline.
pub fn cutoff_due(quarter: Quarter, today: NaiveDate) -> bool {
    today > confirmation_deadline(quarter)
}

/// The quarter whose bill a cost that became payable on `date` goes into: its own quarter,
/// or the next one when it arrived after that quarter's deadline (27–31 Mar, …), since
/// the dealer could no longer check it in time.
pub fn billing_quarter(date: NaiveDate) -> Quarter {
    let quarter = Quarter::of(date);
    if cutoff_due(quarter, date) {
        quarter.next()
    } else {
        quarter
    }
}

impl Refuse for CostError {
    fn refusal(&self) -> Refusal {
        let (kind, code) = match self {
            CostError::IllegalMove { .. } => (RefusalKind::Conflict, "illegal_cost_move"),
            CostError::NotYourMove { .. } => (RefusalKind::Forbidden, "not_your_move"),
            CostError::CommentRequired { .. } => (RefusalKind::Invalid, "comment_required"),
        };
        Refusal::new(kind, code, self.message_ru())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CostAction as A;
    use CostState as S;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn q(year: i32, q: u8) -> Quarter {
        Quarter::new(year, q).unwrap()
    }

    fn dispute() -> CostAction {
        A::Dispute {
            comment: "Почему 40 минут на одну новость?".into(),
        }
    }

    fn answer() -> CostAction {
        A::AnswerDispute {
            comment: "Новость с тремя фото и вёрсткой таблицы.".into(),
        }
    }

    fn every_action() -> Vec<CostAction> {
        vec![
            A::Complete {
                billing: Billing::Paid,
                minutes: 10,
            },
            A::Confirm,
            dispute(),
            answer(),
            A::CorrectTime { minutes: 5 },
        ]
    }

    #[test]
    fn states_carry_codes_and_russian_labels() {
        let table: Vec<_> = CostState::ALL
            .into_iter()
            .map(|s| (s.code(), s.label()))
            .collect();
        assert_eq!(
            table,
            vec![
                ("none", "Не начислена"),
                ("pending", "Ожидает подтверждения"),
                ("confirmed", "Подтверждена"),
                ("disputed", "Запрошена детализация"),
            ]
        );
        for s in CostState::ALL {
            assert_eq!(CostState::from_code(s.code()), Some(s));
        }
        for k in CostActionKind::ALL {
            assert_eq!(CostActionKind::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn a_completed_paid_ticket_with_time_awaits_confirmation() {
        let done = A::Complete {
            billing: Billing::Paid,
            minutes: 10,
        };
        assert_eq!(
            next_cost_state(S::None, &done, Party::System),
            Ok(S::Pending)
        );
    }

    #[test]
    fn a_completed_free_ticket_or_one_without_time_has_nothing_to_confirm() {
        for (billing, minutes) in [(Billing::Free, 90), (Billing::Paid, 0)] {
            let done = A::Complete { billing, minutes };
            assert_eq!(next_cost_state(S::None, &done, Party::System), Ok(S::None));
        }
    }

    #[test]
    fn the_dealer_confirms_a_pending_cost() {
        assert_eq!(
            next_cost_state(S::Pending, &A::Confirm, Party::Dealer),
            Ok(S::Confirmed)
        );
    }

    #[test]
    fn the_dealer_disputes_a_pending_cost_with_a_comment() {
        assert_eq!(
            next_cost_state(S::Pending, &dispute(), Party::Dealer),
            Ok(S::Disputed)
        );
        let silent = A::Dispute {
            comment: "   ".into(),
        };
        let err = next_cost_state(S::Pending, &silent, Party::Dealer).unwrap_err();
        assert_eq!(
            err,
            CostError::CommentRequired {
                action: CostActionKind::Dispute
            }
        );
        assert_eq!(
            err.message_ru(),
            "Напишите, что именно нужно пояснить в стоимости."
        );
    }

    #[test]
    fn the_specialist_answers_a_dispute_and_the_dealer_then_confirms() {
        let pending = next_cost_state(S::Disputed, &answer(), Party::Platform).unwrap();
        assert_eq!(pending, S::Pending);
        assert_eq!(
            next_cost_state(pending, &A::Confirm, Party::Dealer),
            Ok(S::Confirmed)
        );
        let silent = A::AnswerDispute { comment: "".into() };
        assert!(matches!(
            next_cost_state(S::Disputed, &silent, Party::Platform),
            Err(CostError::CommentRequired { .. })
        ));
    }

    #[test]
    fn the_specialist_corrects_the_time_and_the_dealer_then_confirms() {
        let pending = next_cost_state(
            S::Disputed,
            &A::CorrectTime { minutes: 20 },
            Party::Platform,
        )
        .unwrap();
        assert_eq!(pending, S::Pending);
        assert_eq!(
            next_cost_state(pending, &A::Confirm, Party::Dealer),
            Ok(S::Confirmed)
        );
    }

    #[test]
    fn a_correction_to_zero_minutes_leaves_nothing_to_confirm() {
        assert_eq!(
            next_cost_state(S::Disputed, &A::CorrectTime { minutes: 0 }, Party::Platform),
            Ok(S::None)
        );
    }

    #[test]
    fn each_side_makes_only_its_own_moves() {
        let cases = [
            (S::Pending, A::Confirm, Party::Platform),
            (S::Pending, dispute(), Party::Platform),
            (S::Disputed, answer(), Party::Dealer),
            (S::Disputed, A::CorrectTime { minutes: 5 }, Party::Dealer),
            (
                S::None,
                A::Complete {
                    billing: Billing::Paid,
                    minutes: 5,
                },
                Party::Dealer,
            ),
        ];
        for (state, action, by) in cases {
            assert_eq!(
                next_cost_state(state, &action, by),
                Err(CostError::NotYourMove {
                    action: action.kind()
                }),
                "{action:?}"
            );
        }
    }

    #[test]
    fn the_machine_allows_exactly_the_listed_moves() {
        let mut allowed = Vec::new();
        for from in CostState::ALL {
            for action in every_action() {
                let by = action.kind().party();
                if let Ok(to) = next_cost_state(from, &action, by) {
                    allowed.push((from, action.kind(), to));
                }
            }
        }
        use CostActionKind as K;
        assert_eq!(
            allowed,
            vec![
                (S::None, K::Complete, S::Pending),
                (S::Pending, K::Confirm, S::Confirmed),
                (S::Pending, K::Dispute, S::Disputed),
                (S::Disputed, K::AnswerDispute, S::Pending),
                (S::Disputed, K::CorrectTime, S::Pending),
            ]
        );
    }

    #[test]
    fn a_confirmed_cost_never_moves_and_says_why() {
        for action in every_action() {
            let by = action.kind().party();
            assert_eq!(
                next_cost_state(S::Confirmed, &action, by),
                Err(CostError::IllegalMove {
                    from: S::Confirmed,
                    action: action.kind()
                })
            );
        }
        let err = next_cost_state(S::Confirmed, &dispute(), Party::Dealer).unwrap_err();
        assert_eq!(
            err.message_ru(),
            "Действие «Запросить детализацию» невозможно: стоимость в состоянии «Подтверждена»."
        );
    }

    #[test]
    fn a_disputed_cost_cannot_be_confirmed_before_the_specialist_answers() {
        assert!(matches!(
            next_cost_state(S::Disputed, &A::Confirm, Party::Dealer),
            Err(CostError::IllegalMove { .. })
        ));
    }

    #[test]
    fn at_the_cutoff_pending_counts_as_confirmed() {
        let outcome = cutoff(S::Pending);
        assert_eq!(outcome, CutoffOutcome::ConfirmedAtCutoff);
        assert_eq!(outcome.state(), S::Confirmed);
        assert!(outcome.billed_this_quarter());
        assert!(outcome.changes_state());
        assert!(outcome.history_comment().is_some());
    }

    #[test]
    fn at_the_cutoff_disputed_moves_to_the_next_quarter() {
        let outcome = cutoff(S::Disputed);
        assert_eq!(outcome, CutoffOutcome::MovesToNextQuarter);
        assert_eq!(outcome.state(), S::Disputed);
        assert!(!outcome.billed_this_quarter());
        assert!(!outcome.changes_state());
    }

    #[test]
    fn at_the_cutoff_confirmed_stays_and_none_is_untouched() {
        assert_eq!(cutoff(S::Confirmed), CutoffOutcome::AlreadyConfirmed);
        assert_eq!(cutoff(S::Confirmed).state(), S::Confirmed);
        assert!(cutoff(S::Confirmed).billed_this_quarter());
        assert_eq!(cutoff(S::None), CutoffOutcome::NothingToConfirm);
        assert!(!cutoff(S::None).billed_this_quarter());
    }

    #[test]
    fn running_the_cutoff_twice_changes_nothing_the_second_time() {
        for state in CostState::ALL {
            let once = cutoff(state).state();
            assert!(!cutoff(once).changes_state(), "{state:?}");
            assert_eq!(cutoff(once).state(), once);
        }
    }

    #[test]
    fn a_date_falls_in_its_quarter() {
        assert_eq!(Quarter::of(d(2026, 1, 1)), q(2026, 1));
        assert_eq!(Quarter::of(d(2026, 3, 31)), q(2026, 1));
        assert_eq!(Quarter::of(d(2026, 4, 1)), q(2026, 2));
        assert_eq!(Quarter::of(d(2026, 9, 30)), q(2026, 3));
        assert_eq!(Quarter::of(d(2026, 12, 31)), q(2026, 4));
        assert!(q(2026, 2).contains(d(2026, 6, 30)));
        assert!(!q(2026, 2).contains(d(2026, 7, 1)));
        assert_eq!(Quarter::new(2026, 0), None);
        assert_eq!(Quarter::new(2026, 5), None);
    }

    #[test]
    fn quarters_have_first_and_last_days() {
        assert_eq!(q(2026, 1).first_day(), d(2026, 1, 1));
        assert_eq!(q(2026, 1).last_day(), d(2026, 3, 31));
        assert_eq!(q(2026, 2).last_day(), d(2026, 6, 30));
        assert_eq!(q(2026, 4).first_day(), d(2026, 10, 1));
        assert_eq!(q(2026, 4).last_day(), d(2026, 12, 31));
    }

    #[test]
    fn the_next_quarter_after_q4_is_q1_of_the_next_year() {
        assert_eq!(q(2026, 1).next(), q(2026, 2));
        assert_eq!(q(2026, 4).next(), q(2027, 1));
        assert_eq!(q(2027, 1).previous(), q(2026, 4));
        assert_eq!(q(2026, 3).previous(), q(2026, 2));
    }

    #[test]
    fn quarter_codes_and_labels() {
        assert_eq!(q(2026, 1).code(), "2026-Q1");
        assert_eq!(q(2026, 1).to_string(), "2026-Q1");
        assert_eq!(Quarter::from_code("2026-Q4"), Some(q(2026, 4)));
        assert_eq!(Quarter::from_code("2026-Q5"), None);
        assert_eq!(Quarter::from_code("2026Q1"), None);
        assert_eq!(q(2026, 3).label(), "III квартал 2026 г.");
    }

    #[test]
    fn the_deadline_is_the_26th_of_the_quarters_last_month() {
        let deadlines: Vec<_> = (1..=4).map(|n| confirmation_deadline(q(2026, n))).collect();
        assert_eq!(
            deadlines,
            vec![
                d(2026, 3, 26),
                d(2026, 6, 26),
                d(2026, 9, 26),
                d(2026, 12, 26)
            ]
        );
    }

    #[test]
    fn reminders_go_7_days_and_1_day_before_the_deadline() {
        assert_eq!(reminder_dates(q(2026, 1)), [d(2026, 3, 19), d(2026, 3, 25)]);
        assert_eq!(
            reminder_dates(q(2026, 4)),
            [d(2026, 12, 19), d(2026, 12, 25)]
        );
    }

    #[test]
    fn the_cutoff_applies_from_the_day_after_the_deadline() {
        assert_eq!(deadline_text(q(2026, 1)), "до 26.03 включительно");
        assert_eq!(deadline_text(q(2026, 4)), "до 26.12 включительно");
        assert!(!cutoff_due(q(2026, 1), d(2026, 3, 25)));
        assert!(!cutoff_due(q(2026, 1), d(2026, 3, 26)));
        assert!(cutoff_due(q(2026, 1), d(2026, 3, 27)));
        assert!(cutoff_due(q(2026, 1), d(2026, 4, 2)));
    }

    #[test]
    fn a_cost_arriving_after_the_deadline_is_billed_next_quarter() {
        assert_eq!(billing_quarter(d(2026, 3, 26)), q(2026, 1));
        assert_eq!(billing_quarter(d(2026, 3, 27)), q(2026, 2));
        assert_eq!(billing_quarter(d(2026, 12, 30)), q(2027, 1));
        assert_eq!(billing_quarter(d(2026, 2, 10)), q(2026, 1));
    }

    #[test]
    fn cost_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind as K, Refuse};
        let cases = [
            (
                CostError::IllegalMove {
                    from: CostState::Confirmed,
                    action: CostActionKind::Dispute,
                },
                K::Conflict,
                "illegal_cost_move",
            ),
            (
                CostError::NotYourMove {
                    action: CostActionKind::Confirm,
                },
                K::Forbidden,
                "not_your_move",
            ),
            (
                CostError::CommentRequired {
                    action: CostActionKind::Dispute,
                },
                K::Invalid,
                "comment_required",
            ),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!(
                (r.kind, r.code, r.message.clone()),
                (kind, code, e.message_ru()),
                "{e:?}"
            );
            assert!(r.fields.is_empty());
        }
    }
}
