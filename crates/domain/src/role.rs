//! Roles of SPEC §1.

use serde::{Deserialize, Serialize};

/// Who a user is on the platform; decides what they see and do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Dealer-centre staff: own dealer's tickets, leads, bills; files tickets.
    Dealer,
    /// Dealer's bookkeeper: only the dealer's documents.
    Accountant,
    /// Platform support staff: every ticket.
    Specialist,
    /// Platform account manager: own dealers' tickets, costs, wishes.
    AccountManager,
    /// Brand's regional representative, an observer of leads.
    RegionalRep,
    /// Brand head office: all leads and reports of the network.
    BrandAdmin,
    /// Platform operator: everything.
    Admin,
}

impl Role {
    /// Every role, in the order of SPEC §1.
    pub const ALL: [Role; 7] = [
        Role::Dealer,
        Role::Accountant,
        Role::Specialist,
        Role::AccountManager,
        Role::RegionalRep,
        Role::BrandAdmin,
        Role::Admin,
    ];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Dealer => "dealer",
            Role::Accountant => "accountant",
            Role::Specialist => "specialist",
            Role::AccountManager => "account_manager",
            Role::RegionalRep => "regional_rep",
            Role::BrandAdmin => "brand_admin",
            Role::Admin => "admin",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The Russian name shown in the portal.
    pub fn label(self) -> &'static str {
        match self {
            Role::Dealer => "Дилерский центр",
            Role::Accountant => "Бухгалтер дилера",
            Role::Specialist => "Специалист поддержки",
            Role::AccountManager => "Аккаунт-менеджер",
            Role::RegionalRep => "Региональный представитель",
            Role::BrandAdmin => "Бренд",
            Role::Admin => "Администратор",
        }
    }

    /// Roles bound to one dealer; their users carry a dealer id.
    pub fn is_dealer_bound(self) -> bool {
        matches!(self, Role::Dealer | Role::Accountant)
    }

    /// Platform staff who work tickets.
    pub fn works_tickets(self) -> bool {
        matches!(self, Role::Specialist | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_code_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn only_dealer_and_accountant_are_bound_to_a_dealer() {
        let bound: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.is_dealer_bound())
            .collect();
        assert_eq!(bound, vec![Role::Dealer, Role::Accountant]);
    }
}
