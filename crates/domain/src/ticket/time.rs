//! Time logged on a ticket (SPEC §2.1, §2.3, §2.6) and its corrections.
//!
//! # Correction model
//! Time entries are an append-only ledger: an entry, once stored, is never edited or
//! deleted. When a specialist answering a dispute corrects the time, they say what an
//! entry *should have been* ([`CorrectionDraft`]); the domain stores that as a **new
//! entry** whose `minutes` is the signed difference and whose `corrects` names the
//! original. So:
//! - the ticket's total is simply the sum of every entry's `minutes` ([`total_minutes`]);
//! - the dealer sees the original, the correction and its reason side by side;
//! - an entry's current value is its own minutes plus its corrections' ([`effective_minutes`]).
//!
//! A correction always targets an original entry (never another correction), must change
//! something, and needs a note (the reason the dealer reads). A correction can bring an
//! entry down to 0 minutes but never below; a total that would still come out negative
//! (only possible with inconsistent stored data) is refused with
//! [`TimeEntryError::NegativeTotal`] rather than billed.

use crate::error::{FieldError, ValidationError};
use crate::ids::{TicketId, TimeEntryId, UserId};
use crate::kernel::{Refusal, RefusalKind, Refuse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The most minutes one entry may log: a whole day.
pub const ENTRY_MINUTES_MAX: u32 = 1440;
/// Longest note on an entry, in characters.
pub const NOTE_MAX: usize = 2000;

/// What a specialist typed to log time, unchecked (`{minutes, note}`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TimeEntryDraft {
    pub minutes: Option<i64>,
    /// What was done; may be empty.
    pub note: Option<String>,
}

/// A checked new time entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTimeEntry {
    /// 1..=1440.
    pub minutes: u32,
    /// Trimmed; may be empty.
    pub note: String,
}

/// A specialist's correction of one entry, unchecked: the minutes the entry should have
/// had, and why.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CorrectionDraft {
    /// The entry's corrected value, 0..=1440 (0 withdraws it).
    pub minutes: Option<i64>,
    /// The reason the dealer reads; required.
    pub note: Option<String>,
}

/// A checked correction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCorrection {
    /// The entry's corrected value, 0..=1440.
    pub minutes: u32,
    /// Trimmed, not empty.
    pub note: String,
}

fn check_minutes(
    minutes: Option<i64>,
    min: i64,
    errors: &mut Vec<FieldError>,
    missing: &str,
) -> Option<u32> {
    let bad = |message: &str| FieldError {
        field: "minutes",
        message: message.to_string(),
    };
    match minutes {
        None => {
            errors.push(bad(missing));
            None
        }
        Some(m) if m < min => {
            errors.push(bad(if min > 0 {
                "Время должно быть не меньше 1 минуты."
            } else {
                "Время не может быть отрицательным."
            }));
            None
        }
        Some(m) if m > i64::from(ENTRY_MINUTES_MAX) => {
            errors.push(bad("В одной записи не больше 1440 минут (24 часа)."));
            None
        }
        Some(m) => u32::try_from(m).ok(),
    }
}

fn check_note(note: Option<&str>, required: bool, errors: &mut Vec<FieldError>) -> String {
    let note = note.map(str::trim).unwrap_or("");
    let mut bad = |message: &str| {
        errors.push(FieldError {
            field: "note",
            message: message.to_string(),
        })
    };
    if required && note.is_empty() {
        bad("Укажите причину исправления: её увидит дилер.");
    } else if note.chars().count() > NOTE_MAX {
        bad("Комментарий к записи времени длиннее 2000 символов.");
    }
    note.to_string()
}

impl TimeEntryDraft {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<NewTimeEntry, ValidationError> {
        let mut errors = Vec::new();
        let minutes = check_minutes(
            self.minutes,
            1,
            &mut errors,
            "Укажите затраченное время в минутах.",
        );
        let note = check_note(self.note.as_deref(), false, &mut errors);
        match minutes {
            Some(minutes) if errors.is_empty() => Ok(NewTimeEntry { minutes, note }),
            _ => Err(ValidationError { errors }),
        }
    }
}

impl CorrectionDraft {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<NewCorrection, ValidationError> {
        let mut errors = Vec::new();
        let minutes = check_minutes(
            self.minutes,
            0,
            &mut errors,
            "Укажите, сколько минут должно быть в записи.",
        );
        let note = check_note(self.note.as_deref(), true, &mut errors);
        match minutes {
            Some(minutes) if errors.is_empty() => Ok(NewCorrection { minutes, note }),
            _ => Err(ValidationError { errors }),
        }
    }
}

/// One line of a ticket's time ledger: logged work, or a correction of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub id: TimeEntryId,
    pub ticket_id: TicketId,
    /// The specialist who logged or corrected the time.
    pub specialist_id: UserId,
    /// Logged work: 1..=1440. A correction: the signed difference it makes to the entry
    /// it corrects (never 0).
    pub minutes: i32,
    pub note: String,
    pub at: DateTime<Utc>,
    /// For a correction, the original entry it corrects; `None` for logged work.
    pub corrects: Option<TimeEntryId>,
}

/// A time ledger operation the rules refuse.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TimeEntryError {
    /// The entry to correct is not among this ticket's entries.
    #[error("time entry {id} not found on this ticket")]
    UnknownEntry { id: TimeEntryId },
    /// Corrections target the original entry, not another correction.
    #[error("time entry {id} is a correction itself")]
    CorrectsACorrection { id: TimeEntryId },
    /// The corrected value equals the entry's current value.
    #[error("the correction changes nothing")]
    NothingToCorrect,
    /// The ledger sums to less than zero: stored data is inconsistent.
    #[error("time total would be negative: {minutes}")]
    NegativeTotal { minutes: i64 },
    /// The ledger sums to more than a `u32` of minutes.
    #[error("time total is too large: {minutes}")]
    TotalTooLarge { minutes: i64 },
}

impl TimeEntryError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            TimeEntryError::UnknownEntry { .. } => {
                "Такой записи времени в обращении нет.".to_string()
            }
            TimeEntryError::CorrectsACorrection { .. } => {
                "Исправлять нужно исходную запись времени, а не исправление.".to_string()
            }
            TimeEntryError::NothingToCorrect => {
                "В записи уже столько минут: исправлять нечего.".to_string()
            }
            TimeEntryError::NegativeTotal { minutes } => format!(
                "Итоговое время по обращению не может быть отрицательным (получается {minutes} мин)."
            ),
            TimeEntryError::TotalTooLarge { .. } => {
                "Итоговое время по обращению слишком велико.".to_string()
            }
        }
    }
}

impl TimeEntry {
    /// A specialist logs work on a ticket.
    pub fn log(
        id: TimeEntryId,
        ticket_id: TicketId,
        specialist_id: UserId,
        new: NewTimeEntry,
        at: DateTime<Utc>,
    ) -> TimeEntry {
        TimeEntry {
            id,
            ticket_id,
            specialist_id,
            // 1..=1440 always fits.
            minutes: new.minutes as i32,
            note: new.note,
            at,
            corrects: None,
        }
    }

    /// A specialist corrects entry `target` of a ticket whose ledger is `entries`: the
    /// result is a new entry carrying the difference, to be stored next to the others.
    pub fn correct(
        entries: &[TimeEntry],
        target: &TimeEntryId,
        id: TimeEntryId,
        specialist_id: UserId,
        correction: NewCorrection,
        at: DateTime<Utc>,
    ) -> Result<TimeEntry, TimeEntryError> {
        let original = entries
            .iter()
            .find(|e| &e.id == target)
            .ok_or_else(|| TimeEntryError::UnknownEntry { id: target.clone() })?;
        if original.is_correction() {
            return Err(TimeEntryError::CorrectsACorrection { id: target.clone() });
        }
        let current = effective_minutes(entries, target).unwrap_or(0);
        let delta = i64::from(correction.minutes) - current;
        if delta == 0 {
            return Err(TimeEntryError::NothingToCorrect);
        }
        let entry = TimeEntry {
            id,
            ticket_id: original.ticket_id.clone(),
            specialist_id,
            minutes: i32::try_from(delta)
                .map_err(|_| TimeEntryError::TotalTooLarge { minutes: delta })?,
            note: correction.note,
            at,
            corrects: Some(target.clone()),
        };
        // The ledger after the correction must still make sense.
        let mut after = entries.to_vec();
        after.push(entry.clone());
        total_minutes(&after)?;
        Ok(entry)
    }

    /// Whether this entry corrects another one.
    pub fn is_correction(&self) -> bool {
        self.corrects.is_some()
    }
}

/// The current value of entry `id`: its own minutes plus all its corrections'. `None`
/// when no such entry is in `entries`.
pub fn effective_minutes(entries: &[TimeEntry], id: &TimeEntryId) -> Option<i64> {
    let own = entries.iter().find(|e| &e.id == id)?;
    let corrections: i64 = entries
        .iter()
        .filter(|e| e.corrects.as_ref() == Some(id))
        .map(|e| i64::from(e.minutes))
        .sum();
    Some(i64::from(own.minutes) + corrections)
}

/// A ticket's total minutes: the sum of its ledger. Refuses a negative or oversized sum.
pub fn total_minutes(entries: &[TimeEntry]) -> Result<u32, TimeEntryError> {
    let sum: i64 = entries.iter().map(|e| i64::from(e.minutes)).sum();
    if sum < 0 {
        return Err(TimeEntryError::NegativeTotal { minutes: sum });
    }
    u32::try_from(sum).map_err(|_| TimeEntryError::TotalTooLarge { minutes: sum })
}

impl Refuse for TimeEntryError {
    fn refusal(&self) -> Refusal {
        let (kind, code) = match self {
            TimeEntryError::UnknownEntry { .. } => (RefusalKind::NotFound, "unknown_time_entry"),
            TimeEntryError::CorrectsACorrection { .. } => {
                (RefusalKind::Invalid, "corrects_a_correction")
            }
            TimeEntryError::NothingToCorrect => (RefusalKind::Invalid, "nothing_to_correct"),
            TimeEntryError::TotalTooLarge { .. } => (RefusalKind::Invalid, "time_total_too_large"),
            // Only inconsistent stored data gets here: the ledger, not the request, is wrong.
            TimeEntryError::NegativeTotal { .. } => (RefusalKind::Conflict, "negative_time_total"),
        };
        Refusal::new(kind, code, self.message_ru())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap()
    }

    fn draft(minutes: Option<i64>, note: &str) -> TimeEntryDraft {
        TimeEntryDraft {
            minutes,
            note: Some(note.to_string()),
        }
    }

    fn logged(id: &str, minutes: u32) -> TimeEntry {
        TimeEntry::log(
            TimeEntryId::new(id),
            TicketId::new("t1"),
            UserId::new("spec"),
            NewTimeEntry {
                minutes,
                note: "Разместили новость".into(),
            },
            at(10),
        )
    }

    fn correction(minutes: i64, note: &str) -> NewCorrection {
        CorrectionDraft {
            minutes: Some(minutes),
            note: Some(note.to_string()),
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn an_entry_logs_1_to_1440_minutes() {
        assert_eq!(draft(Some(1), "").validate().unwrap().minutes, 1);
        assert_eq!(draft(Some(1440), "").validate().unwrap().minutes, 1440);
        for bad in [0, -5, 1441, i64::MAX] {
            let err = draft(Some(bad), "").validate().unwrap_err();
            assert_eq!(err.errors[0].field, "minutes", "{bad}");
        }
    }

    #[test]
    fn minutes_are_required_and_the_message_is_russian() {
        let err = draft(None, "").validate().unwrap_err();
        assert_eq!(err.message_ru(), "Укажите затраченное время в минутах.");
        assert_eq!(
            draft(Some(2000), "").validate().unwrap_err().message_ru(),
            "В одной записи не больше 1440 минут (24 часа)."
        );
    }

    #[test]
    fn the_note_is_trimmed_optional_and_at_most_2000_characters() {
        let ok = draft(Some(10), "  Разместили новость  ")
            .validate()
            .unwrap();
        assert_eq!(ok.note, "Разместили новость");
        assert_eq!(draft(Some(10), "").validate().unwrap().note, "");
        // 2000 Cyrillic characters are 4000 bytes and still fine.
        assert!(draft(Some(10), &"ж".repeat(2000)).validate().is_ok());
        let err = draft(Some(10), &"ж".repeat(2001)).validate().unwrap_err();
        assert_eq!(err.errors[0].field, "note");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = draft(Some(0), &"x".repeat(2001)).validate().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["minutes", "note"]);
    }

    #[test]
    fn a_correction_needs_a_reason_and_may_go_down_to_zero() {
        let no_reason = CorrectionDraft {
            minutes: Some(5),
            note: Some("  ".into()),
        };
        assert_eq!(
            no_reason.validate().unwrap_err().message_ru(),
            "Укажите причину исправления: её увидит дилер."
        );
        assert_eq!(correction(0, "Ошибочная запись").minutes, 0);
        let negative = CorrectionDraft {
            minutes: Some(-1),
            note: Some("x".into()),
        };
        assert_eq!(
            negative.validate().unwrap_err().message_ru(),
            "Время не может быть отрицательным."
        );
    }

    #[test]
    fn a_correction_is_a_new_entry_with_the_difference() {
        let entries = vec![logged("e1", 45), logged("e2", 15)];
        let fix = TimeEntry::correct(
            &entries,
            &TimeEntryId::new("e1"),
            TimeEntryId::new("c1"),
            UserId::new("spec2"),
            correction(30, "Часть работы была по вине платформы"),
            at(12),
        )
        .unwrap();
        assert_eq!(fix.minutes, -15);
        assert_eq!(fix.corrects, Some(TimeEntryId::new("e1")));
        assert_eq!(fix.ticket_id, TicketId::new("t1"));
        let mut after = entries.clone();
        after.push(fix);
        assert_eq!(effective_minutes(&after, &TimeEntryId::new("e1")), Some(30));
        assert_eq!(total_minutes(&after), Ok(45));
        // The original is untouched.
        assert_eq!(after[0].minutes, 45);
    }

    #[test]
    fn a_correction_can_also_add_time() {
        let entries = vec![logged("e1", 10)];
        let fix = TimeEntry::correct(
            &entries,
            &TimeEntryId::new("e1"),
            TimeEntryId::new("c1"),
            UserId::new("spec"),
            correction(25, "Не учли проверку"),
            at(12),
        )
        .unwrap();
        assert_eq!(fix.minutes, 15);
    }

    #[test]
    fn a_second_correction_counts_from_the_corrected_value() {
        let mut entries = vec![logged("e1", 60)];
        for (id, to) in [("c1", 40), ("c2", 50)] {
            let fix = TimeEntry::correct(
                &entries,
                &TimeEntryId::new("e1"),
                TimeEntryId::new(id),
                UserId::new("spec"),
                correction(to, "Уточнили"),
                at(12),
            )
            .unwrap();
            entries.push(fix);
        }
        assert_eq!(entries[1].minutes, -20);
        assert_eq!(entries[2].minutes, 10);
        assert_eq!(total_minutes(&entries), Ok(50));
    }

    #[test]
    fn corrections_that_change_nothing_or_target_the_wrong_entry_are_refused() {
        let mut entries = vec![logged("e1", 30)];
        let fix = |entries: &[TimeEntry], target: &str, to: i64| {
            TimeEntry::correct(
                entries,
                &TimeEntryId::new(target),
                TimeEntryId::new("new"),
                UserId::new("spec"),
                correction(to, "Причина"),
                at(12),
            )
        };
        assert_eq!(
            fix(&entries, "e1", 30),
            Err(TimeEntryError::NothingToCorrect)
        );
        assert_eq!(
            fix(&entries, "nope", 10),
            Err(TimeEntryError::UnknownEntry {
                id: TimeEntryId::new("nope")
            })
        );
        let c1 = TimeEntry::correct(
            &entries,
            &TimeEntryId::new("e1"),
            TimeEntryId::new("c1"),
            UserId::new("spec"),
            correction(20, "Причина"),
            at(12),
        )
        .unwrap();
        entries.push(c1);
        assert_eq!(
            fix(&entries, "c1", 5),
            Err(TimeEntryError::CorrectsACorrection {
                id: TimeEntryId::new("c1")
            })
        );
    }

    #[test]
    fn a_total_never_goes_negative() {
        // Only inconsistent stored data can get here; it is refused, never billed.
        let mut entries = vec![logged("e1", 10)];
        entries.push(TimeEntry {
            minutes: -30,
            corrects: Some(TimeEntryId::new("e1")),
            ..logged("c1", 1)
        });
        assert_eq!(
            total_minutes(&entries),
            Err(TimeEntryError::NegativeTotal { minutes: -20 })
        );
        assert_eq!(
            TimeEntryError::NegativeTotal { minutes: -20 }.message_ru(),
            "Итоговое время по обращению не может быть отрицательным (получается -20 мин)."
        );
    }

    #[test]
    fn an_empty_ledger_totals_zero() {
        assert_eq!(total_minutes(&[]), Ok(0));
    }

    #[test]
    fn time_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind as K, Refuse};
        let cases = [
            (
                TimeEntryError::UnknownEntry {
                    id: TimeEntryId::new("x"),
                },
                K::NotFound,
                "unknown_time_entry",
            ),
            (
                TimeEntryError::CorrectsACorrection {
                    id: TimeEntryId::new("x"),
                },
                K::Invalid,
                "corrects_a_correction",
            ),
            (
                TimeEntryError::NothingToCorrect,
                K::Invalid,
                "nothing_to_correct",
            ),
            (
                TimeEntryError::NegativeTotal { minutes: -5 },
                K::Conflict,
                "negative_time_total",
            ),
            (
                TimeEntryError::TotalTooLarge { minutes: 1 << 40 },
                K::Invalid,
                "time_total_too_large",
            ),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!(
                (r.kind, r.code, r.message.clone()),
                (kind, code, e.message_ru()),
                "{e:?}"
            );
            assert!(r.fields.is_empty());
        }
    }
}
