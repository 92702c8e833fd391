//! The quarterly survey of dealers (SPEC §2.9): use cases, JSON API, portal pages, the
//! invitation job.
//!
//! Who does what: a dealer's own staff answer for their dealer (`GET`/`PUT
//! /api/surveys/{quarter}`, `/surveys/{quarter}`), once per quarter, changing the answer
//! until the quarter ends; account managers see the results and the follow-up tasks of the
//! dealers they look after, admins of all (`/surveys/results`, `/surveys/tasks`); everyone
//! else gets 403, and another dealer's task is a 404.
//!
//! An answer with a score of 2 or less is saved with its follow-up task and the account
//! manager's e-mail in one transaction ([`DealerSurveyRepo::save_survey_answer`]), so a low
//! score never goes unnoticed.

pub mod api;
pub mod jobs;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::names::dealer_name;
use crate::kernel::visibility::{dealers_in_area, ensure_area, ensure_visible};
use chrono::{DateTime, TimeZone, Utc};
use dealerdesk_domain::dealer_survey::{
    FollowUpTask, QuarterResult, SurveyAnswer, SurveyDraft, SurveyError, SurveyWindow,
    current_quarter, quarter_result, trend_quarters, window,
};
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::{Actor, Audience, DealerId, Notice, Quarter};
use dealerdesk_store::{DealerRecord, DealerSurveyRepo, StoreError};
use std::collections::BTreeMap;

/// How many quarters the trend shows.
pub const TREND_QUARTERS: usize = 8;
/// How often an answer is tried again when a concurrent save changed it meanwhile.
const SAVE_ATTEMPTS: usize = 3;

/// A quarter from the path (`2026-Q4`); anything else is a 404.
pub fn parse_quarter(raw: &str) -> Result<Quarter, AppError> {
    Quarter::from_code(raw)
        .filter(|q| (2000..=2100).contains(&q.year()))
        .ok_or_else(AppError::not_found)
}

/// The dealer's survey for a quarter: its answer so far and whether it takes answers.
#[derive(Clone, Debug)]
pub struct DealerSurvey {
    pub dealer_id: DealerId,
    pub quarter: Quarter,
    pub answer: Option<SurveyAnswer>,
    pub window: SurveyWindow,
}

fn own_dealer(actor: &Actor) -> Result<&DealerId, AppError> {
    actor
        .filing_dealer()
        .ok_or_else(|| SurveyError::NotTheDealer.into())
}

/// The caller's dealer's survey of `quarter` (dealer staff only).
pub async fn survey(
    state: &AppState,
    actor: &Actor,
    quarter: Quarter,
) -> Result<DealerSurvey, AppError> {
    let dealer = own_dealer(actor)?;
    let answer = state.store.survey_answer(quarter, dealer).await?;
    Ok(DealerSurvey {
        dealer_id: dealer.clone(),
        quarter,
        answer,
        window: window(quarter, state.clock.now()),
    })
}

/// Whether the dealer still owes this quarter's answer (the dashboard's banner).
pub async fn banner_due(
    state: &AppState,
    dealer: &DealerId,
    now: DateTime<Utc>,
) -> Result<Option<Quarter>, AppError> {
    let quarter = current_quarter(now);
    Ok(state
        .store
        .survey_answer(quarter, dealer)
        .await?
        .is_none()
        .then_some(quarter))
}

/// Records or changes the caller's dealer's answer for `quarter`; a low score raises the
/// account manager's task with it.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    quarter: Quarter,
    draft: &SurveyDraft,
) -> Result<SurveyAnswer, AppError> {
    let dealer = own_dealer(actor)?.clone();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let now = state.clock.now();
        let previous = state.store.survey_answer(quarter, &dealer).await?;
        let answer = SurveyAnswer::answer(previous.as_ref(), actor, quarter, draft, now)?;
        let task = answer
            .raises_task(previous.as_ref())
            .then(|| FollowUpTask::raise(&answer));
        let notices = match &task {
            Some(task) => vec![task_notice(state, task).await?],
            None => Vec::new(),
        };
        let expected = previous.as_ref().map_or(0, |p| p.version);
        match state
            .store
            .save_survey_answer(&answer, expected, task.as_ref(), &notices)
            .await
        {
            Ok(()) => return Ok(answer),
            Err(StoreError::Conflict { .. }) if attempt < SAVE_ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The account manager's e-mail about a new task.
async fn task_notice(state: &AppState, task: &FollowUpTask) -> Result<Notice, AppError> {
    let low: Vec<&str> = task.low.iter().map(|c| c.label()).collect();
    Ok(Notice::new(
        format!("survey-task:{}", task.id),
        "survey_task",
        Audience::AccountManagerOf {
            dealer_id: task.dealer_id.clone(),
        },
        task.created_at,
    )
    .with("task_id", task.id.clone())
    .with("dealer_name", dealer_name(state, &task.dealer_id).await?)
    .with("quarter", task.quarter.code())
    .with("quarter_label", task.quarter.label())
    .with("low", low.join(", "))
    .with("ticket_handling", task.scores.ticket_handling.to_string())
    .with("cso_updates", task.scores.cso_updates.to_string())
    .with("support_overall", task.scores.support_overall.to_string())
    .with("comment", task.comment.clone().unwrap_or_default()))
}

/// The dealers `actor` sees survey results of, by id (403 for a role without results).
async fn visible_dealers(
    state: &AppState,
    actor: &Actor,
) -> Result<BTreeMap<DealerId, DealerRecord>, AppError> {
    Ok(dealers_in_area(state, actor, Area::SurveyResults)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect())
}

/// The survey results `actor` sees: the trend of the [`TREND_QUARTERS`] quarters up to
/// `quarter`, and that quarter's answers.
#[derive(Clone, Debug)]
pub struct Results {
    pub quarter: Quarter,
    pub trend: Vec<QuarterResult>,
    /// The chosen quarter's answers, with the dealer's name.
    pub answers: Vec<(SurveyAnswer, String)>,
}

/// The results for account managers (their dealers) and admins (every dealer).
pub async fn results(
    state: &AppState,
    actor: &Actor,
    quarter: Option<Quarter>,
) -> Result<Results, AppError> {
    let dealers = visible_dealers(state, actor).await?;
    let quarter = quarter.unwrap_or_else(|| current_quarter(state.clock.now()));
    let axis = trend_quarters(quarter, TREND_QUARTERS);
    let mut trend = Vec::new();
    let mut answers = Vec::new();
    for q in &axis {
        let all = state.store.survey_answers(*q).await?;
        let mine: Vec<SurveyAnswer> = all
            .into_iter()
            .filter(|a| dealers.contains_key(&a.dealer_id))
            .collect();
        trend.push(quarter_result(*q, &mine));
        if *q == quarter {
            answers = mine
                .into_iter()
                .map(|a| {
                    let name = dealers
                        .get(&a.dealer_id)
                        .map(|d| d.name.clone())
                        .unwrap_or_default();
                    (a, name)
                })
                .collect();
        }
    }
    answers.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Results {
        quarter,
        trend,
        answers,
    })
}

/// The follow-up tasks `actor` sees, open first then newest first, with the dealer's name.
pub async fn tasks(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(FollowUpTask, String)>, AppError> {
    let dealers = visible_dealers(state, actor).await?;
    let mut out: Vec<(FollowUpTask, String)> = state
        .store
        .survey_tasks()
        .await?
        .into_iter()
        .filter_map(|t| {
            let name = dealers.get(&t.dealer_id)?.name.clone();
            Some((t, name))
        })
        .collect();
    // The store gives newest first; a stable sort keeps that order within open and closed.
    out.sort_by_key(|(t, _)| t.closed.is_some());
    Ok(out)
}

/// Closes a task with a note; a task of a dealer the caller does not look after is a 404.
pub async fn close_task(
    state: &AppState,
    actor: &Actor,
    id: &str,
    note: Option<&str>,
) -> Result<FollowUpTask, AppError> {
    ensure_area(actor, Area::SurveyResults)?;
    let task = state
        .store
        .survey_task(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    ensure_visible(state, actor, Area::SurveyResults, &task.dealer_id).await?;
    let closed = task.close(actor, note, state.clock.now())?;
    state.store.save_survey_task(&closed, task.version).await?;
    Ok(closed)
}

/// The demo dealers' answers of the three quarters before `now`'s (none for the running one,
/// so the demo shows the banner and the form), one of them low with its open task: the
/// results page has a trend and the account manager a task on first start. Only where no
/// answer is stored yet, so a second seeding changes nothing.
pub async fn seed_demo(state: &AppState, now: DateTime<Utc>) -> Result<(), AppError> {
    use dealerdesk_domain::UserId;
    use dealerdesk_domain::dealer_survey::Scores;
    /// Ticket handling, ЦСО updates, support overall.
    type Triple = (u8, u8, u8);
    // (dealer, its staff member, scores of the quarter three, two and one before now)
    const ANSWERS: [(&str, &str, [Triple; 3]); 3] = [
        (
            "dealer-1",
            "user-dealer1",
            [(4, 3, 4), (4, 4, 4), (5, 4, 5)],
        ),
        (
            "dealer-2",
            "user-dealer2",
            [(3, 4, 4), (4, 3, 3), (2, 3, 3)],
        ),
        (
            "dealer-4",
            "user-dealer4",
            [(5, 5, 4), (4, 5, 5), (4, 4, 5)],
        ),
    ];
    let current = current_quarter(now);
    let quarters = [
        current.previous().previous().previous(),
        current.previous().previous(),
        current.previous(),
    ];
    for (dealer, author, scores) in ANSWERS {
        let dealer = DealerId::new(dealer);
        for (quarter, (a, b, c)) in quarters.iter().zip(scores) {
            if state
                .store
                .survey_answer(*quarter, &dealer)
                .await?
                .is_some()
            {
                continue;
            }
            let at = dealerdesk_domain::calendar::PLATFORM_TZ
                .from_local_datetime(
                    &quarter
                        .first_day()
                        .and_hms_opt(11, 0, 0)
                        .unwrap_or_default(),
                )
                .earliest()
                .map_or(now, |t| t.with_timezone(&Utc))
                + chrono::Duration::days(9);
            let answer = SurveyAnswer {
                dealer_id: dealer.clone(),
                quarter: *quarter,
                scores: Scores {
                    ticket_handling: a,
                    cso_updates: b,
                    support_overall: c,
                },
                comment: (a <= 2).then(|| {
                    "Обращения по сайту решаются слишком долго, приходится напоминать.".to_string()
                }),
                author_id: UserId::new(author),
                answered_at: at,
                updated_at: at,
                version: 1,
            };
            let task = answer
                .raises_task(None)
                .then(|| FollowUpTask::raise(&answer));
            match state
                .store
                .save_survey_answer(&answer, 0, task.as_ref(), &[])
                .await
            {
                Ok(()) | Err(StoreError::Conflict { .. } | StoreError::AlreadyExists) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// A follow-up task's id from the path: `<quarter>.<dealer>.v<n>`, short and plain; anything
/// else is a 404 before the store is asked.
pub struct TaskId(pub String);

impl crate::kernel::ids::PathId for TaskId {
    fn parse(raw: &str) -> Option<Self> {
        let plain = !raw.is_empty()
            && raw.len() <= 100
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        plain.then(|| TaskId(raw.to_string()))
    }
}
