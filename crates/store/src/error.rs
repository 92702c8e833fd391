//! What can go wrong in the store, in terms the use cases act on.

use dealerdesk_domain::kernel::{Refusal, RefusalKind, Refuse};

dealerdesk_domain::coded_enum! {
    /// What a conflicting write was about: a conflict's refusal names it («Обращение уже
    /// изменил кто-то другой…»). A feature with a versioned aggregate adds itself here.
    pub enum Entity {
        Ticket = "ticket" / "Обращение",
        Wish = "wish" / "Пожелание",
        Article = "article" / "Статья",
        Calendar = "calendar" / "Календарь",
        User = "user" / "Учётная запись",
        Settings = "settings" / "Настройки",
        Lead = "lead" / "Заявка",
        Customer = "customer" / "Профиль клиента",
        LeadNetwork = "lead_network" / "Правила распределения",
        Site = "site" / "Сайт",
        PriceList = "price_list" / "Прайс-лист",
        Subscription = "subscription" / "Подписка",
        BillingSettings = "billing_settings" / "Платёжные настройки",
        Requisites = "requisites" / "Реквизиты",
        Document = "document" / "Документ",
        SurveyAnswer = "survey_answer" / "Ответ на опрос",
        SurveyTask = "survey_task" / "Задача по опросу",
    }
}

impl Entity {
    /// The entity as the object of «… уже изменил кто-то другой».
    fn changed(self) -> &'static str {
        match self {
            Entity::User => "Учётную запись",
            Entity::Settings => "Настройки",
            Entity::Lead => "Заявку",
            Entity::Article => "Статью",
            Entity::Subscription => "Подписку",
            Entity::SurveyTask => "Задачу по опросу",
            other => other.label(),
        }
    }
}

/// A storage failure. No SDK type leaks out: engine errors are carried as text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A write's condition failed: the stored version is not the expected one, or a
    /// concurrent transaction touched the same item. Nothing was written; the caller
    /// reloads and decides again (an HTTP 409).
    #[error("the {entity} changed since it was read (stale version or concurrent write)")]
    Conflict {
        /// What changed, so the refusal names it.
        entity: Entity,
    },
    /// The item (or the unique value it claims, such as an e-mail) exists already.
    #[error("the item exists already")]
    AlreadyExists,
    /// A listing cursor that this store did not hand out, or that belongs to another
    /// listing.
    #[error("invalid listing cursor")]
    BadCursor,
    /// The engine (DynamoDB, dynoxide, the network, the SDK) failed; the text says where.
    #[error("storage backend failure: {0}")]
    Backend(String),
    /// A stored item cannot be mapped back to a record; the text names the item and field.
    #[error("corrupt stored item: {0}")]
    Corrupt(String),
}

impl Refuse for StoreError {
    /// What the caller is told. A backend or corrupt-item failure is never the caller's
    /// fault: it is logged with its detail and shown with a generic message.
    fn refusal(&self) -> Refusal {
        match self {
            StoreError::Conflict { entity } => Refusal::new(
                RefusalKind::Conflict,
                "version_conflict",
                format!(
                    "{} уже изменил кто-то другой. Обновите страницу и повторите действие.",
                    entity.changed()
                ),
            ),
            StoreError::AlreadyExists => Refusal::new(
                RefusalKind::Conflict,
                "already_exists",
                "Такая запись уже существует.",
            ),
            StoreError::BadCursor => {
                Refusal::bad_request("bad_cursor", "Некорректный курсор постраничного вывода.")
            }
            StoreError::Backend(_) | StoreError::Corrupt(_) => Refusal::new(
                RefusalKind::Unavailable,
                "storage_unavailable",
                "Сервис временно недоступен. Повторите попытку позже.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refusals_match_the_app_table() {
        let cases = [
            (
                StoreError::Conflict {
                    entity: Entity::Ticket,
                },
                RefusalKind::Conflict,
                "version_conflict",
            ),
            (
                StoreError::AlreadyExists,
                RefusalKind::Conflict,
                "already_exists",
            ),
            (StoreError::BadCursor, RefusalKind::BadRequest, "bad_cursor"),
            (
                StoreError::Backend("x".into()),
                RefusalKind::Unavailable,
                "storage_unavailable",
            ),
            (
                StoreError::Corrupt("x".into()),
                RefusalKind::Unavailable,
                "storage_unavailable",
            ),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!((r.kind, r.code), (kind, code), "{e:?}");
            assert!(r.fields.is_empty());
            // Russian, and never the engine's detail.
            assert!(r.message.chars().any(|c| ('а'..='я').contains(&c)), "{e:?}");
            assert!(!r.message.contains('x'), "{e:?}");
        }
        assert_eq!(
            StoreError::BadCursor.refusal().message,
            "Некорректный курсор постраничного вывода."
        );
        assert_eq!(
            StoreError::Backend("dynamo down".into()).refusal().message,
            "Сервис временно недоступен. Повторите попытку позже."
        );
    }

    #[test]
    fn a_conflict_names_its_entity_in_todays_words() {
        let message = |entity| StoreError::Conflict { entity }.refusal().message;
        assert_eq!(
            message(Entity::Ticket),
            "Обращение уже изменил кто-то другой. Обновите страницу и повторите действие."
        );
        assert_eq!(
            message(Entity::Wish),
            "Пожелание уже изменил кто-то другой. Обновите страницу и повторите действие."
        );
        assert!(message(Entity::Calendar).starts_with("Календарь уже изменил"));
        assert!(message(Entity::User).starts_with("Учётную запись уже изменил"));
    }
}
