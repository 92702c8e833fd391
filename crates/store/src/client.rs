//! The client of the table on DynamoDB (or any engine speaking its API: dynoxide, moto):
//! configuration, connection, the round-trip counter, table creation, and the get / put /
//! query / transaction helpers every feature's repository uses.

use crate::error::StoreError;
use crate::faults::{FaultInjector, Faults};
use crate::mapping::{self, Item, attr};
use crate::table::{PK, SK, TABLE_GSIS, TTL_ATTRIBUTE};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, IndexStatus,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, PutRequest,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
    TimeToLiveStatus, TransactWriteItem, WriteRequest,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where the table is and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    /// Table name.
    pub table: String,
    /// AWS region (also signed into requests to a local engine).
    pub region: String,
    /// A local engine's URL (dynoxide, moto). `None` means DynamoDB in AWS with the
    /// credentials of the environment (the Lambda role; see [`crate::aws::sdk_config`]).
    pub endpoint: Option<String>,
}

impl StoreConfig {
    /// Table name when `DEALERDESK_TABLE` is unset.
    pub const DEFAULT_TABLE: &'static str = "dealerdesk";
    /// Region when `AWS_REGION` is unset.
    pub const DEFAULT_REGION: &'static str = "eu-central-1";

    /// Reads `DEALERDESK_TABLE`, `AWS_REGION` and `DEALERDESK_DYNAMODB_ENDPOINT`; empty
    /// values count as unset.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        StoreConfig {
            table: var("DEALERDESK_TABLE").unwrap_or_else(|| Self::DEFAULT_TABLE.to_string()),
            region: var("AWS_REGION").unwrap_or_else(|| Self::DEFAULT_REGION.to_string()),
            endpoint: var("DEALERDESK_DYNAMODB_ENDPOINT"),
        }
    }

    /// A table on a local engine at `endpoint` (e.g. `http://127.0.0.1:8000`).
    pub fn local(endpoint: impl Into<String>, table: impl Into<String>) -> Self {
        StoreConfig {
            table: table.into(),
            region: Self::DEFAULT_REGION.to_string(),
            endpoint: Some(endpoint.into()),
        }
    }
}

/// Counts the HTTP requests the SDK sends (each retry attempt is one), so benchmarks and
/// tests can assert how many round trips a use case costs.
#[derive(Debug)]
struct RoundTripCounter(Arc<AtomicU64>);

impl Intercept for RoundTripCounter {
    fn name(&self) -> &'static str {
        "dealerdesk-round-trip-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The DynamoDB store: every repository trait of this crate on one table.
///
/// Cheap to clone; clones share the SDK client and the round-trip counter.
#[derive(Clone)]
pub struct Store {
    pub(crate) client: Client,
    pub(crate) table: Arc<str>,
    round_trips: Arc<AtomicU64>,
    pub(crate) index_reads: Arc<IndexReadCounter>,
    pub(crate) faults: Faults,
    /// The last known values of the number sequences (`crate::numbering`).
    pub(crate) sequences: crate::numbering::Sequences,
}

/// What the index reads of a [`Store`] (and its clones) have read so far: the entries of
/// the keys-only indexes, and the items then fetched by their keys. A sweep's honest cost
/// is both (see [`Store::index_reads`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexReads {
    /// Index entries (keys only) the index queries returned.
    pub keys: u64,
    /// Whole items fetched by `BatchGetItem` for those keys.
    pub items: u64,
}

impl IndexReads {
    /// Keys and items together.
    pub fn total(&self) -> u64 {
        self.keys + self.items
    }
}

/// The running counts behind [`IndexReads`].
#[derive(Debug, Default)]
pub(crate) struct IndexReadCounter {
    keys: AtomicU64,
    items: AtomicU64,
}

impl IndexReadCounter {
    pub(crate) fn keys(&self, n: usize) {
        self.keys.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn items(&self, n: usize) {
        self.items.fetch_add(n as u64, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("table", &self.table)
            .field("round_trips", &self.round_trips())
            .finish_non_exhaustive()
    }
}

/// How long [`Store::ensure_table`] waits for a new table to become usable.
const TABLE_ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);
/// Most keys one `BatchGetItem` may ask for.
const BATCH_GET_LIMIT: usize = 100;

/// The most requests one `BatchWriteItem` takes.
const BATCH_WRITE_LIMIT: usize = 25;

/// How many times one batch request (`BatchGetItem`, `BatchWriteItem`) is sent in all — the
/// first time and each time with what the engine handed back unprocessed — before the
/// store gives up with an error ([`Store::until_processed`]).
pub const BATCH_ATTEMPTS: u32 = 8;

/// The pause before the first resend of unprocessed requests; each next one doubles, up to
/// [`BATCH_LONGEST_PAUSE`]: some 2.3 s over [`BATCH_ATTEMPTS`], time for a throttled
/// partition to recover, as AWS advises for batch operations.
const BATCH_FIRST_PAUSE: Duration = Duration::from_millis(20);
const BATCH_LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// Most items one listing page holds.
pub const MAX_PAGE_LIMIT: u32 = 100;

impl Store {
    /// A client for the table of `config`. Does not touch the network.
    ///
    /// With an endpoint (a local engine) it signs with static dummy credentials, so no AWS
    /// credentials are needed; without one it reads the environment ([`crate::aws::sdk_config`]:
    /// in Lambda the role's credentials, and `AWS_ENDPOINT_URL_DYNAMODB` if set); a retry
    /// variable it cannot read is an error here.
    pub async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        if config.table.trim().is_empty() {
            return Err(StoreError::Backend("the table name is empty".into()));
        }
        let region = Region::new(config.region.clone());
        let builder = match &config.endpoint {
            Some(endpoint) => aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .http_client(crate::aws::http_client())
                .region(region)
                .credentials_provider(crate::aws::local_credentials())
                .endpoint_url(endpoint),
            None => aws_sdk_dynamodb::config::Builder::from(
                &crate::aws::sdk_config("DYNAMODB")
                    .map_err(|e| StoreError::Backend(format!("configuration: {e}")))?,
            )
            .region(region),
        };
        let round_trips = Arc::new(AtomicU64::new(0));
        let faults = Faults::default();
        let sdk_config = builder
            .interceptor(RoundTripCounter(Arc::clone(&round_trips)))
            .interceptor(FaultInjector(faults.clone()))
            .build();
        Ok(Store {
            client: Client::from_conf(sdk_config),
            table: Arc::from(config.table.as_str()),
            round_trips,
            index_reads: Arc::default(),
            faults,
            sequences: Default::default(),
        })
    }

    /// The table this store reads and writes.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The faults tests inject into this store's requests (and its clones'); none unless a
    /// test plans them.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Requests sent to the engine by this store and its clones so far (retries count).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// What index reads of this store and its clones have read so far: index entries and
    /// the whole items fetched for them. Every index is keys-only, so a listing costs its
    /// keys plus the items it hands out (and any it filtered out after reading).
    pub fn index_reads(&self) -> IndexReads {
        IndexReads {
            keys: self.index_reads.keys.load(Ordering::Relaxed),
            items: self.index_reads.items.load(Ordering::Relaxed),
        }
    }

    /// Creates the table with its indexes and TTL if it does not exist, and waits until
    /// it is usable. Idempotent. For local engines and tests: in AWS the SAM template
    /// owns the table.
    ///
    /// An existing table that lacks one of [`TABLE_GSIS`] is an error, not silently used.
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        let described = self
            .client
            .describe_table()
            .table_name(&*self.table)
            .send()
            .await;
        match described {
            Ok(_) => {}
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                self.create_table().await?;
            }
            Err(err) => return Err(self.backend("DescribeTable", err)),
        }
        self.wait_until_active().await?;
        // Checked on every call, not only after creating: a creator that stopped between
        // CreateTable and UpdateTimeToLive must not leave a table without TTL.
        self.ensure_ttl().await
    }

    async fn ensure_ttl(&self) -> Result<(), StoreError> {
        let described = self
            .client
            .describe_time_to_live()
            .table_name(&*self.table)
            .send()
            .await
            .map_err(|e| self.backend("DescribeTimeToLive", e))?;
        let description = described.time_to_live_description();
        let on = description.is_some_and(|d| {
            d.attribute_name() == Some(TTL_ATTRIBUTE)
                && matches!(
                    d.time_to_live_status(),
                    Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
                )
        });
        if on {
            return Ok(());
        }
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(TTL_ATTRIBUTE)
            .enabled(true)
            .build()
            .map_err(|e| StoreError::Backend(format!("building the TTL specification: {e}")))?;
        self.client
            .update_time_to_live()
            .table_name(&*self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|e| self.backend("UpdateTimeToLive", e))?;
        Ok(())
    }

    async fn create_table(&self) -> Result<(), StoreError> {
        let build = |e: aws_sdk_dynamodb::error::BuildError| {
            StoreError::Backend(format!("building the table definition: {e}"))
        };
        let string_attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build)
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(build)
        };
        let mut request = self
            .client
            .create_table()
            .table_name(&*self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(string_attr(PK)?)
            .attribute_definitions(string_attr(SK)?)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?);
        for gsi in TABLE_GSIS {
            request = request
                .attribute_definitions(string_attr(gsi.partition_key)?)
                .attribute_definitions(string_attr(gsi.sort_key)?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(gsi.name)
                        .key_schema(key(gsi.partition_key, KeyType::Hash)?)
                        .key_schema(key(gsi.sort_key, KeyType::Range)?)
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::KeysOnly)
                                .build(),
                        )
                        .build()
                        .map_err(build)?,
                );
        }
        match request.send().await {
            Ok(_) => Ok(()),
            // Someone else (another process, a parallel test) created it first: fine.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                Ok(())
            }
            Err(err) => Err(self.backend("CreateTable", err)),
        }
    }

    async fn wait_until_active(&self) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let out = self
                .client
                .describe_table()
                .table_name(&*self.table)
                .send()
                .await
                .map_err(|e| self.backend("DescribeTable", e))?;
            let table = out.table().ok_or_else(|| {
                StoreError::Backend(format!("DescribeTable {}: no description", self.table))
            })?;
            let indexes = table.global_secondary_indexes();
            for gsi in TABLE_GSIS {
                if !indexes.iter().any(|i| i.index_name() == Some(gsi.name)) {
                    return Err(StoreError::Backend(format!(
                        "table {} exists without index {}; it was not created by this version",
                        self.table, gsi.name
                    )));
                }
            }
            // Engines that do not report index status (None) have them ready at once.
            let ready = table.table_status() == Some(&TableStatus::Active)
                && indexes
                    .iter()
                    .all(|i| i.index_status().is_none_or(|s| *s == IndexStatus::Active));
            if ready {
                return Ok(());
            }
            if started.elapsed() > TABLE_ACTIVE_TIMEOUT {
                return Err(StoreError::Backend(format!(
                    "table {} not active after {:?}",
                    self.table, TABLE_ACTIVE_TIMEOUT
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    // ------------------------------------------------------------ plumbing

    pub(crate) fn backend<E: std::error::Error + 'static>(
        &self,
        operation: &str,
        err: E,
    ) -> StoreError {
        StoreError::Backend(format!(
            "{operation} on table {}: {}",
            self.table,
            DisplayErrorContext(err)
        ))
    }

    pub(crate) fn key(pk: String, sk: &str) -> Item {
        Item::from([
            (PK.to_string(), AttributeValue::S(pk)),
            (SK.to_string(), AttributeValue::S(sk.to_string())),
        ])
    }

    /// Runs a Query to the end of its key range, following `LastEvaluatedKey`: every
    /// repository that reads a whole partition goes through here.
    pub(crate) async fn query_all(
        &self,
        query: QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| self.backend("Query", e))?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Every item of the partition `pk`, in sort-key order, read consistently: an aggregate
    /// with its history (a ticket, a wish, a lead, an article) or a small partition read
    /// whole (the calendar).
    pub(crate) async fn partition(&self, pk: String) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .consistent_read(true);
        self.query_all(query).await
    }

    /// A strongly consistent read of one item.
    pub(crate) async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.backend("GetItem", e))?;
        Ok(out.item)
    }

    /// Strongly consistent reads of several items by key, in the order of `keys` (no key
    /// twice): items a request needs together that no single Query can reach (a lead
    /// post's identity claims and its idempotency record). Up to 100 keys are one
    /// `BatchGetItem`; see [`Store::batch_get_keys`].
    pub(crate) async fn batch_get(
        &self,
        keys: &[(String, &str)],
    ) -> Result<Vec<Option<Item>>, StoreError> {
        let keys: Vec<Item> = keys
            .iter()
            .map(|(pk, sk)| Self::key(pk.clone(), sk))
            .collect();
        self.batch_get_keys(&keys).await
    }

    /// Strongly consistent reads of the items under `keys` (each with at least `pk` and
    /// `sk`; other attributes, such as an index entry's own keys, are ignored), in the order
    /// of `keys`, `None` where no item is stored. One `BatchGetItem` per 100 keys (the
    /// service's limit); keys the engine leaves unprocessed (throttling, the 16 MB answer
    /// limit) are asked again by [`Store::until_processed`].
    pub(crate) async fn batch_get_keys(
        &self,
        keys: &[Item],
    ) -> Result<Vec<Option<Item>>, StoreError> {
        let primary = |item: &Item| -> Option<(String, String)> {
            match (item.get(PK), item.get(SK)) {
                (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => {
                    Some((pk.clone(), sk.clone()))
                }
                _ => None,
            }
        };
        let mut wanted = Vec::with_capacity(keys.len());
        for key in keys {
            let (pk, sk) = primary(key).ok_or_else(|| {
                StoreError::Backend("a key to read has no string `pk` and `sk`".into())
            })?;
            wanted.push((pk, sk));
        }
        let mut found: HashMap<(String, String), Item> = HashMap::with_capacity(keys.len());
        for chunk in wanted.chunks(BATCH_GET_LIMIT) {
            let pending: Vec<Item> = chunk
                .iter()
                .map(|(pk, sk)| Self::key(pk.clone(), sk))
                .collect();
            let answers = self
                .until_processed("BatchGetItem", pending, |keys| async move {
                    let batch = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                        .set_keys(Some(keys))
                        .consistent_read(true)
                        .build()
                        .map_err(|e| {
                            StoreError::Backend(format!("building a BatchGetItem: {e}"))
                        })?;
                    let out = self
                        .client
                        .batch_get_item()
                        .request_items(&*self.table, batch)
                        .send()
                        .await
                        .map_err(|e| self.backend("BatchGetItem", e))?;
                    let items = out
                        .responses
                        .and_then(|mut r| r.remove(&*self.table))
                        .unwrap_or_default();
                    let left = out
                        .unprocessed_keys
                        .and_then(|mut u| u.remove(&*self.table))
                        .map(|k| k.keys)
                        .unwrap_or_default();
                    Ok((items, left))
                })
                .await?;
            for item in answers.into_iter().flatten() {
                if let Some(key) = primary(&item) {
                    found.insert(key, item);
                }
            }
        }
        // The engine answers in any order: put each item back at its key's place.
        Ok(wanted.iter().map(|key| found.get(key).cloned()).collect())
    }

    /// Unconditional puts of `items`, 25 to a `BatchWriteItem` (the service's limit), each
    /// batch sent again with what the engine left unprocessed ([`Store::until_processed`]).
    /// Not a transaction: for loading counters and seeds, whose items stand alone.
    pub(crate) async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::Backend(format!("building a PutRequest: {e}")))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        for chunk in requests.chunks(BATCH_WRITE_LIMIT) {
            self.until_processed("BatchWriteItem", chunk.to_vec(), |batch| async move {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&*self.table, batch)
                    .send()
                    .await
                    .map_err(|e| self.backend("BatchWriteItem", e))?;
                let left = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&*self.table))
                    .unwrap_or_default();
                Ok(((), left))
            })
            .await?;
        }
        Ok(())
    }

    /// Sends a batch `pending` through `send` — which answers what it read and what the
    /// engine handed back unprocessed (throttling, an answer's size limit) — and sends the
    /// unprocessed part again after a pause doubling from 20 ms to 1 s, [`BATCH_ATTEMPTS`]
    /// sends in all; what is still unprocessed then is a backend error naming `operation`,
    /// never a silent partial read or write. The one retry policy of every batch request.
    pub(crate) async fn until_processed<T, R, F, Fut>(
        &self,
        operation: &str,
        mut pending: Vec<T>,
        mut send: F,
    ) -> Result<Vec<R>, StoreError>
    where
        F: FnMut(Vec<T>) -> Fut,
        Fut: std::future::Future<Output = Result<(R, Vec<T>), StoreError>>,
    {
        let mut answers = Vec::new();
        let mut pause = BATCH_FIRST_PAUSE;
        for attempt in 1..=BATCH_ATTEMPTS {
            if pending.is_empty() {
                break;
            }
            if attempt > 1 {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(BATCH_LONGEST_PAUSE);
            }
            let (answer, left) = send(pending).await?;
            answers.push(answer);
            pending = left;
        }
        if pending.is_empty() {
            Ok(answers)
        } else {
            Err(StoreError::Backend(format!(
                "{operation} on table {}: {} requests still unprocessed after {BATCH_ATTEMPTS} attempts",
                self.table,
                pending.len()
            )))
        }
    }

    /// One unconditional PutItem outside a transaction.
    pub(crate) async fn put_plain(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| self.backend("PutItem", e))?;
        Ok(())
    }

    /// One Put of a transaction.
    pub(crate) fn put(
        &self,
        item: Item,
        condition: Condition,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder().table_name(&*self.table).set_item(Some(item));
        if !condition.expression.is_empty() {
            put = put.condition_expression(condition.expression);
        }
        for (placeholder, name) in condition.names {
            put = put.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in condition.values {
            put = put.expression_attribute_values(placeholder, value);
        }
        if condition.return_old_item {
            put = put.return_values_on_condition_check_failure(
                ReturnValuesOnConditionCheckFailure::AllOld,
            );
        }
        let put = put
            .build()
            .map_err(|e| StoreError::Backend(format!("building a transaction Put: {e}")))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Runs a transaction; a cancellation comes back as its per-item reasons.
    pub(crate) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Result<(), Cancelled>, StoreError> {
        // No ClientRequestToken here: the SDK fills one in and resends it when it retries, so
        // a transaction whose answer was lost is not run twice (tests/e2e/faults.rs).
        let sent = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Ok(())),
            Err(err) => match Cancelled::from_error(&err) {
                Some(cancelled) => Ok(Err(cancelled)),
                None => Err(self.backend("TransactWriteItems", err)),
            },
        }
    }
}

/// The condition of one transactional Put.
pub(crate) struct Condition {
    pub(crate) expression: &'static str,
    pub(crate) names: Vec<(&'static str, &'static str)>,
    pub(crate) values: Vec<(&'static str, AttributeValue)>,
    /// Have the engine return the existing item when the condition fails, saving a read.
    pub(crate) return_old_item: bool,
}

impl Condition {
    /// No condition: the Put replaces whatever is there (a projection kept in step).
    pub(crate) fn none() -> Self {
        Condition {
            expression: "",
            names: vec![],
            values: vec![],
            return_old_item: false,
        }
    }

    /// The item must not exist yet.
    pub(crate) fn absent() -> Self {
        Condition {
            expression: "attribute_not_exists(#pk)",
            names: vec![("#pk", PK)],
            values: vec![],
            return_old_item: false,
        }
    }

    /// The stored item must be at `expected` (optimistic locking); `0` means it must not
    /// exist yet, the version of something never stored.
    pub(crate) fn version(expected: u64) -> Self {
        if expected == 0 {
            return Condition::absent();
        }
        Condition {
            expression: "#version = :expected",
            names: vec![("#version", attr::VERSION)],
            values: vec![(":expected", mapping::number(expected))],
            return_old_item: false,
        }
    }
}

/// Why one item of a cancelled transaction failed.
#[derive(Debug)]
pub(crate) enum Reason {
    /// This item was fine; another one failed.
    Passed,
    /// Its condition failed; the existing item when the engine returned it.
    ConditionFailed(Option<Item>),
    /// Another transaction was writing the same item.
    TransactionConflict,
    /// Anything else (throttling, validation, size): a backend failure.
    Other(String),
}

/// A cancelled transaction. Engines differ in how they report it: DynamoDB and dynoxide
/// send `CancellationReasons`; some engines send only the message
/// (`… reasons [None, ConditionalCheckFailed]`). `reasons` is empty when neither says
/// which item failed.
#[derive(Debug)]
pub(crate) struct Cancelled {
    reasons: Vec<Reason>,
    raw: String,
}

impl Cancelled {
    fn from_error<R>(err: &SdkError<TransactWriteItemsError, R>) -> Option<Cancelled> {
        let service = err.as_service_error()?;
        let raw = format!(
            "{}: {}",
            service.code().unwrap_or("?"),
            service.message().unwrap_or("")
        );
        match service {
            TransactWriteItemsError::TransactionCanceledException(e) => {
                let reasons: Vec<Reason> = if e.cancellation_reasons().is_empty() {
                    e.message().map(reasons_from_message).unwrap_or_default()
                } else {
                    e.cancellation_reasons()
                        .iter()
                        .map(|r| Reason::from_code(r.code(), r.item().cloned()))
                        .collect()
                };
                Some(Cancelled { reasons, raw })
            }
            // Not in the operation's error model, but engines may send it.
            _ if service.code() == Some("TransactionConflictException") => Some(Cancelled {
                reasons: vec![Reason::TransactionConflict],
                raw,
            }),
            // An engine that reports a failed transactional condition as a plain
            // conditional-check failure, without saying which item.
            _ if service.code() == Some("ConditionalCheckFailedException") => Some(Cancelled {
                reasons: vec![],
                raw,
            }),
            _ => None,
        }
    }

    /// The reason of item `index`, if the engine said.
    pub(crate) fn reason(&self, index: usize) -> Option<&Reason> {
        self.reasons.get(index)
    }

    pub(crate) fn condition_failed(&self, index: usize) -> bool {
        matches!(self.reason(index), Some(Reason::ConditionFailed(_)))
    }

    /// A failure that no retry or conflict handling explains.
    pub(crate) fn backend_failure(&self) -> Option<StoreError> {
        self.reasons.iter().find_map(|r| match r {
            Reason::Other(code) => Some(StoreError::Backend(format!(
                "transaction cancelled ({code}): {}",
                self.raw
            ))),
            _ => None,
        })
    }

    /// Whether the engine said nothing of which item failed.
    pub(crate) fn unexplained(&self) -> bool {
        self.reasons.is_empty()
    }

    pub(crate) fn any_conflict(&self) -> bool {
        self.reasons
            .iter()
            .any(|r| matches!(r, Reason::ConditionFailed(_) | Reason::TransactionConflict))
    }
}

impl Reason {
    fn from_code(code: Option<&str>, item: Option<Item>) -> Reason {
        match code {
            None | Some("None") | Some("") => Reason::Passed,
            Some("ConditionalCheckFailed") => {
                Reason::ConditionFailed(item.filter(|i| !i.is_empty()))
            }
            Some("TransactionConflict") => Reason::TransactionConflict,
            Some(other) => Reason::Other(other.to_string()),
        }
    }
}

/// Reasons listed in a cancellation message: `… specific reasons [None, ConditionalCheckFailed]`.
fn reasons_from_message(message: &str) -> Vec<Reason> {
    let Some(open) = message.rfind('[') else {
        return vec![];
    };
    let Some(len) = message[open..].find(']') else {
        return vec![];
    };
    message[open + 1..open + len]
        .split(',')
        .map(|code| Reason::from_code(Some(code.trim()), None))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellation_reasons_are_read_from_a_message_when_the_engine_sends_no_list() {
        let reasons = reasons_from_message(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, TransactionConflict]",
        );
        assert!(matches!(
            reasons.as_slice(),
            [
                Reason::Passed,
                Reason::ConditionFailed(None),
                Reason::TransactionConflict
            ]
        ));
        assert!(reasons_from_message("Transaction cancelled").is_empty());
        assert!(reasons_from_message("broken [").is_empty());
    }

    #[test]
    fn configuration_comes_from_the_environment_with_defaults() {
        // Only the defaults are checked: tests share the process environment.
        let c = StoreConfig::local("http://127.0.0.1:1", "t");
        assert_eq!(c.region, "eu-central-1");
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:1"));
    }
}
