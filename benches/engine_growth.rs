//! A minimal reproduction, for dynoxide's maintainers, of the embedded engine's write rate
//! as its SQLite file grows (DealerDesk issue #12, "the embedded store as data grows").
//! dynoxide alone through its Rust API (`dynoxide::Database`): no HTTP, no SDK, no
//! DealerDesk code.
//!
//! `cargo bench --bench engine_growth [-- --full]` creates a file-backed table in three
//! shapes, grows it with `BatchWriteItem`s of 25 items of about 1 KB, and at each size
//! measures `TransactWriteItems` of two new items of the same shape (conditional puts, one
//! caller, as a local server's create is), printing transactions per second, the file size
//! (database + WAL) and the bytes on disk per item:
//! - `plain`: key attributes only, no index;
//! - `3 GSIs, ALL`: three global secondary indexes, projection `ALL`, every item on all three
//!   (a ticket's shape: its dealer's list, the list of all, the open-items index), each
//!   index keyed in one hot partition;
//! - `3 GSIs, KEYS_ONLY`: the same indexes projecting only the keys.
//!
//! Then the idempotency-token cache (`token_cache`): the same transaction with and without a
//! `ClientRequestToken`, in windows, as the tokens of the last ten minutes pile up.
//!
//! What it shows and what we ask is in the README's "Benchmarks" section ("The embedded
//! store as data grows"), with this machine's figures.

use dynoxide::Database;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

const TABLE: &str = "growth";
/// Transactions measured at each size.
const TRANSACTIONS: usize = 1_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    GsisAll,
    GsisKeysOnly,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Plain => "plain",
            Shape::GsisAll => "3 GSIs, ALL",
            Shape::GsisKeysOnly => "3 GSIs, KEYS_ONLY",
        }
    }
}

fn create_table(db: &Database, shape: Shape) {
    let s = |name: &str| json!({"AttributeName": name, "AttributeType": "S"});
    let mut request = json!({
        "TableName": TABLE,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"}
        ],
        "AttributeDefinitions": [s("pk"), s("sk")],
    });
    if shape != Shape::Plain {
        let projection = if shape == Shape::GsisAll {
            "ALL"
        } else {
            "KEYS_ONLY"
        };
        let mut defs = vec![s("pk"), s("sk")];
        let mut gsis = Vec::new();
        for i in 1..=3 {
            let (pk, sk) = (format!("gsi{i}pk"), format!("gsi{i}sk"));
            defs.push(s(&pk));
            defs.push(s(&sk));
            gsis.push(json!({
                "IndexName": format!("gsi{i}"),
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"}
                ],
                "Projection": {"ProjectionType": projection}
            }));
        }
        request["AttributeDefinitions"] = Value::Array(defs);
        request["GlobalSecondaryIndexes"] = Value::Array(gsis);
    }
    db.create_table(serde_json::from_value(request).expect("a CreateTable request"))
        .expect("the table is created");
}

/// The `n`-th item: about 1 KB of text and, with indexes, a place on each of them.
fn item(n: usize, shape: Shape) -> Value {
    let key = format!("{n:012}");
    let mut item = json!({
        "pk": {"S": format!("ITEM#{key}")},
        "sk": {"S": "A"},
        "text": {"S": "Разместите новость об акции на главной странице. ".repeat(10)},
        "n": {"N": n.to_string()},
    });
    if shape != Shape::Plain {
        for i in 1..=3 {
            item[format!("gsi{i}pk")] = json!({"S": format!("HOT#{i}")});
            item[format!("gsi{i}sk")] = json!({"S": key});
        }
    }
    item
}

fn grow(db: &Database, shape: Shape, from: usize, to: usize) {
    let mut n = from;
    while n < to {
        let end = (n + 25).min(to);
        let requests: Vec<Value> = (n..end)
            .map(|k| json!({"PutRequest": {"Item": item(k, shape)}}))
            .collect();
        let request = json!({"RequestItems": {TABLE: requests}});
        let out = db
            .batch_write_item(serde_json::from_value(request).expect("a BatchWriteItem request"))
            .expect("a batch is written");
        assert!(
            out.unprocessed_items.is_empty(),
            "the engine left items unprocessed"
        );
        n = end;
    }
}

/// `count` transactions of two new items, numbered from `from`; transactions per second.
fn transactions(db: &Database, shape: Shape, from: usize, count: usize) -> f64 {
    transactions_with(db, shape, from, count, false)
}

/// The same, each transaction with a `ClientRequestToken` of its own when `token` is set, as
/// the AWS SDK sends every `TransactWriteItems` (it fills the token in when the caller does
/// not, so that its own retries are idempotent).
fn transactions_with(db: &Database, shape: Shape, from: usize, count: usize, token: bool) -> f64 {
    let start = Instant::now();
    for t in 0..count {
        let put = |n: usize| {
            json!({"Put": {
                "TableName": TABLE,
                "Item": item(n, shape),
                "ConditionExpression": "attribute_not_exists(pk)"
            }})
        };
        let n = from + 2 * t;
        let mut request = json!({"TransactItems": [put(n), put(n + 1)]});
        if token {
            request["ClientRequestToken"] = json!(format!("token-{n:012}"));
        }
        db.transact_write_items(serde_json::from_value(request).expect("a request"))
            .expect("the transaction is written");
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// The engine's idempotency-token cache: every transaction that carries a
/// `ClientRequestToken` is remembered for ten minutes, and every such transaction first
/// sweeps the whole cache for expired tokens (`evict_expired`, a `retain` over all of them),
/// so each costs more the more tokens the last ten minutes left. In memory and without
/// indexes, so nothing else grows: one table whose transactions carry tokens, one whose do
/// not, measured side by side in windows of `window` transactions.
fn token_cache(full: bool) {
    let (window, windows) = if full { (10_000, 10) } else { (5_000, 6) };
    println!(
        "\nthe ClientRequestToken cache: 2-item TransactWriteItems per second, one caller, in \
         memory, no indexes\n"
    );
    println!(
        "{:>14} {:>16} {:>16} {:>8}",
        "tokens held", "tx/s with token", "tx/s without", "ratio"
    );
    let with = Database::memory().expect("the engine opens");
    let without = Database::memory().expect("the engine opens");
    create_table(&with, Shape::Plain);
    create_table(&without, Shape::Plain);
    for w in 0..windows {
        let from = 2 * w * window;
        let tokened = transactions_with(&with, Shape::Plain, from, window, true);
        let plain = transactions_with(&without, Shape::Plain, from, window, false);
        println!(
            "{:>14} {:>16.0} {:>16.0} {:>7.2}×",
            w * window,
            tokened,
            plain,
            tokened / plain
        );
    }
}

fn file_size(file: &Path) -> u64 {
    let wal = Path::new(&format!("{}-wal", file.display())).to_path_buf();
    [file.to_path_buf(), wal]
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

fn main() {
    let full = std::env::args().any(|a| a == "--full");
    let sizes: &[usize] = if full {
        &[0, 10_000, 50_000, 100_000]
    } else {
        &[0, 10_000, 30_000]
    };
    println!(
        "\ndynoxide (Cargo.lock's version): 2-item TransactWriteItems per second, one caller, \
         as the file grows\n"
    );
    println!(
        "{:<18} {:>10} {:>10} {:>10} {:>12}",
        "shape", "items", "tx/s", "file MB", "bytes/item"
    );
    for shape in [Shape::Plain, Shape::GsisAll, Shape::GsisKeysOnly] {
        let dir = tempfile::tempdir().expect("a temporary dir");
        let file = dir.path().join("growth.sqlite");
        let db = Database::new(&file.to_string_lossy()).expect("the engine opens");
        create_table(&db, shape);
        let mut items = 0;
        for &size in sizes {
            grow(&db, shape, items, size);
            items = size.max(items);
            let rate = transactions(&db, shape, 1_000_000_000 + items, TRANSACTIONS);
            items += 2 * TRANSACTIONS;
            let bytes = file_size(&file);
            println!(
                "{:<18} {:>10} {:>10.0} {:>10.1} {:>12.0}",
                shape.name(),
                items,
                rate,
                bytes as f64 / 1e6,
                bytes as f64 / items as f64
            );
        }
    }
    token_cache(full);
}
