//! Demo data: one brand network, four dealers, a user of every role, a website per dealer
//! and the brand's (fixed keys `demo-site-1` … `demo-site-4`, `demo-brand-site`). The logins
//! and keys are fixed so that any tester can rely on them (README lists them). [`history`] gives the
//! network a few weeks of support work.

pub mod billing;
pub mod history;

use crate::AppState;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use crate::session::normalise_email;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{Assignments, DealerHours, Direction, RoutingTable};
use dealerdesk_domain::{DealerId, NetworkId, Role, UserId};
use dealerdesk_store::{
    DealerRecord, DirectoryRepo, LeadNetwork, LeadNetworkRepo, NetworkRecord, StoreError,
    UserRecord, UserRepo,
};

/// The password of every demo user (demo data only).
pub const DEMO_PASSWORD: &str = "demo-password";

/// (id, e-mail, name, role, dealer)
pub const DEMO_USERS: [(&str, &str, &str, Role, Option<&str>); 11] = [
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
        "user-dealer4",
        "dealer4@demo.local",
        "Алексей Приморский",
        Role::Dealer,
        Some("dealer-4"),
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
        "user-rep2",
        "rep2@demo.local",
        "Наталья Восточная",
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
const DEMO_DEALERS: [(&str, &str, &str, &str, Option<&str>); 4] = [
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
    (
        "dealer-4",
        "Автоцентр Восток",
        "Владивосток",
        "Asia/Vladivostok",
        Some("user-manager"),
    ),
];

/// The brand site's routing: (city, region, dealer); the network's default is dealer-1.
const DEMO_ROUTING: [(&str, &str, &str); 4] = [
    ("Москва", "Московская область", "dealer-1"),
    ("Краснодар", "Краснодарский край", "dealer-2"),
    ("Екатеринбург", "Свердловская область", "dealer-3"),
    ("Владивосток", "Приморский край", "dealer-4"),
];

/// Which representative observes which dealer in which direction: two representatives
/// with different dealers and directions (SPEC §4.2).
const DEMO_ASSIGNMENTS: [(&str, Direction, &str); 12] = [
    ("dealer-1", Direction::Sales, "user-rep"),
    ("dealer-1", Direction::Service, "user-rep"),
    ("dealer-1", Direction::Parts, "user-rep"),
    ("dealer-2", Direction::Sales, "user-rep"),
    ("dealer-2", Direction::Service, "user-rep"),
    ("dealer-2", Direction::Parts, "user-rep2"),
    ("dealer-3", Direction::Sales, "user-rep2"),
    ("dealer-3", Direction::Service, "user-rep2"),
    ("dealer-3", Direction::Parts, "user-rep2"),
    ("dealer-4", Direction::Sales, "user-rep2"),
    ("dealer-4", Direction::Service, "user-rep"),
    ("dealer-4", Direction::Parts, "user-rep"),
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
    seed_leads_network(state, &network, now).await?;
    billing::seed(state, now).await?;
    crate::kb_suggest::seed(state, now).await?;
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
    crate::dealer_survey::seed_demo(state, now).await?;
    Ok(report)
}

/// The network's routing rules and assignments, and every dealer's showroom hours
/// (Monday to Saturday 09:00–20:00 local, Sunday closed): set only where nothing is yet,
/// so what the brand or an admin changed stays.
async fn seed_leads_network(
    state: &AppState,
    network: &NetworkId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let dealers = DEMO_DEALERS.map(|(id, ..)| DealerId::new(id));
    let routing = DEMO_ROUTING.iter().fold(
        RoutingTable::new(dealers.clone()).default_dealer(DealerId::new("dealer-1")),
        |table, (city, region, dealer)| {
            table
                .city(city, DealerId::new(*dealer))
                .region(region, DealerId::new(*dealer))
        },
    );
    let assignments =
        DEMO_ASSIGNMENTS
            .iter()
            .fold(Assignments::new(), |a, (dealer, direction, rep)| {
                a.assign(DealerId::new(*dealer), *direction, UserId::new(*rep))
            });
    let settings = LeadNetwork {
        network: network.clone(),
        routing,
        assignments,
        updated_at: now,
        updated_by: None,
        version: 1,
    };
    match state.store.save_lead_network(None, &settings).await {
        Ok(()) | Err(StoreError::AlreadyExists | StoreError::Conflict { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    state.lead_copies.networks.evict(&settings.network);
    for (id, _, _, tz, _) in DEMO_DEALERS {
        let dealer = DealerId::new(id);
        if state.store.dealer_hours(&dealer).await?.is_some() {
            continue;
        }
        let tz = tz
            .parse()
            .map_err(|_| AppError::Config(format!("demo zone {tz}")))?;
        let hours = DealerHours::mon_sat(tz, crate::lead::hm(9, 0), crate::lead::hm(20, 0))
            .map_err(|e| AppError::Config(format!("demo hours: {e}")))?;
        state
            .store
            .put_dealer_hours(&dealer, &hours, now, None)
            .await?;
        state.lead_copies.hours.evict(&dealer);
    }
    Ok(())
}
