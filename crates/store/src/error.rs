//! What can go wrong in the store, in terms the use cases act on.

/// A storage failure. No SDK type leaks out: engine errors are carried as text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A write's condition failed: the stored version is not the expected one, or a
    /// concurrent transaction touched the same item. Nothing was written; the caller
    /// reloads and decides again (an HTTP 409).
    #[error("the item changed since it was read (stale version or concurrent write)")]
    Conflict,
    /// The item (or the unique value it claims, such as an e-mail) exists already.
    #[error("the item exists already")]
    AlreadyExists,
    /// A listing cursor that this store did not hand out, or that belongs to another
    /// listing.
    #[error("invalid listing cursor")]
    BadCursor,
    /// The engine (DynamoDB, dynoxide, the network, the SDK) failed; the text says where.
    #[error("storage backend failure: {0}")]
    Backend(String),
    /// A stored item cannot be mapped back to a record; the text names the item and field.
    #[error("corrupt stored item: {0}")]
    Corrupt(String),
}
