//! Demo data: one brand network, three dealers, a user of every role. The logins are
//! fixed so that any tester can rely on them (README lists them). [`history`] gives the
//! network a few weeks of support work.

pub mod history;

use crate::AppState;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use crate::session::normalise_email;
use chrono::{DateTime, Utc};
use dealerdesk_domain::{DealerId, NetworkId, Role, UserId};
use dealerdesk_store::{
    DealerRecord, DirectoryRepo, NetworkRecord, StoreError, UserRecord, UserRepo,
};

/// The password of every demo user (demo data only).
pub const DEMO_PASSWORD: &str = "demo-password";

/// (id, e-mail, name, role, dealer)
pub const DEMO_USERS: [(&str, &str, &str, Role, Option<&str>); 9] = [
    (
        "user-dealer1",
        "dealer1@demo.local",
        "Ирина Северова",
        Role::Dealer,
        Some("dealer-1"),
    ),
    (
        "user-dealer2",
        "dealer2@demo.local",
        "Павел Южный",
        Role::Dealer,
        Some("dealer-2"),
    ),
    (
        "user-dealer3",
        "dealer3@demo.local",
        "Олег Уральский",
        Role::Dealer,
        Some("dealer-3"),
    ),
    (
        "user-accountant1",
        "accountant1@demo.local",
        "Мария Счётова",
        Role::Accountant,
        Some("dealer-1"),
    ),
    (
        "user-specialist",
        "specialist@demo.local",
        "Анна Поддержкина",
        Role::Specialist,
        None,
    ),
    (
        "user-manager",
        "manager@demo.local",
        "Дмитрий Клиентов",
        Role::AccountManager,
        None,
    ),
    (
        "user-rep",
        "rep@demo.local",
        "Сергей Регионов",
        Role::RegionalRep,
        None,
    ),
    (
        "user-brand",
        "brand@demo.local",
        "Елена Брендова",
        Role::BrandAdmin,
        None,
    ),
    (
        "user-admin",
        "admin@demo.local",
        "Администратор платформы",
        Role::Admin,
        None,
    ),
];

/// (id, name, city, time zone, account manager)
const DEMO_DEALERS: [(&str, &str, &str, &str, Option<&str>); 3] = [
    (
        "dealer-1",
        "Автоцентр Север",
        "Москва",
        "Europe/Moscow",
        Some("user-manager"),
    ),
    (
        "dealer-2",
        "Автоцентр Юг",
        "Краснодар",
        "Europe/Moscow",
        Some("user-manager"),
    ),
    (
        "dealer-3",
        "Автоцентр Урал",
        "Екатеринбург",
        "Asia/Yekaterinburg",
        None,
    ),
];

/// What a seeding run created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub users_created: usize,
    pub users_existing: usize,
}

/// Creates the demo network, dealers and users; running it again changes nothing.
pub async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<SeedReport, AppError> {
    let network = NetworkId::new("network-demo");
    state
        .store
        .put_network(&NetworkRecord {
            id: network.clone(),
            name: "Демо-сеть Nissan".into(),
        })
        .await?;
    for (id, name, city, tz, manager) in DEMO_DEALERS {
        state
            .store
            .put_dealer(&DealerRecord {
                id: DealerId::new(id),
                network_id: network.clone(),
                name: name.into(),
                city: city.into(),
                timezone: tz.into(),
                account_manager_id: manager.map(UserId::new),
            })
            .await?;
    }
    let mut report = SeedReport::default();
    for (id, email, name, role, dealer) in DEMO_USERS {
        if state.store.user_by_email(email).await?.is_some() {
            report.users_existing += 1;
            continue;
        }
        let user = UserRecord {
            id: UserId::new(id),
            email: normalise_email(email),
            name: name.into(),
            role,
            dealer_id: dealer.map(DealerId::new),
            password_hash: auth::hash_password(DEMO_PASSWORD)?,
            created_at: now,
        };
        match state.store.create_user(&user).await {
            Ok(()) => report.users_created += 1,
            Err(StoreError::AlreadyExists) => report.users_existing += 1,
            Err(e) => return Err(e.into()),
        }
    }
    crate::lead::intake::sites::seed_demo(state, network.as_str()).await?;
    Ok(report)
}
