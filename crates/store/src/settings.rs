//! The platform's settings (`dealerdesk_domain::settings`): one versioned item and its
//! history of changes, in the partition `SETTINGS#platform`.
//!
//! A change is the kernel's aggregate save: the settings item at the version the admin saw
//! and the history entry, in one transaction, so the history never misses a change and
//! two admins saving at once cannot both win. No item yet means the defaults (version 0).

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::{PK, SK};
use dealerdesk_domain::{PlatformSettings, Setting, SettingChange, UserId};
use std::future::Future;

/// The platform's settings and their history.
pub trait SettingsRepo {
    /// The settings; the defaults (version 0) while none was ever saved.
    fn settings(&self) -> impl Future<Output = Result<PlatformSettings, StoreError>> + Send;
    /// Every change, oldest first.
    fn settings_history(
        &self,
    ) -> impl Future<Output = Result<Vec<SettingChange>, StoreError>> + Send;
    /// Saves `settings` with its `changes`, only if the stored settings are still
    /// `before` (their version, as the caller read them; 0: the defaults, nothing stored
    /// yet; also the audit entry's old values); otherwise [`StoreError::Conflict`].
    fn save_settings(
        &self,
        before: &PlatformSettings,
        settings: &PlatformSettings,
        changes: &[SettingChange],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl SettingsRepo for Store {
    async fn settings(&self) -> Result<PlatformSettings, StoreError> {
        match self
            .get(keys::PLATFORM_SETTINGS_PK.to_string(), keys::SETTINGS_SK)
            .await?
        {
            None => Ok(PlatformSettings::default()),
            Some(item) => settings_from_item(&item),
        }
    }

    async fn settings_history(&self) -> Result<Vec<SettingChange>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", mapping::string(keys::PLATFORM_SETTINGS_PK))
            .expression_attribute_values(":prefix", mapping::string(keys::SETTING_CHANGE_SK_PREFIX))
            .consistent_read(true);
        self.query_all(query)
            .await?
            .iter()
            .map(change_from_item)
            .collect()
    }

    async fn save_settings(
        &self,
        before: &PlatformSettings,
        settings: &PlatformSettings,
        changes: &[SettingChange],
    ) -> Result<(), StoreError> {
        let mut write = AggregateWrite::new(
            Entity::Settings,
            settings_to_item(settings),
            before.version,
            &[],
        );
        if let Some(first) = changes.first() {
            let stamp = crate::AuditStamp::new(
                dealerdesk_domain::audit::AuditItem::new(
                    dealerdesk_domain::audit::AuditKind::Settings,
                    "platform",
                ),
                first.at,
                Some(first.actor_id.clone()),
            );
            // Nothing stored yet: `before` is the defaults in force.
            write = write.audit_against(stamp, settings_to_item(before));
        }
        let mut changes = changes.iter().map(change_to_item);
        if let Some(first) = changes.next() {
            write = write.event(first);
        }
        let rest = changes
            .map(|item| self.put(item, crate::client::Condition::absent()))
            .collect::<Result<Vec<_>, _>>()?;
        // A first save that lost to another admin's first save is the same stale read.
        match self.save_aggregate(write.extra(rest)).await {
            Ok(_) => Ok(()),
            Err(StoreError::AlreadyExists) => Err(StoreError::Conflict {
                entity: Entity::Settings,
            }),
            Err(e) => Err(e),
        }
    }
}

fn settings_to_item(settings: &PlatformSettings) -> Item {
    Builder::new(
        keys::PLATFORM_SETTINGS_PK.to_string(),
        keys::SETTINGS_SK,
        "settings",
    )
    .put("auto_accept_days", n(settings.auto_accept_days))
    .put(attr::VERSION, n(settings.version))
    .build()
}

fn settings_from_item(item: &Item) -> Result<PlatformSettings, StoreError> {
    let r = Reader::new(item);
    let days = r.u64("auto_accept_days")?;
    Ok(PlatformSettings {
        auto_accept_days: u32::try_from(days)
            .map_err(|_| r.corrupt(format_args!("`auto_accept_days` = {days} is too large")))?,
        version: r.u64(attr::VERSION)?,
    })
}

fn change_to_item(change: &SettingChange) -> Item {
    Builder::new(
        keys::PLATFORM_SETTINGS_PK.to_string(),
        &keys::setting_change_sk(change.at, change.version, change.setting.code()),
        "setting_change",
    )
    .instant("at", change.at)
    .string("actor_id", change.actor_id.as_str())
    .string("setting", change.setting.code())
    .put("old", n(change.old))
    .put("new", n(change.new))
    .put(attr::VERSION, n(change.version))
    .build()
}

fn change_from_item(item: &Item) -> Result<SettingChange, StoreError> {
    let r = Reader::new(item);
    let number = |name: &str| {
        let v = r.u64(name)?;
        u32::try_from(v).map_err(|_| r.corrupt(format_args!("`{name}` = {v} is too large")))
    };
    Ok(SettingChange {
        at: r.instant("at")?,
        actor_id: UserId::new(r.string("actor_id")?),
        setting: r.code("setting", Setting::from_code)?,
        old: number("old")?,
        new: number("new")?,
        version: r.u64(attr::VERSION)?,
    })
}
