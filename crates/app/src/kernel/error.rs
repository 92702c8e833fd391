//! The app's one error type and its single mapping to HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::{
    AttachmentError, CalendarError, CommentError, CostError, CostingError, DomainError,
    LifecycleError, TimeEntryError, ValidationError, WishError,
};
use dealerdesk_store::StoreError;
use serde_json::json;
use thiserror::Error;

/// Everything a use case or handler can fail with.
#[derive(Debug, Error)]
pub enum AppError {
    /// No valid credentials or session.
    #[error("not authenticated")]
    Unauthenticated,
    /// Wrong e-mail or password.
    #[error("bad credentials")]
    BadCredentials,
    /// Authenticated, but the role may not use this at all.
    #[error("forbidden")]
    Forbidden,
    /// The thing does not exist, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// A portal form without the session's CSRF token.
    #[error("csrf token mismatch")]
    Csrf,
    /// The request body is not what the endpoint reads.
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, message: String },
    /// Someone changed the thing since the caller read it.
    #[error("version conflict")]
    VersionConflict,
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A calendar the admin uploaded or edited that the domain refuses (422).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// A time-ledger operation the rules refuse (unknown entry, nothing to correct, …).
    #[error(transparent)]
    TimeEntry(TimeEntryError),
    /// A cost-confirmation move the rules refuse.
    #[error(transparent)]
    Cost(CostError),
    /// Time on a finished ticket, or reclassifying one outside a dispute.
    #[error(transparent)]
    Costing(CostingError),
    #[error("store: {0}")]
    Store(StoreError),
    /// Start-up and configuration failures.
    #[error("configuration: {0}")]
    Config(String),
    /// A wish decision the rules refuse.
    #[error(transparent)]
    Wish(#[from] WishError),
    /// Someone decided on the wish since the caller read it.
    #[error("wish version conflict")]
    WishVersionConflict,
    /// A comment the rules refuse.
    #[error(transparent)]
    Comment(#[from] CommentError),
    /// A file refused for its size, type or content.
    #[error(transparent)]
    Attachment(#[from] AttachmentError),
    /// The blob store (S3 or the local folder) failed; the text says where.
    #[error("blob store: {0}")]
    Blob(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => AppError::VersionConflict,
            other => AppError::Store(other),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Domain(e.into())
    }
}

impl From<LifecycleError> for AppError {
    fn from(e: LifecycleError) -> Self {
        AppError::Domain(e.into())
    }
}

impl From<CostingError> for AppError {
    fn from(e: CostingError) -> Self {
        match e {
            CostingError::Time(e) => AppError::TimeEntry(e),
            CostingError::Cost(e) => AppError::Cost(e),
            CostingError::Invalid(e) => e.into(),
            CostingError::NotPlatform => AppError::Forbidden,
            other => AppError::Costing(other),
        }
    }
}

impl From<CostError> for AppError {
    fn from(e: CostError) -> Self {
        AppError::Cost(e)
    }
}

impl AppError {
    /// A malformed request with a machine code and a Russian message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::VersionConflict => StatusCode::CONFLICT,
            AppError::Domain(DomainError::Validation(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Domain(DomainError::Lifecycle(e)) => match e {
                LifecycleError::IllegalMove { .. } | LifecycleError::EstimateOnFreeTicket => {
                    StatusCode::CONFLICT
                }
                LifecycleError::NotYourMove { .. } => StatusCode::FORBIDDEN,
                LifecycleError::CommentRequired { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            },
            AppError::Calendar(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TimeEntry(e) => time_entry_status(e),
            AppError::Cost(e) => cost_status(e),
            AppError::Costing(e) => match e {
                CostingError::Time(e) => time_entry_status(e),
                CostingError::Cost(e) => cost_status(e),
                CostingError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                CostingError::NotPlatform => StatusCode::FORBIDDEN,
                CostingError::TicketDone | CostingError::ReclassifyDone { .. } => {
                    StatusCode::CONFLICT
                }
            },
            AppError::Store(StoreError::BadCursor) => StatusCode::BAD_REQUEST,
            AppError::Store(_) | AppError::Config(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Wish(e) => match e {
                WishError::IllegalMove { .. } => StatusCode::CONFLICT,
                WishError::NotYourMove { .. } => StatusCode::FORBIDDEN,
                WishError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            },
            AppError::WishVersionConflict => StatusCode::CONFLICT,
            AppError::Comment(e) => match e {
                CommentError::NotYourTicket => StatusCode::FORBIDDEN,
                CommentError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            },
            AppError::Attachment(e) => match e {
                AttachmentError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                AttachmentError::UnsupportedType { .. }
                | AttachmentError::ContentMismatch { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                AttachmentError::Empty | AttachmentError::BadName => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
            },
            AppError::Blob(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Csrf => "csrf",
            AppError::BadRequest { code, .. } => code,
            AppError::VersionConflict => "version_conflict",
            AppError::Domain(DomainError::Validation(_)) => "validation_failed",
            AppError::Domain(DomainError::Lifecycle(e)) => match e {
                LifecycleError::IllegalMove { .. } => "illegal_transition",
                LifecycleError::NotYourMove { .. } => "not_your_move",
                LifecycleError::CommentRequired { .. } => "comment_required",
                LifecycleError::EstimateOnFreeTicket => "estimate_on_free_ticket",
            },
            AppError::Calendar(_) => "calendar_invalid",
            AppError::TimeEntry(e) => time_entry_code(e),
            AppError::Cost(e) => cost_code(e),
            AppError::Costing(e) => match e {
                CostingError::Time(e) => time_entry_code(e),
                CostingError::Cost(e) => cost_code(e),
                CostingError::Invalid(_) => "validation_failed",
                CostingError::NotPlatform => "forbidden",
                CostingError::TicketDone => "ticket_done",
                CostingError::ReclassifyDone { .. } => "reclassify_done",
            },
            AppError::Store(StoreError::BadCursor) => "bad_cursor",
            AppError::Store(_) => "storage_unavailable",
            AppError::Config(_) => "misconfigured",
            AppError::Wish(e) => match e {
                WishError::IllegalMove { .. } => "illegal_transition",
                WishError::NotYourMove { .. } => "not_your_move",
                WishError::Invalid(_) => "validation_failed",
            },
            AppError::WishVersionConflict => "version_conflict",
            AppError::Comment(e) => match e {
                CommentError::NotYourTicket => "forbidden",
                CommentError::Invalid(_) => "validation_failed",
            },
            AppError::Attachment(e) => match e {
                AttachmentError::TooLarge { .. } => "attachment_too_large",
                AttachmentError::UnsupportedType { .. } => "unsupported_file_type",
                AttachmentError::ContentMismatch { .. } => "file_content_mismatch",
                AttachmentError::Empty => "empty_file",
                AttachmentError::BadName => "bad_file_name",
            },
            AppError::Blob(_) => "file_storage_unavailable",
        }
    }

    /// The message for people, in Russian.
    pub fn message_ru(&self) -> String {
        match self {
            AppError::Unauthenticated => "Войдите в систему.".into(),
            AppError::BadCredentials => "Неверный e-mail или пароль.".into(),
            AppError::Forbidden => "Недостаточно прав для этого действия.".into(),
            AppError::NotFound => "Не найдено.".into(),
            AppError::Csrf => {
                "Форма устарела или отправлена не со страницы портала. Обновите страницу и повторите."
                    .into()
            }
            AppError::BadRequest { message, .. } => message.clone(),
            AppError::VersionConflict => {
                "Обращение уже изменил кто-то другой. Обновите страницу и повторите действие."
                    .into()
            }
            AppError::Domain(e) => e.message_ru(),
            AppError::Calendar(e) => e.message_ru(),
            AppError::TimeEntry(e) => e.message_ru(),
            AppError::Cost(e) => e.message_ru(),
            AppError::Costing(e) => e.message_ru(),
            AppError::Store(StoreError::BadCursor) => {
                "Некорректный курсор постраничного вывода.".into()
            }
            AppError::Store(_) | AppError::Config(_) => {
                "Сервис временно недоступен. Повторите попытку позже.".into()
            }
            AppError::Wish(e) => e.message_ru(),
            AppError::WishVersionConflict => {
                "Пожелание уже изменил кто-то другой. Обновите страницу и повторите действие."
                    .into()
            }
            AppError::Comment(e) => e.message_ru(),
            AppError::Attachment(e) => e.message_ru(),
            AppError::Blob(_) => {
                "Хранилище файлов временно недоступно. Повторите попытку позже.".into()
            }
        }
    }

    /// Per-field messages for forms, when the error is about fields.
    pub fn field_errors(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::Domain(DomainError::Validation(v)) => v
                .errors
                .iter()
                .map(|e| (e.field, e.message.clone()))
                .collect(),
            AppError::Wish(WishError::Invalid(v)) | AppError::Comment(CommentError::Invalid(v)) => {
                v.errors
                    .iter()
                    .map(|e| (e.field, e.message.clone()))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The JSON body every API error has.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({"code": self.code(), "message": self.message_ru()});
        let fields = self.field_errors();
        if !fields.is_empty() {
            error["fields"] = fields
                .into_iter()
                .map(|(f, m)| json!({"field": f, "message": m}))
                .collect();
        }
        json!({ "error": error })
    }
}

fn time_entry_status(e: &TimeEntryError) -> StatusCode {
    match e {
        TimeEntryError::UnknownEntry { .. } => StatusCode::NOT_FOUND,
        TimeEntryError::CorrectsACorrection { .. }
        | TimeEntryError::NothingToCorrect
        | TimeEntryError::TotalTooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        // Only inconsistent stored data gets here: the ledger, not the request, is wrong.
        TimeEntryError::NegativeTotal { .. } => StatusCode::CONFLICT,
    }
}

fn time_entry_code(e: &TimeEntryError) -> &'static str {
    match e {
        TimeEntryError::UnknownEntry { .. } => "unknown_time_entry",
        TimeEntryError::CorrectsACorrection { .. } => "corrects_a_correction",
        TimeEntryError::NothingToCorrect => "nothing_to_correct",
        TimeEntryError::NegativeTotal { .. } => "negative_time_total",
        TimeEntryError::TotalTooLarge { .. } => "time_total_too_large",
    }
}

fn cost_status(e: &CostError) -> StatusCode {
    match e {
        CostError::IllegalMove { .. } => StatusCode::CONFLICT,
        CostError::NotYourMove { .. } => StatusCode::FORBIDDEN,
        CostError::CommentRequired { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn cost_code(e: &CostError) -> &'static str {
    match e {
        CostError::IllegalMove { .. } => "illegal_cost_move",
        CostError::NotYourMove { .. } => "not_your_move",
        CostError::CommentRequired { .. } => "comment_required",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (status, Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dealerdesk_domain::{Action, Status};

    #[test]
    fn a_stale_version_is_409_version_conflict() {
        let e = AppError::from(StoreError::Conflict);
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.code(), "version_conflict");
    }

    #[test]
    fn an_illegal_move_is_409_with_a_russian_message() {
        let e = AppError::from(LifecycleError::IllegalMove {
            from: Status::Accepted,
            action: Action::Accept,
        });
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.code(), "illegal_transition");
        assert!(e.message_ru().contains("Принято к рассмотрению"));
    }

    #[test]
    fn a_refused_calendar_is_422_with_its_russian_message() {
        let e = AppError::from(CalendarError::NoCalendar);
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.code(), "calendar_invalid");
        assert!(e.message_ru().contains("производственный календарь"));
    }

    #[test]
    fn time_and_cost_refusals_map_to_statuses_with_russian_messages() {
        use dealerdesk_domain::{CostActionKind, CostState, TimeEntryId};
        let cases: Vec<(AppError, StatusCode, &str)> = vec![
            (
                AppError::from(CostingError::Time(TimeEntryError::UnknownEntry {
                    id: TimeEntryId::new("x"),
                })),
                StatusCode::NOT_FOUND,
                "unknown_time_entry",
            ),
            (
                AppError::from(CostingError::Time(TimeEntryError::NothingToCorrect)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing_to_correct",
            ),
            (
                AppError::from(CostError::IllegalMove {
                    from: CostState::Confirmed,
                    action: CostActionKind::Dispute,
                }),
                StatusCode::CONFLICT,
                "illegal_cost_move",
            ),
            (
                AppError::from(CostError::CommentRequired {
                    action: CostActionKind::Dispute,
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
                "comment_required",
            ),
            (
                AppError::from(CostingError::TicketDone),
                StatusCode::CONFLICT,
                "ticket_done",
            ),
            (
                AppError::from(CostingError::NotPlatform),
                StatusCode::FORBIDDEN,
                "forbidden",
            ),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status(), e.code()), (status, code), "{e:?}");
            assert!(
                e.message_ru().chars().any(|c| ('а'..='я').contains(&c)),
                "{e:?}"
            );
        }
    }

    #[test]
    fn wish_refusals_map_like_ticket_ones() {
        use dealerdesk_domain::{WishActionKind, WishStatus};
        let illegal = AppError::from(WishError::IllegalMove {
            from: WishStatus::Submitted,
            action: WishActionKind::Accept,
        });
        assert_eq!(illegal.status(), StatusCode::CONFLICT);
        assert_eq!(illegal.code(), "illegal_transition");
        assert!(illegal.message_ru().contains("«Подано»"));
        let not_yours = AppError::from(WishError::NotYourMove {
            action: WishActionKind::Accept,
        });
        assert_eq!(not_yours.status(), StatusCode::FORBIDDEN);
        let invalid = AppError::from(WishError::Invalid(ValidationError::field(
            "reason",
            "Укажите причину отклонения: её увидит дилер.",
        )));
        assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.body()["error"]["fields"][0]["field"], "reason");
        assert!(
            AppError::WishVersionConflict
                .message_ru()
                .starts_with("Пожелание")
        );
    }

    #[test]
    fn refused_files_are_413_and_415_in_russian() {
        let big = AppError::from(AttachmentError::TooLarge { size: 6 << 20 });
        assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(big.message_ru().contains("5 МБ"));
        let exe = AppError::from(AttachmentError::UnsupportedType {
            declared: "application/x-msdownload".into(),
        });
        assert_eq!(exe.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(exe.code(), "unsupported_file_type");
    }

    #[test]
    fn validation_errors_list_their_fields() {
        let e = AppError::from(ValidationError::field("title", "Укажите тему обращения."));
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body()["error"]["fields"][0]["field"], "title");
    }
}
