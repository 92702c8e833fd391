//! The brand head office's lead settings as edited (SPEC §4.2): routing rules (city →
//! dealer, region → dealer, a default dealer) and the representatives' assignments (dealer ×
//! direction → representative), read from a form or the API and checked against the
//! network's dealers, its regional representatives and the reference table of cities.

use super::cities::{CityTable, normalise_place};
use super::kind::Direction;
use super::routing::{Assignments, RoutingTable};
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse};
use crate::{DealerId, UserId};
use std::collections::BTreeSet;

/// The longest city name a rule takes.
const MAX_PLACE_CHARS: usize = 100;

/// One «город → дилер» rule as typed; a row with neither is skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceRuleDraft {
    pub place: Option<String>,
    pub dealer_id: Option<String>,
}

/// One «дилер × направление → представитель» line as typed; a line without a
/// representative assigns nobody.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignmentDraft {
    pub dealer_id: Option<String>,
    pub direction: Option<String>,
    pub rep_id: Option<String>,
}

/// The whole of a network's lead settings as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkRulesDraft {
    pub cities: Vec<PlaceRuleDraft>,
    pub regions: Vec<PlaceRuleDraft>,
    pub default_dealer_id: Option<String>,
    pub assignments: Vec<AssignmentDraft>,
}

/// What the rules are checked against.
#[derive(Clone, Copy, Debug)]
pub struct NetworkFacts<'a> {
    /// The network's dealers.
    pub dealers: &'a BTreeSet<DealerId>,
    /// The users with the role `regional_rep`.
    pub reps: &'a BTreeSet<UserId>,
    /// The reference table (its regions are the only ones a rule may name).
    pub cities: &'a CityTable,
}

/// The rules cannot be saved: every line at fault with its message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid network rules: {fields:?}")]
pub struct NetworkRulesError {
    pub fields: Vec<FieldError>,
}

impl Refuse for NetworkRulesError {
    fn refusal(&self) -> Refusal {
        let message = self
            .fields
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Refusal::new(RefusalKind::Invalid, "validation_failed", message)
            .with_fields(self.fields.clone())
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl NetworkRulesDraft {
    /// The rules of a stored table and assignments, to fill a form (places as the
    /// reference table writes them when it knows them).
    pub fn of(table: &RoutingTable, assignments: &Assignments, cities: &CityTable) -> Self {
        let city_name = |key: &str| {
            cities
                .lookup(key)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| key.to_string())
        };
        let region_name = |key: &str| {
            cities
                .cities()
                .iter()
                .find(|c| normalise_place(&c.region) == key)
                .map(|c| c.region.clone())
                .unwrap_or_else(|| key.to_string())
        };
        NetworkRulesDraft {
            cities: table
                .city_rules()
                .map(|(c, d)| PlaceRuleDraft {
                    place: Some(city_name(c)),
                    dealer_id: Some(d.to_string()),
                })
                .collect(),
            regions: table
                .region_rules()
                .map(|(r, d)| PlaceRuleDraft {
                    place: Some(region_name(r)),
                    dealer_id: Some(d.to_string()),
                })
                .collect(),
            default_dealer_id: table.default_rule().map(ToString::to_string),
            assignments: assignments
                .entries()
                .map(|a| AssignmentDraft {
                    dealer_id: Some(a.dealer.to_string()),
                    direction: Some(a.direction.code().to_string()),
                    rep_id: Some(a.rep.to_string()),
                })
                .collect(),
        }
    }

    /// Checks every line, all problems at once: each rule names a dealer of the network
    /// and a place (a region from the reference table), no place twice; each assignment a
    /// dealer of the network, a direction and a regional representative, no dealer and
    /// direction twice.
    pub fn validate(
        &self,
        facts: NetworkFacts<'_>,
    ) -> Result<(RoutingTable, Assignments), NetworkRulesError> {
        let mut fields = Vec::new();
        let mut bad =
            |field: &'static str, message: String| fields.push(FieldError { field, message });
        let dealer = |raw: Option<&str>| -> Result<DealerId, String> {
            match raw {
                None => Err("выберите дилера".into()),
                Some(id) => {
                    let id = DealerId::new(id);
                    if facts.dealers.contains(&id) {
                        Ok(id)
                    } else {
                        Err(format!("дилера «{id}» нет в сети"))
                    }
                }
            }
        };
        let mut table = RoutingTable::new(facts.dealers.iter().cloned());
        let mut seen = BTreeSet::new();
        for rule in &self.cities {
            let (place, dealer_id) = (given(&rule.place), given(&rule.dealer_id));
            if place.is_none() && dealer_id.is_none() {
                continue;
            }
            let Some(city) = place else {
                bad("cities", "Правило по городу: укажите город.".into());
                continue;
            };
            if city.chars().count() > MAX_PLACE_CHARS {
                bad(
                    "cities",
                    format!("Название города — не длиннее {MAX_PLACE_CHARS} символов."),
                );
                continue;
            }
            if !seen.insert(normalise_place(city)) {
                bad("cities", format!("Город «{city}» указан дважды."));
                continue;
            }
            match dealer(dealer_id) {
                Ok(d) => table = table.city(city, d),
                Err(e) => bad("cities", format!("Город «{city}»: {e}.")),
            }
        }
        let regions: BTreeSet<String> = facts
            .cities
            .cities()
            .iter()
            .map(|c| normalise_place(&c.region))
            .collect();
        let mut seen = BTreeSet::new();
        for rule in &self.regions {
            let (place, dealer_id) = (given(&rule.place), given(&rule.dealer_id));
            if place.is_none() && dealer_id.is_none() {
                continue;
            }
            let Some(region) = place else {
                bad("regions", "Правило по региону: выберите регион.".into());
                continue;
            };
            let key = normalise_place(region);
            if !regions.contains(&key) {
                bad(
                    "regions",
                    format!("Региона «{region}» нет в справочнике регионов."),
                );
                continue;
            }
            if !seen.insert(key) {
                bad("regions", format!("Регион «{region}» указан дважды."));
                continue;
            }
            match dealer(dealer_id) {
                Ok(d) => table = table.region(region, d),
                Err(e) => bad("regions", format!("Регион «{region}»: {e}.")),
            }
        }
        if let Some(id) = given(&self.default_dealer_id) {
            match dealer(Some(id)) {
                Ok(d) => table = table.default_dealer(d),
                Err(e) => bad("default_dealer_id", format!("Дилер по умолчанию: {e}.")),
            }
        }
        let mut assignments = Assignments::new();
        let mut seen = BTreeSet::new();
        for line in &self.assignments {
            let Some(rep) = given(&line.rep_id) else {
                continue;
            };
            let dealer_id = match dealer(given(&line.dealer_id)) {
                Ok(d) => d,
                Err(e) => {
                    bad("assignments", format!("Закрепление: {e}."));
                    continue;
                }
            };
            let direction = given(&line.direction)
                .and_then(|code| Direction::ALL.iter().copied().find(|d| d.code() == code));
            let Some(direction) = direction else {
                bad(
                    "assignments",
                    format!(
                        "Закрепление дилера «{dealer_id}»: направление — sales, service или parts."
                    ),
                );
                continue;
            };
            let rep = UserId::new(rep);
            if !facts.reps.contains(&rep) {
                bad(
                    "assignments",
                    format!(
                        "Закрепление дилера «{dealer_id}» ({}): «{rep}» — не региональный представитель.",
                        direction.label()
                    ),
                );
                continue;
            }
            if !seen.insert((dealer_id.clone(), direction)) {
                bad(
                    "assignments",
                    format!(
                        "Направление «{}» дилера «{dealer_id}» закреплено дважды.",
                        direction.label()
                    ),
                );
                continue;
            }
            assignments = assignments.assign(dealer_id, direction, rep);
        }
        if fields.is_empty() {
            Ok((table, assignments))
        } else {
            Err(NetworkRulesError { fields })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::routing::{Origin, RoutedBy, route};

    fn d(id: &str) -> DealerId {
        DealerId::new(id)
    }

    fn rule(place: &str, dealer: &str) -> PlaceRuleDraft {
        PlaceRuleDraft {
            place: Some(place.into()),
            dealer_id: Some(dealer.into()),
        }
    }

    fn line(dealer: &str, direction: &str, rep: &str) -> AssignmentDraft {
        AssignmentDraft {
            dealer_id: Some(dealer.into()),
            direction: Some(direction.into()),
            rep_id: Some(rep.into()),
        }
    }

    fn check(draft: &NetworkRulesDraft) -> Result<(RoutingTable, Assignments), NetworkRulesError> {
        let dealers: BTreeSet<_> = [d("vostok"), d("moscow")].into_iter().collect();
        let reps: BTreeSet<_> = [UserId::new("rep1"), UserId::new("rep2")]
            .into_iter()
            .collect();
        draft.validate(NetworkFacts {
            dealers: &dealers,
            reps: &reps,
            cities: &CityTable::embedded(),
        })
    }

    #[test]
    fn the_head_offices_rules_route_leads_and_name_their_observers() {
        let draft = NetworkRulesDraft {
            cities: vec![rule("г. Владивосток", "vostok"), PlaceRuleDraft::default()],
            regions: vec![rule("Московская область", "moscow")],
            default_dealer_id: Some("moscow".into()),
            assignments: vec![
                line("vostok", "sales", "rep1"),
                line("vostok", "service", "rep2"),
                line("moscow", "parts", ""),
            ],
        };
        let (table, assignments) = check(&draft).unwrap();
        let cities = CityTable::embedded();
        let by = |city| {
            route(&Origin::BrandSite, None, Some(city), &cities, &table)
                .unwrap()
                .by
        };
        assert_eq!(by("Владивосток"), RoutedBy::City);
        assert_eq!(by("Королёв"), RoutedBy::Region);
        assert_eq!(by("Казань"), RoutedBy::Default);
        assert_eq!(
            assignments.observer(&d("vostok"), Direction::Service),
            Some(&UserId::new("rep2"))
        );
        assert_eq!(assignments.observer(&d("moscow"), Direction::Parts), None);
        // What the form shows again reads back to the same rules.
        let again = NetworkRulesDraft::of(&table, &assignments, &cities);
        assert_eq!(again.cities[0].place.as_deref(), Some("Владивосток"));
        assert_eq!(
            again.regions[0].place.as_deref(),
            Some("Московская область")
        );
        assert_eq!(check(&again).unwrap(), (table, assignments));
    }

    #[test]
    fn a_rule_naming_an_unknown_dealer_or_someone_who_is_not_a_representative_is_refused() {
        let draft = NetworkRulesDraft {
            cities: vec![
                rule("Владивосток", "nowhere"),
                rule("Москва", "moscow"),
                rule("москва", "vostok"),
                PlaceRuleDraft {
                    place: None,
                    dealer_id: Some("vostok".into()),
                },
            ],
            regions: vec![rule("Нарния", "vostok")],
            default_dealer_id: Some("ghost".into()),
            assignments: vec![
                line("vostok", "sales", "dealer4"),
                line("vostok", "marketing", "rep1"),
                line("ghost", "sales", "rep1"),
                line("moscow", "sales", "rep1"),
                line("moscow", "sales", "rep2"),
            ],
        };
        let e = check(&draft).unwrap_err();
        let fields: Vec<_> = e.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            [
                "cities",
                "cities",
                "cities",
                "regions",
                "default_dealer_id",
                "assignments",
                "assignments",
                "assignments",
                "assignments"
            ]
        );
        assert!(e.fields[0].message.contains("дилера «nowhere» нет в сети"));
        assert!(e.fields[1].message.contains("указан дважды"));
        assert!(
            e.fields[5]
                .message
                .contains("не региональный представитель")
        );
        assert_eq!(e.refusal().kind, RefusalKind::Invalid);
    }
}
