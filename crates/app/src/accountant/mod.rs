//! A dealer's accountant (issue 10): the dealer's own staff (or an admin) invites the
//! accountant by e-mail; the accountant sets a password once through a signed link valid
//! [`INVITE_DAYS`] days and then sees the dealer's dashboard figures and documents, nothing
//! else (the scope table gives the `accountant` role no tickets, wishes or leads). A revoked
//! accountant's account is removed with its e-mail claim, and a live session of it stops
//! working at the next request ([`crate::kernel::caller::authenticate`] checks that an
//! accountant still exists).
//!
//! The invitation is no item of its own: the invited user carries a password marker
//! (`invited:<nonce>`) that no password matches, and the link signs `<user>.<nonce>`. Setting
//! the password replaces the marker on the condition that it is unchanged, so the link
//! works once; a revoked invitee is gone, so its link finds nobody.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

use crate::AppState;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use crate::kernel::names::dealer_name;
use crate::kernel::sign::{self, TokenError};
use crate::kernel::visibility::ensure_visible;
use crate::session::normalise_email;
use crate::users::PASSWORD_MIN;
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::error::FieldError;
use dealerdesk_domain::kernel::{Area, Refusal, RefusalKind};
use dealerdesk_domain::{Actor, Audience, DealerId, Notice, Role, UserId, ValidationError};
use dealerdesk_store::{AccountantRepo, DirectoryRepo, StoreError, UserRecord, UserRepo};
use serde::Deserialize;

/// How long an invitation link is valid.
pub const INVITE_DAYS: i64 = 7;
/// What invitation tokens are signed for.
const PURPOSE: &str = "accountant_invite";
/// The password marker of an invited accountant who has not set a password yet.
const INVITED: &str = "invited:";

/// The dealer's form: whom to invite.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InviteDraft {
    pub email: Option<String>,
    pub name: Option<String>,
}

/// An accountant of a dealer, as listed.
#[derive(Clone, Debug)]
pub struct Accountant {
    pub user: UserRecord,
    /// Still waiting for the password to be set through the link.
    pub pending: bool,
}

impl Accountant {
    fn of(user: UserRecord) -> Accountant {
        let pending = user.password_hash.starts_with(INVITED);
        Accountant { user, pending }
    }
}

/// The dealer exists and `actor` may manage its accountants (a foreign dealer is a 404, a
/// role without accountants a 403).
async fn ensure_manages(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<(), AppError> {
    ensure_visible(state, actor, Area::Accountants, dealer).await?;
    if state.store.dealer(dealer).await?.is_none() {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// The path of the invitation link of `user` with `nonce`, sent at `now`. The letter puts
/// the portal's address in front when the outbox sends it, so the HTTP function needs no
/// address of its own (in AWS it could not know the API's without a circular reference).
fn link(state: &AppState, user: &UserId, nonce: &str, now: DateTime<Utc>) -> String {
    let token = sign::sign(
        &state.settings.signing_key,
        PURPOSE,
        &format!("{user}.{nonce}"),
        now + Duration::days(INVITE_DAYS),
    );
    format!("/invite/{token}")
}

/// Invites an accountant for `dealer`: the user (no password yet) and the e-mail with the
/// link, in one transaction.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
    draft: &InviteDraft,
) -> Result<Accountant, AppError> {
    ensure_manages(state, actor, dealer).await?;
    let mut errors = Vec::new();
    let email = normalise_email(draft.email.as_deref().unwrap_or_default());
    let valid_email = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
    if !valid_email {
        errors.push(FieldError {
            field: "email",
            message: "Укажите корректный e-mail бухгалтера.".into(),
        });
    }
    let name = dealerdesk_domain::kernel::clean_line(draft.name.as_deref().unwrap_or_default());
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError {
            field: "name",
            message: "Укажите имя бухгалтера (до 200 символов).".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    let now = state.clock.now();
    let nonce = auth::new_token();
    let user = UserRecord {
        id: UserId::new(ulid::Ulid::new().to_string()),
        email,
        name,
        role: Role::Accountant,
        dealer_id: Some(dealer.clone()),
        password_hash: format!("{INVITED}{nonce}"),
        created_at: now,
    };
    let dealer_name = dealer_name(state, dealer).await?;
    let notice = Notice::new(
        format!("accountant-invite:{}", user.id),
        "accountant_invite",
        Audience::User {
            user_id: user.id.clone(),
        },
        now,
    )
    .with("name", user.name.clone())
    .with("dealer_name", dealer_name)
    .with("link", link(state, &user.id, &nonce, now))
    .with("days", INVITE_DAYS.to_string());
    match state.store.invite_accountant(&user, &[notice]).await {
        Ok(()) => Ok(Accountant::of(user)),
        Err(StoreError::AlreadyExists) => {
            Err(ValidationError::field("email", "Пользователь с таким e-mail уже есть.").into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The dealer's accountants, by e-mail.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<Vec<Accountant>, AppError> {
    ensure_manages(state, actor, dealer).await?;
    Ok(state
        .store
        .users_of_dealer(dealer)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Accountant)
        .map(Accountant::of)
        .collect())
}

/// Revokes an accountant of `dealer`: the account and its e-mail go, its sessions stop
/// working. Anyone who is not this dealer's accountant is a 404.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
    user: &UserId,
) -> Result<(), AppError> {
    ensure_manages(state, actor, dealer).await?;
    let Some(record) = state.store.user(user).await? else {
        return Err(AppError::not_found());
    };
    if record.role != Role::Accountant || record.dealer_id.as_ref() != Some(dealer) {
        return Err(AppError::not_found());
    }
    match state.store.remove_user(&record).await {
        Ok(()) => {
            // Its sessions stop here at once, on other instances within a minute.
            crate::kernel::caller::forget_sessions_of(state, &record.id);
            tracing::info!(user = %record.id, dealer = %dealer, "accountant revoked");
            Ok(())
        }
        // Revoked by someone else meanwhile: it is gone either way.
        Err(StoreError::Conflict { .. }) => Err(AppError::not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The refusal of a link that is not ours or no longer leads anywhere.
pub fn invited_link_refusal() -> AppError {
    invalid_link()
}

fn invalid_link() -> AppError {
    AppError::Refused(Refusal::new(
        RefusalKind::NotFound,
        "invite_link_invalid",
        "Ссылка-приглашение недействительна: возможно, пароль по ней уже задан или приглашение отозвано.",
    ))
}

/// The invited accountant behind a link, while it still sets a password.
pub async fn invited(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<UserRecord, AppError> {
    let signed = match sign::verify(&state.settings.signing_key, PURPOSE, token, now) {
        Ok(signed) => signed,
        Err(TokenError::Invalid) => return Err(invalid_link()),
        Err(TokenError::Expired) => {
            return Err(AppError::Refused(Refusal::new(
                RefusalKind::Gone,
                "invite_link_expired",
                format!(
                    "Срок действия приглашения ({INVITE_DAYS} дней) истёк. Попросите дилера пригласить вас ещё раз."
                ),
            )));
        }
    };
    let (user, nonce) = signed.data.split_once('.').ok_or_else(invalid_link)?;
    let user = state
        .store
        .user(&UserId::new(user))
        .await?
        .ok_or_else(invalid_link)?;
    let expected = format!("{INVITED}{nonce}");
    if user.role != Role::Accountant || !auth::secrets_equal(&user.password_hash, &expected) {
        return Err(invalid_link());
    }
    Ok(user)
}

/// Sets the invited accountant's password through the link, once.
pub async fn accept(
    state: &AppState,
    token: &str,
    password: &str,
    repeat: &str,
) -> Result<UserRecord, AppError> {
    let user = invited(state, token, state.clock.now()).await?;
    let mut errors = Vec::new();
    if password.chars().count() < PASSWORD_MIN {
        errors.push(FieldError {
            field: "password",
            message: format!("Пароль — не короче {PASSWORD_MIN} символов."),
        });
    } else if password != repeat {
        errors.push(FieldError {
            field: "repeat",
            message: "Пароли не совпадают.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    let marker = user.password_hash.clone();
    let hash = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || auth::hash_password(&password))
            .await
            .map_err(|e| AppError::Config(format!("password hashing failed: {e}")))??
    };
    let user = UserRecord {
        password_hash: hash,
        ..user
    };
    match state.store.set_invited_password(&user, &marker).await {
        Ok(()) => Ok(user),
        Err(StoreError::Conflict { .. }) => Err(invalid_link()),
        Err(e) => Err(e.into()),
    }
}
