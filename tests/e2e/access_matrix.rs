//! The access matrix (issue 12): every route the app serves — API and portal, read from the
//! features' `routes.rs` the way the Lambda test reads them — sent by every role (anonymous,
//! the dealer who owns the fixtures, a foreign dealer, the owner's accountant, the specialist,
//! the account manager, the representative observing the owner and one who does not, the
//! brand, the admin) and compared with one table of expected statuses. A route without a row,
//! or a row naming no route, fails the test; a 5xx anywhere fails it too.
//!
//! The fixtures (a ticket with a time entry and a file, a wish, a lead and its customer, an
//! article, a site, a notification) belong to dealer 1 and are made through the real API (the
//! lead through the intake use case). Writes carry a harmless body — a stale version (99), the
//! portal's forms with the session's CSRF token, a small file for the uploads — so a role that
//! passes access meets a conflict or a validation refusal (409 / 422 / 400 / 415) and changes
//! nothing, while the refused ones get 401 / 403 / 404; the table pins the exact status each
//! role gets. The account manager is also sent to a ticket and a wish of dealer 3, whom he does
//! not look after, and must get what a foreign dealer gets.

use crate::lambda_events::app_route_groups;
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_domain::lead::{LeadDraft, LeadSource, Origin};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The columns of the table, in order: (label, e-mail; `None` is anonymous).
const ROLES: [(&str, Option<&str>); 10] = [
    ("anon", None),
    ("dealer", Some("dealer1@demo.local")),
    ("foreign", Some("dealer2@demo.local")),
    ("acct", Some("accountant1@demo.local")),
    ("spec", Some("specialist@demo.local")),
    ("manager", Some("manager@demo.local")),
    ("rep", Some("rep@demo.local")),
    ("rep2", Some("rep2@demo.local")),
    ("brand", Some("brand@demo.local")),
    ("admin", Some("admin@demo.local")),
];

/// Route → the status each role gets, in the order of [`ROLES`]:
/// `anon dealer foreign acct spec manager rep rep2 brand admin`. A portal page that sends the
/// caller to the login form is `→login` (the browser follows the redirect). For a write, a
/// 409 / 422 / 400 means the caller passed authentication, role and dealer and met the stale
/// version or validation; 401 / 403 / 404 are the refusals the row proves.
const MATRIX: &[(&str, &str)] = &[
    // Reports (SPEC §4.6; `{report}` is `ticket_survey`): a report outside the role's table
    // is a 404 like an unknown one; «Отчёты» is closed (403) to a role without any report.
    (
        "GET /api/reports/{report}",
        "401 200 200 404 200 200 404 404 200 200",
    ),
    ("GET /reports", "→login 200 200 200 200 200 200 200 200 200"),
    (
        "GET /reports/{report}",
        "→login 200 200 404 200 200 404 404 200 200",
    ),
    // Billing documents: the dealer's and its accountant's, its account manager's, the
    // admin's; only the admin marks payments and corrects.
    (
        "GET /api/documents",
        "401 200 200 200 403 200 403 403 403 200",
    ),
    (
        "GET /api/documents/{id}",
        "401 200 404 200 403 200 403 403 403 200",
    ),
    (
        "POST /api/documents/{id}/paid",
        "401 403 404 403 403 403 403 403 403 409",
    ),
    (
        "POST /api/documents/{id}/correct",
        "401 403 404 403 403 403 403 403 403 409",
    ),
    (
        "GET /documents",
        "→login 200 200 200 403 200 403 403 403 200",
    ),
    (
        "GET /documents/{id}/pdf",
        "→login 200 404 200 403 200 403 403 403 200",
    ),
    (
        "POST /documents/{id}/paid",
        "→login 403 404 403 403 403 403 403 403 409",
    ),
    (
        "POST /documents/{id}/correct",
        "→login 403 404 403 403 403 403 403 403 409",
    ),
    // The subscription pages: the list and the form are the editors' (account manager,
    // admin); the dealer reads its own page.
    (
        "GET /subscriptions",
        "→login 403 403 403 403 200 403 403 403 200",
    ),
    (
        "GET /dealers/{id}/subscription",
        "→login 200 404 403 403 200 403 403 403 200",
    ),
    (
        "POST /dealers/{id}/subscription",
        "→login 403 404 403 403 409 403 403 403 409",
    ),
    // Billing (SPEC §3): the price list, the billing settings and requisites are the admin's;
    // a subscription is read by its dealer and changed by its account manager and admins.
    (
        "GET /api/admin/price-list",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "PUT /api/admin/price-list",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "GET /api/admin/billing",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "PUT /api/admin/billing",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "GET /api/dealers/{id}/subscription",
        "401 200 404 403 403 200 403 403 403 200",
    ),
    (
        "PUT /api/dealers/{id}/subscription",
        "401 403 404 403 403 409 403 403 403 409",
    ),
    (
        "GET /api/dealers/{id}/requisites",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "PUT /api/dealers/{id}/requisites",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "GET /api/dashboard",
        "401 200 200 200 403 400 403 403 403 400",
    ),
    (
        "DELETE /api/dealers/{id}/accountants/{user}",
        "401 204 404 403 403 403 403 403 403 404",
    ),
    (
        "GET /api/dealers/{id}/accountants",
        "401 200 404 403 403 403 403 403 403 200",
    ),
    (
        "POST /api/dealers/{id}/accountants",
        "401 422 404 403 403 403 403 403 403 422",
    ),
    (
        "GET /api/survey-tasks",
        "401 403 403 403 403 200 403 403 403 200",
    ),
    (
        "POST /api/survey-tasks/{id}/close",
        "401 403 403 403 403 422 403 403 403 422",
    ),
    (
        "GET /api/surveys/results",
        "401 403 403 403 403 200 403 403 403 200",
    ),
    (
        "GET /api/surveys/{quarter}",
        "401 200 200 403 403 403 403 403 403 403",
    ),
    (
        "PUT /api/surveys/{quarter}",
        "401 422 422 403 403 403 403 403 403 403",
    ),
    (
        "GET /invite/{token}",
        "404 404 404 404 404 404 404 404 404 404",
    ),
    (
        "POST /invite/{token}",
        "404 404 404 404 404 404 404 404 404 404",
    ),
    (
        "GET /surveys/results",
        "→login 403 403 403 403 200 403 403 403 200",
    ),
    (
        "GET /surveys/tasks",
        "→login 403 403 403 403 200 403 403 403 200",
    ),
    (
        "POST /surveys/tasks/{id}/close",
        "→login 403 403 403 403 422 403 403 403 422",
    ),
    (
        "GET /surveys/{quarter}",
        "→login 200 200 403 403 403 403 403 403 403",
    ),
    (
        "POST /surveys/{quarter}",
        "→login 422 422 403 403 403 403 403 403 403",
    ),
    (
        "DELETE /api/session",
        "401 204 204 204 204 204 204 204 204 204",
    ),
    ("GET /", "→login 200 200 200 200 200 200 200 200 200"),
    (
        "GET /admin/calendars",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /admin/customers/{id}",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /admin/audit",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /admin/kb-suggest",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /admin/settings",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /admin/sites",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    ("GET /api/audit", "401 403 403 403 403 403 403 403 403 200"),
    (
        "GET /api/admin/calendars",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /api/admin/calendars/hours",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /api/admin/calendars/{year}",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /api/admin/settings",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /api/admin/sites",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /api/customers/{id}",
        "401 200 404 403 403 403 200 404 200 200",
    ),
    (
        "GET /api/dealers/{id}/hours",
        "401 403 403 403 403 200 403 403 403 200",
    ),
    (
        "GET /api/estimates",
        "401 422 422 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/kb/articles",
        "401 403 403 403 200 403 403 403 403 200",
    ),
    (
        "GET /api/kb/articles/{slug}",
        "401 403 403 403 200 403 403 403 403 200",
    ),
    (
        "GET /api/kb/drafts/from-ticket/{id}",
        "401 403 403 403 200 403 403 403 403 200",
    ),
    (
        "GET /api/kb/suggest",
        "401 200 200 403 200 200 403 403 403 200",
    ),
    ("GET /api/leads", "401 200 200 403 403 403 200 200 200 200"),
    (
        "GET /api/leads/form-token",
        "401 401 401 401 401 401 401 401 401 401",
    ),
    (
        "GET /api/leads/network",
        "401 403 403 403 403 403 403 403 200 200",
    ),
    (
        "GET /api/leads/overdue",
        "401 200 200 403 403 403 200 200 200 200",
    ),
    (
        "GET /api/leads/search",
        "401 422 422 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/leads/{id}",
        "401 200 404 403 403 403 200 404 200 200",
    ),
    (
        "GET /api/notifications",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET /api/openapi.json",
        "200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET /api/tickets",
        "401 200 200 403 200 200 403 403 403 200",
    ),
    (
        "GET /api/tickets/{id}",
        "401 200 404 403 200 200 403 403 403 200",
    ),
    (
        "GET /api/tickets/{id}/attachments/{att}",
        "401 200 404 403 200 200 403 403 403 200",
    ),
    (
        "GET /api/tickets/{id}/estimate",
        "401 204 404 403 204 204 403 403 403 204",
    ),
    ("GET /api/wishes", "401 200 200 403 403 200 403 403 403 200"),
    (
        "GET /api/wishes/{id}",
        "401 200 404 403 403 200 403 403 403 200",
    ),
    (
        "GET /articles",
        "→login 403 403 403 200 403 403 403 403 200",
    ),
    (
        "GET /articles/new",
        "→login 403 403 403 200 403 403 403 403 200",
    ),
    (
        "GET /articles/{slug}",
        "→login 403 403 403 200 403 403 403 403 200",
    ),
    (
        "GET /customers/{id}",
        "→login 200 404 403 403 403 200 404 200 200",
    ),
    (
        "GET /dealers/hours",
        "→login 403 403 403 403 200 403 403 403 200",
    ),
    (
        "GET /dealers/{id}/hours",
        "→login 403 403 403 403 200 403 403 403 200",
    ),
    (
        "GET /dev/mail",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    ("GET /kb", "404 404 404 404 404 404 404 404 404 404"),
    (
        "GET /kb-suggest/open/{slug}",
        "→login 404 404 403 404 404 403 403 403 404",
    ),
    ("GET /kb/", "404 404 404 404 404 404 404 404 404 404"),
    ("GET /kb/{*path}", "404 404 404 404 404 404 404 404 404 404"),
    ("GET /leads", "→login 200 200 403 403 403 200 200 200 200"),
    (
        "GET /leads/export",
        "→login 200 200 403 403 403 200 200 200 200",
    ),
    (
        "GET /leads/network",
        "→login 403 403 403 403 403 403 403 200 200",
    ),
    (
        "GET /leads/new",
        "→login 200 200 403 403 403 403 403 403 403",
    ),
    (
        "GET /leads/overdue",
        "→login 200 200 403 403 403 200 200 200 200",
    ),
    (
        "GET /leads/search",
        "→login 200 200 403 403 403 403 403 403 403",
    ),
    (
        "GET /leads/{id}",
        "→login 200 404 403 403 403 200 404 200 200",
    ),
    ("GET /login", "200 200 200 200 200 200 200 200 200 200"),
    (
        "GET /notifications",
        "→login 200 200 200 200 200 200 200 200 200",
    ),
    ("GET /s/{token}", "404 404 404 404 404 404 404 404 404 404"),
    (
        "GET /static/kb-suggest.js",
        "200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET /static/lead-form.js",
        "200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET /static/style.css",
        "200 200 200 200 200 200 200 200 200 200",
    ),
    ("GET /tickets", "→login 200 200 403 200 200 403 403 403 200"),
    (
        "GET /tickets/new",
        "→login 200 200 403 403 403 403 403 403 403",
    ),
    (
        "GET /tickets/{id}",
        "→login 200 404 403 200 200 403 403 403 200",
    ),
    (
        "GET /tickets/{id}/attachments/{att}",
        "→login 200 404 403 200 200 403 403 403 200",
    ),
    ("GET /wishes", "→login 200 200 403 403 200 403 403 403 200"),
    (
        "GET /wishes/{id}",
        "→login 200 404 403 403 200 403 403 403 200",
    ),
    (
        "OPTIONS /api/leads",
        "204 204 204 204 204 204 204 204 204 204",
    ),
    (
        "PATCH /api/leads/{id}",
        "401 409 404 403 403 403 403 404 403 409",
    ),
    (
        "POST /admin/calendars/hours",
        "→login 403 403 403 403 403 403 403 403 422",
    ),
    (
        "POST /admin/calendars/{year}/days",
        "→login 403 403 403 403 403 403 403 403 422",
    ),
    (
        "POST /admin/calendars/{year}/xml",
        "→login 403 403 403 403 403 403 403 403 422",
    ),
    (
        "POST /admin/customers/{id}/anonymise",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "POST /admin/settings",
        "→login 403 403 403 403 403 403 403 403 409",
    ),
    (
        "POST /admin/sites",
        "→login 403 403 403 403 403 403 403 403 422",
    ),
    (
        "POST /admin/sites/{id}/revoke",
        "→login 403 403 403 403 403 403 403 403 409",
    ),
    (
        "POST /admin/sites/{id}/rotate",
        "→login 403 403 403 403 403 403 403 403 409",
    ),
    (
        "POST /api/admin/sites",
        "401 403 403 403 403 403 403 403 403 422",
    ),
    (
        "POST /api/admin/sites/{id}/revoke",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "POST /api/admin/sites/{id}/rotate",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "POST /api/customers/{id}/anonymise",
        "401 403 403 403 403 403 403 403 403 200",
    ),
    (
        "POST /api/kb/articles",
        "401 403 403 403 422 403 403 403 403 422",
    ),
    (
        "POST /api/kb/articles/{slug}/publish",
        "401 403 403 403 409 403 403 403 403 409",
    ),
    (
        "POST /api/kb/articles/{slug}/unpublish",
        "401 403 403 403 409 403 403 403 403 409",
    ),
    ("POST /api/leads", "401 422 422 403 403 403 403 403 403 403"),
    (
        "POST /api/leads/{id}/contact",
        "401 422 404 403 403 403 422 404 422 422",
    ),
    (
        "POST /api/leads/{id}/contract",
        "401 422 404 403 403 403 422 404 422 422",
    ),
    (
        "POST /api/leads/{id}/transfer",
        "401 422 422 403 403 403 403 403 403 403",
    ),
    (
        "POST /api/notifications/read-all",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/notifications/{id}/read",
        "401 200 404 404 404 404 404 404 404 404",
    ),
    (
        "POST /api/session",
        "400 400 400 400 400 400 400 400 400 400",
    ),
    (
        "POST /api/tickets",
        "401 422 422 403 403 403 403 403 403 403",
    ),
    (
        "POST /api/tickets/{id}/actions",
        "401 409 404 403 409 409 403 403 403 409",
    ),
    (
        "POST /api/tickets/{id}/attachments",
        "401 201 404 403 201 201 403 403 403 201",
    ),
    (
        "POST /api/tickets/{id}/comments",
        "401 201 404 403 201 201 403 403 403 201",
    ),
    (
        "POST /api/tickets/{id}/cost/answer",
        "401 409 404 403 409 409 403 403 403 409",
    ),
    (
        "POST /api/tickets/{id}/cost/confirm",
        "401 409 404 403 409 409 403 403 403 409",
    ),
    (
        "POST /api/tickets/{id}/cost/dispute",
        "401 409 404 403 409 409 403 403 403 409",
    ),
    (
        "POST /api/tickets/{id}/reclassify",
        "401 403 404 403 422 403 403 403 403 422",
    ),
    (
        "POST /api/tickets/{id}/time-entries",
        "401 403 404 403 409 403 403 403 403 409",
    ),
    (
        "POST /api/tickets/{id}/time-entries/{entry}/correction",
        "401 403 404 403 409 403 403 403 403 409",
    ),
    (
        "POST /api/wishes",
        "401 422 422 403 403 403 403 403 403 403",
    ),
    (
        "POST /api/wishes/{id}/actions",
        "401 409 404 403 403 409 403 403 403 409",
    ),
    (
        "POST /articles",
        "→login 403 403 403 422 403 403 403 403 422",
    ),
    (
        "POST /articles/{slug}",
        "→login 403 403 403 422 403 403 403 403 422",
    ),
    (
        "POST /articles/{slug}/publish",
        "→login 403 403 403 409 403 403 403 403 409",
    ),
    (
        "POST /articles/{slug}/unpublish",
        "→login 403 403 403 409 403 403 403 403 409",
    ),
    (
        "POST /dealers/{id}/hours",
        "→login 403 403 403 403 422 403 403 403 422",
    ),
    (
        "POST /leads/network",
        "→login 403 403 403 403 403 403 403 409 409",
    ),
    (
        "POST /leads/new",
        "→login 422 422 403 403 403 403 403 403 403",
    ),
    (
        "POST /leads/{id}/contact",
        "→login 422 404 403 403 403 422 404 422 422",
    ),
    (
        "POST /leads/{id}/contract",
        "→login 422 404 403 403 403 422 404 422 422",
    ),
    (
        "POST /leads/{id}/edit",
        "→login 409 404 403 403 403 403 404 403 409",
    ),
    (
        "POST /leads/{id}/transfer",
        "→login 422 422 403 403 403 403 403 403 403",
    ),
    ("POST /login", "403 403 403 403 403 403 403 403 403 403"),
    (
        "POST /logout",
        "→login →login →login →login →login →login →login →login →login →login",
    ),
    (
        "POST /notifications/read-all",
        "→login 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /notifications/{id}/read",
        "→login 200 404 404 404 404 404 404 404 404",
    ),
    ("POST /s/{token}", "404 404 404 404 404 404 404 404 404 404"),
    (
        "POST /tickets",
        "→login 422 422 403 403 403 403 403 403 403",
    ),
    (
        "POST /tickets/new/estimate",
        "→login 422 422 403 403 403 403 403 403 403",
    ),
    (
        "POST /tickets/{id}/actions",
        "→login 400 404 403 400 400 403 403 403 400",
    ),
    (
        "POST /tickets/{id}/attachments",
        "→login 415 404 403 415 415 403 403 403 415",
    ),
    (
        "POST /tickets/{id}/comments",
        "→login 422 404 403 422 422 403 403 403 422",
    ),
    (
        "POST /tickets/{id}/cost/{step}",
        "→login 409 404 403 409 409 403 403 403 409",
    ),
    (
        "POST /tickets/{id}/reclassify",
        "→login 403 404 403 422 403 403 403 403 422",
    ),
    (
        "POST /tickets/{id}/time-entries",
        "→login 403 404 403 422 403 403 403 403 422",
    ),
    (
        "POST /tickets/{id}/time-entries/{entry}/correction",
        "→login 403 404 403 422 403 403 403 403 422",
    ),
    ("POST /wishes", "→login 422 422 403 403 403 403 403 403 403"),
    (
        "POST /wishes/{id}/actions",
        "→login 400 404 403 403 400 403 403 403 400",
    ),
    (
        "PUT /api/admin/calendars/hours",
        "401 403 403 403 403 403 403 403 403 400",
    ),
    (
        "PUT /api/admin/calendars/{year}",
        "401 403 403 403 403 403 403 403 403 400",
    ),
    (
        "PUT /api/admin/settings",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "PUT /api/admin/sites/{id}",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "PUT /api/dealers/{id}/hours",
        "401 403 403 403 403 422 403 403 403 422",
    ),
    (
        "PUT /api/kb/articles/{slug}",
        "401 403 403 403 422 403 403 403 403 422",
    ),
    (
        "PUT /api/leads/network",
        "401 403 403 403 403 403 403 403 409 409",
    ),
    // Soft delete and restore (issue 11): leads by the head office and the admin, tickets by
    // the admin. A delete without its `version` is a 400; the matrix's stale version (99) a
    // 409; a restore of a live item's confirmation page a 409.
    (
        "DELETE /api/leads/{id}",
        "401 403 403 403 403 403 403 403 400 400",
    ),
    (
        "POST /api/leads/{id}/restore",
        "401 403 403 403 403 403 403 403 409 409",
    ),
    (
        "DELETE /api/tickets/{id}",
        "401 403 403 403 403 403 403 403 403 400",
    ),
    (
        "POST /api/tickets/{id}/restore",
        "401 403 403 403 403 403 403 403 403 409",
    ),
    (
        "GET /leads/deleted",
        "→login 403 403 403 403 403 403 403 200 200",
    ),
    (
        "GET /leads/{id}/delete",
        "→login 403 403 403 403 403 403 403 200 200",
    ),
    (
        "POST /leads/{id}/delete",
        "→login 403 403 403 403 403 403 403 409 409",
    ),
    (
        "GET /leads/{id}/restore",
        "→login 403 403 403 403 403 403 403 409 409",
    ),
    (
        "POST /leads/{id}/restore",
        "→login 403 403 403 403 403 403 403 409 409",
    ),
    (
        "GET /tickets/deleted",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "GET /tickets/{id}/delete",
        "→login 403 403 403 403 403 403 403 403 200",
    ),
    (
        "POST /tickets/{id}/delete",
        "→login 403 403 403 403 403 403 403 403 409",
    ),
    (
        "GET /tickets/{id}/restore",
        "→login 403 403 403 403 403 403 403 403 409",
    ),
    (
        "POST /tickets/{id}/restore",
        "→login 403 403 403 403 403 403 403 403 409",
    ),
];

/// The ids the routes' parameters take: the fixtures of dealer 1.
#[derive(Clone)]
struct Fixtures {
    ticket: String,
    entry: String,
    attachment: String,
    wish: String,
    lead: String,
    customer: String,
    article: String,
    site: String,
    notification: String,
    /// The running quarter (`2026-Q4`), answered by dealer 1 with a low score.
    quarter: String,
    /// The follow-up task that answer raised.
    survey_task: String,
    /// An accountant dealer 1 invited (revoked by the dealer's row).
    accountant: String,
    /// Dealer 1's invoice of Q3 2026.
    document: String,
}

impl Fixtures {
    /// `path` with its parameters filled in.
    fn fill(&self, path: &str) -> String {
        let mut out = Vec::new();
        let segments: Vec<&str> = path.split('/').collect();
        for (i, seg) in segments.iter().enumerate() {
            let prev = if i > 0 { segments[i - 1] } else { "" };
            let value = match *seg {
                "{id}" => match prev {
                    "tickets" | "from-ticket" => self.ticket.clone(),
                    "wishes" => self.wish.clone(),
                    "leads" => self.lead.clone(),
                    "customers" => self.customer.clone(),
                    "sites" => self.site.clone(),
                    "documents" => self.document.clone(),
                    "notifications" => self.notification.clone(),
                    "survey-tasks" | "tasks" => self.survey_task.clone(),
                    "dealers" => "dealer-1".to_owned(),
                    other => panic!("no fixture for {{id}} after {other} in {path}"),
                },
                "{entry}" => self.entry.clone(),
                "{quarter}" => self.quarter.clone(),
                "{report}" => "ticket_survey".to_owned(),
                "{user}" => self.accountant.clone(),
                "{att}" => self.attachment.clone(),
                "{slug}" => self.article.clone(),
                "{year}" => "2026".to_owned(),
                "{step}" => "confirm".to_owned(),
                "{token}" => "not-a-survey-token".to_owned(),
                "{*path}" => "index.html".to_owned(),
                s if s.starts_with('{') => panic!("no fixture for {s} in {path}"),
                s => s.to_owned(),
            };
            out.push(value);
        }
        out.join("/")
    }
}

/// Every route of the app, `METHOD /path`.
fn every_route() -> BTreeSet<String> {
    app_route_groups().into_values().flatten().collect()
}

async fn fixtures(server: &TestServer) -> Fixtures {
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let id = ticket["id"].as_str().expect("ticket id").to_owned();
    let (status, logged) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{id}/time-entries"),
            Some(json!({"minutes": 10, "note": "Разбор", "version": ticket["version"]})),
        )
        .await;
    assert!(status.is_success(), "{logged}");
    let entry = logged["time_entry"]["id"]
        .as_str()
        .expect("entry id")
        .to_owned();
    let resp = dealer
        .http
        .post(format!("{}/api/tickets/{id}/attachments", dealer.base))
        .bearer_auth(dealer.token.as_deref().expect("token"))
        .header("content-type", "text/plain")
        .header("x-file-name", "log.txt")
        .body("Ошибка на главной")
        .send()
        .await
        .expect("upload");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let attachment: Value = resp.json().await.expect("the file's JSON");
    let attachment = attachment["id"].as_str().expect("file id").to_owned();
    let (status, wish) = dealer
        .send(
            "POST",
            "/api/wishes",
            Some(json!({"title": "Фильтр по цвету", "text": "Нужен фильтр автомобилей по цвету в каталоге."})),
        )
        .await;
    assert!(status.is_success(), "{wish}");
    let draft = LeadDraft {
        kind: Some("preorder".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some("+79161234567".into()),
        city: Some("Москва".into()),
        model: Some("Кроссовер X".into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    let made = lead::create(
        &server.state,
        LeadIntake {
            network: NetworkId::new("network-demo"),
            origin: Origin::DealerSite(DealerId::new("dealer-1")),
            source: LeadSource::Site,
            new: draft.validate().expect("a valid draft"),
            idempotency: None,
        },
    )
    .await
    .expect("lead created");
    let lead_id = made.lead().id().to_string();
    let (status, card) = dealer
        .send("GET", &format!("/api/leads/{lead_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    let customer = card["lead"]["customer_id"]
        .as_str()
        .expect("customer id")
        .to_owned();
    let (status, article) = specialist
        .send(
            "POST",
            "/api/kb/articles",
            Some(json!({
                "slug": "perenos-novostei",
                "section": "rabota-s-saitom",
                "title": "Перенос новостей со старого сайта",
                "tags": ["новости"],
                "summary": "Как перенести архив новостей на платформу.",
                "body": "Пришлите список адресов старых новостей.",
            })),
        )
        .await;
    assert!(status.is_success(), "{article}");
    let article = article["slug"].as_str().expect("slug").to_owned();
    let (status, sites) = admin.send("GET", "/api/admin/sites", None).await;
    assert_eq!(status, StatusCode::OK, "{sites}");
    let site = first(&sites, "id");
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .expect("outbox");
    let (status, inbox) = dealer.send("GET", "/api/notifications", None).await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    let notification = first(&inbox, "id");
    let quarter =
        dealerdesk_domain::dealer_survey::current_quarter(server.state.clock.now()).code();
    let (status, answered) = dealer
        .send(
            "PUT",
            &format!("/api/surveys/{quarter}"),
            Some(json!({"ticket_handling": 2, "cso_updates": 4, "support_overall": 4})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let (status, invited) = dealer
        .send(
            "POST",
            "/api/dealers/dealer-1/accountants",
            Some(json!({"email": "matrix@dealer1.example", "name": "Проверка доступа"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invited}");
    let report = dealerdesk_app::billing::jobs::bill(
        &server.state,
        dealerdesk_domain::Quarter::new(2026, 3).expect("a quarter"),
        server.state.clock.now(),
        &|_, _| {},
    )
    .await
    .expect("the bill run");
    assert_eq!(report.failed, 0, "{report:?}");
    Fixtures {
        quarter: quarter.clone(),
        survey_task: format!("{quarter}.dealer-1.v1"),
        accountant: invited["id"].as_str().expect("accountant id").to_owned(),
        ticket: id,
        entry,
        attachment,
        wish: wish["id"].as_str().expect("wish id").to_owned(),
        lead: lead_id,
        customer,
        article,
        site,
        notification,
        document: "dealer-1-2026q3-invoice".to_owned(),
    }
}

/// Dealer 3's ticket (with a time entry) and wish: a dealer the account manager does not look
/// after.
async fn dealer3_fixtures(server: &TestServer, fx: &Fixtures) -> Fixtures {
    let dealer = server.login("dealer3@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Новость об акции").await;
    let id = ticket["id"].as_str().expect("ticket id").to_owned();
    let (status, logged) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{id}/time-entries"),
            Some(json!({"minutes": 10, "note": "Разбор", "version": ticket["version"]})),
        )
        .await;
    assert!(status.is_success(), "{logged}");
    let (status, wish) = dealer
        .send(
            "POST",
            "/api/wishes",
            Some(json!({"title": "Экспорт в Excel", "text": "Нужна выгрузка списка обращений в Excel."})),
        )
        .await;
    assert!(status.is_success(), "{wish}");
    Fixtures {
        ticket: id,
        entry: logged["time_entry"]["id"]
            .as_str()
            .expect("entry id")
            .to_owned(),
        wish: wish["id"].as_str().expect("wish id").to_owned(),
        ..fx.clone()
    }
}

/// `field` of the first item of a listing (`items`, or the array itself).
fn first(list: &Value, field: &str) -> String {
    let items = list.get("items").unwrap_or(list);
    let items = items
        .as_array()
        .or_else(|| {
            list.as_object()
                .and_then(|o| o.values().find_map(Value::as_array))
        })
        .unwrap_or_else(|| panic!("a listing expected: {list}"));
    items
        .first()
        .and_then(|i| i[field].as_str())
        .unwrap_or_else(|| panic!("no {field} in {list}"))
        .to_owned()
}

/// One role's two faces: the API by bearer token, the portal by its session cookie.
struct Caller {
    api: Api,
    portal: reqwest::Client,
    /// The session's CSRF token from the portal's header form (empty when anonymous).
    csrf: String,
}

async fn caller(server: &TestServer, email: Option<&str>) -> Caller {
    match email {
        None => Caller {
            api: server.anonymous(),
            portal: browser::browser(),
            csrf: String::new(),
        },
        Some(email) => {
            let portal = browser::log_in(server, email).await;
            let (_, page) = browser::get(&portal, &format!("{}/notifications", server.base)).await;
            Caller {
                api: server.login(email).await,
                csrf: browser::hidden(&page, "csrf"),
                portal,
            }
        }
    }
}

/// A harmless body for an API write: a stale version, so a caller who passes access meets a
/// conflict or a validation refusal and nothing changes.
fn api_body(path: &str) -> Value {
    let last = path.rsplit('/').next().unwrap_or_default();
    match last {
        "actions" if path.starts_with("/api/wishes/") => {
            json!({"action": "implement", "version": 99})
        }
        "actions" => json!({"action": "take", "version": 99}),
        "comments" => json!({"text": "Проверка доступа", "version": 99}),
        "time-entries" | "correction" => json!({"minutes": 5, "note": "Проверка", "version": 99}),
        "reclassify" => json!({"billing": "free", "version": 99}),
        "session" => json!({}),
        _ => json!({"version": 99}),
    }
}

/// Sends one request and says what came back: the status, `→<path>` when a portal page
/// redirected elsewhere.
async fn outcome(server: &TestServer, who: &Caller, method: &str, path: &str) -> String {
    let url = format!("{}{path}", server.base);
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let writes = !matches!(method.as_str(), "GET" | "OPTIONS");
    let resp = if path.starts_with("/api/") {
        let mut req = who.api.http.request(method, &url);
        if let Some(token) = &who.api.token {
            req = req.bearer_auth(token);
        }
        if writes && path.ends_with("/attachments") {
            // A file, as the form sends it: what is tested is who may attach.
            let boundary = "dd-access-matrix";
            req = req
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                     filename=\"log.txt\"\r\nContent-Type: text/plain\r\n\r\nПроверка\r\n--{boundary}--\r\n"
                ));
        } else if writes {
            req = req
                .header("content-type", "application/json")
                .body(api_body(path).to_string());
        }
        req.send().await.expect("request reaches the server")
    } else {
        let mut req = who.portal.request(method, &url);
        if writes && (path.ends_with("/attachments") || path.ends_with("/xml")) {
            // The upload forms: multipart, with the session's CSRF token and a small file.
            let boundary = "dd-access-matrix";
            let part = |name: &str, value: &str| {
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
            };
            let body = format!(
                "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"file.xml\"\r\nContent-Type: text/xml\r\n\r\n<calendar/>\r\n--{boundary}--\r\n",
                part("csrf", &who.csrf),
                part("version", "99"),
            );
            req = req
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body);
        } else if writes {
            req = req.form(&[("csrf", who.csrf.as_str()), ("version", "99")]);
        }
        req.send().await.expect("request reaches the server")
    };
    let status = resp.status().as_u16();
    let landed = resp.url().path().to_owned();
    if landed == "/login" && !path.starts_with("/login") {
        "→login".to_owned()
    } else {
        status.to_string()
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_row_says() {
    let server = TestServer::start().await;
    let fx = fixtures(&server).await;
    let mut callers = Vec::new();
    for (_, email) in ROLES {
        callers.push(caller(&server, email).await);
    }
    let routes = every_route();
    let table: BTreeMap<&str, &str> = MATRIX.iter().copied().collect();
    // The routes that end a session go last, so the other rows keep theirs.
    let mut order: Vec<&String> = routes.iter().collect();
    order.sort_by_key(|r| {
        (
            *r == "DELETE /api/session" || *r == "POST /logout",
            r.to_owned(),
        )
    });
    let mut got = Vec::new();
    for route in order {
        let (method, path) = route.split_once(' ').expect("METHOD /path");
        let path = fx.fill(path);
        let mut row = Vec::new();
        for who in &callers {
            row.push(outcome(&server, who, method, &path).await);
        }
        got.push((route.clone(), row.join(" ")));
    }
    let mut failures = Vec::new();
    // The account manager and a dealer he does not look after (dealer 3): every route of a
    // ticket or a wish of that dealer answers him what it answers a foreign dealer.
    let foreign = dealer3_fixtures(&server, &fx).await;
    // A new session: the rows that end sessions ran last in the loop above.
    let manager = caller(&server, ROLES[5].1).await;
    for (route, row) in &got {
        let (method, path) = route.split_once(' ').expect("METHOD /path");
        let owned = [
            "/api/tickets/{id}",
            "/tickets/{id}",
            "/api/wishes/{id}",
            "/wishes/{id}",
        ];
        if !owned.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        let expected = row.split(' ').nth(2).expect("the foreign dealer's column");
        let answer = outcome(&server, &manager, method, &foreign.fill(path)).await;
        if answer != expected {
            failures.push(format!(
                "{route}: the manager on dealer 3's item got {answer}, a foreign dealer {expected}"
            ));
        }
    }
    for (route, row) in &got {
        if row.split(' ').any(|s| s.starts_with('5')) {
            failures.push(format!("{route}: a 5xx: {row}"));
        }
        match table.get(route.as_str()) {
            None => failures.push(format!("{route}: no row in MATRIX")),
            Some(expected) if *expected != row => {
                failures.push(format!("{route}: expected {expected}, got {row}"))
            }
            Some(_) => {}
        }
    }
    for route in table.keys() {
        if !routes.contains(*route) {
            failures.push(format!("{route}: a row for a route the app does not serve"));
        }
    }
    if !failures.is_empty() {
        let header: Vec<&str> = ROLES.iter().map(|(label, _)| *label).collect();
        let mut report = format!("roles: {}\n", header.join(" "));
        for (route, row) in &got {
            report.push_str(&format!("    (\"{route}\", \"{row}\"),\n"));
        }
        panic!(
            "{}\n\nwhat every route answered:\n{report}",
            failures.join("\n")
        );
    }
}
