//! What the dashboard's API and page show.

use crate::billing::views::DocumentView;
use crate::dashboard::{Dashboard, SubscriptionSum};
use crate::kernel::time::{local, utc};
use dealerdesk_domain::dashboard::{CostGroup, PackageUse};
use dealerdesk_domain::{deadline_text, format_rub, minutes_text};
use serde::Serialize;

/// One group of the quarter's ticket costs.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CostGroupView {
    pub tickets: usize,
    pub minutes: u32,
    /// ₽, a decimal string (`"4500"`).
    pub amount: String,
    /// «4 500 ₽»
    pub amount_text: String,
}

impl CostGroupView {
    fn new(g: &CostGroup) -> Self {
        CostGroupView {
            tickets: g.tickets,
            minutes: g.minutes,
            amount: g.amount.normalize().to_string(),
            amount_text: format_rub(g.amount),
        }
    }
}

/// The quarter's ticket costs so far.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CostsView {
    pub confirmed: CostGroupView,
    pub pending: CostGroupView,
    pub disputed: CostGroupView,
    /// The last day the dealer confirms or disputes: `2026-12-26`.
    pub deadline: String,
    /// «до 26.12 включительно»
    pub deadline_text: String,
}

/// The hour package and its use this quarter.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PackageView {
    /// `hours_15`, `hours_30`, `hours_60`.
    pub package: &'static str,
    pub label: &'static str,
    pub hours: u32,
    pub used_minutes: u32,
    pub left_minutes: u32,
    /// Paid minutes beyond the package, billed at each ticket's rate.
    pub over_minutes: u32,
    pub used_percent: u32,
    pub used_text: String,
    pub left_text: String,
}

impl PackageView {
    fn new(p: &PackageUse) -> Self {
        PackageView {
            package: p.package.code(),
            label: p.package.label(),
            hours: p.package.hours(),
            used_minutes: p.used_minutes,
            left_minutes: p.left_minutes,
            over_minutes: p.over_minutes,
            used_percent: p.used_percent(),
            used_text: minutes_text(p.used_minutes),
            left_text: minutes_text(p.left_minutes),
        }
    }
}

/// An open ticket with its reaction due time.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenTicketView {
    pub id: String,
    /// `DD-1001`.
    pub number: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub criticality_label: &'static str,
    /// RFC 3339 UTC; `null` while no reaction is owed (paused, reacted).
    pub sla_due_at: Option<String>,
    /// Moscow time, for the page.
    pub sla_due_local: Option<String>,
    pub sla_breached: bool,
}

/// A wish and its status.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DashboardWishView {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub updated_at: String,
}

/// One line of the quarter's subscription.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SubscriptionLineView {
    /// «ЦСО + мобильная версия, IV квартал 2026 г.».
    pub title: String,
    /// ₽, a decimal string.
    pub amount: String,
    /// «29 300 ₽».
    pub amount_text: String,
}

/// The quarter's subscription as its bill will have it, before ticket work.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SubscriptionSumView {
    /// ₽, a decimal string.
    pub total: String,
    /// «59 300 ₽».
    pub total_text: String,
    pub lines: Vec<SubscriptionLineView>,
    /// The modules working today, by name.
    pub modules: Vec<&'static str>,
}

impl SubscriptionSumView {
    fn new(s: &SubscriptionSum) -> Self {
        SubscriptionSumView {
            total: s.total.normalize().to_string(),
            total_text: format_rub(s.total),
            lines: s
                .lines
                .iter()
                .map(|l| SubscriptionLineView {
                    title: l.title.clone(),
                    amount: l.amount.normalize().to_string(),
                    amount_text: format_rub(l.amount),
                })
                .collect(),
            modules: s.modules.clone(),
        }
    }
}

/// The quarterly survey the dealer still owes.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SurveyBannerView {
    pub quarter: String,
    pub quarter_label: String,
    /// The form's address: `/surveys/2026-Q4`.
    pub url: String,
}

/// `GET /api/dashboard`
#[derive(Serialize, utoipa::ToSchema)]
pub struct DashboardView {
    pub dealer_id: String,
    pub dealer_name: String,
    /// The quarter the costs so far are billed in: `2026-Q4`.
    pub quarter: String,
    pub quarter_label: String,
    pub costs: CostsView,
    /// `null` without an hour package.
    pub package: Option<PackageView>,
    /// The quarter's subscription sum with its lines; `null` without a subscription.
    pub subscription: Option<SubscriptionSumView>,
    /// The latest invoices and acts, newest first (all of them on the documents' page).
    pub documents: Vec<DocumentView>,
    /// `null` for a reader who does not see tickets (the accountant).
    pub open_tickets: Option<Vec<OpenTicketView>>,
    pub open_tickets_total: Option<usize>,
    /// `null` for a reader who does not see wishes (the accountant).
    pub wishes: Option<Vec<DashboardWishView>>,
    /// The invoices, acts and the contract: the documents' page.
    pub documents_url: String,
    /// The knowledge base.
    pub kb_url: String,
    /// The quarterly survey the dealer still owes, if any (dealer staff only).
    pub survey: Option<SurveyBannerView>,
}

impl DashboardView {
    /// The view of `d`; `kb_url` is the knowledge base's address.
    pub fn new(d: &Dashboard, kb_url: &str) -> Self {
        let names = std::collections::HashMap::from([(d.dealer.id.clone(), d.dealer.name.clone())]);
        DashboardView {
            dealer_id: d.dealer.id.to_string(),
            dealer_name: d.dealer.name.clone(),
            quarter: d.quarter.code(),
            quarter_label: d.quarter.label(),
            costs: CostsView {
                confirmed: CostGroupView::new(&d.costs.confirmed),
                pending: CostGroupView::new(&d.costs.pending),
                disputed: CostGroupView::new(&d.costs.disputed),
                deadline: dealerdesk_domain::ticket::cost::state::confirmation_deadline(d.quarter)
                    .to_string(),
                deadline_text: deadline_text(d.quarter),
            },
            package: d.package.as_ref().map(PackageView::new),
            subscription: d.subscription.as_ref().map(SubscriptionSumView::new),
            documents: d
                .documents
                .iter()
                .map(|doc| DocumentView::new(doc, d.today, &names))
                .collect(),
            open_tickets: d.open_tickets.as_ref().map(|tickets| {
                tickets
                    .iter()
                    .map(|t| OpenTicketView {
                        id: t.id.to_string(),
                        number: format!("DD-{}", t.number),
                        title: t.title.clone(),
                        status: t.status.code(),
                        status_label: t.status.label(),
                        criticality_label: t.criticality.label(),
                        sla_due_at: t.sla.due_at.map(utc),
                        sla_due_local: t.sla.due_at.map(local),
                        sla_breached: t.sla.breached,
                    })
                    .collect()
            }),
            open_tickets_total: d.open_tickets.as_ref().map(|_| d.open_count),
            wishes: d.wishes.as_ref().map(|wishes| {
                wishes
                    .iter()
                    .map(|w| DashboardWishView {
                        id: w.id.to_string(),
                        title: w.title.clone(),
                        status: w.status.code(),
                        status_label: w.status.label(),
                        updated_at: utc(w.updated_at),
                    })
                    .collect()
            }),
            documents_url: "/documents".into(),
            kb_url: kb_url.to_string(),
            survey: d.survey_due.map(|q| SurveyBannerView {
                quarter: q.code(),
                quarter_label: q.label(),
                url: format!("/surveys/{}", q.code()),
            }),
        }
    }
}

/// The dashboard's page.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    crate::kernel::templates::add(
        env,
        "dashboard/dashboard.html",
        include_str!("../../templates/dashboard/dashboard.html"),
    );
}
