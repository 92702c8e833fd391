//! Conformance cases for the sites that post leads, their key claims, spam counters and the
//! webhook's post counters, on both engines (`lead_sites::on_dynoxide::<case>`,
//! `lead_sites::on_moto::<case>`).

use crate::{Ctx, minutes};
use dealerdesk_domain::lead::{Site, SiteId, SiteOwner, SiteSettings, SpamReason};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_store::{PostLimitRepo, SiteRepo, StoreError};

engine_suite!(
    a_site_is_found_by_its_key_until_the_key_is_rotated_or_the_site_revoked,
    spam_is_counted_per_site_and_listed_with_the_sites,
    posts_are_counted_per_scope_and_window,
);

fn site(id: &str, key_hash: &str, owner: SiteOwner) -> Site {
    Site::new(
        SiteId::new(id),
        owner,
        SiteSettings {
            name: "Сайт".into(),
            origins: vec!["https://a.example".into()],
            thank_you_url: None,
            consent_version: "v1".into(),
        },
        key_hash.into(),
        minutes(0),
    )
}

fn dealer(id: &str) -> SiteOwner {
    SiteOwner::Dealer {
        dealer_id: DealerId::new(id),
    }
}

async fn a_site_is_found_by_its_key_until_the_key_is_rotated_or_the_site_revoked(ctx: &Ctx) {
    let s = &ctx.store;
    let first = site("site-1", "hash-1", dealer("d1"));
    s.create_site(&first).await.unwrap();
    assert_eq!(
        s.site_by_key_hash("hash-1").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(s.site(&first.id).await.unwrap(), Some(first.clone()));
    // Another site with the same id, or claiming the same key: nothing written.
    assert_eq!(
        s.create_site(&site("site-1", "hash-9", dealer("d2"))).await,
        Err(StoreError::AlreadyExists)
    );
    assert_eq!(
        s.create_site(&site("site-2", "hash-1", dealer("d2"))).await,
        Err(StoreError::AlreadyExists)
    );
    assert_eq!(s.site(&SiteId::new("site-2")).await.unwrap(), None);

    let rotated = first.rotated("hash-2".into(), minutes(5)).unwrap();
    s.save_site(&rotated, first.version, &first.key_hash)
        .await
        .unwrap();
    assert_eq!(s.site_by_key_hash("hash-1").await.unwrap(), None);
    assert_eq!(
        s.site_by_key_hash("hash-2").await.unwrap(),
        Some(rotated.clone())
    );
    // A save from the version before the rotation is stale.
    let stale = first.revoked(minutes(6)).unwrap();
    assert!(matches!(
        s.save_site(&stale, first.version, &first.key_hash).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        s.site_by_key_hash("hash-2").await.unwrap(),
        Some(rotated.clone())
    );

    let revoked = rotated.revoked(minutes(7)).unwrap();
    s.save_site(&revoked, rotated.version, &rotated.key_hash)
        .await
        .unwrap();
    assert_eq!(s.site_by_key_hash("hash-2").await.unwrap(), None);
    assert_eq!(s.site(&revoked.id).await.unwrap(), Some(revoked));
}

async fn spam_is_counted_per_site_and_listed_with_the_sites(ctx: &Ctx) {
    let s = &ctx.store;
    s.create_site(&site("site-a", "ha", dealer("d1")))
        .await
        .unwrap();
    s.create_site(&site(
        "site-b",
        "hb",
        SiteOwner::Brand {
            network_id: NetworkId::new("n1"),
        },
    ))
    .await
    .unwrap();
    let a = SiteId::new("site-a");
    for reason in [
        SpamReason::Honeypot,
        SpamReason::TooFast,
        SpamReason::TooFast,
    ] {
        s.count_spam(&a, reason).await.unwrap();
    }
    let sites = s.sites().await.unwrap();
    let ids: Vec<&str> = sites.iter().map(|x| x.site.id.as_str()).collect();
    assert_eq!(ids, ["site-a", "site-b"]);
    assert_eq!(sites[0].spam_total(), 3);
    assert_eq!(sites[0].spam.get("too_fast"), Some(&2));
    assert_eq!(sites[1].spam_total(), 0);
    // Counting spam never touches the site's version.
    assert_eq!(s.site(&a).await.unwrap().unwrap().version, 1);
}

async fn posts_are_counted_per_scope_and_window(ctx: &Ctx) {
    let s = &ctx.store;
    let expires = minutes(30);
    for n in 1..=3 {
        assert_eq!(
            s.count_post("SITE#a", minutes(0), expires).await.unwrap(),
            n
        );
    }
    assert_eq!(
        s.count_post("SITE#a", minutes(10), expires).await.unwrap(),
        1
    );
    assert_eq!(
        s.count_post("SITE#a#ADDR#10.0.0.1", minutes(0), expires)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.look_up_post(Some(("site:a", "post:x")), &[], minutes(0))
            .await
            .unwrap()
            .earlier,
        None
    );
}
