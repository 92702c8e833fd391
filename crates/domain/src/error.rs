//! The domain's one error type. Every variant knows its Russian message for people;
//! the HTTP mapping lives once, in the app crate.

use crate::lifecycle::{Action, Status};
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
            LifecycleError::CommentRequired { action } => {
                format!("Для действия «{}» нужен комментарий.", action.label())
            }
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

/// A working calendar that cannot be read or an edit it refuses.
///
/// Kept apart from [`DomainError`] on purpose: calendars are admin data, read at start-up and
/// edited in the admin UI, never the outcome of a ticket move.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The text is not the XML shape the parser reads (unterminated tag, stray character…).
    #[error("calendar XML, line {line}: {reason}")]
    Malformed { line: usize, reason: &'static str },
    /// There is no `<calendar year="…">` element.
    #[error("calendar XML: no <calendar year=\"…\"> element")]
    NoCalendar,
    /// The `year` attribute is not a sensible year.
    #[error("calendar XML, line {line}: bad year {value:?}")]
    BadYear { line: usize, value: String },
    /// An element lacks an attribute the parser needs.
    #[error("calendar XML, line {line}: <{element}> without {attribute}=\"…\"")]
    MissingAttribute {
        line: usize,
        element: &'static str,
        attribute: &'static str,
    },
    /// `d="…"` is not `MM.DD` or not a date of the calendar's year.
    #[error("calendar XML, line {line}: bad day {value:?}")]
    BadDate { line: usize, value: String },
    /// `t="…"` is not 1, 2 or 3.
    #[error("calendar XML, line {line}: bad day type {value:?}")]
    BadDayType { line: usize, value: String },
    /// The same date is listed twice.
    #[error("{date} is listed twice")]
    DuplicateDay { date: chrono::NaiveDate },
    /// An edit or a stored entry names a date of another year.
    #[error("{date} is not in {year}")]
    DateOutsideYear { date: chrono::NaiveDate, year: i32 },
    /// Only a Saturday or a Sunday can be made a working weekend day.
    #[error("{date} is not a Saturday or a Sunday")]
    NotAWeekend { date: chrono::NaiveDate },
    /// Opening hours that leave no working time.
    #[error("bad working hours: {reason}")]
    BadWorkingHours { reason: &'static str },
    /// A calendar file of another year than the one it is uploaded for.
    #[error("calendar of {found} uploaded as {expected}")]
    YearMismatch { expected: i32, found: i32 },
    /// An edit that would leave the year without a single working day: certainly a slip,
    /// and every due time would run past the year.
    #[error("{year} would have no working days")]
    NoWorkingDays { year: i32 },
    /// A time zone name that is not in the IANA database.
    #[error("unknown time zone {name:?}")]
    UnknownTimeZone { name: String },
}

impl CalendarError {
    /// The message shown to people (the admin editing a calendar, the logs).
    pub fn message_ru(&self) -> String {
        match self {
            CalendarError::Malformed { line, .. } => {
                format!("Файл календаря повреждён (строка {line}).")
            }
            CalendarError::NoCalendar => {
                "В файле нет элемента <calendar year=\"…\">: это не производственный календарь."
                    .to_string()
            }
            CalendarError::BadYear { value, .. } => {
                format!("Неверный год календаря: «{value}».")
            }
            CalendarError::MissingAttribute {
                line,
                element,
                attribute,
            } => format!("В строке {line} у элемента <{element}> нет атрибута «{attribute}»."),
            CalendarError::BadDate { line, value } => {
                format!("Неверная дата «{value}» в строке {line}: нужна дата этого года в виде ММ.ДД.")
            }
            CalendarError::BadDayType { line, value } => format!(
                "Неверный тип дня «{value}» в строке {line}: допустимы 1 (нерабочий), 2 (сокращённый), 3 (рабочий выходной)."
            ),
            CalendarError::DuplicateDay { date } => {
                format!("День {} указан в календаре дважды.", date.format("%d.%m.%Y"))
            }
            CalendarError::DateOutsideYear { date, year } => format!(
                "Дата {} не относится к календарю {year} года.",
                date.format("%d.%m.%Y")
            ),
            CalendarError::NotAWeekend { date } => format!(
                "{} — не суббота и не воскресенье: рабочим выходным его сделать нельзя.",
                date.format("%d.%m.%Y")
            ),
            CalendarError::BadWorkingHours { .. } => {
                "Неверные часы работы: начало должно быть раньше конца, а сокращение — короче рабочего дня."
                    .to_string()
            }
            CalendarError::YearMismatch { expected, found } => format!(
                "Это календарь {found} года, а загружается календарь {expected} года."
            ),
            CalendarError::NoWorkingDays { year } => {
                format!("В {year} году не осталось ни одного рабочего дня: изменение не сохранено.")
            }
            CalendarError::UnknownTimeZone { name } => {
                format!("Неизвестный часовой пояс «{name}»: укажите, например, Europe/Moscow.")
            }
        }
    }
}

impl Refuse for ValidationError {
    fn refusal(&self) -> Refusal {
        Refusal::new(RefusalKind::Invalid, "validation_failed", self.message_ru())
            .with_fields(self.errors.clone())
    }
}

impl Refuse for LifecycleError {
    fn refusal(&self) -> Refusal {
        let (kind, code) = match self {
            LifecycleError::IllegalMove { .. } => (RefusalKind::Conflict, "illegal_transition"),
            LifecycleError::NotYourMove { .. } => (RefusalKind::Forbidden, "not_your_move"),
            LifecycleError::CommentRequired { .. } => (RefusalKind::Invalid, "comment_required"),
            LifecycleError::EstimateOnFreeTicket => {
                (RefusalKind::Conflict, "estimate_on_free_ticket")
            }
        };
        Refusal::new(kind, code, self.message_ru())
    }
}

impl Refuse for DomainError {
    fn refusal(&self) -> Refusal {
        match self {
            DomainError::Validation(e) => e.refusal(),
            DomainError::Lifecycle(e) => e.refusal(),
        }
    }
}

impl Refuse for CalendarError {
    fn refusal(&self) -> Refusal {
        Refusal::new(RefusalKind::Invalid, "calendar_invalid", self.message_ru())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
        assert_eq!(DomainError::from(e.clone()).refusal(), r);
    }

    #[test]
    fn lifecycle_refusals_match_the_app_table() {
        let cases = [
            (
                LifecycleError::IllegalMove {
                    from: Status::Accepted,
                    action: Action::Accept,
                },
                RefusalKind::Conflict,
                "illegal_transition",
            ),
            (
                LifecycleError::NotYourMove {
                    action: Action::Accept,
                },
                RefusalKind::Forbidden,
                "not_your_move",
            ),
            (
                LifecycleError::CommentRequired {
                    action: Action::Accept,
                },
                RefusalKind::Invalid,
                "comment_required",
            ),
            (
                LifecycleError::EstimateOnFreeTicket,
                RefusalKind::Conflict,
                "estimate_on_free_ticket",
            ),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!(triple(&r), (kind, code, e.message_ru().as_str()), "{e:?}");
            assert!(r.fields.is_empty());
            assert_eq!(DomainError::from(e.clone()).refusal(), r);
        }
        let r = LifecycleError::IllegalMove {
            from: Status::Accepted,
            action: Action::Accept,
        }
        .refusal();
        assert!(r.message.contains("Принято к рассмотрению"));
    }

    #[test]
    fn every_calendar_refusal_is_invalid_calendar() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let cases = [
            CalendarError::Malformed {
                line: 1,
                reason: "x",
            },
            CalendarError::NoCalendar,
            CalendarError::BadYear {
                line: 1,
                value: "x".into(),
            },
            CalendarError::MissingAttribute {
                line: 1,
                element: "day",
                attribute: "d",
            },
            CalendarError::BadDate {
                line: 1,
                value: "x".into(),
            },
            CalendarError::BadDayType {
                line: 1,
                value: "x".into(),
            },
            CalendarError::DuplicateDay { date: d },
            CalendarError::DateOutsideYear {
                date: d,
                year: 2025,
            },
            CalendarError::NotAWeekend { date: d },
            CalendarError::BadWorkingHours { reason: "x" },
            CalendarError::YearMismatch {
                expected: 2026,
                found: 2025,
            },
            CalendarError::NoWorkingDays { year: 2026 },
            CalendarError::UnknownTimeZone { name: "x".into() },
        ];
        for e in cases {
            let r = e.refusal();
            assert_eq!(
                triple(&r),
                (
                    RefusalKind::Invalid,
                    "calendar_invalid",
                    e.message_ru().as_str()
                ),
                "{e:?}"
            );
            assert!(r.fields.is_empty());
        }
        assert!(
            CalendarError::NoCalendar
                .refusal()
                .message
                .contains("производственный календарь")
        );
    }
}
