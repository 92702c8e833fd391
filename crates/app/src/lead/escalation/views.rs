//! How the escalation area looks on the outside: a dealer's hours (the API's JSON and the
//! form's rows).

use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use crate::lead::escalation::{HoursOfDealer, NetworkRules, OverdueGroup};
use chrono::Weekday;
use dealerdesk_domain::lead::{
    Direction, NetworkRulesDraft, RUSSIAN_TIME_ZONES, WEEKDAY_LABELS, russian_zone_label,
    weekday_codes,
};
use dealerdesk_domain::{DealerId, UserId};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// One weekday of a dealer's hours.
#[derive(Serialize, ToSchema)]
pub struct DayHoursView {
    /// `mon` … `sun`.
    pub day: &'static str,
    /// «Понедельник» …
    pub label: &'static str,
    /// `09:00`, local; `null` on a closed day.
    pub open: Option<String>,
    /// `20:00`, local; `null` on a closed day.
    pub close: Option<String>,
}

/// A dealer's working hours for leads (SPEC §4.4).
#[derive(Serialize, ToSchema)]
pub struct DealerHoursView {
    pub dealer_id: String,
    pub dealer_name: String,
    /// An IANA zone, Kaliningrad to Kamchatka (`Asia/Vladivostok`).
    pub tz: String,
    /// «Владивосток (МСК+7)».
    pub tz_label: String,
    /// Monday first.
    pub week: Vec<DayHoursView>,
    /// Minutes a pre-holiday day of the production calendar closes early.
    pub shortened_by_minutes: i64,
    /// Whether these hours were set (otherwise they are the default, Mon–Fri 09:00–18:00).
    pub saved: bool,
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl DealerHoursView {
    pub fn new(h: &HoursOfDealer) -> DealerHoursView {
        let tz = h.hours.tz();
        let codes = weekday_codes();
        DealerHoursView {
            dealer_id: h.dealer.id.to_string(),
            dealer_name: h.dealer.name.clone(),
            tz: tz.name().to_string(),
            tz_label: russian_zone_label(tz).unwrap_or(tz.name()).to_string(),
            week: WEEK
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    let hours = h.hours.regular(*day);
                    DayHoursView {
                        day: codes[i],
                        label: WEEKDAY_LABELS[i],
                        open: hours.map(|(o, _)| o.format("%H:%M").to_string()),
                        close: hours.map(|(_, c)| c.format("%H:%M").to_string()),
                    }
                })
                .collect(),
            shortened_by_minutes: h.hours.shortened_by_minutes(),
            saved: h.saved,
        }
    }
}

/// A time zone of the form's select.
#[derive(Serialize)]
pub struct ZoneOption {
    pub tz: &'static str,
    pub label: &'static str,
}

/// The select's zones, Kaliningrad to Kamchatka.
pub fn zone_options() -> Vec<ZoneOption> {
    RUSSIAN_TIME_ZONES
        .iter()
        .map(|(tz, label)| ZoneOption {
            tz: tz.name(),
            label,
        })
        .collect()
}

/// A dealer a rule may name.
#[derive(Serialize, ToSchema)]
pub struct NetworkDealerView {
    pub id: String,
    pub name: String,
    pub city: String,
}

/// A regional representative an assignment may name.
#[derive(Serialize, ToSchema)]
pub struct RepView {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// «город → дилер» or «регион → дилер».
#[derive(Serialize, ToSchema)]
pub struct PlaceRuleView {
    /// The city or region as the reference table writes it.
    pub place: String,
    pub dealer_id: String,
    pub dealer_name: String,
}

/// «дилер × направление → представитель».
#[derive(Serialize, ToSchema)]
pub struct AssignmentView {
    pub dealer_id: String,
    pub dealer_name: String,
    /// `sales`, `service`, `parts`.
    pub direction: String,
    pub direction_label: String,
    pub rep_id: String,
    pub rep_name: String,
}

/// A direction of leads (`sales`: preorder, test drive, credit, trade-in, callback).
#[derive(Serialize, ToSchema)]
pub struct DirectionView {
    pub code: &'static str,
    pub label: &'static str,
}

/// The network's routing rules and assignments («Правила распределения»).
#[derive(Serialize, ToSchema)]
pub struct NetworkRulesView {
    pub network_id: String,
    /// Send it back with a change; 0 while nothing was saved.
    pub version: u64,
    /// RFC 3339 UTC, `null` while nothing was saved.
    pub updated_at: Option<String>,
    /// `02.12.2026 14:20`, Moscow time.
    pub updated_at_local: Option<String>,
    pub updated_by_name: Option<String>,
    pub cities: Vec<PlaceRuleView>,
    pub regions: Vec<PlaceRuleView>,
    pub default_dealer_id: Option<String>,
    pub default_dealer_name: Option<String>,
    pub assignments: Vec<AssignmentView>,
    /// What rules may name.
    pub dealers: Vec<NetworkDealerView>,
    pub representatives: Vec<RepView>,
    pub directions: Vec<DirectionView>,
}

impl NetworkRulesView {
    /// The rules with names; `updated_by` is the name of who saved them last.
    pub fn new(r: &NetworkRules, updated_by: Option<String>) -> NetworkRulesView {
        let cities = crate::lead::cities();
        let draft = NetworkRulesDraft::of(&r.routing, &r.assignments, cities);
        let dealer_names: HashMap<DealerId, &str> = r
            .dealers
            .iter()
            .map(|d| (d.id.clone(), d.name.as_str()))
            .collect();
        let dealer_name = |id: &str| {
            dealer_names
                .get(&DealerId::new(id))
                .map(|n| n.to_string())
                .unwrap_or_else(|| id.to_string())
        };
        let rep_names: HashMap<UserId, &str> = r
            .reps
            .iter()
            .map(|u| (u.id.clone(), u.name.as_str()))
            .collect();
        let place = |rules: &[dealerdesk_domain::lead::PlaceRuleDraft]| {
            rules
                .iter()
                .map(|p| {
                    let dealer = p.dealer_id.clone().unwrap_or_default();
                    PlaceRuleView {
                        place: p.place.clone().unwrap_or_default(),
                        dealer_name: dealer_name(&dealer),
                        dealer_id: dealer,
                    }
                })
                .collect()
        };
        NetworkRulesView {
            network_id: r.network.to_string(),
            version: r.version,
            updated_at: r.updated_at.map(utc),
            updated_at_local: r.updated_at.map(local),
            updated_by_name: updated_by,
            cities: place(&draft.cities),
            regions: place(&draft.regions),
            default_dealer_name: draft.default_dealer_id.as_deref().map(dealer_name),
            default_dealer_id: draft.default_dealer_id.clone(),
            assignments: r
                .assignments
                .entries()
                .map(|a| AssignmentView {
                    dealer_name: dealer_name(a.dealer.as_str()),
                    dealer_id: a.dealer.to_string(),
                    direction: a.direction.code().to_string(),
                    direction_label: a.direction.label().to_string(),
                    rep_name: rep_names
                        .get(&a.rep)
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| a.rep.to_string()),
                    rep_id: a.rep.to_string(),
                })
                .collect(),
            dealers: r
                .dealers
                .iter()
                .map(|d| NetworkDealerView {
                    id: d.id.to_string(),
                    name: d.name.clone(),
                    city: d.city.clone(),
                })
                .collect(),
            representatives: r
                .reps
                .iter()
                .map(|u| RepView {
                    id: u.id.to_string(),
                    name: u.name.clone(),
                    email: u.email.clone(),
                })
                .collect(),
            directions: Direction::ALL
                .iter()
                .map(|d| DirectionView {
                    code: d.code(),
                    label: d.label(),
                })
                .collect(),
        }
    }
}

/// The regions of the reference table, by name (the region rules' select).
pub fn region_options() -> Vec<String> {
    let regions: BTreeSet<String> = crate::lead::cities()
        .cities()
        .iter()
        .map(|c| c.region.clone())
        .collect();
    regions.into_iter().collect()
}

/// One overdue lead of the live view.
#[derive(Serialize, ToSchema)]
pub struct OverdueLeadView {
    pub id: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Moscow time, `02.12.2026 14:20`.
    pub created_local: String,
    /// When its 2 working hours ran out (RFC 3339 UTC).
    pub overdue_since: String,
    pub overdue_since_local: String,
    pub customer: String,
    pub phone: Option<String>,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub status_label: String,
    /// Who observes it (its representative), when anyone does.
    pub observer_id: Option<String>,
    pub observer_name: Option<String>,
    /// Escalations already sent: `dealer_2h`, `observer_4h`.
    pub escalated: Vec<String>,
}

/// A dealer's overdue leads, oldest first.
#[derive(Serialize, ToSchema)]
pub struct OverdueGroupView {
    pub dealer_id: String,
    pub dealer_name: String,
    pub count: usize,
    pub leads: Vec<OverdueLeadView>,
}

/// «Просроченные заявки»: overdue leads grouped by dealer.
#[derive(Serialize, ToSchema)]
pub struct OverdueView {
    /// RFC 3339 UTC: the instant the view was computed at.
    pub at: String,
    pub total: usize,
    pub groups: Vec<OverdueGroupView>,
}

impl OverdueView {
    pub fn new(
        at: chrono::DateTime<chrono::Utc>,
        groups: &[OverdueGroup],
        dealers: &HashMap<DealerId, String>,
        people: &HashMap<UserId, String>,
    ) -> OverdueView {
        let groups: Vec<OverdueGroupView> = groups
            .iter()
            .map(|g| OverdueGroupView {
                dealer_id: g.dealer.to_string(),
                dealer_name: dealers
                    .get(&g.dealer)
                    .cloned()
                    .unwrap_or_else(|| g.dealer.to_string()),
                count: g.leads.len(),
                leads: g
                    .leads
                    .iter()
                    .map(|o| {
                        let l = &o.lead;
                        let person = l.person();
                        let customer = match &person.surname {
                            Some(surname) => format!("{} {}", surname, person.name),
                            None => person.name.clone(),
                        };
                        OverdueLeadView {
                            id: l.id().to_string(),
                            created_at: utc(l.created_at()),
                            created_local: local(l.created_at()),
                            overdue_since: utc(o.overdue_since),
                            overdue_since_local: local(o.overdue_since),
                            customer,
                            phone: person.phone.as_ref().map(|p| p.to_string()),
                            kind: l.kind().code().to_string(),
                            kind_label: l.kind().label().to_string(),
                            status: l.status().code().to_string(),
                            status_label: l.status().label().to_string(),
                            observer_id: l.observer().map(ToString::to_string),
                            observer_name: l
                                .observer()
                                .map(|u| people.get(u).cloned().unwrap_or_else(|| u.to_string())),
                            escalated: l.escalated().iter().map(|s| s.code().to_string()).collect(),
                        }
                    })
                    .collect(),
            })
            .collect();
        OverdueView {
            at: utc(at),
            total: groups.iter().map(|g| g.count).sum(),
            groups,
        }
    }
}

/// The escalation e-mails (`email/<kind>.subject|txt|html`), beside the outbox's own.
const EMAILS: [(&str, &str); 6] = [
    (
        "email/lead_escalation_dealer.subject",
        include_str!("../../../templates/lead/escalation/email/lead_escalation_dealer.subject"),
    ),
    (
        "email/lead_escalation_dealer.txt",
        include_str!("../../../templates/lead/escalation/email/lead_escalation_dealer.txt"),
    ),
    (
        "email/lead_escalation_dealer.html",
        include_str!("../../../templates/lead/escalation/email/lead_escalation_dealer.html"),
    ),
    (
        "email/lead_escalation_observer.subject",
        include_str!("../../../templates/lead/escalation/email/lead_escalation_observer.subject"),
    ),
    (
        "email/lead_escalation_observer.txt",
        include_str!("../../../templates/lead/escalation/email/lead_escalation_observer.txt"),
    ),
    (
        "email/lead_escalation_observer.html",
        include_str!("../../../templates/lead/escalation/email/lead_escalation_observer.html"),
    ),
];

/// Adds the area's pages and e-mails.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    for (name, source) in EMAILS {
        templates::add(env, name, source);
    }
    templates::add(
        env,
        "lead/escalation/hours.html",
        include_str!("../../../templates/lead/escalation/hours.html"),
    );
    templates::add(
        env,
        "lead/escalation/network.html",
        include_str!("../../../templates/lead/escalation/network.html"),
    );
    templates::add(
        env,
        "lead/escalation/dealers.html",
        include_str!("../../../templates/lead/escalation/dealers.html"),
    );
    templates::add(
        env,
        "lead/escalation/overdue.html",
        include_str!("../../../templates/lead/escalation/overdue.html"),
    );
}
