//! Notices: what people must be told about a change. A notice is written to the outbox in
//! the same transaction as the change that causes it; a sender delivers it later.

use crate::ids::{DealerId, UserId};
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who receives a notice. Resolved to e-mail addresses when it is delivered, so a user
/// added to a dealer in between also gets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// One person.
    User { user_id: UserId },
    /// Every `dealer` user of a dealer (not its accountants).
    DealerStaff { dealer_id: DealerId },
    /// Every `dealer` and `accountant` user of a dealer: billing documents go to both.
    DealerAndAccountants { dealer_id: DealerId },
    /// The account manager who looks after a dealer.
    AccountManagerOf { dealer_id: DealerId },
    /// Everyone with a role (e.g. the specialist team).
    Role { role: Role },
    /// An address outside the platform (a lead's customer).
    Address { email: String },
}

/// One message to deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Unique and deterministic for what caused it (`ticket:<id>:v<version>`,
    /// `sla-warning:<id>:<due>`), so writing the same notice twice stores it once.
    pub key: String,
    /// The e-mail template that renders it.
    pub template: String,
    pub audience: Audience,
    /// Values for the template.
    pub params: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
}

impl Notice {
    /// A notice with no parameters yet.
    pub fn new(
        key: impl Into<String>,
        template: &str,
        audience: Audience,
        at: DateTime<Utc>,
    ) -> Notice {
        Notice {
            key: key.into(),
            template: template.to_string(),
            audience,
            params: BTreeMap::new(),
            created_at: at,
        }
    }

    /// Adds a template parameter.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Notice {
        self.params.insert(name.to_string(), value.into());
        self
    }
}
