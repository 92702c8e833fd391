//! What a lead is about and where it came from.

crate::coded_enum! {
    /// The type of a lead (SPEC §4.1).
    pub enum LeadType {
        Preorder = "preorder" / "Предзаказ",
        TestDrive = "test_drive" / "Тест-драйв",
        Service = "service" / "Запись на сервис",
        Parts = "parts" / "Запчасти",
        Accessories = "accessories" / "Аксессуары",
        Credit = "credit" / "Кредит",
        TradeIn = "trade_in" / "Трейд-ин",
        Callback = "callback" / "Обратный звонок",
    }
}

crate::coded_enum! {
    /// The business direction a lead belongs to: a regional representative observes one
    /// direction of a dealer (SPEC §4.2).
    pub enum Direction {
        Sales = "sales" / "Продажи",
        Service = "service" / "Сервис",
        Parts = "parts" / "Запчасти и аксессуары",
    }
}

crate::coded_enum! {
    /// How a lead reached the network.
    pub enum LeadSource {
        /// A form on the dealer's own website.
        Site = "site" / "Сайт дилера",
        /// A form on the brand's website.
        BrandSite = "brand_site" / "Сайт бренда",
        /// A call taken by the dealer.
        Phone = "phone" / "Звонок",
        /// A visit to the showroom.
        Showroom = "showroom" / "Визит в салон",
    }
}

impl LeadType {
    /// The direction whose representative observes leads of this type.
    pub fn direction(self) -> Direction {
        match self {
            LeadType::Preorder
            | LeadType::TestDrive
            | LeadType::Credit
            | LeadType::TradeIn
            | LeadType::Callback => Direction::Sales,
            LeadType::Service => Direction::Service,
            LeadType::Parts | LeadType::Accessories => Direction::Parts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_types_belong_to_their_direction() {
        let sales = [
            LeadType::Preorder,
            LeadType::TestDrive,
            LeadType::Credit,
            LeadType::TradeIn,
            LeadType::Callback,
        ];
        for t in sales {
            assert_eq!(t.direction(), Direction::Sales, "{t}");
        }
        assert_eq!(LeadType::Service.direction(), Direction::Service);
        assert_eq!(LeadType::Parts.direction(), Direction::Parts);
        assert_eq!(LeadType::Accessories.direction(), Direction::Parts);
        assert_eq!(LeadType::ALL.len(), 8);
    }

    #[test]
    fn lead_codes_round_trip_with_russian_labels() {
        for t in LeadType::ALL {
            assert_eq!(LeadType::from_code(t.code()), Some(t));
            assert!(!t.label().is_ascii());
        }
        assert_eq!(LeadType::from_code("trade_in"), Some(LeadType::TradeIn));
        assert_eq!(
            LeadSource::from_code("brand_site"),
            Some(LeadSource::BrandSite)
        );
        assert_eq!(LeadSource::Showroom.label(), "Визит в салон");
    }
}
