//! Creating people and dealers: what an operator does to open a real deployment (the
//! `dealerdesk user create` / `dealerdesk dealer create` commands call these).

use crate::AppState;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use crate::session::normalise_email;
use dealerdesk_domain::error::FieldError;
use dealerdesk_domain::{DealerId, NetworkId, Role, UserId, ValidationError};
use dealerdesk_store::{
    DealerRecord, DirectoryRepo, NetworkRecord, StoreError, UserRecord, UserRepo,
};

/// Shortest password accepted for a real user.
pub const PASSWORD_MIN: usize = 10;

/// A person to create, as typed by the operator.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub dealer_id: Option<String>,
    pub password: String,
}

/// A dealer (and its network, created when new) to create.
#[derive(Clone, Debug)]
pub struct NewDealer {
    pub id: String,
    pub name: String,
    pub city: String,
    pub timezone: String,
    pub network_id: String,
    pub network_name: String,
    pub account_manager_email: Option<String>,
}

fn field(errors: &mut Vec<FieldError>, field: &'static str, message: &str) {
    errors.push(FieldError {
        field,
        message: message.to_string(),
    });
}

/// Creates a user after checking every field; the e-mail must be new.
pub async fn create_user(state: &AppState, new: &NewUser) -> Result<UserRecord, AppError> {
    let mut errors = Vec::new();
    let email = normalise_email(&new.email);
    let valid_email = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
    });
    if !valid_email {
        field(&mut errors, "email", "Укажите корректный e-mail.");
    }
    let name = new.name.trim();
    if name.is_empty() {
        field(&mut errors, "name", "Укажите имя.");
    }
    let role = Role::from_code(new.role.trim());
    if role.is_none() {
        field(
            &mut errors,
            "role",
            "Роль: dealer, accountant, specialist, account_manager, regional_rep, brand_admin или admin.",
        );
    }
    if new.password.chars().count() < PASSWORD_MIN {
        field(&mut errors, "password", "Пароль — не короче 10 символов.");
    }
    let dealer_id = new
        .dealer_id
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    match (role, dealer_id) {
        (Some(r), None) if r.is_dealer_bound() => {
            field(&mut errors, "dealer_id", "Для этой роли укажите дилера.")
        }
        (Some(r), Some(_)) if !r.is_dealer_bound() => {
            field(&mut errors, "dealer_id", "Эта роль не привязана к дилеру.")
        }
        (_, Some(d)) if state.store.dealer(&DealerId::new(d)).await?.is_none() => {
            field(&mut errors, "dealer_id", "Такого дилера нет.")
        }
        _ => {}
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(ValidationError { errors }.into());
    };
    let user = UserRecord {
        id: UserId::new(ulid::Ulid::new().to_string()),
        email,
        name: name.to_string(),
        role,
        dealer_id: dealer_id.map(DealerId::new),
        password_hash: auth::hash_password(&new.password)?,
        created_at: state.clock.now(),
    };
    match state.store.create_user(&user).await {
        Ok(()) => Ok(user),
        Err(StoreError::AlreadyExists) => {
            Err(ValidationError::field("email", "Пользователь с таким e-mail уже есть.").into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates or updates a dealer (and its network when it is new).
pub async fn create_dealer(state: &AppState, new: &NewDealer) -> Result<DealerRecord, AppError> {
    let mut errors = Vec::new();
    let id_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !id_ok(new.id.trim()) {
        field(
            &mut errors,
            "id",
            "Идентификатор дилера: латиница, цифры, «-» и «_», до 64 символов.",
        );
    }
    if !id_ok(new.network_id.trim()) {
        field(
            &mut errors,
            "network_id",
            "Идентификатор сети: латиница, цифры, «-» и «_», до 64 символов.",
        );
    }
    if new.name.trim().is_empty() {
        field(&mut errors, "name", "Укажите название дилера.");
    }
    if new.city.trim().is_empty() {
        field(&mut errors, "city", "Укажите город.");
    }
    if new.timezone.parse::<chrono_tz::Tz>().is_err() {
        field(
            &mut errors,
            "timezone",
            "Часовой пояс в формате IANA, например Europe/Moscow.",
        );
    }
    let manager = match new
        .account_manager_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
    {
        None => None,
        Some(email) => match state.store.user_by_email(&normalise_email(email)).await? {
            Some(u) if u.role == Role::AccountManager => Some(u.id),
            _ => {
                field(
                    &mut errors,
                    "account_manager",
                    "Нет аккаунт-менеджера с таким e-mail.",
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    let network_id = NetworkId::new(new.network_id.trim());
    let network_name = Some(new.network_name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or(network_id.as_str())
        .to_string();
    state
        .store
        .put_network(&NetworkRecord {
            id: network_id.clone(),
            name: network_name,
        })
        .await?;
    let dealer = DealerRecord {
        id: DealerId::new(new.id.trim()),
        network_id,
        name: new.name.trim().to_string(),
        city: new.city.trim().to_string(),
        timezone: new.timezone.trim().to_string(),
        account_manager_id: manager,
    };
    state.store.put_dealer(&dealer).await?;
    state.lead_copies.dealers.evict(&dealer.id);
    Ok(dealer)
}
