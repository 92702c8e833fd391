//! Listing cursors: the key where the next page starts, opaque to callers.
//!
//! A cursor is the hex of a small JSON document naming the index and the four key
//! attributes (table and index keys) of the last item handed out. Decoding checks that it
//! is for the same index and the same index partition, so a cursor from one dealer's
//! listing cannot be replayed against another's, and garbage is a
//! [`StoreError::BadCursor`] rather than an engine error.

use crate::error::StoreError;
use crate::mapping::Item;
use crate::table::{GsiDefinition, PK, SK};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest cursor accepted: keys are short; anything longer is not ours.
const MAX_CURSOR_LEN: usize = 4096;

/// Longest key value accepted, in bytes: DynamoDB's limit for a sort key (a partition key
/// may be 2048, but none of ours comes near either). A longer value is not ours, and the
/// engine would refuse it with a validation error rather than a bad cursor.
const MAX_KEY_VALUE_LEN: usize = 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    /// Index name.
    i: String,
    /// Key attributes of the last item handed out.
    k: BTreeMap<String, String>,
}

fn key_names(index: &GsiDefinition) -> [&'static str; 4] {
    [PK, SK, index.partition_key, index.sort_key]
}

/// The cursor that continues a listing of `index` after `item`.
pub(crate) fn encode(index: &GsiDefinition, item: &Item) -> Result<String, StoreError> {
    let mut k = BTreeMap::new();
    for name in key_names(index) {
        match item.get(name) {
            Some(AttributeValue::S(v)) => {
                k.insert(name.to_string(), v.clone());
            }
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "an item listed through {} has no string `{name}`",
                    index.name
                )));
            }
        }
    }
    let doc = Doc {
        i: index.name.to_string(),
        k,
    };
    let json = serde_json::to_vec(&doc)
        .map_err(|e| StoreError::Backend(format!("encoding a listing cursor: {e}")))?;
    Ok(hex::encode(json))
}

/// The `ExclusiveStartKey` of a cursor for a listing of `partition` in `index`.
pub(crate) fn decode(
    index: &GsiDefinition,
    partition: &str,
    cursor: &str,
) -> Result<Item, StoreError> {
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(StoreError::BadCursor);
    }
    let bytes = hex::decode(cursor).map_err(|_| StoreError::BadCursor)?;
    let doc: Doc = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    let names = key_names(index);
    // Exactly our four key attributes, each a plausible key value (the engine refuses an
    // empty or oversized key with a validation error, which must not reach the caller as a
    // backend failure), and the listing's own index and partition.
    let same_shape = doc.i == index.name
        && doc.k.len() == names.len()
        && names.iter().all(|n| doc.k.contains_key(*n))
        && doc.k.values().all(|v| plausible_key_value(v))
        && doc.k.get(index.partition_key).map(String::as_str) == Some(partition);
    if !same_shape {
        return Err(StoreError::BadCursor);
    }
    Ok(doc
        .k
        .into_iter()
        .map(|(name, value)| (name, AttributeValue::S(value)))
        .collect())
}

/// A value that can be a key of ours: not empty, not oversized, no control characters.
fn plausible_key_value(value: &str) -> bool {
    !value.is_empty() && value.len() <= MAX_KEY_VALUE_LEN && !value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{GSI1, GSI2};

    fn item() -> Item {
        [
            ("pk", "TICKET#t1"),
            ("sk", "TICKET"),
            ("gsi1pk", "DEALER#d1#TICKETS"),
            ("gsi1sk", "2026-03-02T09:00:00.000Z#t1"),
            ("title", "not a key"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string())))
        .collect()
    }

    #[test]
    fn a_cursor_round_trips_to_the_key_of_the_last_item() {
        let cursor = encode(&GSI1, &item()).unwrap();
        let key = decode(&GSI1, "DEALER#d1#TICKETS", &cursor).unwrap();
        assert_eq!(key.len(), 4);
        assert_eq!(key.get("gsi1sk"), item().get("gsi1sk"));
        assert!(!key.contains_key("title"));
    }

    #[test]
    fn a_cursor_of_another_listing_or_garbage_is_refused() {
        let cursor = encode(&GSI1, &item()).unwrap();
        assert_eq!(
            decode(&GSI1, "DEALER#d2#TICKETS", &cursor),
            Err(StoreError::BadCursor)
        );
        assert_eq!(
            decode(&GSI2, "TICKETS", &cursor),
            Err(StoreError::BadCursor)
        );
        for bad in [
            "",
            "zz",
            "7b7d",
            &"ab".repeat(5000),
            &hex::encode(r#"{"i":"gsi1","k":{}}"#),
        ] {
            assert_eq!(
                decode(&GSI1, "DEALER#d1#TICKETS", bad),
                Err(StoreError::BadCursor),
                "{bad}"
            );
        }
    }

    /// A hand-made cursor: the hex of `{"i": index, "k": keys}`.
    fn forged(index: &str, keys: &[(&str, &str)]) -> String {
        let k: BTreeMap<String, String> = keys
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        hex::encode(serde_json::to_vec(&Doc { i: index.into(), k }).unwrap())
    }

    #[test]
    fn hand_made_cursors_are_bad_cursors_never_engine_errors() {
        let partition = "DEALER#d1#TICKETS";
        let good = [
            ("pk", "TICKET#t1"),
            ("sk", "TICKET"),
            ("gsi1pk", partition),
            ("gsi1sk", "2026-03-02T09:00:00.000Z#t1"),
        ];
        // The well-formed forgery decodes: the checks below are what refuses the others.
        assert!(decode(&GSI1, partition, &forged("gsi1", &good)).is_ok());
        let long = "я".repeat(600);
        let with = |name: &'static str, value: &'static str| {
            good.iter()
                .map(|&(n, v)| if n == name { (n, value) } else { (n, v) })
                .collect::<Vec<_>>()
        };
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            // An empty key value (the engine would say "key attribute value is empty").
            ("empty sk", with("sk", "")),
            ("empty pk", with("pk", "")),
            ("empty index sort key", with("gsi1sk", "")),
            // Absurd lengths.
            (
                "oversized pk",
                vec![
                    ("pk", long.as_str()),
                    ("sk", "TICKET"),
                    ("gsi1pk", partition),
                    ("gsi1sk", "x"),
                ],
            ),
            // Control characters.
            ("control character", with("sk", "TICKET\u{0}")),
            // An unknown attribute instead of a key, or one too many.
            (
                "unknown attribute",
                vec![
                    ("pk", "TICKET#t1"),
                    ("sk", "TICKET"),
                    ("gsi1pk", partition),
                    ("title", "x"),
                ],
            ),
            ("extra attribute", {
                let mut v = good.to_vec();
                v.push(("title", "x"));
                v
            }),
            ("missing attribute", good[..3].to_vec()),
            // Another dealer's partition, or another index.
            ("wrong partition", with("gsi1pk", "DEALER#d2#TICKETS")),
        ];
        for (what, keys) in cases {
            assert_eq!(
                decode(&GSI1, partition, &forged("gsi1", &keys)),
                Err(StoreError::BadCursor),
                "{what}"
            );
        }
        assert_eq!(
            decode(&GSI1, partition, &forged("gsi2", &good)),
            Err(StoreError::BadCursor)
        );
        // Not JSON of our shape at all.
        for bad in [
            hex::encode(r#"{"i":"gsi1","k":{"pk":1}}"#),
            hex::encode(r#"{"i":"gsi1","k":{},"x":1}"#),
            hex::encode(r#"[]"#),
            hex::encode([0xff, 0xfe]),
            "ABCDEFG".to_string(),
        ] {
            assert_eq!(
                decode(&GSI1, partition, &bad),
                Err(StoreError::BadCursor),
                "{bad}"
            );
        }
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        #[test]
        fn any_text_as_a_cursor_is_refused_or_is_a_key_of_this_listing(cursor in ".{0,300}") {
            check_decoded(&cursor)?;
        }

        #[test]
        fn a_hand_made_cursor_is_refused_unless_it_is_a_plausible_key_of_this_listing(
            index in proptest::prop_oneof![proptest::strategy::Just("gsi1".to_string()), "[a-z0-9]{0,6}"],
            keys in proptest::collection::btree_map(
                proptest::prop_oneof![
                    proptest::strategy::Just("pk".to_string()),
                    proptest::strategy::Just("sk".to_string()),
                    proptest::strategy::Just("gsi1pk".to_string()),
                    proptest::strategy::Just("gsi1sk".to_string()),
                    "[a-z]{1,6}",
                ],
                proptest::prop_oneof![
                    proptest::strategy::Just("DEALER#d1#TICKETS".to_string()),
                    proptest::strategy::Just(String::new()),
                    "[\\x00-\\x1f#A-Z0-9]{0,40}",
                    "[A-Z]{1,4}".prop_map(|s| s.repeat(400)),
                ],
                0..6,
            ),
        ) {
            let doc = serde_json::json!({"i": index, "k": keys});
            check_decoded(&hex::encode(doc.to_string()))?;
        }
    }

    fn check_decoded(cursor: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        match decode(&GSI1, "DEALER#d1#TICKETS", cursor) {
            Ok(key) => {
                proptest::prop_assert_eq!(key.len(), 4);
                proptest::prop_assert_eq!(
                    key.get("gsi1pk"),
                    Some(&AttributeValue::S("DEALER#d1#TICKETS".into()))
                );
                for value in key.values() {
                    let AttributeValue::S(text) = value else {
                        return Err(proptest::test_runner::TestCaseError::fail(
                            "a non-string key",
                        ));
                    };
                    proptest::prop_assert!(plausible_key_value(text), "{text:?}");
                }
            }
            Err(err) => proptest::prop_assert_eq!(err, StoreError::BadCursor),
        }
        Ok(())
    }
}
