//! Refusals: every "no" of the rules knows what kind of "no" it is, its machine code, its
//! Russian message and (for bad input) the fields at fault. The app maps the kind to an
//! HTTP status exactly once; features never touch HTTP.

use serde::Serialize;

/// What kind of "no" a refusal is. The app turns each kind into one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The request itself is malformed (bad JSON, a bad query parameter, a bad cursor): 400.
    BadRequest,
    /// No valid credentials: 401.
    Unauthenticated,
    /// Authenticated, but this actor may not do this at all: 403.
    Forbidden,
    /// It does not exist, or the actor may not know that it exists: 404.
    NotFound,
    /// The thing's state forbids the move, or someone changed it meanwhile: 409.
    Conflict,
    /// It existed and is gone for good (an expired link): 410.
    Gone,
    /// The body is larger than the route takes: 413.
    TooLarge,
    /// The body's type is not one the route takes: 415.
    UnsupportedType,
    /// Well-formed input that breaks a rule (a missing field, a text too long): 422.
    Invalid,
    /// Too many attempts; try again later: 429.
    RateLimited,
    /// A dependency (the store, the file store, the mail service) failed: 503. Never the
    /// caller's fault; logged with its detail, shown with a generic message.
    Unavailable,
}

/// A field of user input that failed a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field's API name.
    pub field: &'static str,
    /// What is wrong, in Russian.
    pub message: String,
}

/// One refusal, ready to show: kind, code, Russian message, fields.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refusal {
    pub kind: RefusalKind,
    /// Machine-readable, stable: clients branch on it.
    pub code: &'static str,
    /// For people, in Russian.
    pub message: String,
    /// The input fields at fault, in form order (empty unless the input was at fault).
    pub fields: Vec<FieldError>,
}

impl Refusal {
    /// A refusal without fields.
    pub fn new(kind: RefusalKind, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// Adds the fields at fault.
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Refusal {
        self.fields = fields;
        self
    }

    /// "Not found" that does not tell whether the thing exists.
    pub fn not_found() -> Refusal {
        Refusal::new(RefusalKind::NotFound, "not_found", "Не найдено.")
    }

    /// "This role may not do this".
    pub fn forbidden() -> Refusal {
        Refusal::new(
            RefusalKind::Forbidden,
            "forbidden",
            "Недостаточно прав для этого действия.",
        )
    }

    /// A malformed request with its code and Russian message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::new(RefusalKind::BadRequest, code, message)
    }
}

/// A typed error of the rules that can say what kind of refusal it is.
///
/// Every feature's error enum implements this once, beside its variants, so the kind, the
/// code and the Russian message live with the rule that refuses; the app has one blanket
/// conversion and one kind → status match.
pub trait Refuse: std::fmt::Display {
    /// The refusal to show.
    fn refusal(&self) -> Refusal;
}

impl Refuse for Refusal {
    fn refusal(&self) -> Refusal {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_carries_its_fields() {
        let r = Refusal::new(RefusalKind::Invalid, "validation_failed", "Укажите тему.")
            .with_fields(vec![FieldError {
                field: "title",
                message: "Укажите тему.".into(),
            }]);
        assert_eq!(r.kind, RefusalKind::Invalid);
        assert_eq!(r.fields[0].field, "title");
        assert_eq!(r.to_string(), "validation_failed: Укажите тему.");
    }
}
