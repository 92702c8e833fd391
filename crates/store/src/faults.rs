//! Faults injected into the store's own requests, for tests that prove every use case
//! either completes or changes nothing (issue 12): an SDK interceptor on every [`Store`]
//! that, while a test has armed it, makes chosen DynamoDB operations fail the ways the
//! real service fails — throttled, timed out, a cancelled transaction, an answer lost
//! after the write was made, or a batch handed back unprocessed.
//!
//! Unarmed (always, outside tests) it costs one atomic load per request.
//!
//! [`Store`]: crate::Store

use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A way one request to DynamoDB fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Refused before it ran: `ThrottlingException`. The SDK retries it with backoff.
    Throttled,
    /// Never answered, and not run: the SDK gives up on the attempt at once (an
    /// interceptor error is not retried), as after its own timeouts ran out.
    TimedOut,
    /// A transaction cancelled by a concurrent one (`TransactionConflict` on its items),
    /// nothing written. The SDK does not retry it.
    Cancelled,
    /// Run and committed, but the answer never came: the engine's reply is replaced by a
    /// 500, which the SDK retries with the same request.
    LostResponse,
    /// A batch (`BatchWriteItem`, `BatchGetItem`) not run, and answered 200 with every
    /// request handed back (`UnprocessedItems`, `UnprocessedKeys`), as DynamoDB does when
    /// the table's throughput is exceeded. The SDK sees a success: the store must send them
    /// again. Requests of other operations pass untouched.
    Unprocessed,
}

impl Fault {
    /// Whether the engine must not run the request.
    fn suppresses_request(self) -> bool {
        !matches!(self, Fault::LostResponse)
    }

    /// Whether the fault can befall a request of `operation`.
    fn applies_to(self, operation: &str) -> bool {
        match self {
            Fault::Unprocessed => matches!(operation, "BatchWriteItem" | "BatchGetItem"),
            Fault::Throttled | Fault::TimedOut | Fault::Cancelled | Fault::LostResponse => true,
        }
    }

    /// The answer the SDK sees instead of the engine's.
    fn response(self) -> Option<(u16, &'static str, &'static str)> {
        match self {
            Fault::Throttled => Some((
                400,
                "ThrottlingException",
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"injected: rate exceeded"}"#,
            )),
            Fault::Cancelled => Some((
                400,
                "TransactionCanceledException",
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"injected: Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]","CancellationReasons":[{"Code":"TransactionConflict","Message":"injected"}]}"#,
            )),
            Fault::LostResponse => Some((
                500,
                "InternalServerError",
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected: the answer was lost"}"#,
            )),
            Fault::TimedOut | Fault::Unprocessed => None,
        }
    }
}

/// The 200 answer of a batch handed back whole: its `RequestItems` (the same shape for
/// both operations) as what is left unprocessed.
fn unprocessed_answer(operation: &str, request: &[u8]) -> Result<String, String> {
    let request: serde_json::Value =
        serde_json::from_slice(request).map_err(|e| format!("the batch request: {e}"))?;
    let left = request
        .get("RequestItems")
        .cloned()
        .ok_or("the batch request has no RequestItems")?;
    let answer = match operation {
        "BatchGetItem" => serde_json::json!({"Responses": {}, "UnprocessedKeys": left}),
        _ => serde_json::json!({"UnprocessedItems": left}),
    };
    Ok(answer.to_string())
}

/// Matches a request of every operation.
pub const ANY_OPERATION: &str = "*";

/// One planned fault: the next `times` requests of `operation` (e.g. `TransactWriteItems`),
/// after letting `skip` of them through.
#[derive(Clone, Debug)]
struct Rule {
    operation: String,
    fault: Fault,
    skip: u32,
    times: u32,
}

/// The faults a test has planned; shared by a [`Store`](crate::Store) and its clones.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    armed: Arc<AtomicBool>,
    rules: Arc<Mutex<Vec<Rule>>>,
    fired: Arc<AtomicU32>,
    between_reads: Arc<Mutex<BetweenReads>>,
}

/// What runs once between an index read's keys and its items.
type Hook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// The planned [`Hook`], if any.
#[derive(Default)]
struct BetweenReads(Option<Hook>);

impl std::fmt::Debug for BetweenReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "planned" } else { "none" })
    }
}

impl Faults {
    /// Fails the next `times` requests of `operation` (the DynamoDB action name, e.g.
    /// `TransactWriteItems`, `GetItem`, `Query`, or [`ANY_OPERATION`]) with `fault`.
    pub fn inject(&self, operation: &str, fault: Fault, times: u32) {
        self.inject_after(operation, fault, 0, times);
    }

    /// Like [`Faults::inject`], letting the first `skip` such requests through.
    pub fn inject_after(&self, operation: &str, fault: Fault, skip: u32, times: u32) {
        self.lock().push(Rule {
            operation: operation.to_string(),
            fault,
            skip,
            times,
        });
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Forgets every planned fault that has not fired yet.
    pub fn clear(&self) {
        self.lock().clear();
        self.armed.store(false, Ordering::SeqCst);
    }

    /// How many requests have failed by a planned fault so far (a test checks its fault
    /// really happened).
    pub fn fired(&self) -> u32 {
        self.fired.load(Ordering::SeqCst)
    }

    /// Runs `hook` once, the next time an index read of this store has the keys of the
    /// index and has not fetched their items yet: a test changes the table there (deletes
    /// a listed item, moves one out of the listing) to prove what the read does with a
    /// change that lands between its two requests.
    pub fn between_index_reads<F>(&self, hook: impl FnOnce() -> F + Send + 'static)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let hook: Hook = Box::new(move || Box::pin(hook()));
        self.hook_slot().0 = Some(hook);
    }

    /// Runs the planned [`Faults::between_index_reads`] hook, if any (once).
    pub(crate) async fn run_between_index_reads(&self) {
        let hook = self.hook_slot().0.take();
        if let Some(hook) = hook {
            hook().await;
        }
    }

    fn hook_slot(&self) -> MutexGuard<'_, BetweenReads> {
        self.between_reads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault for this request of `operation`, consuming the plan.
    fn take(&self, operation: &str) -> Option<Fault> {
        if !self.armed.load(Ordering::Relaxed) {
            return None;
        }
        let mut rules = self.lock();
        let rule = rules.iter_mut().find(|r| {
            (r.operation == operation || r.operation == ANY_OPERATION)
                && r.fault.applies_to(operation)
        })?;
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        let fault = rule.fault;
        rule.times = rule.times.saturating_sub(1);
        rules.retain(|r| r.times > 0);
        if rules.is_empty() {
            self.armed.store(false, Ordering::SeqCst);
        }
        self.fired.fetch_add(1, Ordering::SeqCst);
        Some(fault)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Rule>> {
        // A test that panicked while holding the lock leaves a plan worth keeping.
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The fault chosen for the current attempt, from transmit to deserialization, with what
/// an unprocessed batch's answer is made of: the operation and the request's body.
#[derive(Clone, Debug)]
struct Chosen(Option<Fault>, Option<(String, Vec<u8>)>);

impl Storable for Chosen {
    type Storer = StoreReplace<Self>;
}

/// The interceptor every [`Store`](crate::Store) carries.
#[derive(Debug)]
pub(crate) struct FaultInjector(pub(crate) Faults);

/// A request the engine answers without changing anything, sent in place of a request a
/// fault suppresses (the orchestrator needs some answer to replace).
const HARMLESS_TARGET: &str = "DynamoDB_20120810.ListTables";
const HARMLESS_BODY: &str = r#"{"Limit":1}"#;

impl Intercept for FaultInjector {
    fn name(&self) -> &'static str {
        "dealerdesk-fault-injector"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("")
            .to_string();
        let fault = self.0.take(&operation);
        let batch = match fault {
            Some(Fault::Unprocessed) => context
                .request()
                .body()
                .bytes()
                .map(|body| (operation.clone(), body.to_vec())),
            _ => None,
        };
        cfg.interceptor_state().store_put(Chosen(fault, batch));
        match fault {
            None => Ok(()),
            Some(Fault::TimedOut) => Err(format!("injected: {operation} timed out").into()),
            Some(fault) => {
                if fault.suppresses_request() {
                    let request = context.request_mut();
                    request
                        .headers_mut()
                        .insert("x-amz-target", HARMLESS_TARGET);
                    request
                        .headers_mut()
                        .insert("content-length", HARMLESS_BODY.len().to_string());
                    *request.body_mut() = SdkBody::from(HARMLESS_BODY);
                }
                Ok(())
            }
        }
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Some(Chosen(Some(fault), batch)) = cfg.load::<Chosen>().cloned() else {
            return Ok(());
        };
        if fault == Fault::Unprocessed {
            let (operation, request) = batch.ok_or("injected: the batch's body was not read")?;
            let body = unprocessed_answer(&operation, &request)?;
            let mut response = Response::new(StatusCode::try_from(200)?, SdkBody::from(body));
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.0");
            *context.response_mut() = response;
            return Ok(());
        }
        let Some((status, error_type, body)) = fault.response() else {
            return Ok(());
        };
        let status =
            StatusCode::try_from(status).map_err(|e| format!("injected status {status}: {e}"))?;
        let mut response = Response::new(status, SdkBody::from(body));
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        response
            .headers_mut()
            .insert("x-amzn-errortype", error_type);
        *context.response_mut() = response;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planned_fault_fires_the_planned_number_of_times_after_its_skips() {
        let faults = Faults::default();
        faults.inject_after("TransactWriteItems", Fault::Throttled, 1, 2);
        assert_eq!(faults.take("GetItem"), None);
        assert_eq!(faults.take("TransactWriteItems"), None, "skipped");
        assert_eq!(faults.take("TransactWriteItems"), Some(Fault::Throttled));
        assert_eq!(faults.take("TransactWriteItems"), Some(Fault::Throttled));
        assert_eq!(faults.take("TransactWriteItems"), None, "used up");
        assert_eq!(faults.fired(), 2);
    }

    #[test]
    fn an_unprocessed_batch_waits_for_a_batch_request() {
        let faults = Faults::default();
        faults.inject(ANY_OPERATION, Fault::Unprocessed, 1);
        assert_eq!(faults.take("TransactWriteItems"), None);
        assert_eq!(faults.take("BatchWriteItem"), Some(Fault::Unprocessed));
        assert_eq!(faults.fired(), 1);
    }

    #[test]
    fn an_unprocessed_batch_hands_back_its_request_items() {
        let request = br#"{"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}}"#;
        let answer: serde_json::Value =
            serde_json::from_str(&unprocessed_answer("BatchWriteItem", request).unwrap()).unwrap();
        assert_eq!(
            answer["UnprocessedItems"]["t"][0]["PutRequest"]["Item"]["pk"]["S"],
            "a"
        );
        let keys = br#"{"RequestItems":{"t":{"Keys":[{"pk":{"S":"a"}}],"ConsistentRead":true}}}"#;
        let answer: serde_json::Value =
            serde_json::from_str(&unprocessed_answer("BatchGetItem", keys).unwrap()).unwrap();
        assert_eq!(answer["UnprocessedKeys"]["t"]["Keys"][0]["pk"]["S"], "a");
        assert_eq!(answer["Responses"], serde_json::json!({}));
    }

    #[test]
    fn cleared_faults_never_fire() {
        let faults = Faults::default();
        faults.inject("Query", Fault::TimedOut, 5);
        faults.clear();
        assert_eq!(faults.take("Query"), None);
        assert_eq!(faults.fired(), 0);
    }
}
