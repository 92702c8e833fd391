//! Conformance cases of time entries, cost history, open costs and completed work
//! (SPEC §2.3, §2.5, §2.6), run on both engines with the rest of the suite.

use super::*;
use dealerdesk_domain::{
    CostAction, CostEventKind, CostState, NewCorrection, NewTimeEntry, Quarter, ReclassifyDraft,
    TicketCost, TimeEntryId,
};
use dealerdesk_store::{CostRepo, Entity, LedgerWrite};

fn entry(minutes: u32) -> NewTimeEntry {
    NewTimeEntry {
        minutes,
        note: "Разместили новость".into(),
    }
}

/// Logs `minutes` on `ticket` and stores it.
async fn logged(
    store: &Store,
    ticket: &Ticket,
    id: &str,
    minutes: u32,
    at: DateTime<Utc>,
) -> Ticket {
    let (next, time) = ticket
        .log_time(&specialist(), TimeEntryId::new(id), entry(minutes), at)
        .expect("time is logged");
    store
        .save_ledger_write(&LedgerWrite {
            previous: ticket,
            ticket: &next,
            time_entry: Some(&time),
            event: None,
            notices: &[],
        })
        .await
        .expect("save_ledger_write");
    next
}

/// Filed, taken, `minutes` logged, sent for review and accepted at `done`.
async fn resolved(store: &Store, id: &str, minutes: u32, done: DateTime<Utc>) -> Ticket {
    let t = file(store, id, "d1", t0()).await;
    let t = moved(store, &t, &specialist(), Action::Take, t0()).await;
    let t = logged(store, &t, &format!("{id}-e1"), minutes, t0()).await;
    let t = moved(store, &t, &specialist(), Action::SendForReview, done).await;
    moved(store, &t, &dealer_actor("d1"), Action::Accept, done).await
}

pub async fn time_entries_are_written_with_the_ticket_or_not_at_all(ctx: &Ctx) {
    let store = &ctx.store;
    let v1 = file(store, "t1", "d1", minutes(0)).await;
    let v2 = logged(store, &v1, "e1", 10, minutes(1)).await;
    assert_eq!(v2.cost.minutes, 10);
    assert_eq!(store.ticket(&v1.id).await.unwrap(), Some(v2.clone()));
    let ledger = store.ticket_ledger(&v1.id).await.unwrap();
    assert_eq!(ledger.time_entries.len(), 1);
    assert_eq!(ledger.time_entries[0].minutes, 10);

    // A stale write stores neither the ticket nor its entry.
    let (stale, time) = v1
        .log_time(&specialist(), TimeEntryId::new("e2"), entry(5), minutes(2))
        .unwrap();
    let write = LedgerWrite {
        previous: &v1,
        ticket: &stale,
        time_entry: Some(&time),
        event: None,
        notices: &[],
    };
    assert_eq!(
        store.save_ledger_write(&write).await,
        Err(StoreError::Conflict {
            entity: Entity::Ticket
        })
    );
    assert_eq!(
        store
            .ticket_ledger(&v1.id)
            .await
            .unwrap()
            .time_entries
            .len(),
        1
    );
    assert_eq!(
        store.ticket(&v1.id).await.unwrap().unwrap().cost.minutes,
        10
    );

    // The lifecycle history is read as before, the ledger left out of it.
    let (ticket, history) = store.ticket_with_history(&v1.id).await.unwrap().unwrap();
    assert_eq!(ticket, v2);
    assert_eq!(history.len(), 1);
}

pub async fn a_resolved_paid_ticket_is_completed_work_that_follows_its_corrections(ctx: &Ctx) {
    let store = &ctx.store;
    let done = resolved(store, "t1", 40, minutes(60)).await;
    assert_eq!(done.cost.state, CostState::Pending);
    let work = store
        .completed_work(Category::IndividualNews, Criticality::Medium, minutes(0))
        .await
        .unwrap();
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].ticket_id, done.id);
    assert_eq!(work[0].work.cost, done.cost_amount());
    assert!(work[0].work.text.contains("Разместить новость"));
    // Finished before `since`: outside the key range.
    assert!(
        store
            .completed_work(Category::IndividualNews, Criticality::Medium, minutes(61))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .completed_work(Category::IndividualNews, Criticality::High, minutes(0))
            .await
            .unwrap()
            .is_empty()
    );

    // Disputed, then corrected: the projection's cost follows.
    let (disputed, event) = done
        .cost_move(
            &dealer_actor("d1"),
            CostAction::Dispute {
                comment: "Много".into(),
            },
            minutes(61),
        )
        .unwrap();
    let notices = disputed.cost_notices(&event);
    store
        .save_ledger_write(&LedgerWrite {
            previous: &done,
            ticket: &disputed,
            time_entry: None,
            event: Some(&event),
            notices: &notices,
        })
        .await
        .unwrap();
    let ledger = store.ticket_ledger(&done.id).await.unwrap();
    let correction = NewCorrection {
        minutes: 20,
        note: "Лишнее".into(),
    };
    let (corrected, time, event) = disputed
        .correct_time(
            &specialist(),
            &ledger.time_entries,
            &ledger.time_entries[0].id,
            TimeEntryId::new("e2"),
            correction,
            minutes(62),
        )
        .unwrap();
    store
        .save_ledger_write(&LedgerWrite {
            previous: &disputed,
            ticket: &corrected,
            time_entry: Some(&time),
            event: Some(&event),
            notices: &corrected.cost_notices(&event),
        })
        .await
        .unwrap();
    let work = store
        .completed_work(Category::IndividualNews, Criticality::Medium, minutes(0))
        .await
        .unwrap();
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].work.cost, corrected.cost_amount());
    let ledger = store.ticket_ledger(&done.id).await.unwrap();
    assert_eq!(ledger.time_entries.len(), 2);
    let kinds: Vec<_> = ledger.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [CostEventKind::Dispute, CostEventKind::CorrectTime]);
    let pending: Vec<_> = store
        .pending_notices(minutes(70), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.notice.key)
        .collect();
    assert!(
        pending.contains(&format!("cost:t1:v{}", corrected.version)),
        "{pending:?}"
    );

    // Disputed again and reclassified as free: no longer paid work, the item goes.
    let (disputed, event) = corrected
        .cost_move(
            &dealer_actor("d1"),
            CostAction::Dispute {
                comment: "Ошибка не наша".into(),
            },
            minutes(63),
        )
        .unwrap();
    store
        .save_ledger_write(&LedgerWrite {
            previous: &corrected,
            ticket: &disputed,
            time_entry: None,
            event: Some(&event),
            notices: &[],
        })
        .await
        .unwrap();
    let change = ReclassifyDraft {
        category: Some("platform_bug".into()),
        billing: None,
        reason: Some("Ошибка платформы".into()),
    }
    .validate((disputed.category, disputed.billing))
    .unwrap();
    let (free, event) = disputed
        .reclassify(&specialist(), &change, minutes(64))
        .unwrap();
    store
        .save_ledger_write(&LedgerWrite {
            previous: &disputed,
            ticket: &free,
            time_entry: None,
            event: Some(&event),
            notices: &[],
        })
        .await
        .unwrap();
    assert!(
        store
            .completed_work(Category::IndividualNews, Criticality::Medium, minutes(0))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.ticket(&done.id).await.unwrap().unwrap().cost.state,
        CostState::None
    );
}

pub async fn open_costs_are_read_by_quarter_and_leave_the_index_when_settled(ctx: &Ctx) {
    let store = &ctx.store;
    let q1 = Quarter::new(2026, 1).unwrap();
    let a = resolved(store, "a", 10, minutes(60)).await;
    let b = resolved(store, "b", 20, minutes(60)).await;
    let free = {
        let t = file(store, "free", "d1", t0()).await;
        let t = moved(store, &t, &specialist(), Action::Take, t0()).await;
        moved(
            store,
            &t,
            &specialist(),
            Action::DeclareImpossible,
            minutes(60),
        )
        .await
    };
    assert_eq!(
        free.cost,
        TicketCost {
            completed_at: Some(minutes(60)),
            ..TicketCost::default()
        }
    );
    assert_eq!(a.cost.quarter, Some(q1));

    let mut open = store.open_costs(q1).await.unwrap();
    open.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(ids(&open), ["a", "b"]);
    assert_eq!(open[0], a);
    assert!(
        store.open_costs(q1.previous()).await.unwrap().is_empty(),
        "a later quarter is not due yet"
    );

    let (confirmed, event) = a
        .cost_move(&dealer_actor("d1"), CostAction::Confirm, minutes(61))
        .unwrap();
    store
        .save_ledger_write(&LedgerWrite {
            previous: &a,
            ticket: &confirmed,
            time_entry: None,
            event: Some(&event),
            notices: &[],
        })
        .await
        .unwrap();
    assert_eq!(ids(&store.open_costs(q1).await.unwrap()), ["b"]);

    // The cut-off moves a disputed cost on; it is then open in the next quarter only.
    let (disputed, event) = b
        .cost_move(
            &dealer_actor("d1"),
            CostAction::Dispute {
                comment: "?".into(),
            },
            minutes(61),
        )
        .unwrap();
    store
        .save_ledger_write(&LedgerWrite {
            previous: &b,
            ticket: &disputed,
            time_entry: None,
            event: Some(&event),
            notices: &[],
        })
        .await
        .unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 27).unwrap();
    let (moved_on, event) = disputed.cutoff_on(today, minutes(90)).unwrap();
    store
        .save_ledger_write(&LedgerWrite {
            previous: &disputed,
            ticket: &moved_on,
            time_entry: None,
            event: Some(&event),
            notices: &[],
        })
        .await
        .unwrap();
    assert!(store.open_costs(q1).await.unwrap().is_empty());
    assert_eq!(ids(&store.open_costs(q1.next()).await.unwrap()), ["b"]);
}
