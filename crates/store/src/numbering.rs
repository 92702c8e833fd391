//! Human numbers (tickets 1001, 1002, …).
//!
//! A counter item holds the highest number taken; every create raises it to its own number
//! atomically with taking it, so no number is taken twice. There are two ways to take one:
//!
//! - **In the create's own transaction** (one round trip): the counter is raised to the
//!   create's number in the same `TransactWriteItems` as the item carrying it, on the
//!   condition that it is still below. The number comes from what the instance knows
//!   ([`Sequence`], shared by a store's clones; the counter is read only when it knows
//!   nothing), so a number is taken only by a create that is written. A create goes this
//!   way when it is the only create of its instance under way: two building on the same
//!   knowledge would cancel each other.
//! - **Drawn before the transaction** (two round trips): an `UpdateItem` adds one and
//!   returns the number, as every counter does. A create takes this way while other creates
//!   of its instance are under way (the local server serves many at once; a Lambda
//!   instance serves one request at a time, so there it does not happen), and when its
//!   transaction was cancelled because the counter had moved past what the instance knew —
//!   a create in another instance, or a drawn one. A drawn number whose create then fails is
//!   skipped, never reused.
//!
//! A number handed out by the instance to a create that is then not written (a replay, a refusal)
//! is handed back if no later one was handed out meanwhile.

use crate::client::Store;
use crate::error::StoreError;
use crate::kernel::CounterStep;
use crate::keys;
use crate::mapping::{self, Item, Reader, attr};
use aws_sdk_dynamodb::types::{
    ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The highest number an instance knows to be taken or handed out, of one sequence; `None`
/// until it has read the counter (or after a write whose outcome is unknown).
#[derive(Clone, Default)]
pub(crate) struct Sequence {
    last: Arc<Mutex<Option<u64>>>,
    /// Creates of this instance under way.
    under_way: Arc<AtomicUsize>,
}

/// A create under way; it is over when this is dropped.
pub(crate) struct UnderWay<'a> {
    count: &'a AtomicUsize,
    /// No other create of the instance was under way when this one began: it may take its
    /// number in its own transaction.
    pub(crate) alone: bool,
}

impl Drop for UnderWay<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Sequence {
    /// Begins a create.
    pub(crate) fn begin(&self) -> UnderWay<'_> {
        let before = self.under_way.fetch_add(1, Ordering::AcqRel);
        UnderWay {
            count: &self.under_way,
            alone: before == 0,
        }
    }

    /// Notes a number taken elsewhere (drawn, or the counter as the engine returned it).
    pub(crate) fn raise(&self, taken: u64) {
        let mut last = self.guard();
        *last = Some(last.map_or(taken, |l| l.max(taken)));
    }

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

    /// Draws the next number by `UpdateItem` (its own round trip), and notes it.
    pub(crate) async fn draw_number(
        &self,
        sequence: &Sequence,
        pk: &'static str,
        base: u64,
    ) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(pk.to_string(), keys::COUNTER_SK)))
            .update_expression("SET #n = if_not_exists(#n, :base) + :one")
            .expression_attribute_names("#n", attr::COUNTER_VALUE)
            .expression_attribute_values(":base", mapping::number(base))
            .expression_attribute_values(":one", mapping::number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        let attributes = out.attributes.ok_or_else(|| {
            StoreError::Backend("UpdateItem on a number counter returned nothing".into())
        })?;
        let number = counter_value(&attributes)?;
        sequence.raise(number);
        Ok(number)
    }

    /// The next number of `sequence` as the instance knows it (reading the counter only if
    /// it knows nothing yet).
    pub(crate) async fn known_number(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_hands_out_numbers_above_the_counter_and_what_it_knows() {
        let sequence = Sequence::default();
        assert_eq!(sequence.known(), None);
        assert_eq!(sequence.take_above(1000), 1001);
        assert_eq!(sequence.take_above(1000), 1002, "above what it handed out");
        // Another instance's create moved the counter to 1010.
        assert_eq!(sequence.take_above(1010), 1011);
        sequence.raise(1005);
        assert_eq!(
            sequence.known(),
            Some(1011),
            "a lower number taken elsewhere changes nothing"
        );
        sequence.raise(1020);
        assert_eq!(sequence.take_above(0), 1021);
    }

    #[test]
    fn a_number_not_written_is_handed_back_only_if_no_later_one_was_handed_out() {
        let sequence = Sequence::default();
        let first = sequence.take_above(1000);
        sequence.give_back(first);
        assert_eq!(
            sequence.take_above(1000),
            first,
            "the same number again: no gap"
        );
        let second = sequence.take_above(1000);
        sequence.give_back(first);
        assert_eq!(sequence.known(), Some(second), "a later one is out: kept");
        sequence.forget();
        assert_eq!(sequence.known(), None);
    }

    #[test]
    fn only_a_create_begun_with_none_under_way_is_alone() {
        let sequence = Sequence::default();
        let first = sequence.begin();
        assert!(first.alone);
        let second = sequence.begin();
        assert!(!second.alone, "begun beside the first");
        drop(first);
        drop(second);
        assert!(sequence.begin().alone, "both over");
    }
}
