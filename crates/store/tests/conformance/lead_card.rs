//! Conformance cases of the lead card's reads and the notification inbox, run on both
//! engines like the rest of the suite (`lead_card::on_dynoxide::<case>`, `…::on_moto::<case>`).

use crate::{Ctx, dealer_actor, minutes};
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{
    ContactOutcome, CustomerId, Lead, LeadChange, LeadDraft, LeadId, LeadQuery, LeadSource,
    LeadStatus, LeadType, Placement, SearchDraft,
};
use dealerdesk_domain::{DealerId, UserId};
use dealerdesk_store::{
    InboxEntry, InboxRepo, LeadCreate, LeadFilter, LeadListRepo, LeadListing, LeadOrder, LeadRepo,
    LeadSave, PageRequest, StoreError,
};

engine_suite!(
    the_list_filters_by_status_type_and_period_in_either_order_and_pages,
    the_search_finds_a_person_across_dealers_by_surname_and_name,
    an_inbox_entry_is_stored_and_counted_once_and_read_by_its_owner_only,
);

fn lead(id: &str, dealer: &str, kind: &str, name: (&str, &str), at: DateTime<Utc>) -> Lead {
    let draft = LeadDraft {
        kind: Some(kind.into()),
        name: Some(name.0.into()),
        surname: Some(name.1.into()),
        // `L1` → +79123450001: one phone per lead.
        phone: Some(format!(
            "+7912345{:04}",
            id[1..].parse::<u32>().unwrap_or(0)
        )),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    Lead::create(
        LeadId::new(id),
        draft.validate().expect("a valid draft"),
        LeadSource::Site,
        Placement {
            dealer: DealerId::new(dealer),
            observer: None,
            customer: Some(CustomerId::new(format!("C{id}"))),
        },
        at,
    )
}

async fn store_lead(ctx: &Ctx, lead: &Lead) {
    ctx.store
        .create_lead(LeadCreate {
            lead,
            history: &[],
            notices: &[],
            customer: None,
            idempotency: None,
            escalate_at: None,
            survey_due: None,
            now: lead.created_at(),
            tally: None,
        })
        .await
        .unwrap();
}

fn ids(leads: &[Lead]) -> Vec<&str> {
    leads.iter().map(|l| l.id().as_str()).collect()
}

async fn the_list_filters_by_status_type_and_period_in_either_order_and_pages(ctx: &Ctx) {
    let store = &ctx.store;
    let made = [
        lead("L1", "d1", "preorder", ("Иван", "Петров"), minutes(0)),
        lead("L2", "d1", "service", ("Анна", "Смирнова"), minutes(10)),
        lead("L3", "d1", "preorder", ("Олег", "Орлов"), minutes(20)),
        lead("L4", "d2", "preorder", ("Пётр", "Иванов"), minutes(30)),
    ];
    for l in &made {
        store_lead(ctx, l).await;
    }
    let (called, history) = made[0]
        .apply(
            &dealer_actor("d1"),
            &[LeadChange::Contact(ContactOutcome::Yes)],
            minutes(40),
        )
        .unwrap();
    store
        .save_lead(LeadSave {
            before: &made[0],
            lead: &called,
            history: &history,
            notices: &[],
            escalate_at: None,
            customer: None,
            tally: None,
        })
        .await
        .unwrap();
    let d1 = LeadListing::Dealer(DealerId::new("d1"));
    let page = |limit| PageRequest {
        limit,
        cursor: None,
    };
    let list = |filter: LeadFilter, order| {
        let d1 = d1.clone();
        async move {
            store
                .lead_list(&d1, &filter, order, &page(10))
                .await
                .unwrap()
                .items
        }
    };
    let newest = LeadOrder::NewestFirst;
    assert_eq!(
        ids(&list(LeadFilter::default(), newest).await),
        ["L3", "L2", "L1"]
    );
    assert_eq!(
        ids(&list(LeadFilter::default(), LeadOrder::OldestFirst).await),
        ["L1", "L2", "L3"]
    );
    let preorders = LeadFilter {
        kind: Some(LeadType::Preorder),
        ..LeadFilter::default()
    };
    assert_eq!(ids(&list(preorders.clone(), newest).await), ["L3", "L1"]);
    let new_preorders = LeadFilter {
        status: Some(LeadStatus::New),
        ..preorders
    };
    assert_eq!(ids(&list(new_preorders, newest).await), ["L3"]);
    // The period: from inclusive, to exclusive.
    let period = LeadFilter {
        from: Some(minutes(10)),
        to: Some(minutes(20)),
        ..LeadFilter::default()
    };
    assert_eq!(ids(&list(period, newest).await), ["L2"]);
    let since = LeadFilter {
        from: Some(minutes(10)),
        ..LeadFilter::default()
    };
    assert_eq!(
        ids(&list(since, LeadOrder::OldestFirst).await),
        ["L2", "L3"]
    );

    // Pages in the chosen order, each cursor for its own listing only.
    let first = store
        .lead_list(
            &d1,
            &LeadFilter::default(),
            LeadOrder::OldestFirst,
            &page(2),
        )
        .await
        .unwrap();
    assert_eq!(ids(&first.items), ["L1", "L2"]);
    let cursor = first.next_cursor.expect("a cursor");
    let rest = store
        .lead_list(
            &d1,
            &LeadFilter::default(),
            LeadOrder::OldestFirst,
            &PageRequest {
                limit: 2,
                cursor: Some(cursor.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&rest.items), ["L3"]);
    assert_eq!(rest.next_cursor, None);
    let foreign = store
        .lead_list(
            &LeadListing::Dealer(DealerId::new("d2")),
            &LeadFilter::default(),
            LeadOrder::OldestFirst,
            &PageRequest {
                limit: 2,
                cursor: Some(cursor),
            },
        )
        .await;
    assert_eq!(foreign.unwrap_err(), StoreError::BadCursor);
}

async fn the_search_finds_a_person_across_dealers_by_surname_and_name(ctx: &Ctx) {
    let store = &ctx.store;
    for l in [
        lead("L1", "d1", "preorder", ("Иван", "Петров"), minutes(0)),
        lead("L2", "d2", "service", ("иван", "ПЕТРОВ"), minutes(5)),
        lead("L3", "d2", "service", ("Иван", "Петровский"), minutes(6)),
    ] {
        store_lead(ctx, &l).await;
    }
    let query: LeadQuery = SearchDraft {
        surname: Some("Пётров".into()),
        name: Some(" Иван ".into()),
        phone: Some("7912".into()),
        email: None,
    }
    .validate()
    .unwrap();
    let found = store.leads_named(&query.key()).await.unwrap();
    assert_eq!(ids(&found), ["L2", "L1"], "both dealers', newest first");
    assert!(store.leads_named("сидоров#иван").await.unwrap().is_empty());
}

async fn an_inbox_entry_is_stored_and_counted_once_and_read_by_its_owner_only(ctx: &Ctx) {
    let store = &ctx.store;
    let me = UserId::new("u1");
    let other = UserId::new("u2");
    let entry = |id: &str, at| InboxEntry {
        id: id.to_string(),
        notice_key: format!("ticket:{id}:v2"),
        title: "DD-1001: Запросить информацию".into(),
        link: "/tickets/T1".into(),
        at,
        read: false,
    };
    let a = entry("01JQ0000000000000000000001", minutes(0));
    let b = entry("01JQ0000000000000000000002", minutes(1));
    assert!(store.deliver_to_inbox(&me, &a).await.unwrap());
    assert!(!store.deliver_to_inbox(&me, &a).await.unwrap(), "once");
    assert!(store.deliver_to_inbox(&me, &b).await.unwrap());
    assert_eq!(store.unread_count(&me).await.unwrap(), 2);
    assert_eq!(store.unread_count(&other).await.unwrap(), 0);
    let page = store
        .inbox_page(
            &me,
            &PageRequest {
                limit: 1,
                cursor: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items, vec![b.clone()], "newest first");
    let rest = store
        .inbox_page(
            &me,
            &PageRequest {
                limit: 1,
                cursor: page.next_cursor,
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.items, vec![a.clone()]);
    assert_eq!(rest.next_cursor, None);

    assert_eq!(
        store.mark_read(&other, &a.id, minutes(2)).await.unwrap(),
        None
    );
    assert_eq!(store.unread_count(&me).await.unwrap(), 2);
    let read = store
        .mark_read(&me, &a.id, minutes(2))
        .await
        .unwrap()
        .unwrap();
    assert!(read.read);
    store.mark_read(&me, &a.id, minutes(3)).await.unwrap();
    assert_eq!(
        store.unread_count(&me).await.unwrap(),
        1,
        "counted down once"
    );
    assert_eq!(store.mark_all_read(&me, minutes(4)).await.unwrap(), 1);
    assert_eq!(store.unread_count(&me).await.unwrap(), 0);
    assert_eq!(store.mark_all_read(&me, minutes(5)).await.unwrap(), 0);
}
