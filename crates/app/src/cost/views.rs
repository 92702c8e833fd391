//! How time and cost look on the outside: the ticket's cost fields, time entries, cost
//! events merged into the history, the card's «Детализация» block and the estimate banner.

use crate::AppState;
use crate::cost::{self, ledger_names};
use crate::kernel::error::AppError;
use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_domain::{
    Action, Actor, Billing, Category, CostEvent, CostState, Estimate, Quarter, Ticket, TimeEntry,
    TimeEntryId, UserId, confirmation_deadline, deadline_text, effective_minutes, format_rub,
    minutes_text,
};
use minijinja::context;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Adds the card's «Детализация» block (`ticket_cost.html`) and the estimate banner
/// (`estimate_banner.html`, shown by the card and the new-ticket form).
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "ticket_cost.html",
        include_str!("../../templates/ticket_cost.html"),
    );
    templates::add(
        env,
        "estimate_banner.html",
        include_str!("../../templates/estimate_banner.html"),
    );
}

/// A ticket's time and cost in its API JSON: `minutes`, `cost` (a decimal string, `"590"`),
/// `cost_state` with its label, the billing quarter and its deadline, and the estimate sent
/// for approval.
#[derive(Serialize, ToSchema)]
pub struct CostPart {
    pub minutes: u32,
    pub minutes_label: String,
    /// Roubles, a decimal string.
    pub cost: String,
    pub cost_label: String,
    pub cost_state: &'static str,
    pub cost_state_label: &'static str,
    pub cost_quarter: Option<String>,
    pub cost_quarter_label: Option<String>,
    /// `YYYY-MM-DD`: the last day the dealer may confirm or dispute.
    pub cost_deadline: Option<String>,
    /// The deadline in words, «до 26.03 включительно» (through 23:59 Moscow time).
    pub cost_deadline_label: Option<String>,
    pub estimate_minutes: Option<u32>,
    /// Roubles, a decimal string.
    pub estimate_cost: Option<String>,
    pub estimate_label: Option<String>,
    /// RFC 3339 UTC.
    pub completed_at: Option<String>,
}

impl CostPart {
    /// The ticket's time and cost.
    pub fn new(t: &Ticket) -> Self {
        let cost = &t.cost;
        CostPart {
            minutes: cost.minutes,
            minutes_label: minutes_text(cost.minutes),
            cost: t.cost_amount().to_string(),
            cost_label: format_rub(t.cost_amount()),
            cost_state: cost.state.code(),
            cost_state_label: cost.state.label(),
            cost_quarter: cost.quarter.map(Quarter::code),
            cost_quarter_label: cost.quarter.map(Quarter::label),
            cost_deadline: cost
                .quarter
                .map(|q| confirmation_deadline(q).format("%Y-%m-%d").to_string()),
            cost_deadline_label: cost.quarter.map(deadline_text),
            estimate_minutes: cost.estimate_minutes,
            estimate_cost: t.estimate_amount().map(|a| a.to_string()),
            estimate_label: t.estimate_text(),
            completed_at: cost.completed_at.map(utc),
        }
    }
}

/// A time entry as the API returns it; an original entry also says what it amounts to
/// after its corrections (`current_minutes`).
#[derive(Serialize, ToSchema)]
pub struct TimeEntryView {
    #[schema(value_type = String)]
    pub id: TimeEntryId,
    /// Signed for a correction: the difference it makes.
    pub minutes: i32,
    pub note: String,
    /// RFC 3339 UTC.
    pub at: String,
    #[schema(value_type = String)]
    pub specialist_id: UserId,
    /// The entry a correction corrects.
    #[schema(value_type = Option<String>)]
    pub corrects: Option<TimeEntryId>,
    pub current_minutes: Option<i64>,
}

impl TimeEntryView {
    /// The entry within its ticket's `ledger`.
    pub fn new(e: &TimeEntry, ledger: &[TimeEntry]) -> Self {
        TimeEntryView {
            id: e.id.clone(),
            minutes: e.minutes,
            note: e.note.clone(),
            at: utc(e.at),
            specialist_id: e.specialist_id.clone(),
            corrects: e.corrects.clone(),
            current_minutes: if e.is_correction() {
                None
            } else {
                effective_minutes(ledger, &e.id)
            },
        }
    }
}

/// A cost event as a history entry (`kind` = `cost`): the action, the cost state from and
/// to, the words, and the ticket's minutes and cost after it.
pub fn cost_event_json(e: &CostEvent) -> Value {
    json!({
        "kind": "cost",
        "at": utc(e.at),
        "actor_id": e.actor_id,
        "actor_role": e.actor_role.map(|r| r.code()),
        "action": e.kind.code(),
        "action_label": e.kind.label(),
        "from_cost_state": e.from.code(),
        "from_label": e.from.label(),
        "to_cost_state": e.to.code(),
        "to_label": e.to.label(),
        "comment": e.comment,
        "detail": e.detail,
        "minutes": e.minutes,
        "cost": e.cost.to_string(),
    })
}

/// The time-and-cost moves `actor` can make on `ticket` now, for buttons and clients:
/// `log_time`, `correct_time`, `reclassify`, `confirm`, `dispute`, `answer`.
pub fn cost_actions(ticket: &Ticket, actor: &Actor) -> Vec<&'static str> {
    let mut actions = Vec::new();
    let done = ticket.status.is_done();
    let state = ticket.cost.state;
    if actor.role.works_tickets() {
        if !done {
            actions.extend(["log_time", "correct_time", "reclassify"]);
        } else if state == CostState::Disputed {
            actions.extend(["correct_time", "reclassify", "answer"]);
        }
    } else if actor.is_staff_of(&ticket.dealer_id) && state == CostState::Pending {
        actions.extend(["confirm", "dispute"]);
    }
    actions
}

/// The estimate of a ticket's cost from similar finished work: roubles as decimal strings.
#[derive(Serialize, ToSchema)]
pub struct EstimateView {
    pub median: String,
    pub low: String,
    pub high: String,
    /// How many similar tickets it is drawn from.
    pub count: usize,
    pub period_days: u32,
}

impl EstimateView {
    /// The estimate's figures.
    pub fn new(e: &Estimate) -> Self {
        EstimateView {
            median: e.median.to_string(),
            low: e.low.to_string(),
            high: e.high.to_string(),
            count: e.count,
            period_days: e.period_days,
        }
    }
}

/// The block's context: time entries, cost history, the estimate banner and which forms
/// the viewer gets.
pub async fn block(
    state: &AppState,
    actor: &Actor,
    ticket: &Ticket,
) -> Result<minijinja::Value, AppError> {
    let ledger = cost::ledger(state, ticket).await?;
    let names = ledger_names(state, &ledger).await?;
    let who = |id: Option<&dealerdesk_domain::UserId>| match id {
        Some(id) => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
        None => "Система".to_string(),
    };
    let entries: Vec<minijinja::Value> = ledger
        .time_entries
        .iter()
        .map(|e| {
            context! {
                id => e.id.as_str(),
                at_local => local(e.at),
                who => who(Some(&e.specialist_id)),
                minutes => e.minutes,
                note => e.note.clone(),
                is_correction => e.is_correction(),
                current => (!e.is_correction())
                    .then(|| effective_minutes(&ledger.time_entries, &e.id))
                    .flatten(),
            }
        })
        .collect();
    let events: Vec<minijinja::Value> = ledger
        .events
        .iter()
        .map(|e| {
            context! {
                at_local => local(e.at),
                who => who(e.actor_id.as_ref()),
                action_label => e.kind.label(),
                from_label => e.from.label(),
                to_label => e.to.label(),
                comment => e.comment.clone(),
                detail => e.detail.clone(),
                cost_label => format_rub(e.cost),
                minutes_label => minutes_text(e.minutes),
            }
        })
        .collect();
    // The banner is informational: any failure to build it must not break the card.
    let estimate = if ticket.billing == Billing::Paid && !ticket.status.is_done() {
        match cost::ticket_estimate(state, actor, &ticket.id).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(ticket = %ticket.id, error = %e, "estimate banner unavailable");
                None
            }
        }
    } else {
        None
    };
    let estimate = estimate.as_ref().map(banner);
    let actions = cost_actions(ticket, actor);
    let categories: Vec<_> = Category::ALL
        .iter()
        .map(|c| context! { code => c.code(), label => c.label(), billing => c.default_billing().label() })
        .collect();
    let billings: Vec<_> = Billing::ALL
        .iter()
        .map(|b| context! { code => b.code(), label => b.label() })
        .collect();
    Ok(context! {
        entries => entries,
        events => events,
        estimate => estimate,
        can_log => actions.contains(&"log_time"),
        can_correct => actions.contains(&"correct_time"),
        can_reclassify => actions.contains(&"reclassify"),
        can_confirm => actions.contains(&"confirm"),
        can_dispute => actions.contains(&"dispute"),
        can_answer => actions.contains(&"answer"),
        can_send_estimate => ticket.available_actions(actor).contains(&Action::SendEstimate),
        deadline_text => ticket
            .cost
            .quarter
            .filter(|_| ticket.cost.is_open())
            .map(deadline_text),
        categories => categories,
        billings => billings,
    })
}

/// The estimate banner's words.
pub fn banner(e: &Estimate) -> minijinja::Value {
    context! {
        median => format_rub(e.median),
        low => format_rub(e.low),
        high => format_rub(e.high),
        count => e.count,
        period_days => e.period_days,
    }
}
