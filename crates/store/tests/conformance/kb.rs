//! Conformance cases for knowledge-base articles and their versions, run on both engines
//! (`kb::on_dynoxide::<case>`, `kb::on_moto::<case>`).

use crate::Ctx;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dealerdesk_domain::kb::{
    Article, ArticleAction, ArticleDraft, ArticleEvent, ArticleStatus, Section,
};
use dealerdesk_domain::{Actor, Role, UserId};
use dealerdesk_store::{Entity, KbRepo, StoreError};

engine_suite!(
    an_article_comes_with_its_versions_and_a_stale_save_writes_nothing,
    every_article_is_listed_by_section_and_slug,
);

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, minute, 0).unwrap()
}

fn editor() -> Actor {
    Actor {
        user_id: UserId::new("user-specialist"),
        role: Role::Specialist,
        dealer_id: None,
    }
}

fn sections() -> Vec<Section> {
    ["lidy", "rabota-s-saitom"]
        .iter()
        .map(|s| Section {
            slug: s.to_string(),
            title: s.to_string(),
            description: String::new(),
        })
        .collect()
}

fn article(slug: &str, section: &str) -> (Article, ArticleEvent) {
    let fields = ArticleDraft {
        slug: Some(slug.into()),
        section: Some(section.into()),
        title: Some(format!("Статья {slug}")),
        tags: Some(vec!["тег".into()]),
        summary: Some("Кратко.".into()),
        body: Some("Текст.".into()),
    }
    .validate(&sections())
    .unwrap();
    Article::create(
        fields,
        &editor(),
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        at(0),
    )
    .unwrap()
}

async fn an_article_comes_with_its_versions_and_a_stale_save_writes_nothing(ctx: &Ctx) {
    let store = &ctx.store;
    let who = editor();
    let (draft, created) = article("redirekty", "rabota-s-saitom");
    store.create_article(&draft, &created).await.unwrap();
    assert_eq!(
        store.create_article(&draft, &created).await,
        Err(StoreError::AlreadyExists)
    );
    let (published, event) = draft.publish(&who, vec![], at(1)).unwrap();
    store.save_article(&published, 1, &event).await.unwrap();
    // Someone else's save on version 1 again: refused, nothing written.
    let (stale, stale_event) = draft.publish(&who, vec![], at(2)).unwrap();
    assert_eq!(
        store.save_article(&stale, 1, &stale_event).await,
        Err(StoreError::Conflict {
            entity: Entity::Article
        })
    );
    let (stored, history) = store
        .article_with_history("redirekty")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, published);
    assert_eq!(stored.status, ArticleStatus::Published);
    let actions: Vec<_> = history.iter().map(|e| (e.version, e.action)).collect();
    assert_eq!(
        actions,
        vec![(1, ArticleAction::Created), (2, ArticleAction::Published)]
    );
    assert_eq!(store.article("net-takoi").await.unwrap(), None);
}

async fn every_article_is_listed_by_section_and_slug(ctx: &Ctx) {
    let store = &ctx.store;
    for (slug, section) in [
        ("steidzhi", "rabota-s-saitom"),
        ("statusy-zayavok", "lidy"),
        ("meta-tegi", "rabota-s-saitom"),
    ] {
        let (a, event) = article(slug, section);
        store.create_article(&a, &event).await.unwrap();
    }
    let listed: Vec<_> = store
        .articles()
        .await
        .unwrap()
        .into_iter()
        .map(|a| format!("{}/{}", a.section, a.slug))
        .collect();
    assert_eq!(
        listed,
        [
            "lidy/statusy-zayavok",
            "rabota-s-saitom/meta-tegi",
            "rabota-s-saitom/steidzhi"
        ]
    );
}
