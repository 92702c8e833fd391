//! The outbox: notice items and their delivery bookkeeping.
//!
//! A notice is written in the same transaction as the change that causes it, keyed by its
//! deterministic key so that writing it twice stores it once. While undelivered it sits
//! in the sparse `gsi3` partition `OUTBOX#PENDING`; a sender takes a short lease on it
//! (a conditional update, so two senders never deliver one notice together), delivers
//! it and marks it sent, which removes it from the index.

use crate::client::{Condition, Store};
use crate::error::StoreError;
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::{self, Item};
use crate::table::{GSI3, PK, TTL_ATTRIBUTE};
use crate::{OutboxEntry, OutboxRepo};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use dealerdesk_domain::Notice;

/// How long a delivered notice is kept (for support questions) before TTL removes it.
const SENT_RETENTION_DAYS: i64 = 90;
const STATE: &str = "outbox_state";
const LEASE: &str = "lease_until";
const ATTEMPTS: &str = "attempts";

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// The item of a new, pending notice.
pub(crate) fn notice_to_item(notice: &Notice) -> Item {
    let mut item = Item::new();
    item.insert(PK.to_string(), s(keys::outbox_pk(&notice.key)));
    item.insert(crate::table::SK.to_string(), s(keys::OUTBOX_SK));
    item.insert("type".into(), s("notice"));
    item.insert(GSI3.partition_key.into(), s(keys::OUTBOX_PENDING_GSI3PK));
    item.insert(
        GSI3.sort_key.into(),
        s(keys::outbox_gsi3sk(notice.created_at, &notice.key)),
    );
    item.insert(STATE.into(), s("pending"));
    item.insert(ATTEMPTS.into(), mapping::number(0));
    // Notice is plain data; its JSON is produced by serde and cannot fail for these types.
    item.insert(
        "notice".into(),
        s(serde_json::to_string(notice).unwrap_or_default()),
    );
    item
}

fn entry_from_item(item: &Item) -> Result<OutboxEntry, StoreError> {
    let corrupt =
        |what: &str| StoreError::Corrupt(format!("outbox item {:?}: {what}", item.get(PK)));
    let raw = match item.get("notice") {
        Some(AttributeValue::S(raw)) => raw,
        _ => return Err(corrupt("no notice")),
    };
    let notice: Notice = serde_json::from_str(raw).map_err(|e| corrupt(&e.to_string()))?;
    let attempts = match item.get(ATTEMPTS) {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| corrupt("attempts"))?,
        _ => 0,
    };
    Ok(OutboxEntry { notice, attempts })
}

/// An update expression with its attribute names and values.
type Update<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<(&'a str, AttributeValue)>,
);

fn epoch(at: DateTime<Utc>) -> AttributeValue {
    mapping::number(at.timestamp_millis())
}

impl Store {
    /// A conditional update of one notice; `Ok(false)` when the condition did not hold.
    async fn update_notice(
        &self,
        key: &str,
        update: &str,
        condition: &str,
        names: &[(&str, &str)],
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<bool, StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Store::key(keys::outbox_pk(key), keys::OUTBOX_SK)))
            .update_expression(update)
            .condition_expression(condition);
        for (placeholder, name) in names {
            req = req.expression_attribute_names(*placeholder, *name);
        }
        for (placeholder, value) in values {
            req = req.expression_attribute_values(placeholder, value);
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(UpdateItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.backend("UpdateItem", e)),
        }
    }
}

impl OutboxRepo for Store {
    async fn enqueue(&self, notices: &[Notice]) -> Result<usize, StoreError> {
        let mut new = 0;
        for notice in notices {
            let put = self.put(notice_to_item(notice), Condition::absent())?;
            match self.transact(vec![put]).await? {
                Ok(()) => new += 1,
                Err(cancelled) => {
                    if let Some(err) = cancelled.backend_failure() {
                        return Err(err);
                    }
                }
            }
        }
        Ok(new)
    }

    async fn pending_notices(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        // The lease is not on the keys-only index: it is checked on the notices read.
        let now = now.timestamp_millis();
        let free = move |item: &Item| match item.get(LEASE) {
            None => true,
            Some(AttributeValue::N(until)) => until.parse::<i64>().is_ok_and(|until| until < now),
            Some(_) => false,
        };
        let listing = Listing {
            newest_first: false,
            ..Listing::newest_first(&GSI3, keys::OUTBOX_PENDING_GSI3PK.to_string())
        };
        self.listed_where(&listing, Some(limit as usize), Some(&free))
            .await?
            .iter()
            .map(entry_from_item)
            .collect()
    }

    async fn claim_notice(
        &self,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.update_notice(
            key,
            "SET #lease = :until",
            "#state = :pending AND (attribute_not_exists(#lease) OR #lease < :now)",
            &[("#lease", LEASE), ("#state", STATE)],
            vec![
                (":until", epoch(until)),
                (":now", epoch(now)),
                (":pending", s("pending")),
            ],
        )
        .await
    }

    async fn mark_sent(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let expires = now + chrono::Duration::days(SENT_RETENTION_DAYS);
        self.update_notice(
            key,
            "SET #state = :sent, sent_at = :at, #ttl = :ttl REMOVE #gpk, #gsk, #lease",
            "attribute_exists(#pk)",
            &[
                ("#state", STATE),
                ("#ttl", TTL_ATTRIBUTE),
                ("#gpk", GSI3.partition_key),
                ("#gsk", GSI3.sort_key),
                ("#lease", LEASE),
                ("#pk", PK),
            ],
            vec![
                (":sent", s("sent")),
                (":at", s(keys::instant(now))),
                (":ttl", mapping::number(expires.timestamp())),
            ],
        )
        .await
        .map(|_| ())
    }

    async fn mark_failed(
        &self,
        key: &str,
        error: &str,
        retry_at: DateTime<Utc>,
        dead: bool,
    ) -> Result<(), StoreError> {
        let (update, names, mut values): Update<'_> = if dead {
            (
                "SET #state = :dead, last_error = :err ADD #attempts :one REMOVE #gpk, #gsk, #lease",
                vec![
                    ("#state", STATE),
                    ("#attempts", ATTEMPTS),
                    ("#gpk", GSI3.partition_key),
                    ("#gsk", GSI3.sort_key),
                    ("#lease", LEASE),
                ],
                vec![(":dead", s("dead"))],
            )
        } else {
            (
                "SET #lease = :retry, last_error = :err ADD #attempts :one",
                vec![("#lease", LEASE), ("#attempts", ATTEMPTS)],
                vec![(":retry", epoch(retry_at))],
            )
        };
        values.push((":err", s(error.chars().take(1000).collect::<String>())));
        values.push((":one", mapping::number(1)));
        let mut names = names;
        names.push(("#pk", PK));
        self.update_notice(key, update, "attribute_exists(#pk)", &names, values)
            .await
            .map(|_| ())
    }
}
