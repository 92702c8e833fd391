//! The network's lead settings: the brand head office's routing rules and the regional
//! representatives' assignments (one versioned item per network), and each dealer's working
//! hours for the escalation clock (an item in the dealer's partition).

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{Builder, Item, Reader, attr, n};
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{Assignments, DealerHours, RoutingTable};
use dealerdesk_domain::{DealerId, NetworkId, UserId};
use std::future::Future;

/// A network's routing rules and assignments, as the brand head office last saved them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadNetwork {
    pub network: NetworkId,
    pub routing: RoutingTable,
    pub assignments: Assignments,
    pub updated_at: DateTime<Utc>,
    /// Who saved them (`None`: the demo seed or a migration).
    pub updated_by: Option<UserId>,
    /// Optimistic concurrency: a save names the version it read.
    pub version: u64,
}

/// The network's lead settings and the dealers' hours.
pub trait LeadNetworkRepo {
    /// The network's routing rules and assignments, if saved.
    fn lead_network(
        &self,
        network: &NetworkId,
    ) -> impl Future<Output = Result<Option<LeadNetwork>, StoreError>> + Send;
    /// Saves them only if the stored ones are still `before` (their version, as the caller
    /// read them; also the audit entry's old values; `None`: none stored yet);
    /// `settings.version` is the new one.
    fn save_lead_network(
        &self,
        before: Option<&LeadNetwork>,
        settings: &LeadNetwork,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A dealer's working hours, if set.
    fn dealer_hours(
        &self,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Option<DealerHours>, StoreError>> + Send;
    /// Sets a dealer's working hours.
    fn put_dealer_hours(
        &self,
        dealer: &DealerId,
        hours: &DealerHours,
        at: DateTime<Utc>,
        by: Option<&UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

const ROUTING: &str = "routing";
const ASSIGNMENTS: &str = "assignments";
const HOURS: &str = "hours";

impl LeadNetworkRepo for Store {
    async fn lead_network(&self, network: &NetworkId) -> Result<Option<LeadNetwork>, StoreError> {
        self.get(keys::lead_network_pk(network), keys::LEAD_NETWORK_SK)
            .await?
            .map(|item| lead_network_from_item(&item))
            .transpose()
    }

    async fn save_lead_network(
        &self,
        before: Option<&LeadNetwork>,
        settings: &LeadNetwork,
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::LeadNetwork,
            lead_network_to_item(settings)?,
            before.map_or(0, |b| b.version),
            &[],
        );
        let stamp = crate::AuditStamp::new(
            dealerdesk_domain::audit::AuditItem::new(
                dealerdesk_domain::audit::AuditKind::LeadNetwork,
                settings.network.as_str(),
            ),
            settings.updated_at,
            settings.updated_by.clone(),
        );
        let write = match before {
            Some(before) => write.audit_against(stamp, lead_network_to_item(before)?),
            None => write.audit(stamp),
        };
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn dealer_hours(&self, dealer: &DealerId) -> Result<Option<DealerHours>, StoreError> {
        let Some(item) = self
            .get(keys::dealer_pk(dealer), keys::DEALER_HOURS_SK)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader::new(&item);
        serde_json::from_str(r.str(HOURS)?)
            .map(Some)
            .map_err(|e| r.corrupt(format_args!("`{HOURS}`: {e}")))
    }

    async fn put_dealer_hours(
        &self,
        dealer: &DealerId,
        hours: &DealerHours,
        at: DateTime<Utc>,
        by: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let item = Builder::new(
            keys::dealer_pk(dealer),
            keys::DEALER_HOURS_SK,
            "dealer_hours",
        )
        .string("dealer_id", dealer.as_str())
        .string(HOURS, to_json(hours)?)
        .instant("updated_at", at)
        .opt_string("updated_by", by.map(|u| u.as_str().to_string()))
        .build();
        self.put_plain(item).await
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("lead network: {e}")))
}

fn lead_network_to_item(s: &LeadNetwork) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::lead_network_pk(&s.network),
        keys::LEAD_NETWORK_SK,
        "lead_network",
    )
    .string("network_id", s.network.as_str())
    .string(ROUTING, to_json(&s.routing)?)
    .string(ASSIGNMENTS, to_json(&s.assignments)?)
    .instant("updated_at", s.updated_at)
    .opt_string(
        "updated_by",
        s.updated_by.as_ref().map(|u| u.as_str().to_string()),
    )
    .put(attr::VERSION, n(s.version))
    .build())
}

fn lead_network_from_item(item: &Item) -> Result<LeadNetwork, StoreError> {
    let r = Reader::new(item);
    let parse = |name: &str| -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(r.str(name)?).map_err(|e| r.corrupt(format_args!("`{name}`: {e}")))
    };
    let routing = serde_json::from_value(parse(ROUTING)?)
        .map_err(|e| r.corrupt(format_args!("`{ROUTING}`: {e}")))?;
    let assignments = serde_json::from_value(parse(ASSIGNMENTS)?)
        .map_err(|e| r.corrupt(format_args!("`{ASSIGNMENTS}`: {e}")))?;
    Ok(LeadNetwork {
        network: NetworkId::new(r.string("network_id")?),
        routing,
        assignments,
        updated_at: r.instant("updated_at")?,
        updated_by: r.opt_string("updated_by")?.map(UserId::new),
        version: r.u64(attr::VERSION)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::lead::Direction;

    #[test]
    fn the_network_settings_round_trip() {
        let d = DealerId::new("d1");
        let s = LeadNetwork {
            network: NetworkId::new("n1"),
            routing: RoutingTable::new([d.clone()])
                .city("Москва", d.clone())
                .default_dealer(d.clone()),
            assignments: Assignments::new().assign(d, Direction::Sales, UserId::new("rep")),
            updated_at: Utc.with_ymd_and_hms(2026, 5, 12, 10, 0, 0).unwrap(),
            updated_by: Some(UserId::new("brand")),
            version: 3,
        };
        assert_eq!(
            lead_network_from_item(&lead_network_to_item(&s).unwrap()).unwrap(),
            s
        );
    }
}
