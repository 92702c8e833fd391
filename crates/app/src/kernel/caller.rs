//! Who is asking: the API caller (bearer token) and the portal caller (session cookie).

use crate::AppState;
use crate::kernel::auth::{self, Principal};
use crate::kernel::error::AppError;
use crate::kernel::names::user_names;
use crate::kernel::templates::error_page;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::kernel::{Area, RefusalKind};
use dealerdesk_domain::{Actor, Role};
use dealerdesk_store::{InboxRepo, SessionRepo, UserRepo};
use minijinja::{Value, context};

/// Finds the live session of a token.
///
/// A warm instance reads a session from the table at most once a minute
/// ([`crate::kernel::fresh`]): a logout made here ends it at once ([`forget_session`]), a
/// logout or an accountant's revocation made on another instance within that minute.
/// Sessions past their expiry are never taken from the copy.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let hash = auth::token_hash(token);
    let now = state.clock.now();
    if let Some(principal) = state.sessions.get(&hash)
        && principal.session.expires_at > now
    {
        return Ok(principal);
    }
    let session = state
        .store
        .session(&hash, now)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    // A revoked accountant's account is gone; its sessions must stop, not run until they
    // expire. Accountants are few, so the extra read costs the others nothing.
    if session.role == Role::Accountant {
        let live = state.store.user(&session.user_id).await?;
        if live.is_none_or(|u| u.role != session.role || u.dealer_id != session.dealer_id) {
            return Err(AppError::unauthenticated());
        }
    }
    let principal = Principal {
        actor: Actor {
            user_id: session.user_id.clone(),
            role: session.role,
            dealer_id: session.dealer_id.clone(),
        },
        session,
    };
    state.sessions.put(hash, principal.clone());
    Ok(principal)
}

/// Forgets this instance's copy of a token's session (a logout here takes effect at once).
pub fn forget_session(state: &AppState, token_hash: &str) {
    state.sessions.evict(&token_hash.to_owned());
}

/// Forgets this instance's copies of every session of `user` (a revoked account).
pub fn forget_sessions_of(state: &AppState, user: &dealerdesk_domain::UserId) {
    state
        .sessions
        .evict_where(|_, principal| principal.actor.user_id == *user);
}

/// The caller of an API request, authenticated by its bearer token.
pub struct ApiCaller(pub Principal);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = auth::bearer_token(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        Ok(ApiCaller(authenticate(state, token).await?))
    }
}

/// The logged-in portal user, by session cookie; anyone else is sent to the login page.
#[derive(Clone)]
pub struct PortalCaller {
    pub principal: Principal,
    pub name: String,
    /// Unread notifications in the caller's inbox, for the header (one read).
    pub unread: u64,
}

impl FromRequestParts<AppState> for PortalCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = auth::cookie(&parts.headers, auth::SESSION_COOKIE) else {
            return Err(Redirect::to("/login").into_response());
        };
        let principal = match authenticate(state, token).await {
            Ok(p) => p,
            Err(e) if e.kind() == Some(RefusalKind::Unauthenticated) => {
                return Err(Redirect::to("/login").into_response());
            }
            Err(e) => return Err(error_page(state, None, &e)),
        };
        let name = user_names(state, std::slice::from_ref(&principal.actor.user_id))
            .await
            .ok()
            .and_then(|mut names| names.remove(&principal.actor.user_id))
            .unwrap_or_default();
        // The header's count is a convenience: a failed read shows none, not an error page.
        let unread = match state.store.unread_count(&principal.actor.user_id).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "unread notifications not counted");
                0
            }
        };
        Ok(PortalCaller {
            principal,
            name,
            unread,
        })
    }
}

impl PortalCaller {
    /// The layout's context: who is logged in and which menu entries they get.
    pub fn layout(&self) -> Value {
        let actor = &self.principal.actor;
        let role = actor.role;
        context! {
            name => self.name.clone(),
            role => role.code(),
            role_label => role.label(),
            csrf => self.principal.session.csrf.clone(),
            files_tickets => actor.filing_dealer().is_some(),
            reads_tickets => actor.reads_tickets(),
            is_admin => role == Role::Admin,
            reads_wishes => actor.scope(Area::Wishes).is_open(),
            reads_documents => actor.scope(Area::Documents).is_open(),
            edits_subscriptions => dealerdesk_domain::billing::subscription::may_edit(role),
            reads_survey_results => actor.scope(Area::SurveyResults).is_open(),
            writes_kb => dealerdesk_domain::kb::may_edit_articles(role),
            reads_leads => actor.reads_leads(),
            unread => self.unread,
            watches_overdue_leads => matches!(role, Role::RegionalRep | Role::BrandAdmin | Role::Admin),
            edits_dealer_hours => actor.scope(Area::DealerHours).is_open(),
            edits_lead_network => actor.scope(Area::LeadNetwork).is_open(),
            reads_reports => !dealerdesk_domain::report::reports_of(actor).is_empty(),
        }
    }

    /// The caller's actor.
    pub fn actor(&self) -> &Actor {
        &self.principal.actor
    }
}
