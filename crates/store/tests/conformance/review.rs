//! Conformance cases of a result's review countdown and the platform's settings
//! (SPEC §2.4), run on both engines with the rest of the suite.

use super::*;
use dealerdesk_domain::{Comment, CommentId, PlatformSettings, Setting, SettingsDraft};
use dealerdesk_store::{SettingsRepo, TicketNotesRepo};

fn admin() -> Actor {
    Actor {
        user_id: UserId::new("admin"),
        role: Role::Admin,
        dealer_id: None,
    }
}

/// Writes `who`'s comment at `at`, with the ticket when the comment changes it.
async fn commented(
    store: &Store,
    ticket: &Ticket,
    who: &Actor,
    id: &str,
    at: DateTime<Utc>,
) -> Ticket {
    let comment = Comment::write(CommentId::new(id), ticket, who, "Замечание", at).unwrap();
    let changed = ticket
        .on_comment(&comment)
        .expect("the comment moves the countdown");
    store
        .add_comment_changing(&comment, ticket, &changed, &comment.notices(ticket))
        .await
        .expect("add_comment_changing");
    changed
}

pub async fn a_remark_on_a_result_under_review_stops_the_auto_accept_sweep_until_the_reply(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    let t = file(store, "t1", "d1", minutes(0)).await;
    let t = moved(store, &t, &specialist(), Action::Take, minutes(1)).await;
    let t = moved(store, &t, &specialist(), Action::SendForReview, minutes(10)).await;
    assert_eq!(
        ids(&store.tickets_in_review_since(minutes(10)).await.unwrap()),
        ["t1"]
    );

    let paused = commented(store, &t, &dealer_actor("d1"), "c1", minutes(20)).await;
    assert_eq!(store.ticket(&t.id).await.unwrap(), Some(paused.clone()));
    assert!(
        store
            .tickets_in_review_since(minutes(1000))
            .await
            .unwrap()
            .is_empty(),
        "a stopped countdown is no candidate, however long it waits"
    );
    assert_eq!(store.ticket_notes(&t.id).await.unwrap().comments.len(), 1);

    // A comment against a version someone replaced writes nothing, not even the comment.
    let late = Comment::write(
        CommentId::new("c2"),
        &t,
        &dealer_actor("d1"),
        "Ещё",
        minutes(21),
    )
    .unwrap();
    assert_eq!(
        store.add_comment_changing(&late, &t, &paused, &[]).await,
        Err(StoreError::Conflict {
            entity: Entity::Ticket
        })
    );
    assert_eq!(store.ticket_notes(&t.id).await.unwrap().comments.len(), 1);

    let resumed = commented(store, &paused, &specialist(), "c3", minutes(30)).await;
    assert!(
        store
            .tickets_in_review_since(minutes(29))
            .await
            .unwrap()
            .is_empty()
    );
    let found = store.tickets_in_review_since(minutes(30)).await.unwrap();
    assert_eq!(found, vec![resumed]);
}

pub async fn settings_are_stored_with_who_changed_them_and_optimistic_locking(ctx: &Ctx) {
    let store = &ctx.store;
    assert_eq!(store.settings().await.unwrap(), PlatformSettings::default());
    assert!(store.settings_history().await.unwrap().is_empty());
    let draft = |d: &str| SettingsDraft {
        auto_accept_days: Some(d.into()),
    };
    let start = PlatformSettings::default();
    let (five, changes) = start.change(&admin(), &draft("5"), minutes(1)).unwrap();
    store.save_settings(&start, &five, &changes).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), five);
    // A second admin who read the defaults loses.
    let (four, stale) = start.change(&admin(), &draft("4"), minutes(2)).unwrap();
    assert_eq!(
        store.save_settings(&start, &four, &stale).await,
        Err(StoreError::Conflict {
            entity: Entity::Settings
        })
    );
    let (two, changes) = five.change(&admin(), &draft("2"), minutes(3)).unwrap();
    store.save_settings(&five, &two, &changes).await.unwrap();
    let history = store.settings_history().await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|c| (
                c.setting,
                c.old,
                c.new,
                c.version,
                c.at,
                c.actor_id.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            (Setting::AutoAcceptDays, 3, 5, 1, minutes(1), "admin"),
            (Setting::AutoAcceptDays, 5, 2, 2, minutes(3), "admin"),
        ]
    );
    assert_eq!(store.settings().await.unwrap().auto_accept_days, 2);
}
