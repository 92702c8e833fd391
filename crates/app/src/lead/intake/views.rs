//! How the sites look on the outside: the admin's API and page.

use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_domain::lead::{Site, SiteOwner, SpamReason};
use dealerdesk_store::SiteWithSpam;
use serde::Serialize;
use utoipa::ToSchema;

/// Adds the intake's pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "lead/intake/admin_sites.html",
        include_str!("../../../templates/lead/intake/admin_sites.html"),
    );
    templates::add(
        env,
        "lead/intake/answer.html",
        include_str!("../../../templates/lead/intake/answer.html"),
    );
    templates::add(
        env,
        "lead/intake/lead_new.html",
        include_str!("../../../templates/lead/intake/lead_new.html"),
    );
}

/// The script the sites include (`/static/lead-form.js`).
pub const LEAD_FORM_JS: &str = include_str!("../../../templates/lead/intake/lead-form.js");

/// Spam posts of one reason.
#[derive(Serialize, ToSchema)]
pub struct SpamCountView {
    pub reason: String,
    pub reason_label: String,
    pub count: u64,
}

/// A site as the admin sees it (never its key: only when issued or rotated).
#[derive(Serialize, ToSchema)]
pub struct SiteView {
    /// The site's id, which is also its public form id (the forms' hidden `site` field).
    pub id: String,
    pub name: String,
    /// `dealer` or `brand`.
    pub owner: &'static str,
    pub owner_label: &'static str,
    pub dealer_id: Option<String>,
    pub network_id: Option<String>,
    /// Where its browser forms are served from (CORS, `Origin`).
    pub origins: Vec<String>,
    pub thank_you_url: Option<String>,
    pub consent_version: String,
    pub active: bool,
    /// RFC 3339 UTC.
    pub key_issued_at: String,
    /// Moscow time, for people.
    pub key_issued_local: String,
    pub revoked_at: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Spam posts stopped (never stored as leads).
    pub spam_total: u64,
    pub spam: Vec<SpamCountView>,
    pub version: u64,
}

impl SiteView {
    /// A site without spam counters (just changed).
    pub fn new(site: &Site) -> SiteView {
        SiteView::with_spam(&SiteWithSpam {
            site: site.clone(),
            spam: Default::default(),
        })
    }

    /// A site with its spam counters.
    pub fn with_spam(s: &SiteWithSpam) -> SiteView {
        let site = &s.site;
        let (owner, owner_label, dealer_id, network_id) = match &site.owner {
            SiteOwner::Dealer { dealer_id } => {
                ("dealer", "Сайт дилера", Some(dealer_id.to_string()), None)
            }
            SiteOwner::Brand { network_id } => {
                ("brand", "Сайт бренда", None, Some(network_id.to_string()))
            }
        };
        SiteView {
            id: site.id.to_string(),
            name: site.settings.name.clone(),
            owner,
            owner_label,
            dealer_id,
            network_id,
            origins: site.settings.origins.clone(),
            thank_you_url: site.settings.thank_you_url.clone(),
            consent_version: site.settings.consent_version.clone(),
            active: site.is_active(),
            key_issued_at: utc(site.key_issued_at),
            key_issued_local: local(site.key_issued_at),
            revoked_at: site.revoked_at.map(utc),
            created_at: utc(site.created_at),
            spam_total: s.spam_total(),
            spam: s
                .spam
                .iter()
                .map(|(code, count)| SpamCountView {
                    reason: code.clone(),
                    reason_label: SpamReason::from_code(code)
                        .map_or_else(|| code.clone(), |r| r.label().to_owned()),
                    count: *count,
                })
                .collect(),
            version: site.version,
        }
    }
}

/// Every site.
#[derive(Serialize, ToSchema)]
pub struct SiteList {
    pub items: Vec<SiteView>,
}

/// A site with the secret key just issued: the only time the key is shown.
#[derive(Serialize, ToSchema)]
pub struct IssuedKeyView {
    pub site: SiteView,
    /// The secret key for server-to-server posts (`X-Site-Key`); not shown again.
    pub secret_key: String,
}

/// A form token for a site's page.
#[derive(Serialize, ToSchema)]
pub struct FormTokenView {
    pub token: String,
    pub site: String,
    /// The least time between showing the form and posting it.
    pub min_fill_seconds: i64,
}

/// A lead just taken: what `POST /api/leads` answers.
#[derive(Serialize, ToSchema)]
pub struct LeadCreatedView {
    pub id: String,
    /// `new`, …
    pub status: &'static str,
    /// «Новый», …
    pub status_label: &'static str,
    pub dealer_id: String,
    /// The regional representative who observes the lead (none when nobody is assigned).
    pub observer_id: Option<String>,
    /// The customer profile the lead joined.
    pub customer_id: Option<String>,
}

impl LeadCreatedView {
    /// The view of `lead`.
    pub fn new(lead: &dealerdesk_domain::lead::Lead) -> LeadCreatedView {
        LeadCreatedView {
            id: lead.id().to_string(),
            status: lead.status().code(),
            status_label: lead.status().label(),
            dealer_id: lead.dealer().to_string(),
            observer_id: lead.observer().map(ToString::to_string),
            customer_id: lead.customer().map(ToString::to_string),
        }
    }
}
