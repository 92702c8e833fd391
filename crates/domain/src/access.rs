//! Who may see what (SPEC §1). Every use case asks these questions before touching data.

use crate::ids::{DealerId, UserId};
use crate::kernel::{Area, Scope};
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// An authenticated person acting on the platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    /// Set for dealer-bound roles (dealer, accountant), absent for everyone else.
    pub dealer_id: Option<DealerId>,
}

impl Actor {
    /// Which items of `area` this actor sees (SPEC §1): the one table of who sees what.
    pub fn scope(&self, area: Area) -> Scope {
        let own = || match &self.dealer_id {
            Some(dealer) => Scope::OwnDealer(dealer.clone()),
            None => Scope::Nothing,
        };
        let managed = || Scope::ManagedDealers(self.user_id.clone());
        match (area, self.role) {
            (_, Role::Admin) => Scope::All,
            (Area::Tickets, Role::Dealer) => own(),
            (Area::Tickets, Role::Specialist) => Scope::All,
            (Area::Tickets, Role::AccountManager) => managed(),
            (Area::Tickets, Role::Accountant | Role::RegionalRep | Role::BrandAdmin) => {
                Scope::Nothing
            }
            (Area::Wishes, Role::Dealer) => own(),
            (Area::Wishes, Role::AccountManager) => managed(),
            (
                Area::Wishes,
                Role::Accountant | Role::Specialist | Role::RegionalRep | Role::BrandAdmin,
            ) => Scope::Nothing,
            (Area::LeadNetwork, Role::BrandAdmin) => Scope::All,
            (
                Area::LeadNetwork,
                Role::Dealer
                | Role::Accountant
                | Role::Specialist
                | Role::AccountManager
                | Role::RegionalRep,
            ) => Scope::Nothing,
            (Area::Documents, Role::Dealer | Role::Accountant) => own(),
            (Area::Documents, Role::AccountManager) => managed(),
            (Area::Documents, Role::Specialist | Role::RegionalRep | Role::BrandAdmin) => {
                Scope::Nothing
            }
            (Area::Subscription, Role::Dealer) => own(),
            (Area::Subscription, Role::AccountManager) => managed(),
            (
                Area::Subscription,
                Role::Accountant | Role::Specialist | Role::RegionalRep | Role::BrandAdmin,
            ) => Scope::Nothing,
            (Area::DealerHours, Role::AccountManager) => managed(),
            (
                Area::DealerHours,
                Role::Dealer
                | Role::Accountant
                | Role::Specialist
                | Role::RegionalRep
                | Role::BrandAdmin,
            ) => Scope::Nothing,
            (Area::Accountants, Role::Dealer) => own(),
            (
                Area::Accountants,
                Role::Accountant
                | Role::Specialist
                | Role::AccountManager
                | Role::RegionalRep
                | Role::BrandAdmin,
            ) => Scope::Nothing,
            (Area::Dashboard, Role::Dealer | Role::Accountant) => own(),
            (Area::Dashboard, Role::AccountManager) => managed(),
            (Area::Dashboard, Role::Specialist | Role::RegionalRep | Role::BrandAdmin) => {
                Scope::Nothing
            }
            (Area::SurveyResults, Role::AccountManager) => managed(),
            (
                Area::SurveyResults,
                Role::Dealer
                | Role::Accountant
                | Role::Specialist
                | Role::RegionalRep
                | Role::BrandAdmin,
            ) => Scope::Nothing,
        }
    }

    /// The dealer on whose behalf this actor files tickets, if they may file any.
    pub fn filing_dealer(&self) -> Option<&DealerId> {
        match self.role {
            Role::Dealer => self.dealer_id.as_ref(),
            _ => None,
        }
    }

    /// Whether this actor can list tickets at all.
    pub fn reads_tickets(&self) -> bool {
        matches!(
            self.role,
            Role::Dealer | Role::Specialist | Role::AccountManager | Role::Admin
        )
    }

    /// Whether this actor works with leads (SPEC §1, §4): dealers, regional representatives,
    /// the brand's head office and the platform operator.
    pub fn reads_leads(&self) -> bool {
        matches!(
            self.role,
            Role::Dealer | Role::RegionalRep | Role::BrandAdmin | Role::Admin
        )
    }

    /// Whether this actor sees every dealer's tickets.
    pub fn sees_all_tickets(&self) -> bool {
        matches!(self.role, Role::Specialist | Role::Admin)
    }

    /// Whether this actor may see a ticket of `dealer`, whose account manager is
    /// `account_manager`.
    pub fn can_view_ticket_of(&self, dealer: &DealerId, account_manager: Option<&UserId>) -> bool {
        match self.role {
            Role::Specialist | Role::Admin => true,
            Role::Dealer => self.dealer_id.as_ref() == Some(dealer),
            Role::AccountManager => account_manager == Some(&self.user_id),
            Role::Accountant | Role::RegionalRep | Role::BrandAdmin => false,
        }
    }

    /// Whether this actor acts for `dealer` (the dealer's own staff).
    pub fn is_staff_of(&self, dealer: &DealerId) -> bool {
        self.role == Role::Dealer && self.dealer_id.as_ref() == Some(dealer)
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
    fn a_dealer_sees_only_its_own_tickets() {
        let d1 = DealerId::new("d1");
        let d2 = DealerId::new("d2");
        let dealer = actor(Role::Dealer, Some("d1"));
        assert!(dealer.can_view_ticket_of(&d1, None));
        assert!(!dealer.can_view_ticket_of(&d2, None));
    }

    #[test]
    fn an_account_manager_sees_only_their_dealers() {
        let d1 = DealerId::new("d1");
        let manager = actor(Role::AccountManager, None);
        assert!(manager.can_view_ticket_of(&d1, Some(&UserId::new("u1"))));
        assert!(!manager.can_view_ticket_of(&d1, Some(&UserId::new("u2"))));
        assert!(!manager.can_view_ticket_of(&d1, None));
    }

    #[test]
    fn accountants_reps_and_brand_never_see_tickets() {
        let d1 = DealerId::new("d1");
        for role in [Role::Accountant, Role::RegionalRep, Role::BrandAdmin] {
            let a = actor(role, Some("d1"));
            assert!(!a.can_view_ticket_of(&d1, Some(&UserId::new("u1"))));
            assert!(!a.reads_tickets());
            assert!(a.filing_dealer().is_none());
        }
    }

    #[test]
    fn specialists_and_admins_see_every_ticket() {
        for role in [Role::Specialist, Role::Admin] {
            assert!(actor(role, None).can_view_ticket_of(&DealerId::new("dx"), None));
        }
    }

    #[test]
    fn the_scope_table_matches_the_ticket_rules() {
        use crate::kernel::Owner;
        let d1 = DealerId::new("d1");
        let u1 = UserId::new("u1");
        for role in Role::ALL {
            let a = actor(role, role.is_dealer_bound().then_some("d1"));
            for manager in [None, Some(&u1)] {
                let owner = Owner {
                    dealer: &d1,
                    account_manager: manager,
                };
                assert_eq!(
                    a.scope(Area::Tickets).admits(&owner),
                    a.can_view_ticket_of(&d1, manager),
                    "{role:?}"
                );
            }
        }
    }

    #[test]
    fn an_accountant_sees_documents_and_nothing_else() {
        let a = actor(Role::Accountant, Some("d1"));
        assert_eq!(
            a.scope(Area::Documents),
            Scope::OwnDealer(DealerId::new("d1"))
        );
        assert_eq!(a.scope(Area::Tickets), Scope::Nothing);
        assert_eq!(a.scope(Area::Wishes), Scope::Nothing);
    }

    #[test]
    fn accountants_are_managed_by_their_dealer_and_admins_only() {
        use crate::kernel::Owner;
        let d1 = DealerId::new("d1");
        let owner = Owner {
            dealer: &d1,
            account_manager: Some(&UserId::new("u1")),
        };
        assert!(
            actor(Role::Dealer, Some("d1"))
                .scope(Area::Accountants)
                .admits(&owner)
        );
        assert!(
            !actor(Role::Dealer, Some("d2"))
                .scope(Area::Accountants)
                .admits(&owner)
        );
        for role in [Role::Accountant, Role::AccountManager, Role::Specialist] {
            assert!(!actor(role, Some("d1")).scope(Area::Accountants).is_open());
        }
        // The accountant sees the dashboard of its own dealer, not survey results.
        let accountant = actor(Role::Accountant, Some("d1"));
        assert!(accountant.scope(Area::Dashboard).admits(&owner));
        assert!(!accountant.scope(Area::SurveyResults).is_open());
        assert!(
            actor(Role::AccountManager, None)
                .scope(Area::SurveyResults)
                .admits(&owner)
        );
    }

    #[test]
    fn dealer_hours_are_edited_by_admins_and_the_dealers_account_manager_only() {
        use crate::kernel::Owner;
        let d1 = DealerId::new("d1");
        let mine = UserId::new("u1");
        let other = UserId::new("u2");
        let managed_by = |manager| Owner {
            dealer: &d1,
            account_manager: Some(manager),
        };
        let manager = actor(Role::AccountManager, None).scope(Area::DealerHours);
        assert!(manager.admits(&managed_by(&mine)));
        assert!(!manager.admits(&managed_by(&other)));
        assert!(
            actor(Role::Admin, None)
                .scope(Area::DealerHours)
                .admits(&managed_by(&other))
        );
        for role in [
            Role::Dealer,
            Role::Accountant,
            Role::Specialist,
            Role::RegionalRep,
            Role::BrandAdmin,
        ] {
            assert_eq!(
                actor(role, Some("d1")).scope(Area::DealerHours),
                Scope::Nothing,
                "{role:?}"
            );
        }
    }

    #[test]
    fn the_routing_rules_are_the_brand_head_offices() {
        for role in [Role::BrandAdmin, Role::Admin] {
            assert_eq!(actor(role, None).scope(Area::LeadNetwork), Scope::All);
        }
        for role in [
            Role::Dealer,
            Role::Accountant,
            Role::Specialist,
            Role::AccountManager,
            Role::RegionalRep,
        ] {
            assert!(!actor(role, Some("d1")).scope(Area::LeadNetwork).is_open());
        }
    }

    #[test]
    fn only_dealer_staff_file_tickets() {
        assert_eq!(
            actor(Role::Dealer, Some("d1")).filing_dealer(),
            Some(&DealerId::new("d1"))
        );
        assert!(actor(Role::Admin, None).filing_dealer().is_none());
    }
}
