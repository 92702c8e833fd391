//! The knowledge base's portal pages for support staff: the list of articles, the editor
//! (new, from a ticket, existing), publish and unpublish, and the history of versions.

use crate::AppState;
use crate::kb::views::ArticleView;
use crate::kb::{self, ArticleSlug};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::{IdPath, is_ulid};
use crate::kernel::names::user_names;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::time::local;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::TicketId;
use dealerdesk_domain::kb::ArticleDraft;
use minijinja::context;
use std::collections::HashMap;

/// `GET /articles`
pub async fn portal_list(State(state): State<AppState>, caller: PortalCaller) -> Response {
    let result = async {
        let articles = kb::list(&state, caller.actor()).await?;
        let rows: Vec<_> = articles
            .iter()
            .map(|a| {
                let mut v =
                    serde_json::to_value(ArticleView::new(a, &state.site.url)).unwrap_or_default();
                v["updated_ru"] = a.updated.format("%d.%m.%Y").to_string().into();
                v
            })
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            articles => serde_value(&rows),
            site_url => state.site.url.clone(),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "articles.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

fn draft_values(d: &ArticleDraft) -> HashMap<String, String> {
    HashMap::from([
        ("slug".into(), d.slug.clone().unwrap_or_default()),
        ("section".into(), d.section.clone().unwrap_or_default()),
        ("title".into(), d.title.clone().unwrap_or_default()),
        ("tags".into(), d.tags.clone().unwrap_or_default().join(", ")),
        ("summary".into(), d.summary.clone().unwrap_or_default()),
        ("body".into(), d.body.clone().unwrap_or_default()),
    ])
}

fn form_draft(fields: &HashMap<String, String>) -> ArticleDraft {
    let get = |k: &str| fields.get(k).cloned().filter(|v| !v.trim().is_empty());
    ArticleDraft {
        slug: get("slug"),
        section: get("section"),
        title: get("title"),
        tags: Some(get("tags").map(|t| vec![t]).unwrap_or_default()),
        summary: get("summary"),
        body: get("body"),
    }
}

fn sections_ctx() -> Vec<minijinja::Value> {
    kb::sections()
        .iter()
        .map(|s| context! { slug => s.slug.clone(), title => s.title.clone() })
        .collect()
}

fn new_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
    from_ticket: bool,
) -> Response {
    let errors: HashMap<&str, String> = error
        .map(AppError::field_errors)
        .unwrap_or_default()
        .into_iter()
        .collect();
    render(
        state,
        status,
        "article_form.html",
        context! {
            me => caller.layout(),
            mode => "new",
            from_ticket,
            sections => sections_ctx(),
            values,
            errors,
            error => error.map(AppError::message_ru),
        },
    )
}

/// `GET /articles/new[?ticket=<id>]`: the editor, empty or prefilled from a ticket
/// («Создать статью из обращения»).
pub async fn portal_new(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(e) = kb::list_allowed(caller.actor()) {
        return error_page(&state, Some(&caller), &e);
    }
    let params: HashMap<String, String> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let Some(ticket) = params.get("ticket") else {
        return new_page(
            &state,
            &caller,
            StatusCode::OK,
            &HashMap::new(),
            None,
            false,
        );
    };
    if !is_ulid(ticket) {
        return error_page(&state, Some(&caller), &AppError::not_found());
    }
    match kb::draft_from_ticket(&state, caller.actor(), &TicketId::new(ticket.as_str())).await {
        Ok(draft) => new_page(
            &state,
            &caller,
            StatusCode::OK,
            &draft_values(&draft),
            None,
            true,
        ),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `POST /articles`: saves a new draft.
pub async fn portal_create(
    State(state): State<AppState>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    match kb::create(&state, caller.actor(), &form_draft(&fields)).await {
        Ok(article) => Redirect::to(&format!("/articles/{}", article.slug)).into_response(),
        Err(e)
            if matches!(
                e.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            new_page(&state, &caller, e.status(), &fields, Some(&e), false)
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

async fn card_page(
    state: &AppState,
    caller: &PortalCaller,
    slug: &ArticleSlug,
    status: StatusCode,
    values: Option<&HashMap<String, String>>,
    error: Option<&AppError>,
) -> Response {
    let result = async {
        let (article, history) = kb::card(state, caller.actor(), slug).await?;
        let people: Vec<_> = history.iter().map(|e| e.actor_id.clone()).collect();
        let names = user_names(state, &people).await?;
        let view = ArticleView::new(&article, &state.site.url);
        let stored = draft_values(&ArticleDraft {
            slug: Some(article.slug.clone()),
            section: Some(article.section.clone()),
            title: Some(article.title.clone()),
            tags: Some(article.tags.clone()),
            summary: Some(article.summary.clone()),
            body: Some(article.body.clone()),
        });
        let versions: Vec<_> = history
            .iter()
            .rev()
            .map(|e| {
                let who = names
                    .get(&e.actor_id)
                    .cloned()
                    .unwrap_or_else(|| "Система".to_string());
                context! {
                    version => e.version, at => local(e.at), who, role => e.actor_role.label(),
                    action => e.action.label(), title => e.title.clone(), body => e.body.clone(),
                }
            })
            .collect();
        let errors: HashMap<&str, String> = error
            .map(AppError::field_errors)
            .unwrap_or_default()
            .into_iter()
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            mode => "edit",
            article => serde_value(&view),
            updated_ru => article.updated.format("%d.%m.%Y").to_string(),
            sections => sections_ctx(),
            values => values.cloned().unwrap_or(stored),
            errors,
            error => error.map(AppError::message_ru),
            versions,
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "article_form.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /articles/{slug}`: the editor of an article with its history.
pub async fn portal_card(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(slug): IdPath<ArticleSlug>,
) -> Response {
    card_page(&state, &caller, &slug, StatusCode::OK, None, None).await
}

fn version_of(fields: &HashMap<String, String>) -> Option<u64> {
    fields.get("version").and_then(|v| v.parse().ok())
}

/// `POST /articles/{slug}`: saves the next version.
pub async fn portal_edit(
    State(state): State<AppState>,
    IdPath(slug): IdPath<ArticleSlug>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let Some(version) = version_of(&fields) else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return card_page(&state, &caller, &slug, e.status(), Some(&fields), Some(&e)).await;
    };
    match kb::edit(&state, caller.actor(), &slug, version, &form_draft(&fields)).await {
        Ok(_) => Redirect::to(&format!("/articles/{}", slug.0)).into_response(),
        Err(e) => card_page(&state, &caller, &slug, e.status(), Some(&fields), Some(&e)).await,
    }
}

/// `POST /articles/{slug}/publish`
pub async fn portal_publish(
    State(state): State<AppState>,
    IdPath(slug): IdPath<ArticleSlug>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let result = match version_of(&fields) {
        Some(version) => kb::publish(&state, caller.actor(), &slug, version).await,
        None => Err(AppError::bad_request(
            "bad_form",
            "Форма заполнена некорректно.",
        )),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/articles/{}", slug.0)).into_response(),
        Err(e) => card_page(&state, &caller, &slug, e.status(), None, Some(&e)).await,
    }
}

/// `POST /articles/{slug}/unpublish`
pub async fn portal_unpublish(
    State(state): State<AppState>,
    IdPath(slug): IdPath<ArticleSlug>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let result = match version_of(&fields) {
        Some(version) => kb::unpublish(&state, caller.actor(), &slug, version).await,
        None => Err(AppError::bad_request(
            "bad_form",
            "Форма заполнена некорректно.",
        )),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/articles/{}", slug.0)).into_response(),
        Err(e) => card_page(&state, &caller, &slug, e.status(), None, Some(&e)).await,
    }
}
