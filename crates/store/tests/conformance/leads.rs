//! Conformance cases for leads, customer profiles and the network's lead settings, run on
//! both engines like the rest of the suite (`leads::on_dynoxide::<case>`,
//! `leads::on_moto::<case>`).

use crate::{Ctx, dealer_actor, minutes};
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{
    Assignments, ContactOutcome, CustomerId, CustomerProfile, DealerHours, Direction, Lead,
    LeadChange, LeadDraft, LeadId, LeadSource, LeadStatus, Placement, RoutingTable, identity_keys,
};
use dealerdesk_domain::{DealerId, NetworkId, UserId};
use dealerdesk_store::{
    CustomerRepo, CustomerWrite, Entity, LeadCreate, LeadCreated, LeadIdempotency, LeadListing,
    LeadNetwork, LeadNetworkRepo, LeadRepo, LeadSave, OutboxRepo, PageRequest, PostLimitRepo,
    PostLookup, StoreError,
};

engine_suite!(
    a_lead_comes_with_its_history_and_a_stale_save_writes_nothing,
    two_new_profiles_claiming_one_phone_cannot_both_be_written,
    a_replayed_key_creates_nothing_and_names_the_first_lead,
    one_batch_read_finds_a_posts_earlier_lead_and_its_customers_claims,
    leads_are_listed_per_dealer_per_observer_and_for_the_network,
    escalations_and_surveys_are_read_from_their_due_indexes,
    the_network_settings_are_versioned_and_hours_kept_per_dealer,
);

fn new_lead(
    id: &str,
    dealer: &str,
    observer: Option<&str>,
    phone: &str,
    at: DateTime<Utc>,
) -> Lead {
    let draft = LeadDraft {
        kind: Some("test_drive".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some(phone.into()),
        email: Some(format!("{id}@mail.ru").to_lowercase()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    Lead::create(
        LeadId::new(id),
        draft.validate().expect("a valid draft"),
        LeadSource::Site,
        Placement {
            dealer: DealerId::new(dealer),
            observer: observer.map(UserId::new),
            customer: Some(CustomerId::new(format!("C{id}"))),
        },
        at,
    )
}

fn claims(lead: &Lead) -> Vec<String> {
    identity_keys(lead.person().phone.as_ref(), lead.person().email.as_ref())
}

fn create<'a>(lead: &'a Lead, profile: Option<&'a CustomerProfile>) -> LeadCreate<'a> {
    LeadCreate {
        lead,
        history: &[],
        notices: &[],
        customer: profile.map(|p| CustomerWrite {
            profile: p,
            expected_version: 0,
            new_claims: claims(lead),
        }),
        idempotency: None,
        escalate_at: None,
        survey_due: None,
        now: lead.created_at(),
        tally: None,
    }
}

async fn a_lead_comes_with_its_history_and_a_stale_save_writes_nothing(ctx: &Ctx) {
    let store = &ctx.store;
    let lead = new_lead("L1", "d1", None, "+79123456789", minutes(0));
    let profile = CustomerProfile::new(CustomerId::new("CL1"), &lead, minutes(0));
    let notices = dealerdesk_domain::lead::new_lead_notices(&lead);
    let outcome = store
        .create_lead(LeadCreate {
            notices: &notices,
            ..create(&lead, Some(&profile))
        })
        .await
        .unwrap();
    assert_eq!(outcome, LeadCreated::Created);
    assert_eq!(
        store.pending_notices(minutes(1), 10).await.unwrap().len(),
        notices.len(),
        "the dealer's notice and the customer's confirmation are in the outbox"
    );
    assert_eq!(
        store.customer(&CustomerId::new("CL1")).await.unwrap(),
        Some(profile)
    );
    assert_eq!(
        store.customer_by_key("phone#+79123456789").await.unwrap(),
        Some(CustomerId::new("CL1"))
    );

    let actor = dealer_actor("d1");
    let (called, history) = lead
        .apply(
            &actor,
            &[
                LeadChange::Contact(ContactOutcome::Yes),
                LeadChange::Comment(Some("Записан на тест-драйв".into())),
            ],
            minutes(5),
        )
        .unwrap();
    let save = LeadSave {
        before: &lead,
        lead: &called,
        history: &history,
        notices: &[],
        escalate_at: None,
        customer: None,
        tally: None,
    };
    store.save_lead(save.clone()).await.unwrap();
    let stale = store
        .save_lead(LeadSave {
            history: &[],
            ..save
        })
        .await;
    assert_eq!(
        stale,
        Err(StoreError::Conflict {
            entity: Entity::Lead
        })
    );
    let (stored, lines) = store
        .lead_with_history(&LeadId::new("L1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, called);
    assert_eq!(stored.status(), LeadStatus::AwaitingVisit);
    assert_eq!(lines, history, "every line once, in order");
    assert!(store.lead(&LeadId::new("nope")).await.unwrap().is_none());
}

async fn two_new_profiles_claiming_one_phone_cannot_both_be_written(ctx: &Ctx) {
    let store = &ctx.store;
    let first = new_lead("L1", "d1", None, "+79123456789", minutes(0));
    let second = new_lead("L2", "d2", None, "8 912 345-67-89", minutes(0));
    let p1 = CustomerProfile::new(CustomerId::new("CL1"), &first, minutes(0));
    let p2 = CustomerProfile::new(CustomerId::new("CL2"), &second, minutes(0));
    let (a, b) = tokio::join!(
        store.create_lead(create(&first, Some(&p1))),
        store.create_lead(create(&second, Some(&p2)))
    );
    let won = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Ok(LeadCreated::Created)))
        .count();
    assert_eq!(won, 1, "{a:?} {b:?}");
    for r in [&a, &b] {
        if let Err(e) = r {
            assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
        }
    }
    let owner = store
        .customer_by_key("phone#+79123456789")
        .await
        .unwrap()
        .unwrap();
    let loser = if owner.as_str() == "CL1" { "L2" } else { "L1" };
    assert!(
        store.lead(&LeadId::new(loser)).await.unwrap().is_none(),
        "the losing lead was not half-written"
    );

    // The loser joins the winner's profile on its retry.
    let winner_profile = store.customer(&owner).await.unwrap().unwrap();
    let retry = new_lead(loser, "d2", None, "+79123456789", minutes(1));
    let decision = dealerdesk_domain::lead::identify(
        retry.person().phone.as_ref(),
        retry.person().email.as_ref(),
        Some(&owner),
        None,
    );
    let joined = winner_profile.join(&retry, &decision, minutes(1));
    store
        .create_lead(LeadCreate {
            customer: Some(CustomerWrite {
                profile: &joined,
                expected_version: winner_profile.version(),
                new_claims: identity_keys(None, retry.person().email.as_ref()),
            }),
            ..create(&retry, None)
        })
        .await
        .unwrap();
    let stored = store.customer(&owner).await.unwrap().unwrap();
    assert_eq!(stored.leads().len(), 2);
    assert_eq!(stored.emails().len(), 2);
}

async fn a_replayed_key_creates_nothing_and_names_the_first_lead(ctx: &Ctx) {
    let store = &ctx.store;
    let key = |fingerprint: &str| LeadIdempotency {
        owner: "site-1".into(),
        key: "k-1".into(),
        fingerprint: fingerprint.into(),
        ttl_seconds: 600,
    };
    let first = new_lead("L1", "d1", None, "+79123456789", minutes(0));
    let second = new_lead("L2", "d1", None, "+79123456780", minutes(1));
    let created = store
        .create_lead(LeadCreate {
            idempotency: Some(key("body-a")),
            ..create(&first, None)
        })
        .await
        .unwrap();
    assert_eq!(created, LeadCreated::Created);
    let replay = store
        .create_lead(LeadCreate {
            idempotency: Some(key("body-b")),
            ..create(&second, None)
        })
        .await
        .unwrap();
    assert_eq!(
        replay,
        LeadCreated::Replayed {
            lead: LeadId::new("L1"),
            fingerprint: "body-a".into()
        }
    );
    assert!(store.lead(&LeadId::new("L2")).await.unwrap().is_none());
    // Past its lifetime the key no longer counts.
    let later = new_lead("L3", "d1", None, "+79123456781", minutes(11));
    let after = store
        .create_lead(LeadCreate {
            idempotency: Some(key("body-c")),
            ..create(&later, None)
        })
        .await
        .unwrap();
    assert_eq!(after, LeadCreated::Created);
}

async fn one_batch_read_finds_a_posts_earlier_lead_and_its_customers_claims(ctx: &Ctx) {
    let store = &ctx.store;
    let lead = new_lead("L1", "d1", None, "+79123456789", minutes(0));
    let profile = CustomerProfile::new(CustomerId::new("CL1"), &lead, minutes(0));
    let record = LeadIdempotency {
        owner: "site:s1".into(),
        key: "key:order-1".into(),
        fingerprint: "body-a".into(),
        ttl_seconds: 600,
    };
    let nothing = store
        .look_up_post(Some(("site:s1", "key:order-1")), &claims(&lead), minutes(0))
        .await
        .unwrap();
    assert_eq!(
        nothing,
        PostLookup {
            earlier: None,
            owners: vec![None, None]
        }
    );
    store
        .create_lead(LeadCreate {
            idempotency: Some(record),
            ..create(&lead, Some(&profile))
        })
        .await
        .unwrap();
    let [phone, email] = [&claims(&lead)[0], &claims(&lead)[1]].map(String::clone);
    let other = "phone#+70000000000".to_string();
    // Asked in any order, a key twice and one nobody claimed: each answer in its place.
    let found = store
        .look_up_post(
            Some(("site:s1", "key:order-1")),
            &[email.clone(), other.clone(), phone.clone(), email.clone()],
            minutes(1),
        )
        .await
        .unwrap();
    let cl1 = Some(CustomerId::new("CL1"));
    assert_eq!(
        found,
        PostLookup {
            earlier: Some((LeadId::new("L1"), "body-a".into())),
            owners: vec![cl1.clone(), None, cl1.clone(), cl1.clone()]
        }
    );
    // Another owner's key, an expired record, or no key asked: no earlier post.
    for (earlier, at) in [
        (Some(("site:s2", "key:order-1")), minutes(1)),
        (Some(("site:s1", "key:order-1")), minutes(11)),
        (None, minutes(1)),
    ] {
        let found = store
            .look_up_post(earlier, std::slice::from_ref(&phone), at)
            .await
            .unwrap();
        assert_eq!((found.earlier, found.owners), (None, vec![cl1.clone()]));
    }
    // Nothing asked: no call needed, nothing found.
    assert_eq!(
        store.look_up_post(None, &[], minutes(1)).await.unwrap(),
        PostLookup::default()
    );
}

async fn leads_are_listed_per_dealer_per_observer_and_for_the_network(ctx: &Ctx) {
    let store = &ctx.store;
    let leads = [
        new_lead("L1", "d1", Some("rep1"), "+79123456781", minutes(0)),
        new_lead("L2", "d2", Some("rep2"), "+79123456782", minutes(1)),
        new_lead("L3", "d1", None, "+79123456783", minutes(2)),
    ];
    for lead in &leads {
        store.create_lead(create(lead, None)).await.unwrap();
    }
    let page = PageRequest {
        limit: 10,
        cursor: None,
    };
    let ids = |p: dealerdesk_store::Page<Lead>| {
        p.items
            .iter()
            .map(|l| l.id().as_str().to_string())
            .collect::<Vec<_>>()
    };
    let d1 = LeadListing::Dealer(DealerId::new("d1"));
    assert_eq!(
        ids(store.leads(&d1, None, &page).await.unwrap()),
        ["L3", "L1"]
    );
    let rep1 = LeadListing::Observer(UserId::new("rep1"));
    assert_eq!(ids(store.leads(&rep1, None, &page).await.unwrap()), ["L1"]);
    assert_eq!(
        ids(store.leads(&LeadListing::All, None, &page).await.unwrap()),
        ["L3", "L2", "L1"]
    );

    // A change moves the lead in the filtered listing and the observer's copy with it.
    let (called, history) = leads[0]
        .apply(
            &dealer_actor("d1"),
            &[LeadChange::Contact(ContactOutcome::Yes)],
            minutes(3),
        )
        .unwrap();
    store
        .save_lead(LeadSave {
            lead: &called,
            before: &leads[0],
            history: &history,
            notices: &[],
            escalate_at: None,
            customer: None,
            tally: None,
        })
        .await
        .unwrap();
    let awaiting = store
        .leads(&d1, Some(LeadStatus::AwaitingVisit), &page)
        .await
        .unwrap();
    assert_eq!(ids(awaiting), ["L1"]);
    let copy = store.leads(&rep1, None, &page).await.unwrap();
    assert_eq!(copy.items, vec![called]);
    let two = PageRequest {
        limit: 2,
        cursor: None,
    };
    let first = store.leads(&LeadListing::All, None, &two).await.unwrap();
    let rest = store
        .leads(
            &LeadListing::All,
            None,
            &PageRequest {
                limit: 2,
                cursor: first.next_cursor.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!([ids(first), ids(rest)].concat(), ["L3", "L2", "L1"]);
}

async fn escalations_and_surveys_are_read_from_their_due_indexes(ctx: &Ctx) {
    let store = &ctx.store;
    let soon = new_lead("L1", "d1", None, "+79123456781", minutes(0));
    let later = new_lead("L2", "d1", None, "+79123456782", minutes(0));
    for (lead, due) in [(&soon, minutes(120)), (&later, minutes(600))] {
        store
            .create_lead(LeadCreate {
                escalate_at: Some(due),
                survey_due: Some(due + chrono::Duration::hours(24)),
                ..create(lead, None)
            })
            .await
            .unwrap();
    }
    let due = store.leads_to_escalate(minutes(120)).await.unwrap();
    assert_eq!(due, vec![soon.clone()]);
    assert!(
        store
            .leads_to_escalate(minutes(119))
            .await
            .unwrap()
            .is_empty()
    );
    let items_before = store.index_reads().items;
    let surveys = store
        .surveys_due(minutes(120) + chrono::Duration::hours(24))
        .await
        .unwrap();
    assert_eq!(
        surveys,
        vec![(
            LeadId::new("L1"),
            minutes(120) + chrono::Duration::hours(24)
        )]
    );
    assert_eq!(
        store.index_reads().items,
        items_before,
        "the survey sweep takes the lead and the time from the index's keys, reading no item"
    );
    // Saved with nothing owed, the lead leaves the escalation index.
    let (called, history) = soon
        .apply(
            &dealer_actor("d1"),
            &[LeadChange::Contact(ContactOutcome::Yes)],
            minutes(10),
        )
        .unwrap();
    store
        .save_lead(LeadSave {
            lead: &called,
            before: &soon,
            history: &history,
            notices: &[],
            escalate_at: None,
            customer: None,
            tally: None,
        })
        .await
        .unwrap();
    let due = store.leads_to_escalate(minutes(10_000)).await.unwrap();
    assert_eq!(due, vec![later]);
}

async fn the_network_settings_are_versioned_and_hours_kept_per_dealer(ctx: &Ctx) {
    let store = &ctx.store;
    let network = NetworkId::new("n1");
    assert!(store.lead_network(&network).await.unwrap().is_none());
    let d1 = DealerId::new("d1");
    let settings = LeadNetwork {
        network: network.clone(),
        routing: RoutingTable::new([d1.clone()]).city("Москва", d1.clone()),
        assignments: Assignments::new().assign(d1.clone(), Direction::Sales, UserId::new("rep")),
        updated_at: minutes(0),
        updated_by: Some(UserId::new("brand")),
        version: 1,
    };
    store.save_lead_network(None, &settings).await.unwrap();
    let next = LeadNetwork {
        version: 2,
        routing: settings.routing.clone().default_dealer(d1.clone()),
        ..settings.clone()
    };
    store
        .save_lead_network(Some(&settings), &next)
        .await
        .unwrap();
    assert_eq!(
        store.save_lead_network(Some(&settings), &next).await,
        Err(StoreError::Conflict {
            entity: Entity::LeadNetwork
        })
    );
    assert_eq!(store.lead_network(&network).await.unwrap(), Some(next));

    assert!(store.dealer_hours(&d1).await.unwrap().is_none());
    let hours = DealerHours::mon_sat(
        chrono_tz::Asia::Vladivostok,
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
    )
    .unwrap();
    store
        .put_dealer_hours(&d1, &hours, minutes(0), None)
        .await
        .unwrap();
    assert_eq!(store.dealer_hours(&d1).await.unwrap(), Some(hours));
}
