//! Conformance cases for wishes, ticket comments and attachment descriptions, run on both
//! engines like the rest of the suite (as `wishes::on_dynoxide::<case>` and
//! `wishes::on_moto::<case>`).

use crate::{Ctx, dealer_actor, file, minutes, moved, specialist};
use chrono::{DateTime, NaiveDate, Utc};
use dealerdesk_domain::{
    Action, Actor, Attachment, AttachmentId, Comment, CommentId, DealerId, FileKind, Role, UserId,
    Wish, WishAction, WishDraft, WishId, WishStatus,
};
use dealerdesk_store::{
    Entity, OutboxRepo, PageRequest, StoreError, TicketNotesRepo, TicketRepo, WishRepo,
};

engine_suite!(
    a_wish_comes_with_its_history_and_a_stale_decision_writes_nothing,
    wishes_are_listed_per_dealer_and_for_everyone_newest_first_in_pages,
    comments_and_files_live_beside_the_ticket_without_touching_its_version,
    a_reacting_comment_is_written_with_its_ticket_or_not_at_all,
    a_conflict_names_the_entity_that_changed,
    a_hand_made_cursor_is_a_bad_cursor_never_an_engine_error,
);

fn manager() -> Actor {
    Actor {
        user_id: UserId::new("manager"),
        role: Role::AccountManager,
        dealer_id: None,
    }
}

fn new_wish(id: &str, dealer: &str, at: DateTime<Utc>) -> (Wish, dealerdesk_domain::WishEvent) {
    let new = WishDraft {
        title: Some(format!("Пожелание {id}")),
        text: Some("Фильтр по цвету кузова в АВН".into()),
    }
    .validate()
    .expect("valid draft");
    Wish::submit(
        WishId::new(id),
        DealerId::new(dealer),
        &dealer_actor(dealer),
        new,
        at,
    )
}

fn notice_for(wish: &Wish) -> dealerdesk_domain::Notice {
    dealerdesk_domain::Notice::new(
        format!("wish:{}:v{}", wish.id, wish.version),
        "wish_status",
        dealerdesk_domain::Audience::DealerStaff {
            dealer_id: wish.dealer_id.clone(),
        },
        wish.updated_at,
    )
}

async fn submitted(ctx: &Ctx, id: &str, dealer: &str, at: DateTime<Utc>) -> Wish {
    let (wish, event) = new_wish(id, dealer, at);
    ctx.store
        .create_wish(&wish, &event, &[notice_for(&wish)])
        .await
        .expect("create_wish");
    wish
}

pub async fn a_wish_comes_with_its_history_and_a_stale_decision_writes_nothing(ctx: &Ctx) {
    let store = &ctx.store;
    let v1 = submitted(ctx, "w1", "d1", minutes(0)).await;
    let (again, event) = new_wish("w1", "d1", minutes(0));
    assert_eq!(
        store.create_wish(&again, &event, &[]).await,
        Err(StoreError::AlreadyExists)
    );

    let (v2, review) = v1
        .apply(
            &manager(),
            WishAction::Review {
                note: Some("Уточнили".into()),
            },
            minutes(1),
        )
        .unwrap();
    store
        .save_wish_move(&v1, &v2, &review, &[notice_for(&v2)])
        .await
        .unwrap();
    let accept = WishAction::Accept {
        sprint: "Спринт 24".into(),
        planned_from: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        planned_to: NaiveDate::from_ymd_opt(2026, 6, 14).unwrap(),
    };
    let admin = Actor {
        user_id: UserId::new("admin"),
        role: Role::Admin,
        dealer_id: None,
    };
    let (v3, sent) = v2
        .apply(&admin, WishAction::SendToDevelopment, minutes(1))
        .unwrap();
    store
        .save_wish_move(&v2, &v3, &sent, &[notice_for(&v3)])
        .await
        .unwrap();
    let (v4, accepted) = v3.apply(&admin, accept, minutes(2)).unwrap();
    store
        .save_wish_move(&v3, &v4, &accepted, &[notice_for(&v4)])
        .await
        .unwrap();

    // A decision made on a version seen before is refused, with its notice.
    let (stale, rejected) = v3
        .apply(
            &admin,
            WishAction::Reject {
                reason: "Нет".into(),
            },
            minutes(3),
        )
        .unwrap();
    let mut stale_notice = notice_for(&stale);
    stale_notice.key.push_str(":stale");
    assert_eq!(
        store
            .save_wish_move(&v3, &stale, &rejected, &[stale_notice])
            .await,
        Err(StoreError::Conflict {
            entity: Entity::Wish
        })
    );

    let (wish, history) = store.wish_with_history(&v1.id).await.unwrap().unwrap();
    assert_eq!(wish, v4);
    assert_eq!(wish.status, WishStatus::Accepted);
    assert_eq!(
        wish.plan.as_ref().map(|p| p.sprint.as_str()),
        Some("Спринт 24")
    );
    let steps: Vec<_> = history.iter().map(|e| e.to).collect();
    assert_eq!(
        steps,
        [
            WishStatus::Submitted,
            WishStatus::UnderReview,
            WishStatus::WithDevelopment,
            WishStatus::Accepted
        ],
        "in order, even two in the same millisecond"
    );
    assert_eq!(history[1].comment.as_deref(), Some("Уточнили"));
    assert_eq!(store.wish(&v1.id).await.unwrap(), Some(v4));
    assert_eq!(store.wish(&WishId::new("nope")).await.unwrap(), None);

    let keys: Vec<_> = store
        .pending_notices(minutes(10), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.notice.key)
        .collect();
    assert_eq!(
        keys,
        ["wish:w1:v1", "wish:w1:v2", "wish:w1:v3", "wish:w1:v4"]
    );
}

pub async fn wishes_are_listed_per_dealer_and_for_everyone_newest_first_in_pages(ctx: &Ctx) {
    let store = &ctx.store;
    for (i, dealer) in ["d1", "d2", "d1", "d1", "d2"].into_iter().enumerate() {
        submitted(ctx, &format!("w{i}"), dealer, minutes(i as i64)).await;
    }
    let ids = |wishes: &[Wish]| wishes.iter().map(|w| w.id.to_string()).collect::<Vec<_>>();
    let page = |limit, cursor: Option<String>| PageRequest { limit, cursor };

    let d1 = store
        .dealer_wishes(&DealerId::new("d1"), &page(10, None))
        .await
        .unwrap();
    assert_eq!(ids(&d1.items), ["w3", "w2", "w0"]);
    assert_eq!(d1.next_cursor, None);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let p = store.all_wishes(&page(2, cursor.clone())).await.unwrap();
        seen.extend(ids(&p.items));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["w4", "w3", "w2", "w1", "w0"],
        "every wish once, newest first"
    );

    // A cursor of one dealer's listing does not read another's.
    let first = store
        .dealer_wishes(&DealerId::new("d1"), &page(1, None))
        .await
        .unwrap();
    let foreign = store
        .dealer_wishes(&DealerId::new("d2"), &page(1, first.next_cursor))
        .await;
    assert_eq!(foreign, Err(StoreError::BadCursor));
}

pub async fn comments_and_files_live_beside_the_ticket_without_touching_its_version(ctx: &Ctx) {
    let store = &ctx.store;
    let ticket = file(store, "t1", "d1", minutes(0)).await;
    let dealer = dealer_actor("d1");
    let at = minutes(1);
    // Two comments in the same millisecond keep both, ordered by id.
    let first = Comment::write(CommentId::new("c1"), &ticket, &dealer, "Первый", at).unwrap();
    let second =
        Comment::write(CommentId::new("c2"), &ticket, &specialist(), "Второй", at).unwrap();
    store
        .add_comment(&second, &second.notices(&ticket))
        .await
        .unwrap();
    store
        .add_comment(&first, &first.notices(&ticket))
        .await
        .unwrap();
    let file_at = minutes(2);
    let attachment = Attachment::new(
        AttachmentId::new("a1"),
        &ticket.id,
        &dealer,
        "Скрин.png".into(),
        FileKind::Png,
        1234,
        file_at,
    );
    store.add_attachment(&attachment, &[]).await.unwrap();
    assert_eq!(
        store.add_attachment(&attachment, &[]).await,
        Err(StoreError::AlreadyExists)
    );

    // The ticket did not change: a move against the version seen before still wins.
    let (same, history) = store
        .ticket_with_history(&ticket.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(same, ticket);
    assert_eq!(history.len(), 1, "comments are not history events");
    moved(store, &ticket, &specialist(), Action::Take, minutes(3)).await;

    let notes = store.ticket_notes(&ticket.id).await.unwrap();
    let texts: Vec<_> = notes.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["Первый", "Второй"]);
    assert_eq!(notes.comments[1].author_role, Role::Specialist);
    assert_eq!(notes.attachments, std::slice::from_ref(&attachment));
    assert_eq!(
        store
            .attachment(&ticket.id, &AttachmentId::new("a1"))
            .await
            .unwrap(),
        Some(attachment)
    );
    assert_eq!(
        store
            .attachment(&ticket.id, &AttachmentId::new("a2"))
            .await
            .unwrap(),
        None
    );
    let other = file(store, "t2", "d1", minutes(4)).await;
    assert_eq!(
        store.ticket_notes(&other.id).await.unwrap(),
        Default::default()
    );

    let keys: Vec<_> = store
        .pending_notices(minutes(10), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.notice.key)
        .collect();
    assert!(keys.contains(&"comment:t1:c1".to_string()), "{keys:?}");
    assert!(keys.contains(&"comment:t1:c2".to_string()), "{keys:?}");
}

pub async fn a_conflict_names_the_entity_that_changed(ctx: &Ctx) {
    use dealerdesk_domain::kernel::{RefusalKind, Refuse};
    let store = &ctx.store;
    // A wish decided on a stale version: the refusal speaks of the wish.
    let v1 = submitted(ctx, "w1", "d1", minutes(0)).await;
    let (v2, review) = v1
        .apply(&manager(), WishAction::Review { note: None }, minutes(1))
        .unwrap();
    store.save_wish_move(&v1, &v2, &review, &[]).await.unwrap();
    let err = store
        .save_wish_move(&v1, &v2, &review, &[])
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            entity: Entity::Wish
        }
    );
    let refusal = err.refusal();
    assert_eq!(
        (refusal.kind, refusal.code),
        (RefusalKind::Conflict, "version_conflict")
    );
    assert_eq!(
        refusal.message,
        "Пожелание уже изменил кто-то другой. Обновите страницу и повторите действие."
    );
    // A ticket moved on a stale version: the refusal speaks of the ticket.
    let t1 = file(store, "t1", "d1", minutes(0)).await;
    moved(store, &t1, &specialist(), Action::Take, minutes(1)).await;
    let (stale, event) = t1
        .apply(&specialist(), Action::Take, None, &crate::cal(), minutes(2))
        .unwrap();
    let err = store.save_move(&t1, &stale, &event, &[]).await.unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            entity: Entity::Ticket
        }
    );
    assert_eq!(
        err.refusal().message,
        "Обращение уже изменил кто-то другой. Обновите страницу и повторите действие."
    );
}

pub async fn a_hand_made_cursor_is_a_bad_cursor_never_an_engine_error(ctx: &Ctx) {
    let store = &ctx.store;
    submitted(ctx, "w1", "d1", minutes(0)).await;
    submitted(ctx, "w2", "d1", minutes(1)).await;
    let forge = |json: &str| hex::encode(json);
    let partition = "DEALER#d1#WISHES";
    let page = store
        .dealer_wishes(
            &DealerId::new("d1"),
            &PageRequest {
                limit: 1,
                cursor: None,
            },
        )
        .await
        .unwrap();
    let real = page.next_cursor.expect("a second page");
    let real_json = String::from_utf8(hex::decode(&real).unwrap()).unwrap();
    let forged = [
        // Empty key values: the engine would refuse them with a validation error.
        real_json.replace("WISH#w2", ""),
        format!(r#"{{"i":"gsi1","k":{{"pk":"","sk":"","gsi1pk":"{partition}","gsi1sk":""}}}}"#),
        // Unknown attributes instead of the keys.
        format!(r#"{{"i":"gsi1","k":{{"pk":"x","sk":"y","gsi1pk":"{partition}","other":"z"}}}}"#),
        // Another dealer's partition.
        real_json.replace("DEALER#d1", "DEALER#d2"),
        // Absurd lengths.
        real_json.replace("WISH#w2", &"W".repeat(1500)),
        // Another index.
        real_json.replacen("\"gsi1\"", "\"gsi2\"", 1),
    ];
    for json in forged {
        let got = store
            .dealer_wishes(
                &DealerId::new("d1"),
                &PageRequest {
                    limit: 1,
                    cursor: Some(forge(&json)),
                },
            )
            .await;
        assert_eq!(got, Err(StoreError::BadCursor), "{json}");
    }
    // The real one still works.
    let next = store
        .dealer_wishes(
            &DealerId::new("d1"),
            &PageRequest {
                limit: 1,
                cursor: Some(real),
            },
        )
        .await
        .unwrap();
    assert_eq!(next.items.len(), 1);
}

pub async fn a_reacting_comment_is_written_with_its_ticket_or_not_at_all(ctx: &Ctx) {
    let store = &ctx.store;
    let ticket = file(store, "t1", "d1", minutes(0)).await;
    assert!(ticket.sla.is_running());
    let first = Comment::write(
        CommentId::new("c1"),
        &ticket,
        &specialist(),
        "Смотрим",
        minutes(1),
    )
    .unwrap();
    let reacted = ticket.react_by_comment(&first).expect("a reaction is owed");
    store
        .add_comment_changing(&first, &ticket, &reacted, &first.notices(&ticket))
        .await
        .unwrap();
    let stored = store.ticket(&ticket.id).await.unwrap().unwrap();
    assert_eq!(stored, reacted);
    assert!(!stored.sla.is_running());

    // Against the version read before: a conflict, and neither the comment nor the ticket
    // changes.
    let second = Comment::write(
        CommentId::new("c2"),
        &ticket,
        &specialist(),
        "Ещё раз",
        minutes(2),
    )
    .unwrap();
    let stale = ticket.react_by_comment(&second).unwrap();
    assert_eq!(
        store
            .add_comment_changing(&second, &ticket, &stale, &[])
            .await,
        Err(StoreError::Conflict {
            entity: Entity::Ticket
        })
    );
    let notes = store.ticket_notes(&ticket.id).await.unwrap();
    let texts: Vec<_> = notes.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["Смотрим"]);
    assert_eq!(store.ticket(&ticket.id).await.unwrap().unwrap(), reacted);
}
