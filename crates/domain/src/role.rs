//! Roles of SPEC §1.

crate::coded_enum! {
    /// Who a user is on the platform; decides what they see and do.
    pub enum Role {
        /// Dealer-centre staff: own dealer's tickets, leads, bills; files tickets.
        Dealer = "dealer" / "Дилерский центр",
        /// Dealer's bookkeeper: only the dealer's documents.
        Accountant = "accountant" / "Бухгалтер дилера",
        /// Platform support staff: every ticket.
        Specialist = "specialist" / "Специалист поддержки",
        /// Platform account manager: own dealers' tickets, costs, wishes.
        AccountManager = "account_manager" / "Аккаунт-менеджер",
        /// Brand's regional representative, an observer of leads.
        RegionalRep = "regional_rep" / "Региональный представитель",
        /// Brand head office: all leads and reports of the network.
        BrandAdmin = "brand_admin" / "Бренд",
        /// Platform operator: everything.
        Admin = "admin" / "Администратор",
    }
}

impl Role {
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
