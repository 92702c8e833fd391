//! What the anonymisation shows.

use crate::kernel::templates;
use crate::kernel::time::utc;
use dealerdesk_domain::lead::{CustomerProfile, mask_email, mask_phone};
use serde::Serialize;
use utoipa::ToSchema;

/// Adds the admin's page.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "lead/privacy/customer.html",
        include_str!("../../../templates/lead/privacy/customer.html"),
    );
}

/// A customer profile as the anonymisation shows it: contacts masked (the admin needs to
/// recognise the person, not to read their data again).
#[derive(Serialize, ToSchema)]
pub struct CustomerPrivacyView {
    pub id: String,
    pub name: String,
    pub surname: Option<String>,
    /// Masked: `+7 912 ***-**-89`.
    pub phones: Vec<String>,
    /// Masked: `iv***@mail.ru`.
    pub emails: Vec<String>,
    /// How many leads the person has.
    pub leads: usize,
    /// Whether the personal data were erased.
    pub anonymised: bool,
    /// RFC 3339 UTC.
    pub updated_at: String,
    pub version: u64,
}

impl CustomerPrivacyView {
    pub fn new(profile: &CustomerProfile) -> Self {
        CustomerPrivacyView {
            id: profile.id().to_string(),
            name: profile.name().to_string(),
            surname: profile.surname().map(str::to_string),
            phones: profile.phones().iter().map(mask_phone).collect(),
            emails: profile.emails().iter().map(mask_email).collect(),
            leads: profile.leads().len(),
            anonymised: profile.is_anonymised(),
            updated_at: utc(profile.updated_at()),
            version: profile.version(),
        }
    }
}

/// The answer of `POST /api/customers/{id}/anonymise`.
#[derive(Serialize, ToSchema)]
pub struct AnonymisedView {
    pub customer: CustomerPrivacyView,
    /// The leads whose personal data were replaced.
    pub leads_anonymised: usize,
}
