//! The repositories on DynamoDB (or any engine speaking its API: dynoxide, moto).

use crate::cursor;
use crate::error::{Entity, StoreError};
use crate::keys;
use crate::mapping::{self, Item, attr};
use crate::table::{GSI1, GSI2, GsiDefinition, PK, SK, TABLE_GSIS, TTL_ATTRIBUTE};
use crate::{
    CreateOutcome, DealerRecord, DirectoryRepo, IdempotencyKey, NetworkRecord, Page, PageRequest,
    SessionRecord, SessionRepo, TicketRepo, UserRecord, UserRepo,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, IndexStatus,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, ReturnValue,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
    TimeToLiveStatus, TransactWriteItem,
};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{DealerId, HistoryEvent, Notice, Role, State, Ticket, TicketId, UserId};
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
    /// default credential chain (the Lambda role).
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
/// Most items one listing page holds.
pub const MAX_PAGE_LIMIT: u32 = 100;
/// Most Query calls one listing page makes. A state filter on a large partition may match
/// nothing for a long stretch; past this the page comes back short, with a cursor, rather
/// than holding a request open.
const MAX_QUERIES_PER_PAGE: usize = 25;
/// Items a filtered listing asks the engine to evaluate per Query call.
const FILTERED_QUERY_LIMIT: i32 = 100;
/// The counter's value before the first ticket, so the first number is 1001.
const TICKET_NUMBER_BASE: u64 = 1000;

impl Store {
    /// A client for the table of `config`. Does not touch the network.
    ///
    /// With an endpoint (a local engine) it signs with static dummy credentials, so no AWS
    /// credentials are needed; without one it uses the default AWS chain.
    pub async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        if config.table.trim().is_empty() {
            return Err(StoreError::Backend("the table name is empty".into()));
        }
        let region = Region::new(config.region.clone());
        let builder = match &config.endpoint {
            Some(endpoint) => aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(region)
                .credentials_provider(Credentials::new(
                    "local",
                    "local",
                    None,
                    None,
                    "dealerdesk-local",
                ))
                .endpoint_url(endpoint),
            None => {
                let shared = aws_config::defaults(BehaviorVersion::latest())
                    .region(region)
                    .load()
                    .await;
                aws_sdk_dynamodb::config::Builder::from(&shared)
            }
        };
        let round_trips = Arc::new(AtomicU64::new(0));
        let sdk_config = builder
            .interceptor(RoundTripCounter(Arc::clone(&round_trips)))
            .build();
        Ok(Store {
            client: Client::from_conf(sdk_config),
            table: Arc::from(config.table.as_str()),
            round_trips,
        })
    }

    /// The table this store reads and writes.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Requests sent to the engine by this store and its clones so far (retries count).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
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
                                .projection_type(ProjectionType::All)
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

    async fn put_plain(&self, item: Item) -> Result<(), StoreError> {
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
        let mut put = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression(condition.expression);
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

    /// Reads one listing page from `index`, newest first, paging through the engine until
    /// the page is full or the partition is exhausted (a state filter may leave an
    /// engine page with few or no matches).
    async fn list_tickets(
        &self,
        index: &GsiDefinition,
        partition: String,
        state: Option<State>,
        page: &PageRequest,
    ) -> Result<Page<Ticket>, StoreError> {
        let limit = page.limit.clamp(1, MAX_PAGE_LIMIT) as usize;
        let mut start = match &page.cursor {
            Some(c) => Some(cursor::decode(index, &partition, c)?),
            None => None,
        };
        let mut items: Vec<Item> = Vec::with_capacity(limit);
        let mut more = false;
        for _ in 0..MAX_QUERIES_PER_PAGE {
            let wanted = limit - items.len();
            let mut query = self
                .client
                .query()
                .table_name(&*self.table)
                .index_name(index.name)
                .key_condition_expression("#ipk = :ipk")
                .expression_attribute_names("#ipk", index.partition_key)
                .expression_attribute_values(":ipk", mapping::string(partition.clone()))
                .scan_index_forward(false)
                .set_exclusive_start_key(start.take());
            query = match state {
                Some(state) => query
                    .filter_expression("#state = :state")
                    .expression_attribute_names("#state", attr::STATE)
                    .expression_attribute_values(":state", mapping::string(state.code()))
                    // Limit counts evaluated items, before the filter: ask for a batch.
                    .limit(FILTERED_QUERY_LIMIT.max(wanted as i32 + 1)),
                // One more than needed tells whether another page exists, so a listing
                // that ends on a page boundary hands out no cursor to an empty page.
                None => query.limit(wanted as i32 + 1),
            };
            let out = query.send().await.map_err(|e| self.backend("Query", e))?;
            let mut returned = out.items.unwrap_or_default().into_iter();
            items.extend(returned.by_ref().take(wanted));
            let left_over = returned.next().is_some();
            start = out.last_evaluated_key;
            if items.len() == limit {
                more = left_over || start.is_some();
                break;
            }
            if start.is_none() {
                break;
            }
        }
        // Out of query budget with the partition not exhausted: a short page, with a cursor.
        if start.is_some() && items.len() < limit {
            more = true;
        }
        let next_cursor = match (more, items.last()) {
            // Continue after the last item handed out, not after the engine's last
            // evaluated key: with a filter the engine may have read past items not
            // handed out.
            (true, Some(last)) => Some(cursor::encode(index, last)?),
            // Nothing matched within the budget: continue from where the engine stopped.
            (true, None) => match &start {
                Some(key) => Some(cursor::encode(index, key)?),
                None => None,
            },
            (false, _) => None,
        };
        let items = items
            .iter()
            .map(mapping::ticket_from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }
}

/// The condition of one transactional Put.
pub(crate) struct Condition {
    expression: &'static str,
    names: Vec<(&'static str, &'static str)>,
    values: Vec<(&'static str, AttributeValue)>,
    /// Have the engine return the existing item when the condition fails, saving a read.
    return_old_item: bool,
}

impl Condition {
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
enum Reason {
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
    fn reason(&self, index: usize) -> Option<&Reason> {
        self.reasons.get(index)
    }

    fn condition_failed(&self, index: usize) -> bool {
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

    fn any_conflict(&self) -> bool {
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

// ---------------------------------------------------------------- repositories

impl DirectoryRepo for Store {
    async fn put_network(&self, network: &NetworkRecord) -> Result<(), StoreError> {
        self.put_plain(mapping::network_to_item(network)).await
    }

    async fn put_dealer(&self, dealer: &DealerRecord) -> Result<(), StoreError> {
        self.put_plain(mapping::dealer_to_item(dealer)).await
    }

    async fn dealer(&self, id: &DealerId) -> Result<Option<DealerRecord>, StoreError> {
        self.get(keys::dealer_pk(id), keys::DEALER_SK)
            .await?
            .map(|item| mapping::dealer_from_item(&item))
            .transpose()
    }

    async fn dealers(&self) -> Result<Vec<DealerRecord>, StoreError> {
        let mut dealers = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(GSI1.name)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", GSI1.partition_key)
            .expression_attribute_values(":ipk", mapping::string(keys::DEALERS_GSI1PK));
        for item in &self.query_all(query).await? {
            dealers.push(mapping::dealer_from_item(item)?);
        }
        Ok(dealers)
    }
}

impl UserRepo for Store {
    async fn create_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let items = vec![
            self.put(mapping::user_to_item(user), Condition::absent())?,
            self.put(mapping::email_claim_to_item(user), Condition::absent())?,
        ];
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => {
                if let Some(err) = cancelled.backend_failure() {
                    return Err(err);
                }
                if cancelled.condition_failed(0)
                    || cancelled.condition_failed(1)
                    || cancelled.reasons.is_empty()
                {
                    Err(StoreError::AlreadyExists)
                } else {
                    Err(StoreError::Conflict {
                        entity: Entity::User,
                    })
                }
            }
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let Some(claim) = self.get(keys::email_pk(email), keys::EMAIL_SK).await? else {
            return Ok(None);
        };
        let id = mapping::email_claim_user(&claim)?;
        match self.user(&id).await? {
            Some(user) => Ok(Some(user)),
            // Both are written in one transaction: a claim without its user is damage.
            None => Err(StoreError::Corrupt(format!(
                "e-mail {email} is claimed by user {id}, who does not exist"
            ))),
        }
    }

    async fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        self.get(keys::user_pk(id), keys::USER_SK)
            .await?
            .map(|item| mapping::user_from_item(&item))
            .transpose()
    }

    async fn users_of_dealer(&self, dealer: &DealerId) -> Result<Vec<UserRecord>, StoreError> {
        self.users_in(&GSI1, keys::users_of_dealer_gsi1pk(dealer))
            .await
    }

    async fn users_with_role(&self, role: Role) -> Result<Vec<UserRecord>, StoreError> {
        self.users_in(&GSI2, keys::users_with_role_gsi2pk(role))
            .await
    }
}

impl Store {
    /// Every user under one index partition.
    async fn users_in(
        &self,
        index: &GsiDefinition,
        partition: String,
    ) -> Result<Vec<UserRecord>, StoreError> {
        let mut users = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(index.name)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", index.partition_key)
            .expression_attribute_values(":ipk", mapping::string(partition.clone()));
        for item in &self.query_all(query).await? {
            users.push(mapping::user_from_item(item)?);
        }
        Ok(users)
    }
}

impl SessionRepo for Store {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(mapping::session_to_item(session)))
            // A token hash is 256 random bits; a collision means a replayed write.
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::AlreadyExists)
            }
            Err(err) => Err(self.backend("PutItem", err)),
        }
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let Some(item) = self
            .get(keys::session_pk(token_hash), keys::SESSION_SK)
            .await?
        else {
            return Ok(None);
        };
        let session = mapping::session_from_item(&item)?;
        // TTL deletion lags (up to days in AWS), so expiry is checked here.
        Ok((session.expires_at > now).then_some(session))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::session_pk(token_hash),
                keys::SESSION_SK,
            )))
            .send()
            .await
            .map_err(|e| self.backend("DeleteItem", e))?;
        Ok(())
    }
}

impl TicketRepo for Store {
    async fn next_ticket_number(&self) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::TICKET_NUMBER_COUNTER_PK.to_string(),
                keys::COUNTER_SK,
            )))
            .update_expression("SET #n = if_not_exists(#n, :base) + :one")
            .expression_attribute_names("#n", attr::COUNTER_VALUE)
            .expression_attribute_values(":base", mapping::number(TICKET_NUMBER_BASE))
            .expression_attribute_values(":one", mapping::number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        let attributes = out.attributes.ok_or_else(|| {
            StoreError::Backend("UpdateItem on the ticket counter returned nothing".into())
        })?;
        mapping::counter_value(&attributes)
    }

    async fn create_ticket(
        &self,
        ticket: &Ticket,
        event: &HistoryEvent,
        idempotency: Option<&IdempotencyKey>,
        notices: &[Notice],
    ) -> Result<CreateOutcome, StoreError> {
        // The idempotency record must stay at index 2: its cancellation reason is read there.
        let mut items = vec![
            self.put(mapping::ticket_to_item(ticket), Condition::absent())?,
            self.put(
                mapping::event_to_item(&ticket.id, ticket.version, event),
                Condition::absent(),
            )?,
        ];
        // The record's own clock is the ticket's, so an injected clock governs its expiry.
        let now = ticket.created_at;
        if let Some(key) = idempotency {
            items.push(self.put(
                mapping::idempotency_to_item(key, &ticket.id, now),
                Condition {
                    // An expired record that TTL has not removed yet no longer counts.
                    expression: "attribute_not_exists(#pk) OR #ttl < :now",
                    names: vec![("#pk", PK), ("#ttl", TTL_ATTRIBUTE)],
                    values: vec![(":now", mapping::number(now.timestamp()))],
                    return_old_item: true,
                },
            )?);
        }
        for notice in notices {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        let cancelled = match self.transact(items).await? {
            Ok(()) => return Ok(CreateOutcome::Created),
            Err(cancelled) => cancelled,
        };
        if let Some(err) = cancelled.backend_failure() {
            return Err(err);
        }
        if let Some(key) = idempotency {
            match cancelled.reason(2) {
                Some(Reason::ConditionFailed(Some(old))) => {
                    return Ok(CreateOutcome::Replayed(mapping::idempotency_ticket(old)?));
                }
                // The engine did not return the record (or did not say which item failed):
                // look it up.
                Some(Reason::ConditionFailed(None)) | None => {
                    let pk = keys::idempotency_pk(&key.user_id, &key.key);
                    if let Some(old) = self.get(pk, keys::IDEMPOTENCY_SK).await? {
                        return Ok(CreateOutcome::Replayed(mapping::idempotency_ticket(&old)?));
                    }
                }
                Some(_) => {}
            }
        }
        if cancelled.condition_failed(0) || cancelled.condition_failed(1) {
            return Err(StoreError::AlreadyExists);
        }
        if cancelled.any_conflict() {
            return Err(StoreError::Conflict {
                entity: Entity::Ticket,
            });
        }
        // Cancelled without a reason we can place: report it as a conflict only if some
        // item exists that explains it.
        if self
            .get(keys::ticket_pk(&ticket.id), keys::TICKET_SK)
            .await?
            .is_some()
        {
            return Err(StoreError::AlreadyExists);
        }
        Err(StoreError::Conflict {
            entity: Entity::Ticket,
        })
    }

    async fn ticket(&self, id: &TicketId) -> Result<Option<Ticket>, StoreError> {
        self.get(keys::ticket_pk(id), keys::TICKET_SK)
            .await?
            .map(|item| mapping::ticket_from_item(&item))
            .transpose()
    }

    async fn ticket_with_history(
        &self,
        id: &TicketId,
    ) -> Result<Option<(Ticket, Vec<HistoryEvent>)>, StoreError> {
        let mut ticket = None;
        let mut events = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", mapping::string(keys::ticket_pk(id)))
            .consistent_read(true);
        for item in &self.query_all(query).await? {
            if mapping::is_event(item) {
                events.push(mapping::event_from_item(item)?);
            } else if item.get(SK) == Some(&mapping::string(keys::TICKET_SK)) {
                ticket = Some(mapping::ticket_from_item(item)?);
            }
        }
        Ok(ticket.map(|t| (t, events)))
    }

    async fn save_move(
        &self,
        ticket: &Ticket,
        expected_version: u64,
        event: &HistoryEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let mut items = vec![
            self.put(
                mapping::ticket_to_item(ticket),
                Condition {
                    expression: "#version = :expected",
                    names: vec![("#version", attr::VERSION)],
                    values: vec![(":expected", mapping::number(expected_version))],
                    return_old_item: false,
                },
            )?,
            self.put(
                mapping::event_to_item(&ticket.id, ticket.version, event),
                Condition::absent(),
            )?,
        ];
        // A move that resolves paid work with a cost also records it for the estimate
        // banner (SPEC §2.5), in the same transaction.
        items.extend(self.completed_work_writes(None, ticket)?);
        for notice in notices {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => Err(cancelled.backend_failure().unwrap_or(StoreError::Conflict {
                entity: Entity::Ticket,
            })),
        }
    }

    async fn dealer_tickets(
        &self,
        dealer: &DealerId,
        state: Option<State>,
        page: &PageRequest,
    ) -> Result<Page<Ticket>, StoreError> {
        self.list_tickets(&GSI1, keys::dealer_tickets_gsi1pk(dealer), state, page)
            .await
    }

    async fn all_tickets(
        &self,
        state: Option<State>,
        page: &PageRequest,
    ) -> Result<Page<Ticket>, StoreError> {
        self.list_tickets(&GSI2, keys::ALL_TICKETS_GSI2PK.to_string(), state, page)
            .await
    }
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
