//! Typed identifiers. They are opaque strings (ULIDs for things the platform creates),
//! wrapped so that a dealer id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an existing identifier.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The identifier as stored and shown in the API.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A brand network (Nissan, Peugeot, …).
    NetworkId
);
id_type!(
    /// A dealer centre.
    DealerId
);
id_type!(
    /// A person who logs in.
    UserId
);
id_type!(
    /// A support ticket («обращение»).
    TicketId
);
id_type!(
    /// One time entry on a ticket, or a correction of one.
    TimeEntryId
);
id_type!(
    /// A central improvement wish («пожелание»).
    WishId
);
id_type!(
    /// A comment on a ticket.
    CommentId
);
id_type!(
    /// A file attached to a ticket.
    AttachmentId
);
