//! The demo network's billing: the platform's requisites (22 % VAT included), every demo
//! dealer's requisites and a realistic subscription — ЦСО, modules connected over the years
//! (one mid-quarter in Q4 2026, so the bill shows a pro-rata line) and an hour package or
//! none. Set only where nothing is yet, so what an admin changed stays.

use crate::AppState;
use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};
use dealerdesk_domain::billing::requisites::{BillingSettings, RequisitesDraft};
use dealerdesk_domain::billing::subscription::{
    ModuleDraft, SubscriptionDraft, change_subscription,
};
use dealerdesk_domain::{Actor, DealerId, Role, UserId};
use dealerdesk_store::{BillingRepo, DealerRequisites, StoreError};

/// The demo platform as seller.
fn platform() -> RequisitesDraft {
    RequisitesDraft {
        legal_name: Some("ООО «ДилерДеск»".into()),
        inn: Some("7701234560".into()),
        kpp: Some("770101001".into()),
        address: Some("125009, г. Москва, ул. Тверская, д. 7, офис 12".into()),
        bank_name: Some("АО «Демо-Банк», г. Москва".into()),
        bik: Some("044525999".into()),
        account: Some("40702810000000000001".into()),
        correspondent_account: Some("30101810400000000999".into()),
    }
}

/// (dealer, legal name, ИНН, КПП, address)
const DEALERS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "dealer-1",
        "ООО «Автоцентр Север»",
        "7712345671",
        "771201001",
        "127018, г. Москва, ул. Сущёвский Вал, д. 5",
    ),
    (
        "dealer-2",
        "ООО «Автоцентр Юг»",
        "2310123454",
        "231001001",
        "350000, г. Краснодар, ул. Красная, д. 120",
    ),
    (
        "dealer-3",
        "ООО «Автоцентр Урал»",
        "6670123457",
        "667001001",
        "620014, г. Екатеринбург, ул. Малышева, д. 51",
    ),
    (
        "dealer-4",
        "ООО «Автоцентр Восток»",
        "2540123459",
        "254001001",
        "690091, г. Владивосток, ул. Светланская, д. 33",
    ),
];

/// (dealer, ЦСО since, modules (item, connected on), package, АВН/АСП, contract)
type DemoSubscription = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
    bool,
    &'static str,
);

const SUBSCRIPTIONS: [DemoSubscription; 4] = [
    (
        "dealer-1",
        "2024-03-01",
        &[
            ("stock_and_used", "2024-03-01"),
            ("calculator_both", "2024-06-01"),
            ("hosting", "2024-03-01"),
            ("ssl", "2024-03-01"),
            ("trade_in", "2025-02-01"),
        ],
        Some("hours_30"),
        false,
        "Договор № 17 от 01.03.2024",
    ),
    (
        "dealer-2",
        "2025-01-15",
        &[
            ("stock_or_used", "2025-01-15"),
            ("calculator_one", "2025-01-15"),
            ("ssl", "2025-01-15"),
        ],
        Some("hours_15"),
        false,
        "Договор № 23 от 15.01.2025",
    ),
    (
        "dealer-3",
        "2025-09-01",
        &[("stock_or_used", "2025-09-01"), ("landing", "2026-11-16")],
        None,
        false,
        "Договор № 31 от 01.09.2025",
    ),
    (
        "dealer-4",
        "2024-10-01",
        &[
            ("stock_and_used", "2024-10-01"),
            ("accessories_shop", "2025-04-01"),
            ("online_payment", "2026-10-20"),
        ],
        Some("hours_60"),
        true,
        "Договор № 9 от 01.10.2024",
    ),
];

/// Seeds what is missing.
pub async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<(), AppError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| AppError::Config(format!("demo {what}: {e}"));
    let settings = state.store.billing_settings().await?;
    if settings.version == 0 {
        let seller = platform().validate().map_err(|e| bad("platform", &e))?;
        let next = BillingSettings {
            seller: Some(seller),
            version: 1,
            ..settings.clone()
        };
        match state
            .store
            .save_billing_settings(&next, &settings, now, None)
            .await
        {
            Ok(()) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    for (id, name, inn, kpp, address) in DEALERS {
        let dealer = DealerId::new(id);
        if state.store.dealer_requisites(&dealer).await?.is_some() {
            continue;
        }
        let requisites = RequisitesDraft {
            legal_name: Some(name.into()),
            inn: Some(inn.into()),
            kpp: Some(kpp.into()),
            address: Some(address.into()),
            ..RequisitesDraft::default()
        }
        .validate()
        .map_err(|e| bad("requisites", &e))?;
        let record = DealerRequisites {
            dealer_id: dealer,
            requisites,
            updated_at: now,
            updated_by: None,
            version: 1,
        };
        match state.store.save_dealer_requisites(&record, None).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let admin = Actor {
        user_id: UserId::new("user-admin"),
        role: Role::Admin,
        dealer_id: None,
    };
    for (id, since, modules, package, avn_asp, contract) in SUBSCRIPTIONS {
        let dealer = DealerId::new(id);
        if state.store.subscription(&dealer).await?.is_some() {
            continue;
        }
        let draft = SubscriptionDraft {
            cso_since: Some(since.into()),
            modules: modules
                .iter()
                .map(|(item, on)| ModuleDraft {
                    item: (*item).into(),
                    connected_on: Some((*on).into()),
                    disconnected_on: None,
                })
                .collect(),
            package: package.map(Into::into),
            in_russia: true,
            avn_asp,
            contract: Some(contract.into()),
        };
        let Some((sub, change)) = change_subscription(None, &admin, &dealer, &draft, now)
            .map_err(|e| bad("subscription", &e))?
        else {
            continue;
        };
        match state.store.save_subscription(&sub, None, &change).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
