//! Conformance cases of the audit log (SPEC §4.7): an audited save writes its entry in the
//! same transaction; the log is read per item, per person and per month, in pages. Run on
//! both engines as `audit::on_dynoxide::<case>` and `audit::on_moto::<case>`.

use crate::{Ctx, cal, file, minutes, moved, specialist};
use chrono::{Duration, TimeZone, Utc};
use dealerdesk_domain::audit::{AuditItem, AuditKind, AuditQuery};
use dealerdesk_domain::{Action, UserId};
use dealerdesk_store::{AuditRepo, Entity, PageRequest, StoreError, TicketRepo};

engine_suite!(
    an_audited_save_writes_its_entry_with_it_or_not_at_all,
    the_log_is_read_by_item_by_person_and_month_by_month_in_pages,
);

fn ticket(id: &str) -> AuditItem {
    AuditItem::new(AuditKind::Ticket, id)
}

fn everything() -> AuditQuery {
    AuditQuery {
        item: None,
        user: None,
        from: None,
        to: None,
    }
}

pub async fn an_audited_save_writes_its_entry_with_it_or_not_at_all(ctx: &Ctx) {
    let store = &ctx.store;
    let v1 = file(store, "t1", "d1", minutes(0)).await;
    let v2 = moved(store, &v1, &specialist(), Action::Take, minutes(1)).await;

    let log = store.item_audit(&ticket("t1")).await.unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    let (filed, taken) = (&log[0], &log[1]);
    assert_eq!(filed.by, Some(UserId::new("user-d1")));
    assert_eq!(filed.version, 1);
    assert!(
        filed
            .changes
            .iter()
            .all(|c| c.old.is_none() && c.new.is_some())
    );
    assert!(filed.changes.iter().any(|c| c.field == "title"));
    assert!(
        !filed
            .changes
            .iter()
            .any(|c| c.field.starts_with("gsi") || c.field == "pk" || c.field == "version"),
        "keys are not fields: {filed:#?}"
    );
    assert_eq!(taken.by, Some(UserId::new("spec")));
    assert_eq!((taken.version, taken.at), (2, minutes(1)));
    let status = taken.changes.iter().find(|c| c.field == "status").unwrap();
    assert_eq!(
        (status.old.as_deref(), status.new.as_deref()),
        (Some(v1.status.code()), Some(v2.status.code()))
    );

    // A stale writer: neither the move nor its entry is written.
    let (stale, event) = v1
        .apply(&specialist(), Action::Take, None, &cal(), minutes(2))
        .expect("legal on the stale copy");
    assert_eq!(
        store.save_move(&v1, &stale, &event, &[]).await,
        Err(StoreError::Conflict {
            entity: Entity::Ticket
        })
    );
    assert_eq!(store.item_audit(&ticket("t1")).await.unwrap().len(), 2);
}

pub async fn the_log_is_read_by_item_by_person_and_month_by_month_in_pages(ctx: &Ctx) {
    let store = &ctx.store;
    let march = minutes(0);
    let april = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    let t1 = file(store, "t1", "d1", march).await;
    file(store, "t2", "d2", march + Duration::minutes(5)).await;
    moved(store, &t1, &specialist(), Action::Take, april).await;
    let now = april + Duration::days(1);

    // By person: the specialist made one change; dealer 2 one.
    let page = |limit, cursor: Option<String>| PageRequest { limit, cursor };
    let by_spec = AuditQuery {
        user: Some(UserId::new("spec")),
        ..everything()
    };
    let found = store
        .audit_page(&by_spec, &page(10, None), now)
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].item, ticket("t1"));

    // By item, newest first, and the item's entries of one person only.
    let t1_only = AuditQuery {
        item: Some(ticket("t1")),
        ..everything()
    };
    let found = store
        .audit_page(&t1_only, &page(10, None), now)
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|e| e.version).collect::<Vec<_>>(),
        [2, 1]
    );
    let t1_by_dealer = AuditQuery {
        user: Some(UserId::new("user-d1")),
        ..t1_only.clone()
    };
    let found = store
        .audit_page(&t1_by_dealer, &page(10, None), now)
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);

    // The whole log across two months, one entry a page: every entry once, newest first.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let got = store
            .audit_page(&everything(), &page(1, cursor), now)
            .await
            .unwrap();
        seen.extend(got.items.iter().map(|e| (e.item.id.clone(), e.version)));
        cursor = got.next_cursor;
        if cursor.is_none() {
            break;
        }
        assert!(seen.len() <= 10, "the pages end");
    }
    assert_eq!(
        seen,
        [
            ("t1".to_string(), 2),
            ("t2".to_string(), 1),
            ("t1".to_string(), 1)
        ]
    );

    // A period: March only.
    let march_only = AuditQuery {
        from: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
        to: Some(Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()),
        ..everything()
    };
    let found = store
        .audit_page(&march_only, &page(10, None), now)
        .await
        .unwrap();
    assert_eq!(found.items.len(), 2);
    assert!(found.items.iter().all(|e| e.at < april));

    // A cursor that is not the log's is refused.
    for bad in ["zz", "00", &hex::encode("1999-01~")] {
        assert_eq!(
            store
                .audit_page(&everything(), &page(1, Some(bad.to_string())), now)
                .await,
            Err(StoreError::BadCursor),
            "{bad}"
        );
    }
}
