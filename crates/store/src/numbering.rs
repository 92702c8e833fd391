//! Human numbers (tickets 1001, 1002, …) taken in the create's own transaction.
//!
//! A counter item holds the last number taken. A create writes it from the value it knows to
//! its own number, on the condition that the counter still holds the value it knows, in the
//! same `TransactWriteItems` as the item carrying the number. So a number is taken only by a
//! create that is written (a failed or replayed create takes none: no gaps), two creates
//! never take one, and a warm instance creates in one round trip — the counter's last value
//! is kept per [`Store`] (and its clones). A create in another instance (another Lambda)
//! moves the counter under this one's feet: the transaction is cancelled on the counter's
//! condition, the engine returns the counter as it is (`ALL_OLD`), and the create is built
//! again with the next number — at most [`ATTEMPTS`] times.
//!
//! Creates of one instance take turns (an async lock around "number, build, write"): two of
//! them building on the same known value would cancel each other. The engine applies
//! transactions one at a time anyway; what waits is only this instance's next write.

use crate::client::Store;
use crate::error::StoreError;
use crate::kernel::CounterStep;
use crate::keys;
use crate::mapping::{self, Item, Reader, attr};
use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use std::sync::Arc;
use tokio::sync::Mutex;

/// How often a create is built again for a counter that moved before it gives up (a
/// backend failure: the caller may retry). Each retry knows the counter's new value, so only a burst of
/// creates in other instances between every two of this one's can exhaust it.
pub(crate) const ATTEMPTS: usize = 8;

/// The last known values of an instance's number sequences, shared by a store's clones.
#[derive(Clone, Default)]
pub(crate) struct Sequences {
    tickets: Arc<Mutex<Option<u64>>>,
}

impl Sequences {
    /// The ticket numbers' last known value (`None`: read it from the table).
    pub(crate) fn tickets(&self) -> &Mutex<Option<u64>> {
        &self.tickets
    }
}

/// The value of a counter item.
pub(crate) fn counter_value(item: &Item) -> Result<u64, StoreError> {
    Reader::new(item).u64(attr::COUNTER_VALUE)
}

impl Store {
    /// The counter's value as stored, `base` if it does not exist yet (strongly consistent).
    pub(crate) async fn read_counter(
        &self,
        pk: &'static str,
        base: u64,
    ) -> Result<u64, StoreError> {
        match self.get(pk.to_string(), keys::COUNTER_SK).await? {
            Some(item) => counter_value(&item),
            None => Ok(base),
        }
    }

    /// The transaction's Update of a counter step: `from` → `to`, only if it still is at
    /// `from` (absent when `from` is the base), returning the counter as it is otherwise.
    pub(crate) fn sequence_step(&self, step: CounterStep) -> Result<TransactWriteItem, StoreError> {
        let condition = if step.from == step.base {
            "attribute_not_exists(#n)"
        } else {
            "#n = :from"
        };
        let mut update = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(Self::key(step.pk.to_string(), keys::COUNTER_SK)))
            .update_expression("SET #n = :to")
            .condition_expression(condition)
            .expression_attribute_names("#n", attr::COUNTER_VALUE)
            .expression_attribute_values(":to", mapping::number(step.to))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if step.from != step.base {
            update = update.expression_attribute_values(":from", mapping::number(step.from));
        }
        let update = update
            .build()
            .map_err(|e| StoreError::Backend(format!("building a counter Update: {e}")))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
