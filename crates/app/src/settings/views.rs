//! How the settings look on the outside: the API's JSON and the admin page's rows.

use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_domain::{PlatformSettings, SettingChange, UserId};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// One change of a setting: who, when, old → new.
#[derive(Serialize, ToSchema)]
pub struct SettingChangeView {
    /// RFC 3339 UTC.
    pub at: String,
    /// `02.12.2026 14:20`, Moscow time.
    pub at_local: String,
    #[schema(value_type = String)]
    pub actor_id: UserId,
    /// The person's name (the id when the user is gone).
    pub actor_name: String,
    pub setting: &'static str,
    pub setting_label: &'static str,
    pub old: u32,
    pub new: u32,
}

impl SettingChangeView {
    /// The change with the author's name from `names`.
    pub fn new(c: &SettingChange, names: &HashMap<UserId, String>) -> Self {
        SettingChangeView {
            at: utc(c.at),
            at_local: local(c.at),
            actor_id: c.actor_id.clone(),
            actor_name: names
                .get(&c.actor_id)
                .cloned()
                .unwrap_or_else(|| c.actor_id.to_string()),
            setting: c.setting.code(),
            setting_label: c.setting.label(),
            old: c.old,
            new: c.new,
        }
    }
}

/// The settings with their history, newest change first.
#[derive(Serialize, ToSchema)]
pub struct SettingsView {
    /// Working days a result waits in «Результат на проверке» before the system accepts it.
    pub auto_accept_days: u32,
    /// The version to send back with a change (0 while the defaults are in force).
    pub version: u64,
    pub history: Vec<SettingChangeView>,
}

impl SettingsView {
    /// The settings and their history (oldest first, as stored).
    pub fn new(
        s: &PlatformSettings,
        history: &[SettingChange],
        names: &HashMap<UserId, String>,
    ) -> Self {
        SettingsView {
            auto_accept_days: s.auto_accept_days,
            version: s.version,
            history: history
                .iter()
                .rev()
                .map(|c| SettingChangeView::new(c, names))
                .collect(),
        }
    }
}

/// Adds the admin's settings page.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "admin_settings.html",
        include_str!("../../templates/admin_settings.html"),
    );
}
