//! Conformance cases for the keys-only indexes (issue #12): every index projects keys only,
//! and a listing reads the keys from the index, then the whole items from the table —
//! in the index's order, without an item that went away between the two reads, and
//! paging on with its cursor. Run on both engines (`indexes::on_dynoxide::<case>`,
//! `indexes::on_moto::<case>`).

use crate::{Ctx, file, minutes, raw_client, s};
use aws_sdk_dynamodb::types::ProjectionType;
use dealerdesk_domain::{DealerId, Ticket};
use dealerdesk_store::{IndexReads, PageRequest, QueueRepo, TicketRepo, keys};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

engine_suite!(
    every_index_of_the_table_projects_keys_only,
    a_listing_through_a_keys_only_index_returns_whole_items_in_order_skips_one_deleted_between_the_reads_and_pages_on,
    a_due_sweep_reads_the_keys_of_what_is_due_and_those_items_only,
);

pub async fn every_index_of_the_table_projects_keys_only(ctx: &Ctx) {
    let table = raw_client(ctx)
        .await
        .describe_table()
        .table_name(ctx.store.table_name())
        .send()
        .await
        .expect("describe the table")
        .table
        .expect("a table description");
    let indexes = table.global_secondary_indexes();
    assert_eq!(indexes.len(), 3, "gsi1, gsi2, gsi3");
    for index in indexes {
        assert_eq!(
            index.projection().and_then(|p| p.projection_type()),
            Some(&ProjectionType::KeysOnly),
            "{:?} projects keys only",
            index.index_name()
        );
    }
}

pub async fn a_listing_through_a_keys_only_index_returns_whole_items_in_order_skips_one_deleted_between_the_reads_and_pages_on(
    ctx: &Ctx,
) {
    let store = &ctx.store;
    let dealer = DealerId::new("d1");
    let mut filed: Vec<Ticket> = Vec::new();
    for i in 0..6 {
        filed.push(file(store, &format!("t{i}"), "d1", minutes(i)).await);
    }
    // Another dealer's ticket sits on the same index, in another partition.
    file(store, "other", "d2", minutes(10)).await;

    // t4 is deleted after the index gave its key and before the items are read.
    let deleted = Arc::new(AtomicBool::new(false));
    let raw = raw_client(ctx).await;
    let table = store.table_name().to_string();
    let flag = Arc::clone(&deleted);
    store.faults().between_index_reads(move || async move {
        raw.delete_item()
            .table_name(table)
            .key(
                "pk",
                s(&keys::ticket_pk(&dealerdesk_domain::TicketId::new("t4"))),
            )
            .key("sk", s(keys::TICKET_SK))
            .send()
            .await
            .expect("delete t4 between the reads");
        flag.store(true, Ordering::SeqCst);
    });

    let before = store.index_reads();
    let first = store
        .dealer_tickets(
            &dealer,
            None,
            &PageRequest {
                limit: 3,
                cursor: None,
            },
        )
        .await
        .expect("the first page");
    assert!(
        deleted.load(Ordering::SeqCst),
        "the hook ran between the reads"
    );
    let ids = |page: &[Ticket]| {
        page.iter()
            .map(|t| t.id.as_str().to_string())
            .collect::<Vec<_>>()
    };
    // Newest first, t4 passed over, and the page still full.
    assert_eq!(ids(&first.items), vec!["t5", "t3", "t2"]);
    // Whole tickets, as filed: the index gave keys only.
    for ticket in &first.items {
        let original = filed
            .iter()
            .find(|t| t.id == ticket.id)
            .expect("a filed ticket");
        assert_eq!(ticket, original);
    }
    let read = store.index_reads();
    assert!(
        read.keys > before.keys && read.items > before.items,
        "keys and items are both counted: {before:?} → {read:?}"
    );

    let cursor = first
        .next_cursor
        .expect("more tickets after the first page");
    let second = store
        .dealer_tickets(
            &dealer,
            None,
            &PageRequest {
                limit: 3,
                cursor: Some(cursor),
            },
        )
        .await
        .expect("the second page");
    assert_eq!(ids(&second.items), vec!["t1", "t0"]);
    assert_eq!(second.next_cursor, None, "the listing ends");
    assert_eq!(second.items[1], filed[0]);
}

pub async fn a_due_sweep_reads_the_keys_of_what_is_due_and_those_items_only(ctx: &Ctx) {
    let store = &ctx.store;
    let mut filed = Vec::new();
    for i in 0..6 {
        filed.push(file(store, &format!("t{i}"), "d1", minutes(i)).await);
    }
    // The second ticket's warning time: the first two are due, four are not.
    let now = filed[1]
        .sla
        .warn_at
        .expect("a medium ticket has a warning time");
    let before = store.index_reads();
    let due = store
        .tickets_due_for_watch(now)
        .await
        .expect("the due query");
    let after = store.index_reads();
    assert_eq!(
        due.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["t0", "t1"]
    );
    assert_eq!(
        IndexReads {
            keys: after.keys - before.keys,
            items: after.items - before.items,
        },
        IndexReads { keys: 2, items: 2 },
        "two keys from the index, two tickets by key, nothing of what is not due"
    );
}
