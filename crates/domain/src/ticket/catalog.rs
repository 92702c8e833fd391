//! Ticket categories, criticality and billing class (SPEC §2.2, §2.3).

use serde::{Deserialize, Serialize};

/// Whether work on a ticket is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// «платно»
    Paid,
    /// «бесплатно»
    Free,
}

impl Billing {
    /// Both classes.
    pub const ALL: [Billing; 2] = [Billing::Paid, Billing::Free];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Billing::Paid => "paid",
            Billing::Free => "free",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<Billing> {
        Billing::ALL.into_iter().find(|b| b.code() == code)
    }

    /// The portal's word.
    pub fn label(self) -> &'static str {
        match self {
            Billing::Paid => "Платно",
            Billing::Free => "Бесплатно",
        }
    }
}

/// How urgent a ticket is; sets the reaction time and the hourly rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    /// «Низкая»: 3 working days, 2500 ₽/h.
    Low,
    /// «Средняя»: 8 working hours, 3000 ₽/h.
    Medium,
    /// «Высокая»: 3 working hours, 3500 ₽/h.
    High,
}

impl Criticality {
    /// All levels, lowest first.
    pub const ALL: [Criticality; 3] = [Criticality::Low, Criticality::Medium, Criticality::High];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::Medium => "medium",
            Criticality::High => "high",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<Criticality> {
        Criticality::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The portal's word («Критичность»).
    pub fn label(self) -> &'static str {
        match self {
            Criticality::Low => "Низкая",
            Criticality::Medium => "Средняя",
            Criticality::High => "Высокая",
        }
    }

    /// Hourly rate in whole rubles (SPEC §2.3).
    pub fn hourly_rate_rub(self) -> u32 {
        match self {
            Criticality::Low => 2500,
            Criticality::Medium => 3000,
            Criticality::High => 3500,
        }
    }
}

/// What a ticket is about (SPEC §2.2). The category sets the default billing class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Consultation,
    PlatformBug,
    CentralUpdate,
    TrackerHelp,
    Documents,
    Organisational,
    Hosting,
    IndividualNews,
    CustomSection,
    CustomContent,
    MetaTags,
    CodePlacement,
    GoalsEvents,
    FeedErrors,
    SeoSpec,
    DealerSideBug,
    SiteMigration,
    Other,
}

impl Category {
    /// Every category: the free ones first, as the SPEC lists them.
    pub const ALL: [Category; 18] = [
        Category::Consultation,
        Category::PlatformBug,
        Category::CentralUpdate,
        Category::TrackerHelp,
        Category::Documents,
        Category::Organisational,
        Category::Hosting,
        Category::IndividualNews,
        Category::CustomSection,
        Category::CustomContent,
        Category::MetaTags,
        Category::CodePlacement,
        Category::GoalsEvents,
        Category::FeedErrors,
        Category::SeoSpec,
        Category::DealerSideBug,
        Category::SiteMigration,
        Category::Other,
    ];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Category::Consultation => "consultation",
            Category::PlatformBug => "platform_bug",
            Category::CentralUpdate => "central_update",
            Category::TrackerHelp => "tracker_help",
            Category::Documents => "documents",
            Category::Organisational => "organisational",
            Category::Hosting => "hosting",
            Category::IndividualNews => "individual_news",
            Category::CustomSection => "custom_section",
            Category::CustomContent => "custom_content",
            Category::MetaTags => "meta_tags",
            Category::CodePlacement => "code_placement",
            Category::GoalsEvents => "goals_events",
            Category::FeedErrors => "feed_errors",
            Category::SeoSpec => "seo_spec",
            Category::DealerSideBug => "dealer_side_bug",
            Category::SiteMigration => "site_migration",
            Category::Other => "other",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The portal's words.
    pub fn label(self) -> &'static str {
        match self {
            Category::Consultation => "Консультация по платформе, модулям или ЦСО",
            Category::PlatformBug => "Ошибка сайта или модулей по вине платформы",
            Category::CentralUpdate => "Обновления ЦСО (прайс-листы, модели, новости)",
            Category::TrackerHelp => "Работа с трекером поддержки",
            Category::Documents => "Документы и закрывающие документы",
            Category::Organisational => "Организационные вопросы",
            Category::Hosting => "Настройки хостинга",
            Category::IndividualNews => "Размещение индивидуальных новостей, акций, статей",
            Category::CustomSection => "Создание индивидуальных разделов",
            Category::CustomContent => "Правки индивидуального контента дилера",
            Category::MetaTags => "Мета-теги",
            Category::CodePlacement => "Размещение кода",
            Category::GoalsEvents => "Настройка целей и событий",
            Category::FeedErrors => "Поиск ошибок в файле выгрузки дилера (АВН, АСП)",
            Category::SeoSpec => "Выполнение или проверка ТЗ SEO-подрядчика",
            Category::DealerSideBug => "Ошибка сайта или модулей по вине дилера",
            Category::SiteMigration => "Перенос сайта на другой хостинг",
            Category::Other => "Другое",
        }
    }

    /// The billing class a ticket of this category gets unless a specialist reclassifies it.
    pub fn default_billing(self) -> Billing {
        match self {
            Category::Consultation
            | Category::PlatformBug
            | Category::CentralUpdate
            | Category::TrackerHelp
            | Category::Documents
            | Category::Organisational => Billing::Free,
            Category::Hosting
            | Category::IndividualNews
            | Category::CustomSection
            | Category::CustomContent
            | Category::MetaTags
            | Category::CodePlacement
            | Category::GoalsEvents
            | Category::FeedErrors
            | Category::SeoSpec
            | Category::DealerSideBug
            | Category::SiteMigration
            | Category::Other => Billing::Paid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_categories_are_free_by_default_and_twelve_paid() {
        let free = Category::ALL
            .iter()
            .filter(|c| c.default_billing() == Billing::Free)
            .count();
        assert_eq!(free, 6);
        assert_eq!(Category::ALL.len() - free, 12);
    }

    #[test]
    fn a_contractors_code_breaking_the_site_is_paid() {
        assert_eq!(Category::DealerSideBug.default_billing(), Billing::Paid);
    }

    #[test]
    fn a_central_update_breaking_a_module_is_free() {
        assert_eq!(Category::CentralUpdate.default_billing(), Billing::Free);
        assert_eq!(Category::PlatformBug.default_billing(), Billing::Free);
    }

    #[test]
    fn cars_vanishing_after_the_dealers_feed_update_is_paid() {
        assert_eq!(Category::FeedErrors.default_billing(), Billing::Paid);
    }

    #[test]
    fn moving_the_site_to_another_hosting_is_paid() {
        assert_eq!(Category::SiteMigration.default_billing(), Billing::Paid);
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
        for c in Criticality::ALL {
            assert_eq!(Criticality::from_code(c.code()), Some(c));
        }
        for b in Billing::ALL {
            assert_eq!(Billing::from_code(b.code()), Some(b));
        }
        assert_eq!(Category::from_code("Consultation"), None);
    }

    #[test]
    fn rates_follow_the_price_list() {
        assert_eq!(Criticality::Low.hourly_rate_rub(), 2500);
        assert_eq!(Criticality::Medium.hourly_rate_rub(), 3000);
        assert_eq!(Criticality::High.hourly_rate_rub(), 3500);
    }
}
