//! The platform's settings that the admin changes at run time (SPEC §1: `admin` —
//! «настройки»), kept in the table with a history of who changed what, when, old → new.
//!
//! Today there is one: the working days a result waits in «Результат на проверке» before
//! the system accepts it (SPEC §2.4, «3 рабочих дня (настройка администратора)»). A fresh
//! table has no settings item; it reads as the defaults here, version 0.

use crate::access::Actor;
use crate::error::ValidationError;
use crate::ids::UserId;
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::role::Role;
use crate::ticket::sla::watch::DEFAULT_AUTO_ACCEPT_DAYS;
use chrono::{DateTime, Utc};
use std::ops::RangeInclusive;

/// The working days auto-acceptance may be set to.
pub const AUTO_ACCEPT_DAYS_RANGE: RangeInclusive<u32> = 1..=30;

crate::coded_enum! {
    /// A setting the admin changes.
    pub enum Setting {
        AutoAcceptDays = "auto_accept_days" / "Автоматическое принятие результата, рабочих дней",
    }
}

/// The platform's settings and their optimistic-lock version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformSettings {
    /// Working days a result waits in review before the system accepts it.
    pub auto_accept_days: u32,
    /// 0 while the table holds no settings (the defaults); grows by one with each change.
    pub version: u64,
}

impl Default for PlatformSettings {
    /// The defaults of SPEC, before any admin changed anything.
    fn default() -> Self {
        PlatformSettings {
            auto_accept_days: DEFAULT_AUTO_ACCEPT_DAYS,
            version: 0,
        }
    }
}

/// One change in the settings' history: who, when, which setting, old → new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingChange {
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub setting: Setting,
    pub old: u32,
    pub new: u32,
    /// The settings' version this change produced.
    pub version: u64,
}

/// What the admin sent, unchecked: the values as typed (the API passes a JSON number as
/// its text), so that a bad value gets a Russian message naming the field.
#[derive(Clone, Debug, Default)]
pub struct SettingsDraft {
    pub auto_accept_days: Option<String>,
}

/// Why a settings change is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// Only the platform's admin changes settings.
    #[error("only the admin changes settings")]
    NotAdmin,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Refuse for SettingsError {
    fn refusal(&self) -> Refusal {
        match self {
            SettingsError::NotAdmin => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Настройки платформы меняет только администратор.",
            ),
            SettingsError::Invalid(e) => e.refusal(),
        }
    }
}

impl SettingsDraft {
    /// The number of working days, checked: a whole number from 1 to 30.
    fn auto_accept_days(&self) -> Result<u32, ValidationError> {
        let bad = || {
            ValidationError::field(
                "auto_accept_days",
                "Срок автоматического принятия — целое число рабочих дней от 1 до 30.",
            )
        };
        let raw = match self.auto_accept_days.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(ValidationError::field(
                    "auto_accept_days",
                    "Укажите срок автоматического принятия в рабочих днях.",
                ));
            }
            Some(raw) => raw,
        };
        raw.parse::<u32>()
            .ok()
            .filter(|d| AUTO_ACCEPT_DAYS_RANGE.contains(d))
            .ok_or_else(bad)
    }
}

impl PlatformSettings {
    /// `actor` changes the settings at `now`: the next version and one history entry per
    /// setting whose value changes (none when nothing does).
    pub fn change(
        &self,
        actor: &Actor,
        draft: &SettingsDraft,
        now: DateTime<Utc>,
    ) -> Result<(PlatformSettings, Vec<SettingChange>), SettingsError> {
        if actor.role != Role::Admin {
            return Err(SettingsError::NotAdmin);
        }
        let days = draft.auto_accept_days()?;
        if days == self.auto_accept_days {
            return Ok((self.clone(), Vec::new()));
        }
        let next = PlatformSettings {
            auto_accept_days: days,
            version: self.version + 1,
        };
        let change = SettingChange {
            at: now,
            actor_id: actor.user_id.clone(),
            setting: Setting::AutoAcceptDays,
            old: self.auto_accept_days,
            new: days,
            version: next.version,
        };
        Ok((next, vec![change]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DealerId;
    use chrono::TimeZone;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new("u1"),
            role,
            dealer_id: (role == Role::Dealer).then(|| DealerId::new("d1")),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
    }

    fn draft(v: &str) -> SettingsDraft {
        SettingsDraft {
            auto_accept_days: Some(v.to_string()),
        }
    }

    #[test]
    fn a_fresh_table_reads_as_three_working_days() {
        assert_eq!(PlatformSettings::default().auto_accept_days, 3);
        assert_eq!(PlatformSettings::default().version, 0);
    }

    #[test]
    fn the_admin_changes_the_days_and_the_change_is_recorded_old_to_new() {
        let (next, changes) = PlatformSettings::default()
            .change(&actor(Role::Admin), &draft("5"), now())
            .unwrap();
        assert_eq!(
            next,
            PlatformSettings {
                auto_accept_days: 5,
                version: 1
            }
        );
        assert_eq!(
            changes,
            vec![SettingChange {
                at: now(),
                actor_id: UserId::new("u1"),
                setting: Setting::AutoAcceptDays,
                old: 3,
                new: 5,
                version: 1,
            }]
        );
        // The same value again changes nothing and records nothing.
        let (same, none) = next
            .change(&actor(Role::Admin), &draft(" 5 "), now())
            .unwrap();
        assert_eq!(same, next);
        assert!(none.is_empty());
    }

    #[test]
    fn only_the_admin_changes_settings_and_only_to_1_through_30_days() {
        for role in [Role::Dealer, Role::Specialist, Role::AccountManager] {
            assert_eq!(
                PlatformSettings::default().change(&actor(role), &draft("5"), now()),
                Err(SettingsError::NotAdmin)
            );
        }
        for bad in ["0", "31", "-1", "2.5", "три", "true"] {
            let err = PlatformSettings::default()
                .change(&actor(Role::Admin), &draft(bad), now())
                .unwrap_err();
            let r = err.refusal();
            assert_eq!(
                (r.kind, r.code),
                (RefusalKind::Invalid, "validation_failed"),
                "{bad}"
            );
            assert_eq!(r.fields[0].field, "auto_accept_days");
            assert!(r.message.contains("от 1 до 30"), "{}", r.message);
        }
        let r = PlatformSettings::default()
            .change(&actor(Role::Admin), &SettingsDraft::default(), now())
            .unwrap_err()
            .refusal();
        assert_eq!(
            r.message,
            "Укажите срок автоматического принятия в рабочих днях."
        );
    }
}
