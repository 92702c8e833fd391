//! Ticket categories, criticality and billing class (SPEC §2.2, §2.3).

crate::coded_enum! {
    /// Whether work on a ticket is billed.
    pub enum Billing {
        /// «платно»
        Paid = "paid" / "Платно",
        /// «бесплатно»
        Free = "free" / "Бесплатно",
    }
}

crate::coded_enum! {
    /// How urgent a ticket is; sets the reaction time and the hourly rate.
    pub enum Criticality {
        /// «Низкая»: 3 working days, 2500 ₽/h.
        Low = "low" / "Низкая",
        /// «Средняя»: 8 working hours, 3000 ₽/h.
        Medium = "medium" / "Средняя",
        /// «Высокая»: 3 working hours, 3500 ₽/h.
        High = "high" / "Высокая",
    }
}

impl Criticality {
    /// Hourly rate in whole rubles (SPEC §2.3).
    pub fn hourly_rate_rub(self) -> u32 {
        match self {
            Criticality::Low => 2500,
            Criticality::Medium => 3000,
            Criticality::High => 3500,
        }
    }
}

crate::coded_enum! {
    /// What a ticket is about (SPEC §2.2). The category sets the default billing class.
    pub enum Category {
        Consultation = "consultation" / "Консультация по платформе, модулям или ЦСО",
        PlatformBug = "platform_bug" / "Ошибка сайта или модулей по вине платформы",
        CentralUpdate = "central_update" / "Обновления ЦСО (прайс-листы, модели, новости)",
        TrackerHelp = "tracker_help" / "Работа с трекером поддержки",
        Documents = "documents" / "Документы и закрывающие документы",
        Organisational = "organisational" / "Организационные вопросы",
        Hosting = "hosting" / "Настройки хостинга",
        IndividualNews = "individual_news" / "Размещение индивидуальных новостей, акций, статей",
        CustomSection = "custom_section" / "Создание индивидуальных разделов",
        CustomContent = "custom_content" / "Правки индивидуального контента дилера",
        MetaTags = "meta_tags" / "Мета-теги",
        CodePlacement = "code_placement" / "Размещение кода",
        GoalsEvents = "goals_events" / "Настройка целей и событий",
        FeedErrors = "feed_errors" / "Поиск ошибок в файле выгрузки дилера (АВН, АСП)",
        SeoSpec = "seo_spec" / "Выполнение или проверка ТЗ SEO-подрядчика",
        DealerSideBug = "dealer_side_bug" / "Ошибка сайта или модулей по вине дилера",
        SiteMigration = "site_migration" / "Перенос сайта на другой хостинг",
        Other = "other" / "Другое",
    }
}

impl Category {
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
