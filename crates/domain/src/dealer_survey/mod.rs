//! The quarterly survey of dealers (SPEC §2.9, «Квартальный опрос»).
//!
//! At each quarter's start every dealer is asked to rate, 1 to 5, ticket handling, the ЦСО
//! updates and the support overall, with a comment. A dealer has one answer per quarter; it
//! may be changed until the quarter ends (in the platform's zone, Moscow), then it is closed.
//! Any score of 2 or less raises a follow-up task for the dealer's account manager
//! ([`FollowUpTask`]), which stays open until closed with a note.
//!
//! Results are per quarter ([`QuarterResult`]: the number of answers and each criterion's
//! average), and the trend is those results in quarter order.

use crate::access::Actor;
use crate::calendar::PLATFORM_TZ;
use crate::error::{FieldError, ValidationError};
use crate::ids::{DealerId, UserId};
use crate::kernel::{Refusal, RefusalKind, Refuse, TextRule};
use crate::ticket::cost::state::Quarter;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use thiserror::Error;

/// Longest comment of an answer, in characters.
pub const SURVEY_COMMENT_MAX: usize = 2_000;
/// Longest note closing a follow-up task, in characters.
pub const TASK_NOTE_MAX: usize = 2_000;
/// A score at or below this raises a follow-up task.
pub const LOW_SCORE: u8 = 2;

const COMMENT_RULE: TextRule = TextRule::text("comment", "Комментарий", "", SURVEY_COMMENT_MAX);
const NOTE_RULE: TextRule = TextRule::text(
    "note",
    "Итог работы с дилером",
    "Опишите, что сделано по низкой оценке: заметку увидят администраторы.",
    TASK_NOTE_MAX,
);

crate::coded_enum! {
    /// What the dealer rates.
    pub enum Criterion {
        /// «Работа с обращениями»
        TicketHandling = "ticket_handling" / "Работа с обращениями",
        /// «Обновления ЦСО»
        CsoUpdates = "cso_updates" / "Обновления ЦСО",
        /// «Поддержка в целом»
        SupportOverall = "support_overall" / "Поддержка в целом",
    }
}

/// The three scores of an answer, each 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scores {
    pub ticket_handling: u8,
    pub cso_updates: u8,
    pub support_overall: u8,
}

impl Scores {
    /// The score of one criterion.
    pub fn of(&self, criterion: Criterion) -> u8 {
        match criterion {
            Criterion::TicketHandling => self.ticket_handling,
            Criterion::CsoUpdates => self.cso_updates,
            Criterion::SupportOverall => self.support_overall,
        }
    }

    /// The criteria rated [`LOW_SCORE`] or less, in form order.
    pub fn low(&self) -> Vec<Criterion> {
        Criterion::ALL
            .into_iter()
            .filter(|&c| self.of(c) <= LOW_SCORE)
            .collect()
    }
}

/// What the dealer sent, unchecked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SurveyDraft {
    pub ticket_handling: Option<i64>,
    pub cso_updates: Option<i64>,
    pub support_overall: Option<i64>,
    pub comment: Option<String>,
}

impl SurveyDraft {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<(Scores, Option<String>), ValidationError> {
        let mut errors = Vec::new();
        let mut score = |field: &'static str, value: Option<i64>, criterion: Criterion| match value
            .and_then(|v| u8::try_from(v).ok())
            .filter(|v| (1..=5).contains(v))
        {
            Some(v) => v,
            None => {
                errors.push(FieldError {
                    field,
                    message: format!("Оцените «{}» от 1 до 5.", criterion.label()),
                });
                0
            }
        };
        let scores = Scores {
            ticket_handling: score(
                "ticket_handling",
                self.ticket_handling,
                Criterion::TicketHandling,
            ),
            cso_updates: score("cso_updates", self.cso_updates, Criterion::CsoUpdates),
            support_overall: score(
                "support_overall",
                self.support_overall,
                Criterion::SupportOverall,
            ),
        };
        let comment = COMMENT_RULE
            .optional(self.comment.as_deref())
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        if errors.is_empty() {
            Ok((scores, comment))
        } else {
            Err(ValidationError { errors })
        }
    }
}

/// A dealer's answer for one quarter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyAnswer {
    pub dealer_id: DealerId,
    pub quarter: Quarter,
    pub scores: Scores,
    pub comment: Option<String>,
    /// Who answered last.
    pub author_id: UserId,
    pub answered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic-lock version; 1 for the first answer.
    pub version: u64,
}

/// The quarter `now` falls in, on the platform's calendar (Moscow).
pub fn current_quarter(now: DateTime<Utc>) -> Quarter {
    Quarter::of(now.with_timezone(&PLATFORM_TZ).date_naive())
}

/// The days at a quarter's start in which the invitation job invites: a run missed on the
/// first day (a deployment, an outage) still invites in this window, and a run later in the
/// quarter does not invite again once the delivered invitations have expired from the outbox.
pub const INVITATION_DAYS: i64 = 14;

/// The quarter whose invitations are due at `now`: the current one, in the first
/// [`INVITATION_DAYS`] days of it.
pub fn invitation_due(now: DateTime<Utc>) -> Option<Quarter> {
    let today = now.with_timezone(&PLATFORM_TZ).date_naive();
    let quarter = Quarter::of(today);
    ((today - quarter.first_day()).num_days() < INVITATION_DAYS).then_some(quarter)
}

/// Where a quarter's survey stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurveyWindow {
    /// The quarter has not begun.
    NotYet,
    /// The quarter is running: answers are taken and may be changed.
    Open,
    /// The quarter is over: the answers stand.
    Closed,
}

/// Whether `quarter`'s survey takes answers at `now`.
pub fn window(quarter: Quarter, now: DateTime<Utc>) -> SurveyWindow {
    let current = current_quarter(now);
    match quarter.cmp(&current) {
        std::cmp::Ordering::Greater => SurveyWindow::NotYet,
        std::cmp::Ordering::Equal => SurveyWindow::Open,
        std::cmp::Ordering::Less => SurveyWindow::Closed,
    }
}

/// A survey step the rules refuse; nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SurveyError {
    /// The quarter has not begun.
    #[error("the survey of {0} is not open yet")]
    NotYetOpen(Quarter),
    /// The quarter is over.
    #[error("the survey of {0} is closed")]
    Closed(Quarter),
    /// Only a dealer's own staff answer for it.
    #[error("only the dealer's staff answer the survey")]
    NotTheDealer,
    /// The task is closed already.
    #[error("the follow-up task is closed already")]
    TaskClosed,
    /// A field broke a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl SurveyError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            SurveyError::NotYetOpen(q) => {
                format!("Опрос за {} ещё не начался.", q.label())
            }
            SurveyError::Closed(q) => format!(
                "Опрос за {} закрыт: ответ можно было изменить до конца квартала.",
                q.label()
            ),
            SurveyError::NotTheDealer => {
                "На квартальный опрос отвечают сотрудники дилера.".to_string()
            }
            SurveyError::TaskClosed => "Задача уже закрыта.".to_string(),
            SurveyError::Invalid(e) => e.message_ru(),
        }
    }
}

impl Refuse for SurveyError {
    fn refusal(&self) -> Refusal {
        match self {
            SurveyError::NotYetOpen(_) => {
                Refusal::new(RefusalKind::Conflict, "survey_not_open", self.message_ru())
            }
            SurveyError::Closed(_) => {
                Refusal::new(RefusalKind::Conflict, "survey_closed", self.message_ru())
            }
            SurveyError::NotTheDealer => {
                Refusal::new(RefusalKind::Forbidden, "forbidden", self.message_ru())
            }
            SurveyError::TaskClosed => {
                Refusal::new(RefusalKind::Conflict, "task_closed", self.message_ru())
            }
            SurveyError::Invalid(e) => e.refusal(),
        }
    }
}

impl SurveyAnswer {
    /// The dealer's answer for `quarter` at `now`: the first one (`previous` is `None`) or a
    /// change of it, while the quarter runs. `actor` must be the dealer's own staff.
    pub fn answer(
        previous: Option<&SurveyAnswer>,
        actor: &Actor,
        quarter: Quarter,
        draft: &SurveyDraft,
        now: DateTime<Utc>,
    ) -> Result<SurveyAnswer, SurveyError> {
        let Some(dealer_id) = actor.filing_dealer() else {
            return Err(SurveyError::NotTheDealer);
        };
        match window(quarter, now) {
            SurveyWindow::NotYet => return Err(SurveyError::NotYetOpen(quarter)),
            SurveyWindow::Closed => return Err(SurveyError::Closed(quarter)),
            SurveyWindow::Open => {}
        }
        let (scores, comment) = draft.validate()?;
        Ok(SurveyAnswer {
            dealer_id: dealer_id.clone(),
            quarter,
            scores,
            comment,
            author_id: actor.user_id.clone(),
            answered_at: previous.map_or(now, |p| p.answered_at),
            updated_at: now,
            version: previous.map_or(1, |p| p.version + 1),
        })
    }

    /// Whether this answer needs a follow-up task that does not exist yet: it has a low
    /// score and `previous` (the answer it replaces) had none, so changing a low answer
    /// does not raise a second task for the same complaint.
    pub fn raises_task(&self, previous: Option<&SurveyAnswer>) -> bool {
        !self.scores.low().is_empty() && previous.is_none_or(|p| p.scores.low().is_empty())
    }
}

/// A follow-up of a low score, for the dealer's account manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpTask {
    /// `<quarter>.<dealer>.v<answer version>`: one per answer that raised it.
    pub id: String,
    pub dealer_id: DealerId,
    pub quarter: Quarter,
    /// The low criteria, in form order.
    pub low: Vec<Criterion>,
    pub scores: Scores,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed: Option<TaskClosing>,
    pub version: u64,
}

/// How a task was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskClosing {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub note: String,
}

impl FollowUpTask {
    /// The task a low answer raises.
    pub fn raise(answer: &SurveyAnswer) -> FollowUpTask {
        FollowUpTask {
            id: format!(
                "{}.{}.v{}",
                answer.quarter.code(),
                answer.dealer_id,
                answer.version
            ),
            dealer_id: answer.dealer_id.clone(),
            quarter: answer.quarter,
            low: answer.scores.low(),
            scores: answer.scores,
            comment: answer.comment.clone(),
            created_at: answer.updated_at,
            closed: None,
            version: 1,
        }
    }

    /// Closes the task with a note (required). The caller has checked that `actor` looks
    /// after the task's dealer.
    pub fn close(
        &self,
        actor: &Actor,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<FollowUpTask, SurveyError> {
        if self.closed.is_some() {
            return Err(SurveyError::TaskClosed);
        }
        let note = NOTE_RULE
            .required(note)
            .map_err(|e| ValidationError { errors: vec![e] })?;
        Ok(FollowUpTask {
            closed: Some(TaskClosing {
                by: actor.user_id.clone(),
                at: now,
                note,
            }),
            version: self.version + 1,
            ..self.clone()
        })
    }
}

/// One quarter's results: how many dealers answered and each criterion's average.
#[derive(Clone, Debug, PartialEq)]
pub struct QuarterResult {
    pub quarter: Quarter,
    pub answers: usize,
    /// Per criterion in form order; `None` without answers.
    pub averages: Vec<(Criterion, Option<f64>)>,
    /// Answers with at least one low score.
    pub low_answers: usize,
}

/// The results of `quarter` from its answers.
pub fn quarter_result(quarter: Quarter, answers: &[SurveyAnswer]) -> QuarterResult {
    let n = answers.len();
    let averages = Criterion::ALL
        .into_iter()
        .map(|c| {
            let sum: u32 = answers.iter().map(|a| u32::from(a.scores.of(c))).sum();
            let avg = (n > 0).then(|| (f64::from(sum) / n as f64 * 100.0).round() / 100.0);
            (c, avg)
        })
        .collect();
    QuarterResult {
        quarter,
        answers: n,
        averages,
        low_answers: answers
            .iter()
            .filter(|a| !a.scores.low().is_empty())
            .count(),
    }
}

/// The `count` quarters up to and including `last`, oldest first: the trend's axis.
pub fn trend_quarters(last: Quarter, count: usize) -> Vec<Quarter> {
    let mut out = vec![last];
    while out.len() < count {
        let first = out[0];
        out.insert(0, first.previous());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn dealer() -> Actor {
        Actor {
            user_id: UserId::new("u1"),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new("d1")),
        }
    }

    fn q4() -> Quarter {
        Quarter::new(2026, 4).unwrap()
    }

    fn draft(a: i64, b: i64, c: i64) -> SurveyDraft {
        SurveyDraft {
            ticket_handling: Some(a),
            cso_updates: Some(b),
            support_overall: Some(c),
            comment: Some("  Спасибо  ".into()),
        }
    }

    #[test]
    fn a_dealer_answers_the_running_quarter_and_may_change_it_until_it_ends() {
        let first =
            SurveyAnswer::answer(None, &dealer(), q4(), &draft(5, 4, 5), at(2026, 12, 3, 9))
                .unwrap();
        assert_eq!(first.version, 1);
        assert_eq!(first.comment.as_deref(), Some("Спасибо"));
        let changed = SurveyAnswer::answer(
            Some(&first),
            &dealer(),
            q4(),
            &draft(3, 4, 5),
            at(2026, 12, 31, 20),
        )
        .unwrap();
        assert_eq!(changed.version, 2);
        assert_eq!(changed.answered_at, first.answered_at);
        // 31 Dec 21:00 UTC is 1 Jan 00:00 in Moscow: the quarter is over.
        assert_eq!(
            SurveyAnswer::answer(
                Some(&changed),
                &dealer(),
                q4(),
                &draft(1, 1, 1),
                at(2026, 12, 31, 21)
            ),
            Err(SurveyError::Closed(q4()))
        );
        assert_eq!(
            SurveyAnswer::answer(
                None,
                &dealer(),
                q4().next(),
                &draft(5, 5, 5),
                at(2026, 12, 3, 9)
            ),
            Err(SurveyError::NotYetOpen(q4().next()))
        );
    }

    #[test]
    fn dealers_are_invited_in_the_first_two_weeks_of_a_quarter() {
        // 1 Oct 00:30 Moscow is still 30 Sep in UTC.
        assert_eq!(invitation_due(at(2026, 9, 30, 21)), Some(q4()));
        assert_eq!(invitation_due(at(2026, 10, 14, 9)), Some(q4()));
        assert_eq!(invitation_due(at(2026, 10, 15, 9)), None);
        assert_eq!(invitation_due(at(2026, 9, 30, 9)), None);
    }

    #[test]
    fn scores_are_one_to_five_and_every_missing_one_is_named() {
        let bad = SurveyDraft {
            ticket_handling: Some(0),
            cso_updates: Some(6),
            support_overall: None,
            comment: None,
        };
        let errors = bad.validate().unwrap_err().errors;
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["ticket_handling", "cso_updates", "support_overall"]
        );
        assert_eq!(
            errors[0].message,
            "Оцените «Работа с обращениями» от 1 до 5."
        );
    }

    #[test]
    fn only_a_dealers_staff_answer() {
        let accountant = Actor {
            role: Role::Accountant,
            ..dealer()
        };
        assert_eq!(
            SurveyAnswer::answer(None, &accountant, q4(), &draft(5, 5, 5), at(2026, 12, 3, 9)),
            Err(SurveyError::NotTheDealer)
        );
    }

    #[test]
    fn a_score_of_two_raises_a_follow_up_task_once() {
        let now = at(2026, 10, 5, 9);
        let low = SurveyAnswer::answer(None, &dealer(), q4(), &draft(2, 5, 4), now).unwrap();
        assert!(low.raises_task(None));
        let task = FollowUpTask::raise(&low);
        assert_eq!(task.low, [Criterion::TicketHandling]);
        assert_eq!(task.id, "2026-Q4.d1.v1");
        let still_low =
            SurveyAnswer::answer(Some(&low), &dealer(), q4(), &draft(1, 5, 4), now).unwrap();
        assert!(!still_low.raises_task(Some(&low)));
        let fine = SurveyAnswer::answer(None, &dealer(), q4(), &draft(3, 3, 3), now).unwrap();
        assert!(!fine.raises_task(None));
        let low_again =
            SurveyAnswer::answer(Some(&fine), &dealer(), q4(), &draft(3, 2, 3), now).unwrap();
        assert!(low_again.raises_task(Some(&fine)));
    }

    #[test]
    fn a_task_is_closed_once_and_only_with_a_note() {
        let now = at(2026, 10, 5, 9);
        let answer = SurveyAnswer::answer(None, &dealer(), q4(), &draft(1, 1, 1), now).unwrap();
        let task = FollowUpTask::raise(&answer);
        let manager = Actor {
            user_id: UserId::new("m1"),
            role: Role::AccountManager,
            dealer_id: None,
        };
        assert!(matches!(
            task.close(&manager, Some("  "), now),
            Err(SurveyError::Invalid(_))
        ));
        let closed = task.close(&manager, Some("Созвонились"), now).unwrap();
        assert_eq!(closed.closed.as_ref().unwrap().note, "Созвонились");
        assert_eq!(closed.version, 2);
        assert_eq!(
            closed.close(&manager, Some("Ещё раз"), now),
            Err(SurveyError::TaskClosed)
        );
    }

    #[test]
    fn a_quarters_result_averages_each_criterion_and_the_trend_runs_oldest_first() {
        let now = at(2026, 10, 5, 9);
        let a = SurveyAnswer::answer(None, &dealer(), q4(), &draft(5, 4, 2), now).unwrap();
        let b = SurveyAnswer::answer(None, &dealer(), q4(), &draft(4, 4, 5), now).unwrap();
        let r = quarter_result(q4(), &[a, b]);
        assert_eq!(r.answers, 2);
        assert_eq!(r.low_answers, 1);
        assert_eq!(r.averages[0], (Criterion::TicketHandling, Some(4.5)));
        assert_eq!(r.averages[2], (Criterion::SupportOverall, Some(3.5)));
        assert_eq!(quarter_result(q4(), &[]).averages[1].1, None);
        let axis = trend_quarters(q4(), 4);
        assert_eq!(
            axis.iter().map(|q| q.code()).collect::<Vec<_>>(),
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
    }
}
