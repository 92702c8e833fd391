//! The domain's one error type. Every variant knows its Russian message for people;
//! the HTTP mapping lives once, in the app crate.

use crate::lifecycle::{Action, Status};
use thiserror::Error;

/// A field of user input that failed a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The input field's API name.
    pub field: &'static str,
    /// What is wrong, in Russian.
    pub message: String,
}

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

/// A move the lifecycle refuses.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LifecycleError {
    /// The move does not exist from this status.
    #[error("{} is not allowed from {}", .action.code(), .from.code())]
    IllegalMove { from: Status, action: Action },
    /// The move exists but belongs to the other side (or to the scheduler).
    #[error("{} is not this actor's move", .action.code())]
    NotYourMove { action: Action },
    /// The move needs words: a question, an answer, remarks, a reason.
    #[error("{} needs a comment", .action.code())]
    CommentRequired { action: Action },
    /// Estimates exist only for paid work.
    #[error("estimate on a free ticket")]
    EstimateOnFreeTicket,
}

impl LifecycleError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            LifecycleError::IllegalMove { from, action } => format!(
                "Действие «{}» невозможно: обращение в статусе «{}».",
                action.label(),
                from.label()
            ),
            LifecycleError::NotYourMove { action } => {
                format!("Действие «{}» вам недоступно.", action.label())
            }
            LifecycleError::CommentRequired { action } => format!(
                "Для действия «{}» нужен комментарий.",
                action.label()
            ),
            LifecycleError::EstimateOnFreeTicket => {
                "Оценка стоимости отправляется только по платным обращениям.".to_string()
            }
        }
    }
}

/// Everything the domain can refuse.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
}

impl DomainError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            DomainError::Validation(e) => e.message_ru(),
            DomainError::Lifecycle(e) => e.message_ru(),
        }
    }
}
