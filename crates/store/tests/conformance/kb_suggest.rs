//! Conformance cases for the knowledge-base suggestions' records, run on both engines (as
//! `kb_suggest::on_dynoxide::<case>` and `kb_suggest::on_moto::<case>`).

use crate::{Ctx, minutes};
use dealerdesk_domain::DealerId;
use dealerdesk_store::{KbSuggestRepo, SuggestEvent, SuggestEventKind, SuggestIndexPointer};

engine_suite!(
    the_current_suggestion_index_is_the_last_published,
    deflection_events_are_read_from_a_time_on_and_misses_are_counted,
);

async fn the_current_suggestion_index_is_the_last_published(ctx: &Ctx) {
    let store = &ctx.store;
    assert_eq!(store.suggest_index().await.unwrap(), None);
    for (n, version) in ["v1", "v2"].iter().enumerate() {
        let pointer = SuggestIndexPointer {
            version: version.to_string(),
            blob: format!("kb-suggest/index-{version}"),
            published_at: minutes(n as i64),
            articles: 49 + n as u64,
        };
        store.set_suggest_index(&pointer).await.unwrap();
        assert_eq!(store.suggest_index().await.unwrap(), Some(pointer));
    }
}

async fn deflection_events_are_read_from_a_time_on_and_misses_are_counted(ctx: &Ctx) {
    let store = &ctx.store;
    let dealer = DealerId::new("dealer-1");
    let event = |minute: i64, kind, slug: Option<&str>| SuggestEvent {
        at: minutes(minute),
        kind,
        dealer: dealer.clone(),
        draft: "a".repeat(64),
        slug: slug.map(str::to_string),
    };
    let opened = event(0, SuggestEventKind::Opened, Some("redirekty"));
    let filed = event(10, SuggestEventKind::Filed, None);
    store.record_suggest_event(&opened).await.unwrap();
    store.record_suggest_event(&filed).await.unwrap();
    assert_eq!(
        store.suggest_events(minutes(0)).await.unwrap(),
        vec![opened, filed.clone()]
    );
    assert_eq!(store.suggest_events(minutes(5)).await.unwrap(), vec![filed]);

    store
        .record_suggest_miss("абырвалг", &dealer, minutes(1))
        .await
        .unwrap();
    store
        .record_suggest_miss("абырвалг", &DealerId::new("dealer-2"), minutes(2))
        .await
        .unwrap();
    let misses = store.suggest_misses().await.unwrap();
    assert_eq!(misses.len(), 1);
    assert_eq!(misses[0].query, "абырвалг");
    assert_eq!(misses[0].count, 2);
    assert_eq!(misses[0].last_at, minutes(2));
    assert_eq!(misses[0].dealer, DealerId::new("dealer-2"));
}
