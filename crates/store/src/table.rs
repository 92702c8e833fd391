//! The shape of the one table: key attributes, global secondary indexes, TTL.
//!
//! In AWS the SAM template creates the table; [`crate::Store::ensure_table`] creates the
//! same shape locally and in tests. Both must match what is declared here.

use std::fmt::Write as _;

/// Partition key attribute of the table (string).
pub const PK: &str = "pk";
/// Sort key attribute of the table (string).
pub const SK: &str = "sk";
/// The TTL attribute: epoch seconds after which DynamoDB may delete the item.
pub const TTL_ATTRIBUTE: &str = "ttl";

/// One global secondary index: both keys are strings, and it projects keys only (the
/// table's and its own): a read takes the keys from the index and the items from the
/// table (see the `kernel` module), so an item is stored once, not once per index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GsiDefinition {
    /// Index name.
    pub name: &'static str,
    /// Partition key attribute.
    pub partition_key: &'static str,
    /// Sort key attribute.
    pub sort_key: &'static str,
    /// What the index is for.
    pub purpose: &'static str,
}

/// Overloaded index 1: one dealer's tickets (newest first) and the dealer directory.
pub const GSI1: GsiDefinition = GsiDefinition {
    name: "gsi1",
    partition_key: "gsi1pk",
    sort_key: "gsi1sk",
    purpose: "one dealer's tickets by creation; the dealer directory by name",
};

/// Overloaded index 2: every ticket (newest first).
pub const GSI2: GsiDefinition = GsiDefinition {
    name: "gsi2",
    partition_key: "gsi2pk",
    sort_key: "gsi2sk",
    purpose: "every ticket by creation",
};

/// Index 3: reserved for the sparse "due" index of scheduled work.
pub const GSI3: GsiDefinition = GsiDefinition {
    name: "gsi3",
    partition_key: "gsi3pk",
    sort_key: "gsi3sk",
    purpose: "sparse: items while something is due, by due time (reserved)",
};

/// Every global secondary index of the table.
pub const TABLE_GSIS: [GsiDefinition; 3] = [GSI1, GSI2, GSI3];

/// A human-readable description of the table's shape, e.g. for `dealerdesk` diagnostics
/// or to compare with the SAM template.
pub fn table_definition_summary(table: &str) -> String {
    let mut out = format!(
        "table {table}: {PK} (S, HASH), {SK} (S, RANGE), PAY_PER_REQUEST, TTL on `{TTL_ATTRIBUTE}`\n"
    );
    for gsi in TABLE_GSIS {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "  {}: {} (S, HASH), {} (S, RANGE), projection KEYS_ONLY — {}",
            gsi.name, gsi.partition_key, gsi.sort_key, gsi.purpose
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_every_index() {
        let s = table_definition_summary("dealerdesk");
        for gsi in TABLE_GSIS {
            assert!(
                s.contains(gsi.name) && s.contains(gsi.partition_key) && s.contains(gsi.sort_key)
            );
        }
        assert!(s.contains("TTL on `ttl`"));
        assert_eq!(s.matches("projection KEYS_ONLY").count(), TABLE_GSIS.len());
    }
}
