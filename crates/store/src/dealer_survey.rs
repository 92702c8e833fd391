//! The quarterly survey of dealers (SPEC §2.9) on the table: one item per dealer and
//! quarter in the quarter's partition, and the follow-up tasks of low scores. An answer
//! that raises a task is written with the task and its notices in one transaction, so a
//! low score never goes without its task.

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, Listing};
use crate::keys;
use crate::mapping::{Builder, Item, Reader, attr, n};
use crate::table::GSI2;
use dealerdesk_domain::dealer_survey::{
    Criterion, FollowUpTask, Scores, SurveyAnswer, TaskClosing,
};
use dealerdesk_domain::{DealerId, Notice, Quarter, UserId};
use std::future::Future;

/// Survey answers and follow-up tasks.
pub trait DealerSurveyRepo {
    /// A dealer's answer for a quarter.
    fn survey_answer(
        &self,
        quarter: Quarter,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Option<SurveyAnswer>, StoreError>> + Send;
    /// Every answer of a quarter (one Query).
    fn survey_answers(
        &self,
        quarter: Quarter,
    ) -> impl Future<Output = Result<Vec<SurveyAnswer>, StoreError>> + Send;
    /// Stores an answer (a create when `expected_version` is 0), the task it raises and
    /// its notices in one transaction; a stale version is [`StoreError::Conflict`].
    fn save_survey_answer(
        &self,
        answer: &SurveyAnswer,
        expected_version: u64,
        task: Option<&FollowUpTask>,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One follow-up task.
    fn survey_task(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<FollowUpTask>, StoreError>> + Send;
    /// Every follow-up task, newest first.
    fn survey_tasks(&self) -> impl Future<Output = Result<Vec<FollowUpTask>, StoreError>> + Send;
    /// Stores a closed task, only if it still is at `expected_version`.
    fn save_survey_task(
        &self,
        task: &FollowUpTask,
        expected_version: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl DealerSurveyRepo for Store {
    async fn survey_answer(
        &self,
        quarter: Quarter,
        dealer: &DealerId,
    ) -> Result<Option<SurveyAnswer>, StoreError> {
        self.get(
            keys::survey_pk(&quarter.code()),
            &keys::survey_answer_sk(dealer),
        )
        .await?
        .map(|item| answer_from_item(&item))
        .transpose()
    }

    async fn survey_answers(&self, quarter: Quarter) -> Result<Vec<SurveyAnswer>, StoreError> {
        self.partition(keys::survey_pk(&quarter.code()))
            .await?
            .iter()
            .map(answer_from_item)
            .collect()
    }

    async fn save_survey_answer(
        &self,
        answer: &SurveyAnswer,
        expected_version: u64,
        task: Option<&FollowUpTask>,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let extra = match task {
            Some(task) => vec![self.put(task_to_item(task), Condition::absent())?],
            None => Vec::new(),
        };
        let write = AggregateWrite::new(
            Entity::SurveyAnswer,
            answer_to_item(answer),
            expected_version,
            notices,
        )
        .extra(extra);
        match self.save_aggregate(write).await {
            Ok(_) => Ok(()),
            // Two first answers at once: the second is a change of the first.
            Err(StoreError::AlreadyExists) => Err(StoreError::Conflict {
                entity: Entity::SurveyAnswer,
            }),
            Err(e) => Err(e),
        }
    }

    async fn survey_task(&self, id: &str) -> Result<Option<FollowUpTask>, StoreError> {
        self.get(keys::survey_task_pk(id), keys::SURVEY_TASK_SK)
            .await?
            .map(|item| task_from_item(&item))
            .transpose()
    }

    async fn survey_tasks(&self) -> Result<Vec<FollowUpTask>, StoreError> {
        let listing = Listing::newest_first(&GSI2, keys::SURVEY_TASKS_GSI2PK.to_string());
        self.listed(&listing)
            .await?
            .iter()
            .map(task_from_item)
            .collect()
    }

    async fn save_survey_task(
        &self,
        task: &FollowUpTask,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::SurveyTask,
            task_to_item(task),
            expected_version,
            &[],
        );
        self.save_aggregate(write).await.map(|_| ())
    }
}

// ---------------------------------------------------------------- mapping ⇄ items

const ANSWER_TYPE: &str = "survey_answer";
const TASK_TYPE: &str = "survey_task";

fn scores_to(b: Builder, s: &Scores) -> Builder {
    b.put("ticket_handling", n(s.ticket_handling))
        .put("cso_updates", n(s.cso_updates))
        .put("support_overall", n(s.support_overall))
}

fn scores_from(r: &Reader<'_>) -> Result<Scores, StoreError> {
    let score = |name: &str| {
        let v = r.u64(name)?;
        u8::try_from(v)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .ok_or_else(|| r.corrupt(format_args!("`{name}` = {v} is not a score")))
    };
    Ok(Scores {
        ticket_handling: score("ticket_handling")?,
        cso_updates: score("cso_updates")?,
        support_overall: score("support_overall")?,
    })
}

fn quarter_from(r: &Reader<'_>) -> Result<Quarter, StoreError> {
    let raw = r.str("quarter")?;
    Quarter::from_code(raw).ok_or_else(|| r.corrupt(format_args!("`quarter` = {raw:?}")))
}

pub(crate) fn answer_to_item(a: &SurveyAnswer) -> Item {
    let b = Builder::new(
        keys::survey_pk(&a.quarter.code()),
        &keys::survey_answer_sk(&a.dealer_id),
        ANSWER_TYPE,
    )
    .string("dealer_id", a.dealer_id.as_str())
    .string("quarter", a.quarter.code())
    .opt_string("comment", a.comment.clone())
    .string("author_id", a.author_id.as_str())
    .instant("answered_at", a.answered_at)
    .instant("updated_at", a.updated_at)
    .put(attr::VERSION, n(a.version));
    scores_to(b, &a.scores).build()
}

pub(crate) fn answer_from_item(item: &Item) -> Result<SurveyAnswer, StoreError> {
    let r = Reader::new(item);
    Ok(SurveyAnswer {
        dealer_id: DealerId::new(r.string("dealer_id")?),
        quarter: quarter_from(&r)?,
        scores: scores_from(&r)?,
        comment: r.opt_string("comment")?,
        author_id: UserId::new(r.string("author_id")?),
        answered_at: r.instant("answered_at")?,
        updated_at: r.instant("updated_at")?,
        version: r.u64(attr::VERSION)?,
    })
}

pub(crate) fn task_to_item(t: &FollowUpTask) -> Item {
    let low: Vec<&str> = t.low.iter().map(|c| c.code()).collect();
    let closed = t.closed.as_ref();
    let b = Builder::new(keys::survey_task_pk(&t.id), keys::SURVEY_TASK_SK, TASK_TYPE)
        .string(GSI2.partition_key, keys::SURVEY_TASKS_GSI2PK)
        .string(
            GSI2.sort_key,
            keys::survey_task_listing_sk(t.created_at, &t.id),
        )
        .string("id", &t.id)
        .string("dealer_id", t.dealer_id.as_str())
        .string("quarter", t.quarter.code())
        .string("low", low.join(","))
        .opt_string("comment", t.comment.clone())
        .instant("created_at", t.created_at)
        .opt_string("closed_by", closed.map(|c| c.by.to_string()))
        .opt_instant("closed_at", closed.map(|c| c.at))
        .opt_string("closed_note", closed.map(|c| c.note.clone()))
        .put(attr::VERSION, n(t.version));
    scores_to(b, &t.scores).build()
}

pub(crate) fn task_from_item(item: &Item) -> Result<FollowUpTask, StoreError> {
    let r = Reader::new(item);
    let low = r
        .str("low")?
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Criterion::from_code(c).ok_or_else(|| r.corrupt(format_args!("criterion {c:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let closed = match (
        r.opt_string("closed_by")?,
        r.opt_instant("closed_at")?,
        r.opt_string("closed_note")?,
    ) {
        (Some(by), Some(at), Some(note)) => Some(TaskClosing {
            by: UserId::new(by),
            at,
            note,
        }),
        (None, None, None) => None,
        _ => return Err(r.corrupt("a closing without who, when or the note")),
    };
    Ok(FollowUpTask {
        id: r.string("id")?,
        dealer_id: DealerId::new(r.string("dealer_id")?),
        quarter: quarter_from(&r)?,
        low,
        scores: scores_from(&r)?,
        comment: r.opt_string("comment")?,
        created_at: r.instant("created_at")?,
        closed,
        version: r.u64(attr::VERSION)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn answer() -> SurveyAnswer {
        let at = Utc.with_ymd_and_hms(2026, 10, 5, 9, 0, 0).unwrap();
        SurveyAnswer {
            dealer_id: DealerId::new("d1"),
            quarter: Quarter::new(2026, 4).unwrap(),
            scores: Scores {
                ticket_handling: 2,
                cso_updates: 5,
                support_overall: 4,
            },
            comment: Some("Долго отвечают".into()),
            author_id: UserId::new("u1"),
            answered_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn an_answer_and_its_task_round_trip() {
        let a = answer();
        assert_eq!(answer_from_item(&answer_to_item(&a)), Ok(a.clone()));
        let task = FollowUpTask::raise(&a);
        assert_eq!(task_from_item(&task_to_item(&task)), Ok(task.clone()));
        let closed = FollowUpTask {
            closed: Some(TaskClosing {
                by: UserId::new("m1"),
                at: a.updated_at,
                note: "Созвонились".into(),
            }),
            version: 2,
            ..task
        };
        assert_eq!(task_from_item(&task_to_item(&closed)), Ok(closed));
    }

    #[test]
    fn a_score_out_of_range_is_reported_not_panicked_on() {
        let mut item = answer_to_item(&answer());
        item.insert("cso_updates".into(), n(9));
        assert!(matches!(
            answer_from_item(&item),
            Err(StoreError::Corrupt(_))
        ));
    }
}
