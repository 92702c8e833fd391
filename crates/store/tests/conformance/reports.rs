//! Conformance cases for the reports' counters (issue 11), run on both engines
//! (`reports::on_dynoxide::<case>`, `reports::on_moto::<case>`): every ticket save adds its
//! change to the counter items in its own transaction; a stale save adds nothing; a deleted
//! ticket leaves the counters and a restored one comes back; the reads by few dealers and by
//! the whole month agree; history loads with batch writes.

use crate::{Ctx, file, minutes, moved, specialist};
use dealerdesk_domain::audit::Deletion;
use dealerdesk_domain::{Action, DealerId, Ticket, UserId};
use dealerdesk_store::{DealerCounters, ReportRepo, RestoreRepo, StoreError, TicketRepo, keys};
use std::collections::{BTreeMap, BTreeSet};

engine_suite!(
    a_filed_and_moved_ticket_counts_once_in_its_status_and_a_stale_move_adds_nothing,
    a_deleted_ticket_leaves_the_counters_and_a_restored_one_comes_back,
    few_dealers_read_item_by_item_and_many_the_whole_month_with_the_same_counters,
);

/// Dealer `d`'s counters of March 2026 (the fixtures' month): name → amount, zeros left out.
async fn march(ctx: &Ctx, dealer: &str) -> BTreeMap<String, i64> {
    let only = BTreeSet::from([DealerId::new(dealer)]);
    let mut found = ctx
        .store
        .ticket_month(2026, 3, Some(&only))
        .await
        .expect("read");
    let mut counters = found.pop().map(|c| c.counters).unwrap_or_default();
    counters.retain(|_, v| *v != 0);
    counters
}

async fn a_filed_and_moved_ticket_counts_once_in_its_status_and_a_stale_move_adds_nothing(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    let ticket = file(store, "t-1", "d1", minutes(0)).await;
    assert_eq!(
        march(ctx, "d1").await,
        BTreeMap::from([("t.accepted.individual_news.medium.paid.n@02".into(), 1)])
    );
    let taken = moved(store, &ticket, &specialist(), Action::Take, minutes(5)).await;
    assert_eq!(
        march(ctx, "d1").await,
        BTreeMap::from([("t.in_progress.individual_news.medium.paid.n@02".into(), 1)])
    );
    // The same move again from the old version: refused, and the counters stay.
    let (again, event) = ticket
        .apply(&specialist(), Action::Take, None, &crate::cal(), minutes(6))
        .expect("legal on the old version");
    assert!(matches!(
        store.save_move(&ticket, &again, &event, &[]).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(march(ctx, "d1").await.values().sum::<i64>(), 1);
    assert_eq!(taken.version, 2);
    assert!(
        march(ctx, "d2").await.is_empty(),
        "another dealer's item is untouched"
    );
}

async fn a_deleted_ticket_leaves_the_counters_and_a_restored_one_comes_back(ctx: &Ctx) {
    let store = &ctx.store;
    let live = file(store, "t-2", "d1", minutes(0)).await;
    let admin = UserId::new("admin");
    let deleted = Ticket {
        deleted: Some(Deletion {
            at: minutes(10),
            by: admin.clone(),
        }),
        version: live.version + 1,
        updated_at: minutes(10),
        ..live.clone()
    };
    store
        .save_ticket_deletion(&live, &deleted, &admin, minutes(10))
        .await
        .expect("deleted");
    assert!(
        march(ctx, "d1").await.is_empty(),
        "{:?}",
        march(ctx, "d1").await
    );
    let restored = Ticket {
        deleted: None,
        version: deleted.version + 1,
        updated_at: minutes(20),
        ..deleted.clone()
    };
    store
        .save_ticket_deletion(&deleted, &restored, &admin, minutes(20))
        .await
        .expect("restored");
    assert_eq!(march(ctx, "d1").await.values().sum::<i64>(), 1);
}

async fn few_dealers_read_item_by_item_and_many_the_whole_month_with_the_same_counters(ctx: &Ctx) {
    let store = &ctx.store;
    let items: Vec<DealerCounters> = (0..30)
        .map(|d| DealerCounters {
            dealer: DealerId::new(format!("d{d:02}")),
            counters: BTreeMap::from([(
                keys::report_day_counter("t.resolved.hosting.low.paid.n", 3),
                d + 1,
            )]),
        })
        .collect();
    store
        .put_ticket_month(2026, 3, &items)
        .await
        .expect("batch");
    let all = store.ticket_month(2026, 3, None).await.expect("all");
    assert_eq!(all.len(), 30);
    let few = BTreeSet::from([DealerId::new("d03"), DealerId::new("d29")]);
    let mut read = store.ticket_month(2026, 3, Some(&few)).await.expect("few");
    read.sort_by(|a, b| a.dealer.cmp(&b.dealer));
    let many: BTreeSet<DealerId> = (0..20).map(|d| DealerId::new(format!("d{d:02}"))).collect();
    let through_query = store
        .ticket_month(2026, 3, Some(&many))
        .await
        .expect("many");
    assert_eq!(through_query.len(), 20);
    let amounts: Vec<i64> = read
        .iter()
        .map(|c| c.counters.values().sum::<i64>())
        .collect();
    assert_eq!(amounts, vec![4, 30]);
    assert!(
        store
            .ticket_month(2026, 4, None)
            .await
            .expect("April")
            .is_empty()
    );
}
