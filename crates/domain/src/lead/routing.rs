//! Routing (SPEC §4.2): which dealer gets a new lead, and which regional representative
//! observes it. Both are pure lookups over tables the caller passes in (the network's
//! routing rules and the representatives' assignments).

use super::cities::{CityTable, normalise_place};
use super::kind::Direction;
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse};
use crate::{DealerId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where a lead was posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The dealer's own website: the lead is that dealer's.
    DealerSite(DealerId),
    /// The brand's website: the chosen dealer, or one by the customer's city / region.
    BrandSite,
}

crate::coded_enum! {
    /// Why a lead went to its dealer.
    pub enum RoutedBy {
        OwnSite = "own_site" / "Сайт дилера",
        Chosen = "chosen" / "Выбор клиента",
        City = "city" / "По городу клиента",
        Region = "region" / "По региону клиента",
        Default = "default" / "Дилер сети по умолчанию",
    }
}

/// The routing decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    pub dealer: DealerId,
    pub by: RoutedBy,
}

/// A network's routing rules: its dealers, a dealer per city and per region, and a default.
/// Stored as JSON (`{"dealers": […], "by_city": {"москва": "d1"}, …}`; places normalised).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingTable {
    dealers: BTreeSet<DealerId>,
    by_city: BTreeMap<String, DealerId>,
    by_region: BTreeMap<String, DealerId>,
    default: Option<DealerId>,
}

impl RoutingTable {
    /// A table over the network's dealers, with no rules yet.
    pub fn new(dealers: impl IntoIterator<Item = DealerId>) -> RoutingTable {
        RoutingTable {
            dealers: dealers.into_iter().collect(),
            ..RoutingTable::default()
        }
    }

    /// Leads from `city` go to `dealer`.
    pub fn city(mut self, city: &str, dealer: DealerId) -> RoutingTable {
        self.by_city.insert(normalise_place(city), dealer);
        self
    }

    /// Leads from `region` (a federal subject, as in the city table) go to `dealer`.
    pub fn region(mut self, region: &str, dealer: DealerId) -> RoutingTable {
        self.by_region.insert(normalise_place(region), dealer);
        self
    }

    /// Leads nothing else places go to `dealer`.
    pub fn default_dealer(mut self, dealer: DealerId) -> RoutingTable {
        self.default = Some(dealer);
        self
    }

    /// Whether `dealer` is in the network.
    pub fn contains(&self, dealer: &DealerId) -> bool {
        self.dealers.contains(dealer)
    }

    /// The network's dealers.
    pub fn dealers(&self) -> impl Iterator<Item = &DealerId> {
        self.dealers.iter()
    }

    /// The city rules (normalised city → dealer).
    pub fn city_rules(&self) -> impl Iterator<Item = (&str, &DealerId)> {
        self.by_city.iter().map(|(c, d)| (c.as_str(), d))
    }

    /// The region rules (normalised region → dealer).
    pub fn region_rules(&self) -> impl Iterator<Item = (&str, &DealerId)> {
        self.by_region.iter().map(|(r, d)| (r.as_str(), d))
    }

    /// The default dealer, if the network has one.
    pub fn default_rule(&self) -> Option<&DealerId> {
        self.default.as_ref()
    }

    /// The same rules over `dealers` (a dealer joined the network).
    pub fn with_dealers(mut self, dealers: impl IntoIterator<Item = DealerId>) -> RoutingTable {
        self.dealers = dealers.into_iter().collect();
        self
    }
}

/// No dealer could be found for a brand-site lead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("no dealer for this lead: none chosen, no rule for its city or region, no default")]
    NoDealer,
}

impl Refuse for RoutingError {
    fn refusal(&self) -> Refusal {
        let message = "Выберите дилерский центр: по указанному городу его не удалось определить.";
        Refusal::new(RefusalKind::Invalid, "lead_no_dealer", message).with_fields(vec![
            FieldError {
                field: "dealer_id",
                message: message.to_string(),
            },
        ])
    }
}

/// The dealer of a new lead: a dealer's own site keeps it; from the brand site, the chosen
/// dealer when it is in the network, else the dealer of the customer's city, else of the
/// city's region (from the reference `cities`), else the network's default.
pub fn route(
    origin: &Origin,
    chosen: Option<&DealerId>,
    city: Option<&str>,
    cities: &CityTable,
    table: &RoutingTable,
) -> Result<Routed, RoutingError> {
    let routed = |dealer: &DealerId, by| Routed {
        dealer: dealer.clone(),
        by,
    };
    if let Origin::DealerSite(dealer) = origin {
        return Ok(routed(dealer, RoutedBy::OwnSite));
    }
    if let Some(dealer) = chosen.filter(|d| table.contains(d)) {
        return Ok(routed(dealer, RoutedBy::Chosen));
    }
    if let Some(city) = city {
        if let Some(dealer) = table.by_city.get(&normalise_place(city)) {
            return Ok(routed(dealer, RoutedBy::City));
        }
        let region = cities.lookup(city).map(|c| normalise_place(&c.region));
        if let Some(dealer) = region.and_then(|r| table.by_region.get(&r)) {
            return Ok(routed(dealer, RoutedBy::Region));
        }
    }
    table
        .default
        .as_ref()
        .map(|d| routed(d, RoutedBy::Default))
        .ok_or(RoutingError::NoDealer)
}

/// Which regional representative observes which dealer in which direction. Stored as the
/// JSON list of its [`Assignment`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Assignment>", into = "Vec<Assignment>")]
pub struct Assignments {
    by_dealer: BTreeMap<(DealerId, Direction), UserId>,
}

/// One line of [`Assignments`]: `rep` observes `dealer`'s leads of `direction`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub dealer: DealerId,
    pub direction: Direction,
    pub rep: UserId,
}

impl From<Vec<Assignment>> for Assignments {
    fn from(lines: Vec<Assignment>) -> Self {
        lines.into_iter().fold(Assignments::new(), |a, l| {
            a.assign(l.dealer, l.direction, l.rep)
        })
    }
}

impl From<Assignments> for Vec<Assignment> {
    fn from(a: Assignments) -> Self {
        a.entries().collect()
    }
}

impl Assignments {
    /// No assignments yet.
    pub fn new() -> Assignments {
        Assignments::default()
    }

    /// `rep` observes `dealer`'s leads of `direction` (replacing whoever did).
    pub fn assign(mut self, dealer: DealerId, direction: Direction, rep: UserId) -> Assignments {
        self.by_dealer.insert((dealer, direction), rep);
        self
    }

    /// The observer of `dealer`'s leads of `direction`, if anyone is assigned.
    pub fn observer(&self, dealer: &DealerId, direction: Direction) -> Option<&UserId> {
        self.by_dealer.get(&(dealer.clone(), direction))
    }

    /// Every assignment, by dealer then direction.
    pub fn entries(&self) -> impl Iterator<Item = Assignment> + '_ {
        self.by_dealer
            .iter()
            .map(|((dealer, direction), rep)| Assignment {
                dealer: dealer.clone(),
                direction: *direction,
                rep: rep.clone(),
            })
    }

    /// The dealers (and directions) a representative observes.
    pub fn observed_by<'a>(
        &'a self,
        rep: &'a UserId,
    ) -> impl Iterator<Item = (&'a DealerId, Direction)> + 'a {
        self.by_dealer
            .iter()
            .filter(move |(_, r)| *r == rep)
            .map(|((d, dir), _)| (d, *dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::kind::LeadType;

    fn d(id: &str) -> DealerId {
        DealerId::new(id)
    }

    fn table() -> RoutingTable {
        RoutingTable::new([d("vostok"), d("ussuri"), d("moscow-1"), d("moscow-2")])
            .city("Владивосток", d("vostok"))
            .city("Москва", d("moscow-1"))
            .region("Приморский край", d("ussuri"))
            .default_dealer(d("moscow-2"))
    }

    #[test]
    fn a_dealer_site_lead_stays_with_the_dealer() {
        let r = route(
            &Origin::DealerSite(d("other")),
            Some(&d("vostok")),
            Some("Москва"),
            &CityTable::embedded(),
            &table(),
        );
        assert_eq!(
            r.unwrap(),
            Routed {
                dealer: d("other"),
                by: RoutedBy::OwnSite
            }
        );
    }

    #[test]
    fn a_brand_site_lead_goes_to_the_chosen_dealer_in_the_network() {
        let cities = CityTable::embedded();
        let r = route(
            &Origin::BrandSite,
            Some(&d("ussuri")),
            Some("Москва"),
            &cities,
            &table(),
        )
        .unwrap();
        assert_eq!(r.by, RoutedBy::Chosen);
        assert_eq!(r.dealer, d("ussuri"));
        // A dealer outside the network is not a choice: the city decides.
        let r = route(
            &Origin::BrandSite,
            Some(&d("stranger")),
            Some("москва"),
            &cities,
            &table(),
        )
        .unwrap();
        assert_eq!((r.dealer, r.by), (d("moscow-1"), RoutedBy::City));
    }

    #[test]
    fn otherwise_city_then_region_then_default() {
        let cities = CityTable::embedded();
        let t = table();
        let by_city = route(
            &Origin::BrandSite,
            None,
            Some("г. Владивосток"),
            &cities,
            &t,
        )
        .unwrap();
        assert_eq!((by_city.dealer, by_city.by), (d("vostok"), RoutedBy::City));
        let by_region = route(&Origin::BrandSite, None, Some("Находка"), &cities, &t).unwrap();
        assert_eq!(
            (by_region.dealer, by_region.by),
            (d("ussuri"), RoutedBy::Region)
        );
        let fallback = route(&Origin::BrandSite, None, Some("Норильск"), &cities, &t).unwrap();
        assert_eq!(
            (fallback.dealer, fallback.by),
            (d("moscow-2"), RoutedBy::Default)
        );
        let no_city = route(&Origin::BrandSite, None, None, &cities, &t).unwrap();
        assert_eq!(no_city.by, RoutedBy::Default);
        let strict = RoutingTable::new([d("vostok")]);
        let e = route(&Origin::BrandSite, None, Some("Норильск"), &cities, &strict).unwrap_err();
        assert_eq!(e.refusal().fields[0].field, "dealer_id");
    }

    #[test]
    fn the_observer_is_the_representative_of_the_dealer_and_direction() {
        let a = Assignments::new()
            .assign(d("vostok"), Direction::Sales, UserId::new("rep-sales"))
            .assign(d("vostok"), Direction::Service, UserId::new("rep-service"))
            .assign(d("ussuri"), Direction::Sales, UserId::new("rep-sales"));
        assert_eq!(
            a.observer(&d("vostok"), LeadType::TradeIn.direction()),
            Some(&UserId::new("rep-sales"))
        );
        assert_eq!(
            a.observer(&d("vostok"), LeadType::Service.direction()),
            Some(&UserId::new("rep-service"))
        );
        assert_eq!(a.observer(&d("vostok"), LeadType::Parts.direction()), None);
        let rep = UserId::new("rep-sales");
        assert_eq!(a.observed_by(&rep).count(), 2);
    }

    #[test]
    fn the_rules_and_assignments_round_trip_through_json() {
        let assignments = Assignments::new()
            .assign(d("vostok"), Direction::Sales, UserId::new("rep1"))
            .assign(d("vostok"), Direction::Service, UserId::new("rep2"));
        let json = serde_json::to_string(&assignments).unwrap();
        assert!(json.contains(r#""direction":"sales""#), "{json}");
        assert_eq!(
            serde_json::from_str::<Assignments>(&json).unwrap(),
            assignments
        );
        let json = serde_json::to_string(&table()).unwrap();
        assert_eq!(
            serde_json::from_str::<RoutingTable>(&json).unwrap(),
            table()
        );
    }
}
