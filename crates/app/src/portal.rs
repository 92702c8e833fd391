//! The server-rendered portal (Russian UI). Handlers parse a form, call one use case and
//! render a minijinja template; every form carries the session's CSRF token.

use crate::AppState;
use crate::auth::{self, Principal};
use crate::error::AppError;
use crate::usecases;
use crate::views::{event_view, local, ticket_json};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use dealerdesk_domain::{Action, Billing, Category, Criticality, Role, State as TicketState, TicketDraft, TicketId};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Deserialize;
use std::collections::HashMap;

/// The portal's templates, compiled into the binary so a Lambda needs no files.
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../templates/base.html")),
        ("login.html", include_str!("../templates/login.html")),
        ("tickets.html", include_str!("../templates/tickets.html")),
        ("ticket_new.html", include_str!("../templates/ticket_new.html")),
        ("ticket.html", include_str!("../templates/ticket.html")),
        ("ticket_cost.html", include_str!("../templates/ticket_cost.html")),
        ("ticket_comments.html", include_str!("../templates/ticket_comments.html")),
        ("wishes.html", include_str!("../templates/wishes.html")),
        ("wish.html", include_str!("../templates/wish.html")),
        ("error.html", include_str!("../templates/error.html")),
        ("home.html", include_str!("../templates/home.html")),
        ("dev_mail.html", include_str!("../templates/dev_mail.html")),
    ] {
        // The sources are part of the binary; a syntax error is caught by the tests
        // that render every page, so a failure here cannot depend on input.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    crate::mail::add_templates(&mut env);
    crate::sla_views::add_templates(&mut env);
    crate::calendar_portal::add_templates(&mut env);
    env
}

/// Any serialisable value for a template (our JSON views included).
pub(crate) fn serde_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

const STYLE: &str = include_str!("../templates/style.css");

/// `GET /static/style.css`
pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

pub(crate) fn render(state: &AppState, status: StatusCode, name: &str, ctx: Value) -> Response {
    match state
        .templates
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "render failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>Ошибка отображения страницы</h1>".to_string()),
            )
                .into_response()
        }
    }
}

/// The logged-in portal user, by session cookie; anyone else is sent to the login page.
pub struct PortalCaller {
    pub principal: Principal,
    pub name: String,
}

impl FromRequestParts<AppState> for PortalCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = auth::cookie(&parts.headers, auth::SESSION_COOKIE) else {
            return Err(Redirect::to("/login").into_response());
        };
        let principal = match usecases::authenticate(state, token).await {
            Ok(p) => p,
            Err(AppError::Unauthenticated) => return Err(Redirect::to("/login").into_response()),
            Err(e) => return Err(error_page(state, None, &e)),
        };
        let name = usecases::user_names(state, std::slice::from_ref(&principal.actor.user_id))
            .await
            .ok()
            .and_then(|mut names| names.remove(&principal.actor.user_id))
            .unwrap_or_default();
        Ok(PortalCaller { principal, name })
    }
}

impl PortalCaller {
    pub(crate) fn layout(&self) -> Value {
        let role = self.principal.actor.role;
        context! {
            name => self.name.clone(),
            role => role.code(),
            role_label => role.label(),
            csrf => self.principal.session.csrf.clone(),
            files_tickets => self.principal.actor.filing_dealer().is_some(),
            reads_tickets => self.principal.actor.reads_tickets(),
            is_admin => role == Role::Admin,
            reads_wishes => crate::wishes::reads_wishes(&self.principal.actor),
        }
    }
}

pub(crate) fn error_page(state: &AppState, caller: Option<&PortalCaller>, error: &AppError) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = %error, "portal request failed");
    }
    render(
        state,
        status,
        "error.html",
        context! { me => caller.map(PortalCaller::layout), status => status.as_u16(), message => error.message_ru() },
    )
}

pub(crate) fn form(body: &Bytes) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// `GET /`: ticket workers go to their tickets; other roles get their start page.
pub async fn home(State(state): State<AppState>, caller: PortalCaller) -> Response {
    let actor = &caller.principal.actor;
    if actor.reads_tickets() {
        return Redirect::to("/tickets").into_response();
    }
    let scope = match actor.role {
        Role::Accountant => "Документы вашего дилера — счета, акты и договор — появятся здесь, как только будут выставлены.",
        Role::RegionalRep => "Заявки с сайтов закреплённых за вами дилеров и эскалации по ним появятся здесь.",
        Role::BrandAdmin => "Заявки и отчёты по дилерской сети появятся здесь.",
        _ => "",
    };
    render(
        &state,
        StatusCode::OK,
        "home.html",
        context! { me => caller.layout(), scope => scope },
    )
}

fn login_page(state: &AppState, status: StatusCode, email: &str, error: Option<String>) -> Response {
    let csrf = auth::new_token();
    let mut response = render(
        state,
        status,
        "login.html",
        context! { csrf => csrf.clone(), email => email, error => error },
    );
    let cookie = auth::set_cookie(auth::LOGIN_CSRF_COOKIE, &csrf, 3600, state.settings.cookie_secure);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /login`
pub async fn login_form(State(state): State<AppState>) -> Response {
    login_page(&state, StatusCode::OK, "", None)
}

/// `POST /login`
pub async fn login_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = form(&body);
    let email = fields.get("email").map(String::as_str).unwrap_or("");
    let csrf_ok = match (auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE), fields.get("csrf")) {
        (Some(cookie), Some(submitted)) => auth::secrets_equal(cookie, submitted),
        _ => false,
    };
    if !csrf_ok {
        let e = AppError::Csrf;
        return login_page(&state, e.status(), email, Some(e.message_ru()));
    }
    let password = fields.get("password").map(String::as_str).unwrap_or("");
    match usecases::login(&state, email, password).await {
        Ok(outcome) => {
            let mut response = Redirect::to("/").into_response();
            let cookies = [
                auth::set_cookie(
                    auth::SESSION_COOKIE,
                    &outcome.token,
                    state.settings.session_hours * 3600,
                    state.settings.cookie_secure,
                ),
                auth::set_cookie(auth::LOGIN_CSRF_COOKIE, "gone", 0, state.settings.cookie_secure),
            ];
            for cookie in cookies {
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(e) => login_page(&state, e.status(), email, Some(e.message_ru())),
    }
}

/// `POST /logout`
pub async fn logout(State(state): State<AppState>, caller: PortalCaller, headers: HeaderMap, body: Bytes) -> Response {
    let fields = form(&body);
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(&state, Some(&caller), &e);
    }
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE)
        && let Err(e) = usecases::logout(&state, token).await
    {
        return error_page(&state, Some(&caller), &e);
    }
    let mut response = Redirect::to("/login").into_response();
    let cookie = auth::set_cookie(auth::SESSION_COOKIE, "gone", 0, state.settings.cookie_secure);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /tickets`
pub async fn tickets(State(state): State<AppState>, caller: PortalCaller, RawQuery(query): RawQuery) -> Response {
    let result = async {
        let (filter, page) = crate::api::parse_list_query(query.as_deref())?;
        // Specialists and admins work the queue unless they ask for every ticket.
        let actor = &caller.principal.actor;
        let view = match crate::queue::parse_view(query.as_deref())? {
            Some(v) => v,
            None if actor.sees_all_tickets() => crate::queue::View::Queue,
            None => crate::queue::View::All,
        };
        let page = match view {
            crate::queue::View::Queue => crate::queue::list(&state, actor, filter, &page).await?,
            crate::queue::View::All => usecases::list_tickets(&state, actor, filter, &page).await?,
        };
        let now = state.clock.now();
        let dealers = if caller.principal.actor.role == Role::Dealer {
            HashMap::new()
        } else {
            usecases::dealer_names(&state).await?
        };
        let rows: Vec<_> = page
            .items
            .iter()
            .map(|t| {
                let mut v = ticket_json(t, now);
                crate::sla_views::add_sla_view(&mut v, t);
                v["created_local"] = local(t.created_at).into();
                v["dealer_name"] = dealers.get(&t.dealer_id).cloned().unwrap_or_default().into();
                v
            })
            .collect();
        let states: Vec<_> = TicketState::ALL
            .iter()
            .map(|s| context! { code => s.code(), label => s.label() })
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            tickets => serde_value(&rows),
            states => states,
            filter => filter.map(|s| s.code()),
            next_cursor => page.next_cursor,
            show_dealer => caller.principal.actor.role != Role::Dealer,
            queue => view == crate::queue::View::Queue,
            can_queue => caller.principal.actor.sees_all_tickets(),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "tickets.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

fn new_ticket_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
) -> Response {
    new_ticket_page_with(state, caller, status, values, error, Value::UNDEFINED)
}

/// The new-ticket form with an estimate banner (`Value::UNDEFINED` for none).
pub(crate) fn new_ticket_page_with(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
    estimate: Value,
) -> Response {
    let categories: Vec<_> = Category::ALL
        .iter()
        .map(|c| context! { code => c.code(), label => c.label(), billing => c.default_billing().label() })
        .collect();
    let criticalities: Vec<_> = Criticality::ALL
        .iter()
        .map(|c| context! { code => c.code(), label => c.label(), rate => c.hourly_rate_rub() })
        .collect();
    let billings: Vec<_> = Billing::ALL
        .iter()
        .map(|b| context! { code => b.code(), label => b.label() })
        .collect();
    let field_errors: HashMap<&str, String> = error.map(AppError::field_errors).unwrap_or_default().into_iter().collect();
    render(
        state,
        status,
        "ticket_new.html",
        context! {
            me => caller.layout(),
            categories => categories,
            criticalities => criticalities,
            billings => billings,
            values => values,
            form_id => values.get("form_id").cloned().unwrap_or_else(auth::new_token),
            errors => field_errors,
            error => error.map(AppError::message_ru),
            estimate => estimate,
        },
    )
}

/// `GET /tickets/new`
pub async fn new_ticket(State(state): State<AppState>, caller: PortalCaller) -> Response {
    if caller.principal.actor.filing_dealer().is_none() {
        return error_page(&state, Some(&caller), &AppError::Forbidden);
    }
    new_ticket_page(&state, &caller, StatusCode::OK, &HashMap::new(), None)
}

/// `POST /tickets`
pub async fn create_ticket(State(state): State<AppState>, caller: PortalCaller, body: Bytes) -> Response {
    let fields = form(&body);
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(&state, Some(&caller), &e);
    }
    let get = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
    let draft = TicketDraft {
        title: get("title"),
        text: get("text"),
        category: get("category"),
        criticality: get("criticality"),
        billing: get("billing"),
    };
    // The form's hidden token makes a double-clicked submit one ticket.
    let key = fields.get("form_id").map(String::as_str).filter(|k| !k.is_empty());
    match usecases::file_ticket(&state, &caller.principal.actor, &draft, key).await {
        Ok((ticket, _)) => Redirect::to(&format!("/tickets/{}", ticket.id)).into_response(),
        Err(e @ AppError::Domain(_)) => {
            new_ticket_page(&state, &caller, e.status(), &fields, Some(&e))
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

pub(crate) async fn ticket_page(
    state: &AppState,
    caller: &PortalCaller,
    id: &TicketId,
    status: StatusCode,
    error: Option<&AppError>,
    comment: &str,
) -> Response {
    let result = async {
        let (ticket, history) = usecases::ticket_card(state, &caller.principal.actor, id).await?;
        let people: Vec<_> = history.iter().filter_map(|e| e.actor_id.clone()).collect();
        let names = usecases::user_names(state, &people).await?;
        let dealer = usecases::dealer_names(state).await?.remove(&ticket.dealer_id).unwrap_or_default();
        let actions: Vec<_> = ticket
            .available_actions(&caller.principal.actor)
            .into_iter()
            .map(|a| context! { code => a.code(), label => a.label(), needs_comment => a.requires_comment() })
            .collect();
        let mut view = ticket_json(&ticket, state.clock.now());
        crate::sla_views::add_sla_view(&mut view, &ticket);
        view["created_local"] = local(ticket.created_at).into();
        view["dealer_name"] = dealer.into();
        let events: Vec<_> = history.iter().map(|e| event_view(e, &names)).collect();
        let cost = crate::costs::portal::block(state, &caller.principal.actor, &ticket).await?;
        let notes = crate::comments::card_block(state, &caller.principal.actor, &ticket).await?;
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            cost => cost,
            ticket => serde_value(&view),
            history => serde_value(&events),
            actions => actions,
            error => error.map(AppError::message_ru),
            comment => comment,
            notes => serde_value(&notes),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "ticket.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /tickets/{id}`
pub async fn ticket(State(state): State<AppState>, caller: PortalCaller, Path(id): Path<String>) -> Response {
    ticket_page(&state, &caller, &TicketId::new(id), StatusCode::OK, None, "").await
}

#[derive(Deserialize)]
struct ActionForm {
    action: String,
    #[serde(default)]
    comment: String,
    version: String,
    /// Only `send_estimate` reads it: the work estimate, minutes.
    #[serde(default)]
    estimate_minutes: String,
    csrf: Option<String>,
}

/// `POST /tickets/{id}/actions`
pub async fn act(State(state): State<AppState>, caller: PortalCaller, Path(id): Path<String>, body: Bytes) -> Response {
    let id = TicketId::new(id);
    let parsed: Result<ActionForm, _> = serde_urlencoded::from_bytes(&body);
    let Ok(f) = parsed else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return ticket_page(&state, &caller, &id, e.status(), Some(&e), "").await;
    };
    if let Err(e) = caller.principal.check_csrf(f.csrf.as_deref()) {
        return error_page(&state, Some(&caller), &e);
    }
    let action = Action::from_code(&f.action).filter(|a| *a != Action::AutoAccept);
    let (Some(action), Ok(version)) = (action, f.version.parse::<u64>()) else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return ticket_page(&state, &caller, &id, e.status(), Some(&e), &f.comment).await;
    };
    let comment = Some(f.comment.as_str()).filter(|c| !c.trim().is_empty());
    // Not a number is as good as missing: the estimate check says what is needed.
    let estimate = f.estimate_minutes.trim().parse::<i64>().ok();
    match crate::costs::act(&state, &caller.principal.actor, &id, action, comment, estimate, version).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => ticket_page(&state, &caller, &id, e.status(), Some(&e), &f.comment).await,
    }
}

/// Anything else: a JSON 404 under `/api`, an HTML one elsewhere.
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        return AppError::NotFound.into_response();
    }
    error_page(&state, None, &AppError::NotFound)
}

/// `GET /dev/mail`: the local mailbox, newest first. Exists only when mail goes to a local
/// folder (never in AWS), so testers can read what the platform sent.
pub async fn dev_mail(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Some(dir) = state.mailer.mailbox() else {
        return error_page(&state, None, &AppError::NotFound);
    };
    let to_filter = serde_urlencoded::from_str::<HashMap<String, String>>(query.as_deref().unwrap_or(""))
        .ok()
        .and_then(|q| q.get("to").cloned())
        .filter(|t| !t.is_empty());
    let mails: Vec<_> = crate::mail::read_mailbox(dir)
        .into_iter()
        .filter(|m| to_filter.as_ref().is_none_or(|t| m.email.to.iter().any(|a| a == t)))
        .map(|m| {
            context! {
                key => m.key,
                at_local => local(m.at),
                to => m.email.to.join(", "),
                subject => m.email.subject,
                text => m.email.text,
            }
        })
        .collect();
    render(&state, StatusCode::OK, "dev_mail.html", context! { mails => mails, to => to_filter })
}
