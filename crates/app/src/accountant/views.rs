//! What the API and the portal show of a dealer's accountants.

use crate::accountant::Accountant;
use serde::Serialize;

/// One accountant of a dealer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountantView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub dealer_id: String,
    /// `invited` until the password is set through the link, then `active`.
    pub status: &'static str,
    /// «Приглашён» / «Активен».
    pub status_label: &'static str,
    pub created_at: String,
}

impl AccountantView {
    /// The view of `a`.
    pub fn new(a: &Accountant) -> Self {
        let (status, status_label) = if a.pending {
            ("invited", "Приглашён")
        } else {
            ("active", "Активен")
        };
        AccountantView {
            id: a.user.id.to_string(),
            email: a.user.email.clone(),
            name: a.user.name.clone(),
            dealer_id: a
                .user
                .dealer_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            status,
            status_label,
            created_at: crate::kernel::time::utc(a.user.created_at),
        }
    }
}

/// `{items}`
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountantList {
    pub items: Vec<AccountantView>,
}

/// The accountant's pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    use crate::kernel::templates::add;
    add(
        env,
        "accountant/invite.html",
        include_str!("../../templates/accountant/invite.html"),
    );
    add(
        env,
        "accountant/refused.html",
        include_str!("../../templates/accountant/refused.html"),
    );
}
