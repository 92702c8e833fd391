//! Who may open which report over which dealers (SPEC §1, §4.6, issue 11): one table,
//! [`reach`], from the actor's role and the report's [`Family`]. The app turns the reach
//! into a [`ReportScope`] once per request (reading the directory or the network's
//! assignments where the reach needs them) and every figure is read through it.
//!
//! | role | ticket reports | lead reports |
//! |---|---|---|
//! | `admin` | every dealer | every dealer |
//! | `brand_admin` | its network (the platform's dealers: brand users carry no network, as in the lead listing) | its network |
//! | `regional_rep` | — | the dealers and directions it observes |
//! | `account_manager` | the dealers it looks after | — |
//! | `specialist` | every dealer | — |
//! | `dealer` | itself | itself |
//! | `accountant` | its dealer's `ticket_costs` only | — |
//!
//! A report outside the table is answered like an unknown one (404), so the list of
//! reports a role has does not leak; a dealer outside the scope is a 404 too.

use super::ReportName;
use crate::lead::Direction;
use crate::role::Role;
use crate::{Actor, DealerId, UserId};
use std::collections::{BTreeMap, BTreeSet};

/// The data a report reads, which decides who may open it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Support tickets, their costs and the quarterly survey.
    Tickets,
    /// Leads (SPEC §4).
    Leads,
}

/// Which dealers an actor's report covers, before anything is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The report is not the actor's to open (404).
    Nothing,
    /// Every dealer of the platform.
    All,
    /// This dealer only.
    OwnDealer(DealerId),
    /// The dealers this account manager looks after.
    ManagedDealers(UserId),
    /// The dealers and directions this regional representative observes.
    Observed(UserId),
}

/// The one table of who opens which report (see the module's documentation).
pub fn reach(actor: &Actor, report: ReportName) -> Reach {
    let own = || match &actor.dealer_id {
        Some(dealer) => Reach::OwnDealer(dealer.clone()),
        None => Reach::Nothing,
    };
    match (report.family(), actor.role) {
        (_, Role::Admin | Role::BrandAdmin) => Reach::All,
        (_, Role::Dealer) => own(),
        (Family::Tickets, Role::Specialist) => Reach::All,
        (Family::Tickets, Role::AccountManager) => Reach::ManagedDealers(actor.user_id.clone()),
        (Family::Tickets, Role::Accountant) if report == ReportName::TicketCosts => own(),
        (Family::Tickets, Role::Accountant | Role::RegionalRep) => Reach::Nothing,
        (Family::Leads, Role::RegionalRep) => Reach::Observed(actor.user_id.clone()),
        (Family::Leads, Role::Accountant | Role::Specialist | Role::AccountManager) => {
            Reach::Nothing
        }
    }
}

/// The reports `actor` may open, in the list's order.
pub fn reports_of(actor: &Actor) -> Vec<ReportName> {
    ReportName::ALL
        .into_iter()
        .filter(|r| reach(actor, *r) != Reach::Nothing)
        .collect()
}

/// The dealers (and, for leads, directions) a report covers, resolved from a [`Reach`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportScope {
    /// Every dealer: platform-wide figures.
    All,
    /// These dealers only (possibly none: an account manager without dealers).
    Dealers(BTreeSet<DealerId>),
    /// These dealers' leads of these directions only (a representative's assignments).
    Observed(BTreeMap<DealerId, BTreeSet<Direction>>),
}

impl ReportScope {
    /// Whether figures of `dealer` are in the scope.
    pub fn admits(&self, dealer: &DealerId) -> bool {
        match self {
            ReportScope::All => true,
            ReportScope::Dealers(set) => set.contains(dealer),
            ReportScope::Observed(map) => map.contains_key(dealer),
        }
    }

    /// Whether `dealer`'s figures of `direction` are in the scope.
    pub fn admits_direction(&self, dealer: &DealerId, direction: Direction) -> bool {
        match self {
            ReportScope::Observed(map) => map.get(dealer).is_some_and(|d| d.contains(&direction)),
            other => other.admits(dealer),
        }
    }

    /// The scope narrowed to one dealer, or `None` when that dealer is outside it.
    pub fn narrow(&self, dealer: &DealerId) -> Option<ReportScope> {
        match self {
            _ if !self.admits(dealer) => None,
            ReportScope::Observed(map) => Some(ReportScope::Observed(
                map.iter()
                    .filter(|(d, _)| *d == dealer)
                    .map(|(d, dirs)| (d.clone(), dirs.clone()))
                    .collect(),
            )),
            ReportScope::All | ReportScope::Dealers(_) => {
                Some(ReportScope::Dealers(BTreeSet::from([dealer.clone()])))
            }
        }
    }

    /// The dealers named by the scope; `None` for every dealer.
    pub fn dealers(&self) -> Option<BTreeSet<DealerId>> {
        match self {
            ReportScope::All => None,
            ReportScope::Dealers(set) => Some(set.clone()),
            ReportScope::Observed(map) => Some(map.keys().cloned().collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, dealer: Option<&str>) -> Actor {
        Actor {
            user_id: UserId::new("u1"),
            role,
            dealer_id: dealer.map(DealerId::new),
        }
    }

    #[test]
    fn the_accountant_opens_its_own_dealers_ticket_costs_and_nothing_else() {
        let a = actor(Role::Accountant, Some("d1"));
        assert_eq!(reports_of(&a), vec![ReportName::TicketCosts]);
        assert_eq!(
            reach(&a, ReportName::TicketCosts),
            Reach::OwnDealer(DealerId::new("d1"))
        );
        assert_eq!(reach(&a, ReportName::Tickets), Reach::Nothing);
    }

    #[test]
    fn ticket_reports_by_role() {
        let table = [
            (Role::Admin, None, Reach::All),
            (Role::BrandAdmin, None, Reach::All),
            (Role::Specialist, None, Reach::All),
            (
                Role::AccountManager,
                None,
                Reach::ManagedDealers(UserId::new("u1")),
            ),
            (
                Role::Dealer,
                Some("d1"),
                Reach::OwnDealer(DealerId::new("d1")),
            ),
            (Role::RegionalRep, None, Reach::Nothing),
        ];
        for (role, dealer, expected) in table {
            for report in [
                ReportName::Tickets,
                ReportName::TicketSla,
                ReportName::TicketCosts,
                ReportName::TicketSurvey,
            ] {
                assert_eq!(reach(&actor(role, dealer), report), expected, "{role:?}");
            }
        }
    }

    #[test]
    fn a_dealer_without_its_dealer_reaches_nothing() {
        assert_eq!(
            reach(&actor(Role::Dealer, None), ReportName::Tickets),
            Reach::Nothing
        );
    }

    #[test]
    fn a_scope_narrows_to_a_dealer_inside_it_only() {
        let d1 = DealerId::new("d1");
        let d2 = DealerId::new("d2");
        let mine = ReportScope::Dealers(BTreeSet::from([d1.clone()]));
        assert_eq!(mine.narrow(&d2), None);
        assert_eq!(mine.narrow(&d1), Some(mine.clone()));
        assert_eq!(ReportScope::All.narrow(&d2).and_then(|s| s.dealers()), {
            Some(BTreeSet::from([d2.clone()]))
        });
        let observed = ReportScope::Observed(BTreeMap::from([
            (d1.clone(), BTreeSet::from([Direction::Sales])),
            (d2.clone(), BTreeSet::from([Direction::Service])),
        ]));
        assert!(observed.admits_direction(&d1, Direction::Sales));
        assert!(!observed.admits_direction(&d1, Direction::Service));
        let narrowed = observed.narrow(&d2).expect("inside");
        assert!(narrowed.admits_direction(&d2, Direction::Service));
        assert!(!narrowed.admits(&d1));
        assert_eq!(ReportScope::All.dealers(), None);
    }
}
