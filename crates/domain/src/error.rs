//! Bad input, the one refusal every feature shares: the fields at fault with their Russian
//! messages. Each feature's own refusals live beside its rules.

use thiserror::Error;

pub use crate::kernel::FieldError;
use crate::kernel::{Refusal, RefusalKind, Refuse};

/// User input broke one or more rules; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("invalid input: {}", .errors.iter().map(|e| e.field).collect::<Vec<_>>().join(", "))]
pub struct ValidationError {
    /// Every failing field, in form order.
    pub errors: Vec<FieldError>,
}

impl ValidationError {
    /// One failing field.
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field,
                message: message.into(),
            }],
        }
    }

    /// All messages joined for a one-line error body.
    pub fn message_ru(&self) -> String {
        self.errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Refuse for ValidationError {
    fn refusal(&self) -> Refusal {
        Refusal::new(RefusalKind::Invalid, "validation_failed", self.message_ru())
            .with_fields(self.errors.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triple(r: &Refusal) -> (RefusalKind, &'static str, &str) {
        (r.kind, r.code, r.message.as_str())
    }
    #[test]
    fn validation_refusals_are_invalid_with_their_fields() {
        let e = ValidationError {
            errors: vec![
                FieldError {
                    field: "title",
                    message: "Укажите тему обращения.".into(),
                },
                FieldError {
                    field: "text",
                    message: "Опишите, что нужно сделать.".into(),
                },
            ],
        };
        let r = e.refusal();
        assert_eq!(
            triple(&r),
            (
                RefusalKind::Invalid,
                "validation_failed",
                "Укажите тему обращения. Опишите, что нужно сделать."
            )
        );
        assert_eq!(r.fields, e.errors);
        assert_eq!(crate::DomainError::from(e.clone()).refusal(), r);
    }
}
