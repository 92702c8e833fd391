//! Conformance cases for batch requests the engine hands back unprocessed (issue #12):
//! `BatchWriteItem` (the counters' loads) and `BatchGetItem` (the items of a keys-only
//! index's listing) send what is left again after a growing pause, and give up with an
//! error after `BATCH_ATTEMPTS` sends — never a silent partial write or read. The
//! unprocessed answers come from the faults hook (`Fault::Unprocessed`). Run on both
//! engines (`batches::on_dynoxide::<case>`, `batches::on_moto::<case>`).

use crate::{Ctx, file, minutes};
use dealerdesk_domain::DealerId;
use dealerdesk_store::{
    BATCH_ATTEMPTS, DealerCounters, Fault, PageRequest, ReportRepo, StoreError, TicketRepo, keys,
};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

engine_suite!(
    batch_writes_left_unprocessed_are_sent_again_until_written_and_fail_after_the_bound,
    batch_reads_left_unprocessed_are_asked_again_until_read_and_fail_after_the_bound,
);

/// The pauses between `BATCH_ATTEMPTS` sends: 20 ms doubling, at most 1 s each.
fn pauses() -> Duration {
    (1..BATCH_ATTEMPTS)
        .map(|i| Duration::from_millis(20 * 2u64.pow(i - 1)).min(Duration::from_secs(1)))
        .sum()
}

fn counters(dealers: usize, amount: i64) -> Vec<DealerCounters> {
    (0..dealers)
        .map(|d| DealerCounters {
            dealer: DealerId::new(format!("d{d:02}")),
            counters: BTreeMap::from([(
                keys::report_day_counter("t.resolved.hosting.low.paid.n", 3),
                amount,
            )]),
        })
        .collect()
}

pub async fn batch_writes_left_unprocessed_are_sent_again_until_written_and_fail_after_the_bound(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    // 30 items are two batches; the engine hands the first back whole three times.
    store
        .faults()
        .inject("BatchWriteItem", Fault::Unprocessed, 3);
    store
        .put_ticket_month(2026, 3, &counters(30, 2))
        .await
        .expect("written once the engine takes them");
    assert_eq!(store.faults().fired(), 3, "the faults happened");
    let read = store.ticket_month(2026, 3, None).await.expect("read");
    assert_eq!(read.len(), 30, "every item written");
    assert!(read.iter().all(|c| c.counters.values().sum::<i64>() == 2));

    // An engine that never takes them: every send fails, with the growing pauses between.
    store
        .faults()
        .inject("BatchWriteItem", Fault::Unprocessed, BATCH_ATTEMPTS);
    let started = Instant::now();
    let refused = store.put_ticket_month(2026, 4, &counters(3, 5)).await;
    let waited = started.elapsed();
    match refused {
        Err(StoreError::Backend(message)) => assert!(
            message.contains("BatchWriteItem") && message.contains("still unprocessed"),
            "{message}"
        ),
        other => panic!("expected a backend error, got {other:?}"),
    }
    assert_eq!(store.faults().fired(), 3 + BATCH_ATTEMPTS, "bounded");
    assert!(waited >= pauses(), "paused {waited:?}, not {:?}", pauses());
    assert!(
        store
            .ticket_month(2026, 4, None)
            .await
            .expect("read")
            .is_empty(),
        "nothing written"
    );
}

pub async fn batch_reads_left_unprocessed_are_asked_again_until_read_and_fail_after_the_bound(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    for i in 0..3 {
        file(store, &format!("t{i}"), "d1", minutes(i)).await;
    }
    let page = PageRequest {
        limit: 10,
        cursor: None,
    };
    let dealer = DealerId::new("d1");
    // The index gives the keys; the engine hands the items' keys back twice.
    store.faults().inject("BatchGetItem", Fault::Unprocessed, 2);
    let listed = store
        .dealer_tickets(&dealer, None, &page)
        .await
        .expect("read once the engine answers");
    assert_eq!(store.faults().fired(), 2, "the faults happened");
    let ids: Vec<&str> = listed.items.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t2", "t1", "t0"], "every ticket, newest first");

    store
        .faults()
        .inject("BatchGetItem", Fault::Unprocessed, BATCH_ATTEMPTS);
    match store.dealer_tickets(&dealer, None, &page).await {
        Err(StoreError::Backend(message)) => assert!(
            message.contains("BatchGetItem") && message.contains("still unprocessed"),
            "{message}"
        ),
        other => panic!(
            "expected a backend error, got {:?}",
            other.map(|p| p.items.len())
        ),
    }
    assert_eq!(store.faults().fired(), 2 + BATCH_ATTEMPTS, "bounded");
}
