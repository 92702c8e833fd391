//! The app's one error type and its single mapping to HTTP.
//!
//! A "no" of the rules or of the request is a [`Refusal`]: every error enum of the domain
//! and the store implements [`Refuse`], and one blanket conversion makes it an
//! [`AppError::Refused`]. The status comes from the refusal's kind, in [`status_of`] and
//! nowhere else. What is left are the infrastructure cases — a failing store backend, blob
//! store or configuration — which are logged with their detail and shown as a 503 with a
//! generic Russian message.

use crate::openapi::{ErrorBody, ErrorEnvelope, FieldProblem};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::kernel::{FieldError, Refusal, RefusalKind, Refuse};
use thiserror::Error;

/// Everything a use case or handler can fail with.
#[derive(Debug, Error)]
pub enum AppError {
    /// A refusal of the rules or of the request: its kind decides the status.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A dependency behind a refusal of kind [`RefusalKind::Unavailable`] failed (the store's
    /// backend, a corrupt item): `detail` goes to the log, the refusal's generic message to
    /// the caller.
    #[error("{detail}")]
    Backend { refusal: Refusal, detail: String },
    /// Too many attempts (failed logins): a refusal of kind [`RefusalKind::RateLimited`] and
    /// how long the caller must wait, sent as `Retry-After`.
    #[error("throttled for {retry_after_seconds} s")]
    Throttled {
        refusal: Refusal,
        retry_after_seconds: u64,
    },
    /// The blob store (S3 or the local folder) failed; the text says where.
    #[error("blob store: {0}")]
    Blob(String),
    /// Start-up and configuration failures.
    #[error("configuration: {0}")]
    Config(String),
}

impl<E: Refuse> From<E> for AppError {
    fn from(e: E) -> Self {
        let refusal = e.refusal();
        if refusal.kind == RefusalKind::Unavailable {
            return AppError::Backend {
                refusal,
                detail: e.to_string(),
            };
        }
        AppError::Refused(refusal)
    }
}

/// The one mapping from a refusal's kind to an HTTP status.
pub fn status_of(kind: RefusalKind) -> StatusCode {
    match kind {
        RefusalKind::BadRequest => StatusCode::BAD_REQUEST,
        RefusalKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        RefusalKind::Forbidden => StatusCode::FORBIDDEN,
        RefusalKind::NotFound => StatusCode::NOT_FOUND,
        RefusalKind::Conflict => StatusCode::CONFLICT,
        RefusalKind::Gone => StatusCode::GONE,
        RefusalKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        RefusalKind::UnsupportedType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        RefusalKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl AppError {
    fn refused(kind: RefusalKind, code: &'static str, message: &str) -> Self {
        AppError::Refused(Refusal::new(kind, code, message))
    }

    /// A malformed request with a machine code and a Russian message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Refused(Refusal::bad_request(code, message))
    }

    /// The thing does not exist, or the caller may not know it exists.
    pub fn not_found() -> Self {
        AppError::Refused(Refusal::not_found())
    }

    /// Authenticated, but the role may not use this at all.
    pub fn forbidden() -> Self {
        AppError::Refused(Refusal::forbidden())
    }

    /// No valid credentials or session.
    pub fn unauthenticated() -> Self {
        Self::refused(
            RefusalKind::Unauthenticated,
            "unauthenticated",
            "Войдите в систему.",
        )
    }

    /// Wrong e-mail or password.
    pub fn bad_credentials() -> Self {
        Self::refused(
            RefusalKind::Unauthenticated,
            "bad_credentials",
            "Неверный e-mail или пароль.",
        )
    }

    /// A portal form without the session's CSRF token.
    pub fn csrf() -> Self {
        Self::refused(
            RefusalKind::Forbidden,
            "csrf",
            "Форма устарела или отправлена не со страницы портала. Обновите страницу и повторите.",
        )
    }

    /// A browser request from a page of another site where only our own pages may post.
    pub fn foreign_origin() -> Self {
        Self::refused(
            RefusalKind::Forbidden,
            "foreign_origin",
            "Запрос отправлен со страницы другого сайта и отклонён.",
        )
    }

    /// Too many failed logins from here: wait `wait` (rounded up to whole seconds).
    pub fn too_many_logins(wait: chrono::Duration) -> Self {
        let seconds = u64::try_from(wait.num_milliseconds().max(0))
            .unwrap_or(0)
            .div_ceil(1000)
            .max(1);
        AppError::Throttled {
            refusal: Refusal::new(
                RefusalKind::RateLimited,
                "too_many_attempts",
                format!(
                    "Слишком много неудачных попыток входа. Повторите через {}.",
                    dealerdesk_domain::session::wait_text(seconds)
                ),
            ),
            retry_after_seconds: seconds,
        }
    }

    /// Someone changed `entity` since the caller read it: the same refusal the store gives
    /// when its write condition fails («Обращение уже изменил кто-то другой…»).
    pub fn stale(entity: dealerdesk_store::Entity) -> Self {
        dealerdesk_store::StoreError::Conflict { entity }.into()
    }

    /// The refusal's kind; `None` for the infrastructure cases.
    pub fn kind(&self) -> Option<RefusalKind> {
        match self {
            AppError::Refused(r) | AppError::Throttled { refusal: r, .. } => Some(r.kind),
            _ => None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Refused(r) | AppError::Throttled { refusal: r, .. } => status_of(r.kind),
            AppError::Backend { .. } | AppError::Blob(_) | AppError::Config(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Refused(r)
            | AppError::Backend { refusal: r, .. }
            | AppError::Throttled { refusal: r, .. } => r.code,
            AppError::Blob(_) => "file_storage_unavailable",
            AppError::Config(_) => "misconfigured",
        }
    }

    /// The message for people, in Russian.
    pub fn message_ru(&self) -> String {
        match self {
            AppError::Refused(r)
            | AppError::Backend { refusal: r, .. }
            | AppError::Throttled { refusal: r, .. } => r.message.clone(),
            AppError::Blob(_) => {
                "Хранилище файлов временно недоступно. Повторите попытку позже.".into()
            }
            AppError::Config(_) => "Сервис временно недоступен. Повторите попытку позже.".into(),
        }
    }

    /// Per-field messages for forms, when the error is about fields.
    pub fn field_errors(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::Refused(r) => r
                .fields
                .iter()
                .map(|FieldError { field, message }| (*field, message.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The JSON body every API error has: `{"error": {code, message, fields?}}`.
    pub fn body(&self) -> serde_json::Value {
        let envelope = ErrorEnvelope {
            error: ErrorBody {
                code: self.code().to_owned(),
                message: self.message_ru(),
                fields: self
                    .field_errors()
                    .into_iter()
                    .map(|(field, message)| FieldProblem {
                        field: field.to_owned(),
                        message,
                    })
                    .collect(),
            },
        };
        serde_json::to_value(envelope).unwrap_or_default()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let AppError::Throttled {
            retry_after_seconds,
            ..
        } = self
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_seconds.into());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dealerdesk_domain::{
        Action, AttachmentError, CalendarError, CostError, CostingError, LifecycleError, Status,
        TimeEntryError, ValidationError, WishError,
    };
    use dealerdesk_store::StoreError;

    #[test]
    fn a_stale_version_is_409_version_conflict() {
        let e = AppError::from(StoreError::Conflict {
            entity: dealerdesk_store::Entity::Ticket,
        });
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.code(), "version_conflict");
        assert!(e.message_ru().starts_with("Обращение уже изменил"));
        let wish = AppError::stale(dealerdesk_store::Entity::Wish);
        assert_eq!(wish.code(), "version_conflict");
        assert!(wish.message_ru().starts_with("Пожелание уже изменил"));
    }

    #[test]
    fn a_backend_failure_is_a_503_that_keeps_its_detail_for_the_log() {
        let e = AppError::from(StoreError::Backend("dynamo down".into()));
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "storage_unavailable");
        assert!(e.to_string().contains("dynamo down"), "{e}");
        assert!(!e.message_ru().contains("dynamo"));
        assert_eq!(
            AppError::from(StoreError::BadCursor).status(),
            StatusCode::BAD_REQUEST
        );
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

    #[test]
    fn the_session_refusals_keep_their_codes_and_words() {
        let cases = [
            (
                AppError::unauthenticated(),
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
            ),
            (
                AppError::bad_credentials(),
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
            ),
            (AppError::csrf(), StatusCode::FORBIDDEN, "csrf"),
            (AppError::forbidden(), StatusCode::FORBIDDEN, "forbidden"),
            (AppError::not_found(), StatusCode::NOT_FOUND, "not_found"),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status(), e.code()), (status, code));
        }
        assert_eq!(AppError::not_found().message_ru(), "Не найдено.");
    }
}
