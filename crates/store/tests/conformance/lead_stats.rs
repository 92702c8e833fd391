//! Conformance cases for the lead counters and the survey answers by period (issue 11), run
//! on both engines (`lead_stats::on_dynoxide::<case>`, `lead_stats::on_moto::<case>`).

use crate::{Ctx, cal, dealer_actor};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use dealerdesk_domain::lead::{
    ContactOutcome, Counter, Counts, CountsRow, CustomerId, DealerHours, Direction, Lead,
    LeadChange, LeadDraft, LeadHistoryEntry, LeadId, LeadSource, LeadTally, LeadType, Placement,
    SurveyAnswer,
};
use dealerdesk_domain::{Actor, DealerId, Role, UserId};
use dealerdesk_store::{
    Entity, LeadCounterSet, LeadCreate, LeadRepo, LeadSave, LeadStatsRepo, StatsSpan, StoreError,
};
use std::collections::{BTreeMap, BTreeSet};

engine_suite!(
    the_counters_follow_every_save_and_a_stale_save_adds_nothing,
    a_period_adds_whole_months_and_the_days_at_its_edges,
    a_deleted_lead_leaves_the_counters_and_a_restore_brings_it_back,
    survey_answers_are_listed_by_the_period_of_the_answer,
    seeded_counter_items_are_read_like_saved_ones,
);

fn hours() -> DealerHours {
    let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    DealerHours::mon_sat(chrono_tz::Europe::Moscow, hm(9, 0), hm(20, 0)).unwrap()
}

fn tally(lead: &Lead) -> Option<LeadTally> {
    LeadTally::of(lead, &hours(), &cal())
}

/// A Moscow wall-clock time in 2026.
fn msk(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, month, day, hour, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

fn new_lead(id: &str, dealer: &str, kind: &str, at: DateTime<Utc>) -> Lead {
    let draft = LeadDraft {
        kind: Some(kind.into()),
        name: Some("Анна".into()),
        surname: Some("Смирнова".into()),
        phone: Some("+7 912 000-00-01".into()),
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
            observer: Some(UserId::new("rep1")),
            customer: Some(CustomerId::new(format!("C{id}"))),
        },
        at,
    )
}

async fn create(ctx: &Ctx, lead: &Lead) {
    let counted = tally(lead);
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
            tally: counted.as_ref(),
        })
        .await
        .unwrap();
}

async fn save(
    ctx: &Ctx,
    before: &Lead,
    after: &Lead,
    history: &[LeadHistoryEntry],
) -> Result<(), StoreError> {
    let counted = tally(after);
    ctx.store
        .save_lead(LeadSave {
            lead: after,
            before,
            history,
            notices: &[],
            escalate_at: None,
            customer: None,
            tally: counted.as_ref(),
        })
        .await
}

/// The counters of `from..=to` for `dealers`, by dealer and direction.
async fn counts(
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    dealers: Option<&[&str]>,
) -> BTreeMap<(String, Direction), Counts> {
    let set = dealers.map(|d| d.iter().map(|d| DealerId::new(*d)).collect::<BTreeSet<_>>());
    ctx.store
        .lead_counts(from, to, &set, LeadCounterSet::WithHeatMap)
        .await
        .unwrap()
        .into_iter()
        .map(|row| ((row.dealer.to_string(), row.direction), row.counts))
        .collect()
}

fn of(all: &BTreeMap<(String, Direction), Counts>, dealer: &str, c: Counter) -> i64 {
    all.iter()
        .filter(|((d, _), _)| d == dealer)
        .map(|(_, counts)| counts.get(&c))
        .sum()
}

async fn the_counters_follow_every_save_and_a_stale_save_adds_nothing(ctx: &Ctx) {
    // Monday 2 March 2026, 10:00 in Moscow.
    let lead = new_lead("S1", "d1", "test_drive", msk(3, 2, 10));
    create(ctx, &lead).await;
    let march = counts(ctx, day(3, 1), day(3, 31), None).await;
    assert_eq!(of(&march, "d1", Counter::Received(LeadType::TestDrive)), 1);
    assert_eq!(of(&march, "d1", Counter::Processed), 0);
    assert_eq!(of(&march, "d1", Counter::Arrived(1, 10)), 1);
    // The heat map's cells are read only when asked for: every other report reads less.
    let totals: Vec<CountsRow> = ctx
        .store
        .lead_counts(day(3, 1), day(3, 31), &None, LeadCounterSet::Totals)
        .await
        .unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!(totals[0].counts.get(&Counter::Arrived(1, 10)), 0);
    assert_eq!(
        totals[0]
            .counts
            .get(&Counter::Received(LeadType::TestDrive)),
        1
    );

    // Reached 45 working minutes later.
    let (called, history) = lead
        .apply(
            &dealer_actor("d1"),
            &[LeadChange::Contact(ContactOutcome::Yes)],
            msk(3, 2, 10) + Duration::minutes(45),
        )
        .unwrap();
    save(ctx, &lead, &called, &history).await.unwrap();
    // The same change again from the old version: refused, and nothing counted twice.
    assert_eq!(
        save(ctx, &lead, &called, &[]).await,
        Err(StoreError::Conflict {
            entity: Entity::Lead
        })
    );
    let march = counts(ctx, day(3, 1), day(3, 31), None).await;
    assert_eq!(of(&march, "d1", Counter::Received(LeadType::TestDrive)), 1);
    assert_eq!(of(&march, "d1", Counter::Processed), 1);
    assert_eq!(of(&march, "d1", Counter::Contacted), 1);
    assert_eq!(of(&march, "d1", Counter::ProcessingMinutes), 45);
    // The day item says the same as the month item.
    let the_day = counts(ctx, day(3, 2), day(3, 2), None).await;
    assert_eq!(the_day, march);
    // A comment counts nothing new.
    let (commented, history) = called
        .apply(
            &dealer_actor("d1"),
            &[LeadChange::Comment(Some("Перезвонить".into()))],
            msk(3, 2, 12),
        )
        .unwrap();
    save(ctx, &called, &commented, &history).await.unwrap();
    assert_eq!(counts(ctx, day(3, 1), day(3, 31), None).await, march);
}

async fn a_period_adds_whole_months_and_the_days_at_its_edges(ctx: &Ctx) {
    for (id, dealer, kind, at) in [
        ("P1", "d1", "service", msk(2, 27, 11)),
        ("P2", "d1", "service", msk(3, 2, 11)),
        ("P3", "d2", "parts", msk(3, 31, 23)),
        ("P4", "d1", "preorder", msk(4, 1, 1)),
        ("P5", "d2", "preorder", msk(4, 20, 12)),
    ] {
        create(ctx, &new_lead(id, dealer, kind, at)).await;
    }
    let received = |all: &BTreeMap<(String, Direction), Counts>| -> i64 {
        all.values().map(Counts::received).sum()
    };
    // 28 Feb … 1 Apr: a day range of February, March whole, a day of April.
    let ragged = counts(ctx, day(2, 28), day(4, 1), None).await;
    assert_eq!(received(&ragged), 3, "P2, P3, P4");
    assert_eq!(received(&counts(ctx, day(2, 1), day(4, 30), None).await), 5);
    // The same leads through the quarter's and the year's own items.
    assert_eq!(received(&counts(ctx, day(1, 1), day(3, 31), None).await), 3);
    assert_eq!(
        received(&counts(ctx, day(1, 1), day(12, 31), None).await),
        5
    );
    assert_eq!(
        received(&counts(ctx, day(1, 1), day(12, 31), Some(&["d2"])).await),
        2
    );
    // Directions stay apart; a dealer's scope keeps its rows only.
    let d1 = counts(ctx, day(2, 1), day(4, 30), Some(&["d1"])).await;
    assert_eq!(
        d1.keys().cloned().collect::<Vec<_>>(),
        vec![
            ("d1".to_string(), Direction::Sales),
            ("d1".to_string(), Direction::Service)
        ]
    );
    assert_eq!(of(&d1, "d1", Counter::Received(LeadType::Service)), 2);
    assert!(counts(ctx, day(5, 1), day(5, 31), None).await.is_empty());
}

async fn a_deleted_lead_leaves_the_counters_and_a_restore_brings_it_back(ctx: &Ctx) {
    let admin = Actor {
        user_id: UserId::new("admin"),
        role: Role::Admin,
        dealer_id: None,
    };
    let lead = new_lead("D1", "d3", "credit", msk(3, 10, 15));
    create(ctx, &lead).await;
    let (deleted, history) = lead.delete(&admin, msk(3, 11, 9)).unwrap();
    save(ctx, &lead, &deleted, &history).await.unwrap();
    let march = counts(ctx, day(3, 1), day(3, 31), None).await;
    assert_eq!(of(&march, "d3", Counter::Received(LeadType::Credit)), 0);
    let (restored, history) = deleted.restore(&admin, msk(3, 12, 9)).unwrap();
    save(ctx, &deleted, &restored, &history).await.unwrap();
    let march = counts(ctx, day(3, 1), day(3, 31), None).await;
    assert_eq!(of(&march, "d3", Counter::Received(LeadType::Credit)), 1);
}

async fn survey_answers_are_listed_by_the_period_of_the_answer(ctx: &Ctx) {
    let mut answered = Vec::new();
    for (id, at, answer) in [
        ("Q1", msk(3, 30, 10), SurveyAnswer::Happy),
        ("Q2", msk(4, 2, 10), SurveyAnswer::NoContact),
    ] {
        let lead = new_lead(id, "d1", "preorder", at);
        create(ctx, &lead).await;
        let (after, history) = lead
            .record_survey(answer, Some("Спасибо".into()), at + Duration::days(1))
            .unwrap();
        save(ctx, &lead, &after, &history).await.unwrap();
        answered.push(after);
    }
    // A lead nobody answered for lists nowhere.
    create(ctx, &new_lead("Q3", "d1", "preorder", msk(4, 1, 10))).await;

    let (all, more) = ctx
        .store
        .lead_survey_answers(msk(3, 1, 0), msk(5, 1, 0))
        .await
        .unwrap();
    assert!(!more);
    let ids: Vec<&str> = all.iter().map(|l| l.id().as_str()).collect();
    assert_eq!(ids, ["Q2", "Q1"], "newest answer first, across months");
    assert_eq!(all[0], answered[1]);
    let (april, _) = ctx
        .store
        .lead_survey_answers(msk(4, 1, 0), msk(5, 1, 0))
        .await
        .unwrap();
    assert_eq!(april.len(), 1);
    let counted = counts(ctx, day(3, 1), day(4, 30), None).await;
    assert_eq!(of(&counted, "d1", Counter::Survey(SurveyAnswer::Happy)), 1);
    assert_eq!(
        of(&counted, "d1", Counter::Survey(SurveyAnswer::NoContact)),
        1
    );
}

async fn seeded_counter_items_are_read_like_saved_ones(ctx: &Ctx) {
    let row = |dealer: &str, n: i64| CountsRow {
        dealer: DealerId::new(dealer),
        direction: Direction::Sales,
        counts: Counts(BTreeMap::from([
            (Counter::Received(LeadType::Preorder).code(), n),
            (Counter::Contract.code(), 1),
        ])),
    };
    let rows: Vec<(StatsSpan, CountsRow)> = (0..30)
        .map(|i| (StatsSpan::Month(day(6, 1)), row(&format!("s{i:02}"), 10)))
        .chain([(StatsSpan::Days(day(7, 3), day(7, 3)), row("s00", 2))])
        .chain([(StatsSpan::Year(2027), row("s00", 7))])
        .collect();
    ctx.store.put_lead_counts(&rows).await.unwrap();
    let june = counts(ctx, day(6, 1), day(6, 30), None).await;
    assert_eq!(june.len(), 30);
    assert_eq!(of(&june, "s07", Counter::Received(LeadType::Preorder)), 10);
    let early_july = counts(ctx, day(7, 1), day(7, 5), Some(&["s00"])).await;
    assert_eq!(of(&early_july, "s00", Counter::Contract), 1);
    assert_eq!(
        of(&early_july, "s00", Counter::Received(LeadType::Preorder)),
        2
    );
    let next_year = counts(
        ctx,
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        None,
    )
    .await;
    assert_eq!(
        of(&next_year, "s00", Counter::Received(LeadType::Preorder)),
        7
    );
}
