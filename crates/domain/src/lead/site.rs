//! The sites that post leads (SPEC §4.1): each is bound to a dealer or to the brand, has a
//! secret key for server-to-server posts (stored only as its SHA-256), a public form id for
//! browser forms (the site's id), the origins its pages are served from (CORS), a thank-you
//! page and the version of the consent text its form shows. Also the limits on how often a
//! site may post, kept per time window.

use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse, TextRule};
use crate::{DealerId, NetworkId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

const NAME: TextRule = TextRule::line("name", "Название сайта", "Укажите название сайта.", 100);
const CONSENT_VERSION: TextRule = TextRule::line(
    "consent_version",
    "Версия текста согласия",
    "Укажите версию текста согласия на обработку персональных данных.",
    50,
);
/// The most origins one site may list.
pub const MAX_ORIGINS: usize = 20;
const URL_MAX: usize = 500;

/// A site's id, which is also its public form id (the hidden `site` field of its forms).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SiteId(String);

impl SiteId {
    /// Wraps an existing id.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// A site id as it may appear in a form or a path: 1–64 ASCII letters, digits, `-`, `_`.
    pub fn parse(raw: &str) -> Option<SiteId> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        ok.then(|| SiteId(raw.to_string()))
    }

    /// The id as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whose site it is: a dealer's own (its leads are that dealer's) or the brand's (leads are
/// routed by the network's rules).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SiteOwner {
    Dealer { dealer_id: DealerId },
    Brand { network_id: NetworkId },
}

/// A site's settings as the admin enters them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub name: String,
    /// `scheme://host[:port]`, lower-case, no path: what browsers send as `Origin`.
    pub origins: Vec<String>,
    /// Where a browser form post is sent after the lead is taken; the platform's own
    /// thank-you page when absent.
    pub thank_you_url: Option<String>,
    /// The version of the consent text the site's form shows (152-ФЗ), stored with each
    /// lead's consent.
    pub consent_version: String,
}

/// A site that posts leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: SiteId,
    pub owner: SiteOwner,
    pub settings: SiteSettings,
    /// SHA-256 (hex) of the current secret key; the key itself is shown once and never stored.
    pub key_hash: String,
    pub key_issued_at: DateTime<Utc>,
    /// Set when the admin revoked the site: its key and its form id answer 401 from then on.
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: u64,
}

impl Site {
    /// A new site with its first key.
    pub fn new(
        id: SiteId,
        owner: SiteOwner,
        settings: SiteSettings,
        key_hash: String,
        now: DateTime<Utc>,
    ) -> Site {
        Site {
            id,
            owner,
            settings,
            key_hash,
            key_issued_at: now,
            revoked_at: None,
            created_at: now,
            version: 1,
        }
    }

    /// Whether the site may still post.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }

    /// Whether a browser page of `origin` (the request's `Origin` header) belongs to the site.
    pub fn allows_origin(&self, origin: &str) -> bool {
        normalise_origin(origin).is_some_and(|o| self.settings.origins.contains(&o))
    }

    /// The site with a new key (the old one stops working at once).
    pub fn rotated(&self, key_hash: String, now: DateTime<Utc>) -> Result<Site, SiteError> {
        if !self.is_active() {
            return Err(SiteError::Revoked);
        }
        Ok(Site {
            key_hash,
            key_issued_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The site revoked: its key and form id are refused from now on.
    pub fn revoked(&self, now: DateTime<Utc>) -> Result<Site, SiteError> {
        if !self.is_active() {
            return Err(SiteError::Revoked);
        }
        Ok(Site {
            revoked_at: Some(now),
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The site with new settings (its owner never changes).
    pub fn with_settings(&self, settings: SiteSettings) -> Result<Site, SiteError> {
        if !self.is_active() {
            return Err(SiteError::Revoked);
        }
        Ok(Site {
            settings,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// Checks the version the admin saw.
    pub fn check_version(&self, expected: u64) -> Result<(), SiteError> {
        if self.version == expected {
            Ok(())
        } else {
            Err(SiteError::VersionConflict)
        }
    }
}

/// What the admin types for a site: every field as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteDraft {
    pub name: Option<String>,
    /// The dealer whose site it is; absent for the brand's site.
    pub dealer_id: Option<String>,
    /// The brand network of a brand site (ignored for a dealer's site).
    pub network_id: Option<String>,
    /// Origins, as a list (JSON) or one per line / separated by spaces or commas (a form).
    pub origins: Vec<String>,
    pub thank_you_url: Option<String>,
    pub consent_version: Option<String>,
}

/// A checked draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedSite {
    /// The dealer when the site is a dealer's; `None` for the brand's site of `network`.
    pub dealer: Option<DealerId>,
    pub network: Option<NetworkId>,
    pub settings: SiteSettings,
}

impl SiteDraft {
    /// Checks every field; all problems at once, in form order. The owner is checked for
    /// shape only (the app looks the dealer up).
    pub fn validate(&self, need_owner: bool) -> Result<CheckedSite, SiteError> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        let name = NAME.required(self.name.as_deref()).map_err(|e| {
            bad(e.field, &e.message);
        });
        let id = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (dealer, network) = (id(&self.dealer_id), id(&self.network_id));
        let owner_ok = |s: &str| SiteId::parse(s).is_some();
        let mut owner = (None, None);
        if need_owner {
            match (&dealer, &network) {
                (Some(d), _) if owner_ok(d) => owner.0 = Some(DealerId::new(d.clone())),
                (Some(_), _) => bad("dealer_id", "Такого дилера нет."),
                (None, Some(n)) if owner_ok(n) => owner.1 = Some(NetworkId::new(n.clone())),
                (None, Some(_)) => bad("network_id", "Такой сети нет."),
                (None, None) => bad(
                    "dealer_id",
                    "Укажите дилера, чей это сайт, или сеть, если это сайт бренда.",
                ),
            }
        }
        let mut origins: Vec<String> = Vec::new();
        for raw in self
            .origins
            .iter()
            .flat_map(|o| o.split(|c: char| c.is_whitespace() || c == ','))
            .filter(|o| !o.is_empty())
        {
            match normalise_origin(raw) {
                Some(o) if !origins.contains(&o) => origins.push(o),
                Some(_) => {}
                None => {
                    bad(
                        "origins",
                        &format!(
                            "«{}» — не адрес сайта: укажите его как https://example.ru (без пути).",
                            raw.chars().take(60).collect::<String>()
                        ),
                    );
                    break;
                }
            }
        }
        if origins.len() > MAX_ORIGINS {
            bad(
                "origins",
                &format!("Не больше {MAX_ORIGINS} адресов сайта."),
            );
        }
        let thank_you_url = match self.thank_you_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if is_web_url(url) => Some(url.to_string()),
            Some(_) => {
                bad(
                    "thank_you_url",
                    "Страница благодарности — полный адрес, например https://example.ru/spasibo.",
                );
                None
            }
        };
        let consent = CONSENT_VERSION
            .required(self.consent_version.as_deref())
            .map_err(|e| bad(e.field, &e.message));
        match (name, consent) {
            (Ok(name), Ok(consent_version)) if errors.is_empty() => Ok(CheckedSite {
                dealer: owner.0,
                network: owner.1,
                settings: SiteSettings {
                    name,
                    origins,
                    thank_you_url,
                    consent_version,
                },
            }),
            _ => Err(SiteError::Invalid(errors)),
        }
    }
}

/// `scheme://host[:port]` as browsers send it in `Origin`: http or https, lower-case, no
/// path, query or credentials. `None` for anything else (`null` included).
pub fn normalise_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = raw.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || raw.len() > 200 {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    (host_ok && port_ok).then_some(raw)
}

/// An absolute http(s) address without spaces or control characters.
fn is_web_url(url: &str) -> bool {
    url.len() <= URL_MAX
        && (url.starts_with("https://") || url.starts_with("http://"))
        && url.split_once("://").is_some_and(|(_, rest)| {
            !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('.')
        })
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\''))
}

/// A refusal about a site.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    /// Fields break their rules.
    #[error("site draft invalid")]
    Invalid(Vec<FieldError>),
    /// The site was revoked; it changes no more.
    #[error("the site is revoked")]
    Revoked,
    /// Someone changed the site since the admin read it.
    #[error("the site changed meanwhile")]
    VersionConflict,
}

impl Refuse for SiteError {
    fn refusal(&self) -> Refusal {
        match self {
            SiteError::Invalid(fields) => Refusal::new(
                RefusalKind::Invalid,
                "validation_failed",
                fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .with_fields(fields.clone()),
            SiteError::Revoked => Refusal::new(
                RefusalKind::Conflict,
                "site_revoked",
                "Ключи этого сайта отозваны: выпустите новый сайт.",
            ),
            SiteError::VersionConflict => Refusal::new(
                RefusalKind::Conflict,
                "site_version_conflict",
                "Сайт уже изменил кто-то другой: обновите страницу и повторите.",
            ),
        }
    }
}

/// A limit on posts: at most `max` per `window` (fixed windows, counted in the table so the
/// limit holds across every Lambda instance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostLimit {
    pub max: u64,
    pub window: Duration,
}

/// Server-to-server posts of one site (a site's backend forwards every visitor's lead).
pub const SERVER_POST_LIMIT: PostLimit = PostLimit {
    max: 120,
    window: Duration::minutes(1),
};

/// Browser posts of one site from one client address.
pub const BROWSER_POST_LIMIT: PostLimit = PostLimit {
    max: 10,
    window: Duration::minutes(10),
};

impl PostLimit {
    /// The start of the window `now` falls in.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let size = self.window.num_milliseconds().max(1);
        let ms = now.timestamp_millis();
        DateTime::from_timestamp_millis(ms - ms.rem_euclid(size)).unwrap_or(now)
    }

    /// When the window `now` falls in ends (a refused poster may try again then).
    pub fn window_end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.window_start(now) + self.window
    }

    /// Whether the `count`-th post of a window is still allowed.
    pub fn allows(&self, count: u64) -> bool {
        count <= self.max
    }
}

/// How long a form token stays good: a page left open for a day is reloaded.
pub const FORM_TOKEN_MAX_AGE: Duration = Duration::hours(24);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft() -> SiteDraft {
        SiteDraft {
            name: Some(" Сайт Автоцентра Север ".into()),
            dealer_id: Some("dealer-1".into()),
            network_id: None,
            origins: vec!["https://Sever-Auto.ru/ http://127.0.0.1:8081".into()],
            thank_you_url: Some("https://sever-auto.ru/spasibo".into()),
            consent_version: Some("2026-01".into()),
        }
    }

    #[test]
    fn a_dealer_site_is_checked_and_its_origins_normalised() {
        let site = draft().validate(true).unwrap();
        assert_eq!(site.dealer, Some(DealerId::new("dealer-1")));
        assert_eq!(site.settings.name, "Сайт Автоцентра Север");
        assert_eq!(
            site.settings.origins,
            ["https://sever-auto.ru", "http://127.0.0.1:8081"]
        );
    }

    #[test]
    fn a_brand_site_names_its_network() {
        let d = SiteDraft {
            dealer_id: None,
            network_id: Some("network-demo".into()),
            ..draft()
        };
        let site = d.validate(true).unwrap();
        assert_eq!(site.dealer, None);
        assert_eq!(site.network, Some(NetworkId::new("network-demo")));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let d = SiteDraft {
            name: None,
            dealer_id: None,
            network_id: None,
            origins: vec!["ftp://x.ru".into()],
            thank_you_url: Some("javascript:alert(1)".into()),
            consent_version: Some(" ".into()),
        };
        let SiteError::Invalid(fields) = d.validate(true).unwrap_err() else {
            panic!("invalid expected")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field).collect();
        assert_eq!(
            names,
            [
                "name",
                "dealer_id",
                "origins",
                "thank_you_url",
                "consent_version"
            ]
        );
        assert!(fields[2].message.contains("ftp://x.ru"));
    }

    #[test]
    fn origins_are_what_browsers_send() {
        for (raw, expected) in [
            ("https://example.ru", Some("https://example.ru")),
            ("HTTP://LOCALHOST:8081/", Some("http://localhost:8081")),
            ("https://example.ru/path", None),
            ("https://example.ru?x=1", None),
            ("null", None),
            ("https://", None),
            ("https://ex ample.ru", None),
            ("https://example.ru:80a", None),
            ("file:///etc/passwd", None),
        ] {
            assert_eq!(normalise_origin(raw).as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn only_the_sites_own_pages_are_its_origin() {
        let checked = draft().validate(true).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let site = Site::new(
            SiteId::new("site-1"),
            SiteOwner::Dealer {
                dealer_id: DealerId::new("dealer-1"),
            },
            checked.settings,
            "hash".into(),
            t,
        );
        assert!(site.allows_origin("https://sever-auto.ru"));
        assert!(site.allows_origin("http://127.0.0.1:8081"));
        assert!(!site.allows_origin("https://evil.example"));
        assert!(!site.allows_origin("null"));
    }

    #[test]
    fn a_rotated_key_replaces_the_old_and_a_revoked_site_changes_no_more() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let site = Site::new(
            SiteId::new("site-1"),
            SiteOwner::Brand {
                network_id: NetworkId::new("n"),
            },
            draft().validate(true).unwrap().settings,
            "old".into(),
            t,
        );
        let later = t + Duration::days(1);
        let rotated = site.rotated("new".into(), later).unwrap();
        assert_eq!(rotated.key_hash, "new");
        assert_eq!(rotated.key_issued_at, later);
        assert_eq!(rotated.version, 2);
        let revoked = rotated.revoked(later).unwrap();
        assert!(!revoked.is_active());
        assert_eq!(revoked.rotated("x".into(), later), Err(SiteError::Revoked));
        assert_eq!(revoked.revoked(later), Err(SiteError::Revoked));
        assert_eq!(
            site.check_version(2).unwrap_err().refusal().kind,
            RefusalKind::Conflict
        );
    }

    #[test]
    fn limits_count_in_fixed_windows() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 7, 31).unwrap();
        assert_eq!(
            BROWSER_POST_LIMIT.window_start(t),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
        );
        assert_eq!(
            BROWSER_POST_LIMIT.window_end(t),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 10, 0).unwrap()
        );
        assert_eq!(
            SERVER_POST_LIMIT.window_start(t),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 7, 0).unwrap()
        );
        assert!(BROWSER_POST_LIMIT.allows(10));
        assert!(!BROWSER_POST_LIMIT.allows(11));
    }

    #[test]
    fn site_ids_are_short_and_plain() {
        assert!(SiteId::parse("site-dealer-1").is_some());
        assert!(SiteId::parse("").is_none());
        assert!(SiteId::parse("a/b").is_none());
        assert!(SiteId::parse(&"x".repeat(65)).is_none());
    }
}
