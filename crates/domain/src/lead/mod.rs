//! Leads («заявки с сайта», «предзаказы», SPEC §4): the pure rules of the lead CRM.
//!
//! - [`kind`]: lead types with their direction, and sources;
//! - [`contact`]: phones (E.164 through libphonenumber) and e-mails, normalised and masked;
//! - [`intake`]: the webhook's draft, checked field by field;
//! - [`card`]: the lead card, its two status blocks, history and integrity;
//! - [`edit`]: the card's edit form read into changes;
//! - [`routing`] and [`cities`]: which dealer gets a lead and who observes it;
//! - [`network`]: the head office's routing rules and assignments as edited, checked;
//! - [`customer`]: one customer profile per person;
//! - [`escalation`]: dealer working hours and the 2 h / 4 h escalations;
//! - [`survey`]: the customer's feedback 24 hours after the lead;
//! - [`tally`]: what a lead counts in the lead reports (the counters kept with every save);
//! - [`search`]: finding a lead across dealers, its redacted view, the transfer;
//! - [`privacy`]: anonymisation (152-ФЗ);
//! - [`site`]: the sites that post leads, their keys and their post limits;
//! - [`notices`]: who is told what, with deterministic keys.
//!
//! Nothing here reads the clock or the store: "now", the routing table, the assignments,
//! the dealer's hours and the production calendar are arguments.

pub mod card;
pub mod cities;
pub mod contact;
pub mod customer;
pub mod deletion;
pub mod edit;
pub mod escalation;
pub mod intake;
pub mod kind;
pub mod network;
pub mod notices;
pub mod privacy;
pub mod routing;
pub mod search;
pub mod site;
pub mod survey;
pub mod tally;

use serde::{Deserialize, Serialize};
use std::fmt;

pub use card::{
    ContactBlock, ContactOutcome, ContractBlock, ContractOutcome, CountedAsRead, Lead, LeadChange,
    LeadError, LeadField, LeadHistoryEntry, LeadKeys, LeadStatus, NoContactReason,
    NoContractReason, Person, Placement, status_of,
};
pub use cities::{CitiesError, City, CityTable, FederalDistrict, fold, normalise_place};
pub use contact::{Email, Phone, mask_email, mask_phone, normalise_email, normalise_phone};
pub use customer::{CustomerProfile, IdentityDecision, identify, identity_keys};
pub use edit::LeadEditDraft;
pub use escalation::{
    DealerHours, DealerHoursDraft, DealerHoursDraftError, DealerHoursError, EscalationDue,
    EscalationStep, RUSSIAN_TIME_ZONES, WEEKDAY_LABELS, escalations_due, russian_zone_label,
    weekday_codes, working_deadline, working_time_between,
};
pub use intake::{
    Consent, DEALER_ENTRY_CONSENT, LeadDraft, LeadDraftError, MIN_FILL_TIME, NewLead, SpamReason,
    Utm, parse_rubles, spam_reason,
};
pub use kind::{Direction, LeadSource, LeadType};
pub use network::{
    AssignmentDraft, NetworkFacts, NetworkRulesDraft, NetworkRulesError, PlaceRuleDraft,
};
pub use notices::{
    escalation_notice, new_lead_notices, survey_alert, survey_invitation, transfer_notices,
};
pub use privacy::{ANONYMOUS_NAME, ERASED, anonymise_history};
pub use routing::{
    Assignment, Assignments, Origin, Routed, RoutedBy, RoutingError, RoutingTable, route,
};
pub use search::{LeadQuery, RedactedLead, SearchDraft, SearchError, search_key};
pub use site::{
    BROWSER_POST_LIMIT, FORM_TOKEN_MAX_AGE, PostLimit, SERVER_POST_LIMIT, Site, SiteDraft,
    SiteError, SiteId, SiteOwner, SiteSettings, normalise_origin,
};
pub use survey::{SurveyAnswer, SurveyDraft, SurveyError, SurveyResponse};
pub use tally::{
    Counter, Counts, CountsRow, LeadTally, ProcessingBucket, RefusalReason, RefusalStage,
    TallyBucket, refusal_of, report_day, tally_delta,
};

macro_rules! lead_id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an existing identifier.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The identifier as stored and shown in the API.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

// Kept beside the feature until `ids.rs` settles (another change is moving it); they can
// join the other ids there without changing their shape.
lead_id_type!(
    /// A lead («заявка»).
    LeadId
);
lead_id_type!(
    /// A customer profile: every lead of one person (same phone or e-mail) across dealers.
    CustomerId
);
