//! Visibility: which dealers' data an actor may see in an area of the product. One scope per
//! actor and area, one check per item: use cases ask [`Actor::scope`](crate::Actor::scope)
//! once and [`Scope::admits`] for every item, and listings read by the scope (one dealer's
//! partition, the managed dealers', everything). A refused item is a 404 for the caller, so
//! its existence does not leak; a [`Scope::Nothing`] area is a 403.

use crate::ids::{DealerId, UserId};

/// An area of the product with its own visibility rule (SPEC §1). A feature with a rule of
/// its own adds its area here and its row to [`Actor::scope`](crate::Actor::scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Area {
    /// Tickets with their comments, files, time and costs.
    Tickets,
    /// Central improvement wishes.
    Wishes,
    /// Invoices, acts and the contract.
    Documents,
    /// A dealer's working hours for leads (SPEC §4.4): edited by admins and by the account
    /// manager of the dealer.
    DealerHours,
    /// A dealer's subscription (SPEC §3): the dealer reads its own, its account manager
    /// and admins read and change it.
    Subscription,
    /// The network's lead routing rules and representatives' assignments (SPEC §4.2):
    /// edited by the brand head office.
    LeadNetwork,
    /// A dealer's accountants (invited, listed and revoked by the dealer's own staff and
    /// admins).
    Accountants,
    /// The dealer's dashboard («Личный кабинет»): the dealer and its accountant, its
    /// account manager, admins.
    Dashboard,
    /// The quarterly survey's answers, results and follow-up tasks (SPEC §2.9): account
    /// managers for their dealers, admins for all.
    SurveyResults,
}

/// Whose an item is: what a scope is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner<'a> {
    /// The dealer the item belongs to.
    pub dealer: &'a DealerId,
    /// The account manager who looks after that dealer, when the scope needs it
    /// ([`Scope::needs_account_manager`]); `None` otherwise or when nobody does.
    pub account_manager: Option<&'a UserId>,
}

/// Which items of an area an actor sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// None at all: the area is closed to this role (403).
    Nothing,
    /// Only this dealer's.
    OwnDealer(DealerId),
    /// Those of the dealers this account manager looks after.
    ManagedDealers(UserId),
    /// Every dealer's.
    All,
}

impl Scope {
    /// Whether an item owned as `owner` is visible.
    pub fn admits(&self, owner: &Owner<'_>) -> bool {
        match self {
            Scope::Nothing => false,
            Scope::OwnDealer(dealer) => owner.dealer == dealer,
            Scope::ManagedDealers(manager) => owner.account_manager == Some(manager),
            Scope::All => true,
        }
    }

    /// Whether [`Scope::admits`] needs the dealer's account manager (so a use case looks it up
    /// only when it matters).
    pub fn needs_account_manager(&self) -> bool {
        matches!(self, Scope::ManagedDealers(_))
    }

    /// Whether the area is open at all.
    pub fn is_open(&self) -> bool {
        !matches!(self, Scope::Nothing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_admits_what_it_says() {
        let d1 = DealerId::new("d1");
        let d2 = DealerId::new("d2");
        let am = UserId::new("am");
        let mine = Owner {
            dealer: &d1,
            account_manager: Some(&am),
        };
        let theirs = Owner {
            dealer: &d2,
            account_manager: None,
        };
        assert!(Scope::OwnDealer(d1.clone()).admits(&mine));
        assert!(!Scope::OwnDealer(d1.clone()).admits(&theirs));
        assert!(Scope::ManagedDealers(am.clone()).admits(&mine));
        assert!(!Scope::ManagedDealers(am.clone()).admits(&theirs));
        assert!(Scope::All.admits(&theirs));
        assert!(!Scope::Nothing.admits(&mine));
        assert!(!Scope::Nothing.is_open());
    }
}
