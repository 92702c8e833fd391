//! Human numbers (tickets 1001, 1002, …) taken in the create's own transaction.
//!
//! A counter item holds the highest number taken. A create raises it to its own number in
//! the same `TransactWriteItems` as the item carrying the number, on the condition that it
//! is still below that number — so two creates never take one number, a create that is not
//! written takes none, and a warm instance creates in one round trip: the instance hands out
//! numbers from the highest it knows ([`Sequence`], shared by a store's clones), reading the
//! counter only when it knows nothing. A create in another instance (another Lambda) raises
//! the counter past what this one knows: the transaction is cancelled on the counter's
//! condition, the engine returns the counter as it is (`ALL_OLD`), and the create is built
//! again above it — at most [`ATTEMPTS`] times.
//!
//! Creates of one instance run side by side (the local server serves many at once). If a
//! later number reaches the engine first, the earlier one's condition fails and it is built
//! again with a new number, so that number is left out: numbers are unique and rising, and
//! a gap appears only when creates of one instance overtake each other. A number handed out
//! to a create that is then not written (a replay, a refusal) is handed back if no other
//! create took a later one meanwhile.

use crate::client::Store;
use crate::error::StoreError;
use crate::kernel::CounterStep;
use crate::keys;
use crate::mapping::{self, Item, Reader, attr};
use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use std::sync::{Arc, Mutex};

/// How often a create is built again for a counter that moved before it gives up (a
/// backend failure: the caller may retry). Each retry is built above the counter the engine
/// returned, so only creates elsewhere landing between every two attempts exhaust it.
pub(crate) const ATTEMPTS: usize = 8;

/// The highest number an instance knows to be taken or handed out, of one sequence; `None`
/// until it has read the counter (or after a write whose outcome is unknown).
#[derive(Clone, Default)]
pub(crate) struct Sequence {
    last: Arc<Mutex<Option<u64>>>,
}

impl Sequence {
    /// The highest number known, if any.
    pub(crate) fn known(&self) -> Option<u64> {
        *self.guard()
    }

    /// Hands out the next number above both what this instance knows and `floor` (a counter
    /// just read or returned by the engine).
    pub(crate) fn take_above(&self, floor: u64) -> u64 {
        let mut last = self.guard();
        let number = last.map_or(floor, |l| l.max(floor)) + 1;
        *last = Some(number);
        number
    }

    /// Gives `number` back after a create that wrote nothing, unless a later one was handed
    /// out meanwhile.
    pub(crate) fn give_back(&self, number: u64) {
        let mut last = self.guard();
        if *last == Some(number) {
            *last = Some(number - 1);
        }
    }

    /// Forgets what it knows: a write's outcome is unknown, so the next create reads the
    /// counter.
    pub(crate) fn forget(&self) {
        *self.guard() = None;
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, Option<u64>> {
        // A panic while holding it cannot leave a torn value (one u64 store): go on.
        self.last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The number sequences of an instance, shared by a store's clones.
#[derive(Clone, Default)]
pub(crate) struct Sequences {
    pub(crate) tickets: Sequence,
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

    /// The next number of `sequence` for a create's first attempt (reading the counter only
    /// if the instance knows nothing yet).
    pub(crate) async fn first_number(
        &self,
        sequence: &Sequence,
        pk: &'static str,
        base: u64,
    ) -> Result<u64, StoreError> {
        let floor = match sequence.known() {
            Some(known) => known,
            None => self.read_counter(pk, base).await?,
        };
        Ok(sequence.take_above(floor))
    }

    /// The transaction's Update of a counter step: raised to `to`, only while it is below.
    /// The counter as it is comes back when the condition fails.
    pub(crate) fn sequence_step(&self, step: CounterStep) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(Self::key(step.pk.to_string(), keys::COUNTER_SK)))
            .update_expression("SET #n = :to")
            .condition_expression("attribute_not_exists(#n) OR #n < :to")
            .expression_attribute_names("#n", attr::COUNTER_VALUE)
            .expression_attribute_values(":to", mapping::number(step.to))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(|e| StoreError::Backend(format!("building a counter Update: {e}")))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
