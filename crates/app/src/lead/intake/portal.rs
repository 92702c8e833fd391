//! The intake's pages: the admin's sites (`/admin/sites`: every site that posts leads with
//! its form id, origins, spam counters and key date; forms to issue a site, rotate its key
//! and revoke it; a new key is shown once, on the answer to the form that made it), and the
//! dealer's «Новая заявка» (`/leads/new`), a lead typed in after a call or a visit.

use crate::AppState;
use crate::calendar::ensure_admin;
use crate::kernel::address::ClientIp;
use crate::kernel::auth;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::lead::intake::sites::{self, IssuedKey};
use crate::lead::intake::views::{LEAD_FORM_JS, SiteView};
use crate::lead::intake::{self, Taken};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::lead::{LeadDraft, LeadSource, LeadType, SiteDraft, SiteId};
use dealerdesk_store::DirectoryRepo;
use minijinja::context;
use std::collections::{BTreeSet, HashMap};

/// What the page shows besides the list.
#[derive(Default)]
struct Extra<'a> {
    issued: Option<&'a IssuedKey>,
    error: Option<&'a AppError>,
    typed: Option<&'a HashMap<String, String>>,
    notice: Option<&'static str>,
}

async fn page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    extra: Extra<'_>,
) -> Response {
    let actor = caller.actor();
    let loaded = async {
        let list = sites::list(state, actor).await?;
        let dealers = state.store.dealers().await?;
        Ok::<_, AppError>((list, dealers))
    }
    .await;
    let (list, dealers) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(state, Some(caller), &e),
    };
    let views: Vec<SiteView> = list.iter().map(SiteView::with_spam).collect();
    let networks: BTreeSet<String> = dealers.iter().map(|d| d.network_id.to_string()).collect();
    let dealer_rows: Vec<_> = dealers
        .iter()
        .map(
            |d| context! { id => d.id.to_string(), name => d.name.clone(), city => d.city.clone() },
        )
        .collect();
    render(
        state,
        status,
        "lead/intake/admin_sites.html",
        context! {
            me => caller.layout(),
            sites => serde_value(&views),
            dealers => dealer_rows,
            networks => networks.into_iter().collect::<Vec<_>>(),
            issued => extra.issued.map(|i| context! {
                site => serde_value(SiteView::new(&i.site)),
                secret_key => i.secret_key.clone(),
            }),
            error => extra.error.map(AppError::message_ru),
            typed => extra.typed.cloned().unwrap_or_default(),
            notice => extra.notice,
            public_url => state.settings.public_url.clone(),
        },
    )
}

/// `GET /admin/sites`
pub async fn sites_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(e) = ensure_admin(caller.actor()) {
        return error_page(&state, Some(&caller), &e);
    }
    let notice = (query.as_deref() == Some("revoked=1")).then_some("Ключи сайта отозваны.");
    page(
        &state,
        &caller,
        StatusCode::OK,
        Extra {
            notice,
            ..Extra::default()
        },
    )
    .await
}

/// `POST /admin/sites`: issue a site.
pub async fn issue_site(State(state): State<AppState>, form: PortalForm) -> Response {
    let caller = &form.caller;
    if let Err(e) = ensure_admin(caller.actor()) {
        return error_page(&state, Some(caller), &e);
    }
    let (dealer_id, network_id) = match form.get("owner") {
        Some(owner) => match owner.strip_prefix("brand:") {
            Some(network) => (None, Some(network.to_owned())),
            None => (Some(owner), None),
        },
        None => (None, None),
    };
    let draft = SiteDraft {
        name: form.get("name"),
        dealer_id,
        network_id,
        origins: form.get("origins").into_iter().collect(),
        thank_you_url: form.get("thank_you_url"),
        consent_version: form.get("consent_version"),
    };
    match sites::issue(&state, caller.actor(), &draft).await {
        Ok(issued) => {
            page(
                &state,
                caller,
                StatusCode::CREATED,
                Extra {
                    issued: Some(&issued),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(e) => {
            let status = e.status();
            page(
                &state,
                caller,
                status,
                Extra {
                    error: Some(&e),
                    typed: Some(&form.fields),
                    ..Extra::default()
                },
            )
            .await
        }
    }
}

fn seen_version(form: &PortalForm) -> Result<u64, AppError> {
    form.get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))
}

/// `POST /admin/sites/{id}/rotate`
pub async fn rotate_site(
    State(state): State<AppState>,
    IdPath(id): IdPath<SiteId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    let result = async {
        ensure_admin(caller.actor())?;
        sites::rotate(&state, caller.actor(), &id, seen_version(&form)?).await
    }
    .await;
    match result {
        Ok(issued) => {
            page(
                &state,
                caller,
                StatusCode::OK,
                Extra {
                    issued: Some(&issued),
                    ..Extra::default()
                },
            )
            .await
        }
        Err(e) if e.status() == StatusCode::FORBIDDEN => error_page(&state, Some(caller), &e),
        Err(e) => {
            let status = e.status();
            page(
                &state,
                caller,
                status,
                Extra {
                    error: Some(&e),
                    ..Extra::default()
                },
            )
            .await
        }
    }
}

/// `POST /admin/sites/{id}/revoke`
pub async fn revoke_site(
    State(state): State<AppState>,
    IdPath(id): IdPath<SiteId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    let result = async {
        ensure_admin(caller.actor())?;
        sites::revoke(&state, caller.actor(), &id, seen_version(&form)?).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/admin/sites?revoked=1").into_response(),
        Err(e) if e.status() == StatusCode::FORBIDDEN => error_page(&state, Some(caller), &e),
        Err(e) => {
            let status = e.status();
            page(
                &state,
                caller,
                status,
                Extra {
                    error: Some(&e),
                    ..Extra::default()
                },
            )
            .await
        }
    }
}

/// `GET /static/lead-form.js`: the script the sites include (public, cacheable).
pub async fn lead_form_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LEAD_FORM_JS,
    )
        .into_response()
}

fn lead_new_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
) -> Response {
    let errors: HashMap<&str, String> = error
        .map(AppError::field_errors)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let types: Vec<_> = LeadType::ALL
        .iter()
        .map(|t| context! { code => t.code(), label => t.label() })
        .collect();
    let sources: Vec<_> = [LeadSource::Phone, LeadSource::Showroom]
        .iter()
        .map(|s| context! { code => s.code(), label => s.label() })
        .collect();
    render(
        state,
        status,
        "lead/intake/lead_new.html",
        context! {
            me => caller.layout(),
            form_id => values.get("form_id").cloned().unwrap_or_else(auth::new_token),
            values => values.clone(),
            types => types,
            sources => sources,
            error => error.map(AppError::message_ru),
            errors => errors,
        },
    )
}

/// `GET /leads/new`: the dealer's form «Новая заявка» (a call, a showroom visit).
pub async fn lead_new_form(State(state): State<AppState>, caller: PortalCaller) -> Response {
    if caller.actor().filing_dealer().is_none() {
        return error_page(&state, Some(&caller), &AppError::forbidden());
    }
    lead_new_page(&state, &caller, StatusCode::OK, &HashMap::new(), None)
}

/// `POST /leads/new`: the same rules as `POST /api/leads` with a dealer's session; the form's
/// id makes a double submit one lead.
pub async fn lead_new_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    if caller.actor().filing_dealer().is_none() {
        return error_page(&state, Some(caller), &AppError::forbidden());
    }
    let draft = LeadDraft {
        kind: form.get("type"),
        name: form.get("name"),
        surname: form.get("surname"),
        phone: form.get("phone"),
        email: form.get("email"),
        city: form.get("city"),
        model: form.get("model"),
        version: form.get("version"),
        trim: form.get("trim"),
        price: form.get("price"),
        consent: form.get("consent"),
        source: form.get("source"),
        ..LeadDraft::default()
    };
    let key = form.get("form_id");
    match intake::take_from_dealer(
        &state,
        caller.actor(),
        &draft,
        key.as_deref(),
        ip.map(|ip| ip.to_string()),
    )
    .await
    {
        Ok(Taken::Lead { lead, .. }) => {
            Redirect::to(&format!("/leads/{}", lead.id())).into_response()
        }
        Ok(Taken::Spam) => Redirect::to("/leads").into_response(),
        Err(e) if e.status() == StatusCode::FORBIDDEN => error_page(&state, Some(caller), &e),
        Err(e) => lead_new_page(&state, caller, e.status(), &form.fields, Some(&e)),
    }
}
