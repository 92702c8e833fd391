//! Conformance cases for the quarterly survey's answers and tasks and for the dealer's
//! accountants, run on both engines (`dealer_survey::on_dynoxide::<case>`,
//! `dealer_survey::on_moto::<case>`).

use crate::{Ctx, dealer_actor, minutes};
use dealerdesk_domain::dealer_survey::{FollowUpTask, SurveyAnswer, SurveyDraft};
use dealerdesk_domain::{Actor, Audience, DealerId, Notice, Quarter, Role, UserId};
use dealerdesk_store::{
    AccountantRepo, DealerSurveyRepo, Entity, OutboxRepo, StoreError, UserRecord, UserRepo,
};

engine_suite!(
    a_low_answer_is_stored_with_its_task_and_notice_and_a_stale_change_writes_nothing,
    a_quarters_answers_are_one_query_and_tasks_list_newest_first,
    a_closed_task_is_saved_once,
    an_invited_accountant_sets_a_password_once_and_a_revoked_one_is_gone_with_its_e_mail,
);

fn q1() -> Quarter {
    Quarter::new(2026, 1).unwrap()
}

fn answer(
    dealer: &str,
    previous: Option<&SurveyAnswer>,
    scores: (i64, i64, i64),
    at: i64,
) -> SurveyAnswer {
    let draft = SurveyDraft {
        ticket_handling: Some(scores.0),
        cso_updates: Some(scores.1),
        support_overall: Some(scores.2),
        comment: Some("Комментарий".into()),
    };
    SurveyAnswer::answer(previous, &dealer_actor(dealer), q1(), &draft, minutes(at))
        .expect("a valid answer")
}

fn task_notice(task: &FollowUpTask) -> Notice {
    Notice::new(
        format!("survey-task:{}", task.id),
        "survey_task",
        Audience::AccountManagerOf {
            dealer_id: task.dealer_id.clone(),
        },
        task.created_at,
    )
}

async fn a_low_answer_is_stored_with_its_task_and_notice_and_a_stale_change_writes_nothing(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    let low = answer("d1", None, (2, 5, 5), 0);
    let task = FollowUpTask::raise(&low);
    store
        .save_survey_answer(&low, 0, Some(&task), &[task_notice(&task)])
        .await
        .expect("first answer");
    assert_eq!(
        store
            .survey_answer(q1(), &DealerId::new("d1"))
            .await
            .unwrap(),
        Some(low.clone())
    );
    assert_eq!(
        store.survey_task(&task.id).await.unwrap(),
        Some(task.clone())
    );
    let pending = store.pending_notices(minutes(10), 100).await.unwrap();
    assert_eq!(pending.len(), 1);
    // A second "first answer" is a conflict, not a second answer.
    let again = answer("d1", None, (5, 5, 5), 1);
    assert_eq!(
        store.save_survey_answer(&again, 0, None, &[]).await,
        Err(StoreError::Conflict {
            entity: Entity::SurveyAnswer
        })
    );
    let changed = answer("d1", Some(&low), (4, 5, 5), 2);
    store
        .save_survey_answer(&changed, 1, None, &[])
        .await
        .expect("a change at the version read");
    // Saving from the stale version 1 again writes nothing, the task included.
    let stale = answer("d1", Some(&low), (1, 1, 1), 3);
    let stale_task = FollowUpTask {
        id: "other".into(),
        ..FollowUpTask::raise(&stale)
    };
    assert!(matches!(
        store
            .save_survey_answer(&stale, 1, Some(&stale_task), &[])
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.survey_task("other").await.unwrap(), None);
    assert_eq!(
        store
            .survey_answer(q1(), &DealerId::new("d1"))
            .await
            .unwrap()
            .map(|a| a.version),
        Some(2)
    );
}

async fn a_quarters_answers_are_one_query_and_tasks_list_newest_first(ctx: &Ctx) {
    let store = &ctx.store;
    for (i, dealer) in ["d1", "d2", "d3"].into_iter().enumerate() {
        let a = answer(dealer, None, (1, 3, 3), i as i64);
        let task = FollowUpTask::raise(&a);
        store
            .save_survey_answer(&a, 0, Some(&task), &[])
            .await
            .unwrap();
    }
    let answers = store.survey_answers(q1()).await.unwrap();
    assert_eq!(answers.len(), 3);
    assert!(store.survey_answers(q1().next()).await.unwrap().is_empty());
    let tasks = store.survey_tasks().await.unwrap();
    let dealers: Vec<&str> = tasks.iter().map(|t| t.dealer_id.as_str()).collect();
    assert_eq!(dealers, ["d3", "d2", "d1"]);
}

async fn a_closed_task_is_saved_once(ctx: &Ctx) {
    let store = &ctx.store;
    let a = answer("d1", None, (1, 1, 1), 0);
    let task = FollowUpTask::raise(&a);
    store
        .save_survey_answer(&a, 0, Some(&task), &[])
        .await
        .unwrap();
    let manager = Actor {
        user_id: UserId::new("m1"),
        role: Role::AccountManager,
        dealer_id: None,
    };
    let closed = task
        .close(&manager, Some("Созвонились"), minutes(5))
        .unwrap();
    store.save_survey_task(&closed, 1).await.unwrap();
    let other = task.close(&manager, Some("Ещё раз"), minutes(6)).unwrap();
    assert_eq!(
        store.save_survey_task(&other, 1).await,
        Err(StoreError::Conflict {
            entity: Entity::SurveyTask
        })
    );
    assert_eq!(store.survey_task(&task.id).await.unwrap(), Some(closed));
}

async fn an_invited_accountant_sets_a_password_once_and_a_revoked_one_is_gone_with_its_e_mail(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    let invited = UserRecord {
        id: UserId::new("acc1"),
        email: "olga@example.ru".into(),
        name: "Ольга".into(),
        role: Role::Accountant,
        dealer_id: Some(DealerId::new("d1")),
        password_hash: "invited:nonce".into(),
        created_at: minutes(0),
    };
    let notice = Notice::new(
        "accountant-invite:acc1",
        "accountant_invite",
        Audience::User {
            user_id: invited.id.clone(),
        },
        minutes(0),
    );
    store
        .invite_accountant(&invited, std::slice::from_ref(&notice))
        .await
        .unwrap();
    assert_eq!(
        store.invite_accountant(&invited, &[notice]).await,
        Err(StoreError::AlreadyExists)
    );
    let active = UserRecord {
        password_hash: "$argon2id$set".into(),
        ..invited.clone()
    };
    store
        .set_invited_password(&active, "invited:nonce")
        .await
        .unwrap();
    assert_eq!(
        store.user_by_email("olga@example.ru").await.unwrap(),
        Some(active.clone())
    );
    // The link works once: the marker is gone.
    assert!(matches!(
        store.set_invited_password(&invited, "invited:nonce").await,
        Err(StoreError::Conflict { .. })
    ));
    store.remove_user(&active).await.unwrap();
    assert_eq!(store.user(&active.id).await.unwrap(), None);
    assert_eq!(store.user_by_email("olga@example.ru").await.unwrap(), None);
    assert!(matches!(
        store.remove_user(&active).await,
        Err(StoreError::Conflict { .. })
    ));
}
