//! The reference table of Russian cities (`infra/reference/cities.csv`: city, region,
//! federal district): every regional centre and the larger cities, for routing by region and
//! reports by region and federal district.

use std::collections::BTreeMap;

/// The table compiled into the binary, so a Lambda needs no files.
const CITIES_CSV: &str = include_str!("../../../../infra/reference/cities.csv");

crate::coded_enum! {
    /// A federal district of Russia.
    pub enum FederalDistrict {
        Central = "central" / "Центральный федеральный округ",
        NorthWestern = "north_western" / "Северо-Западный федеральный округ",
        Southern = "southern" / "Южный федеральный округ",
        NorthCaucasian = "north_caucasian" / "Северо-Кавказский федеральный округ",
        Volga = "volga" / "Приволжский федеральный округ",
        Ural = "ural" / "Уральский федеральный округ",
        Siberian = "siberian" / "Сибирский федеральный округ",
        FarEastern = "far_eastern" / "Дальневосточный федеральный округ",
    }
}

/// One city of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct City {
    /// As written in the table («Орёл»).
    pub name: String,
    /// The federal subject («Орловская область»).
    pub region: String,
    pub district: FederalDistrict,
}

/// A line of the table that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cities.csv, line {line}: {reason}")]
pub struct CitiesError {
    pub line: usize,
    pub reason: String,
}

/// Cities by their folded name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityTable {
    cities: Vec<City>,
    index: BTreeMap<String, usize>,
}

/// Text as compared, never shown: lower case, «ё» as «е», runs of spaces as one, trimmed.
pub fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

/// A place name as compared: [`fold`], hyphen look-alikes as `-`, and a leading «г.» /
/// «город» dropped («г. Орёл» is «орел»).
pub fn normalise_place(text: &str) -> String {
    let folded = fold(&text.replace(['\u{2010}', '\u{2011}', '\u{2013}', '\u{2014}'], "-"));
    for prefix in ["город ", "г. ", "г.", "г "] {
        if let Some(rest) = folded.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    folded
}

impl CityTable {
    /// Reads the CSV: a `city,region,federal_district` header, then one city a line (the
    /// district by its Russian name or its code). Blank lines are skipped; a duplicate city
    /// or an unknown district is an error.
    pub fn parse(csv: &str) -> Result<CityTable, CitiesError> {
        let mut lines = csv.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
        match lines.next() {
            Some((_, "city,region,federal_district")) => {}
            _ => {
                return Err(CitiesError {
                    line: 1,
                    reason: "header is not city,region,federal_district".into(),
                });
            }
        }
        let mut table = CityTable {
            cities: Vec::new(),
            index: BTreeMap::new(),
        };
        for (line, text) in lines.filter(|(_, l)| !l.is_empty()) {
            let bad = |reason: &str| CitiesError {
                line,
                reason: reason.to_string(),
            };
            let cols: Vec<&str> = text.split(',').map(str::trim).collect();
            let [name, region, district] = cols[..] else {
                return Err(bad("expected three columns"));
            };
            if name.is_empty() || region.is_empty() {
                return Err(bad("empty city or region"));
            }
            let district = FederalDistrict::ALL
                .iter()
                .copied()
                .find(|d| d.label() == district || d.code() == district)
                .ok_or_else(|| bad("unknown federal district"))?;
            let key = normalise_place(name);
            if table.index.contains_key(&key) {
                return Err(bad("duplicate city"));
            }
            table.index.insert(key, table.cities.len());
            table.cities.push(City {
                name: name.to_string(),
                region: region.to_string(),
                district,
            });
        }
        Ok(table)
    }

    /// The table shipped in `infra/reference/cities.csv`.
    pub fn embedded() -> CityTable {
        // Compiled in and parsed by a test: a failure here is a bad build, not bad input.
        CityTable::parse(CITIES_CSV).expect("embedded cities.csv parses (checked by tests)")
    }

    /// A city by name, ignoring case, «ё»/«е», extra spaces and a «г.» prefix.
    pub fn lookup(&self, name: &str) -> Option<&City> {
        self.index
            .get(&normalise_place(name))
            .map(|&i| &self.cities[i])
    }

    /// Every city, in table order.
    pub fn cities(&self) -> &[City] {
        &self.cities
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The administrative centre of each of the 85 federal subjects.
    const REGIONAL_CENTRES: [&str; 85] = [
        "Белгород",
        "Брянск",
        "Владимир",
        "Воронеж",
        "Иваново",
        "Калуга",
        "Кострома",
        "Курск",
        "Липецк",
        "Москва",
        "Красногорск",
        "Орёл",
        "Рязань",
        "Смоленск",
        "Тамбов",
        "Тверь",
        "Тула",
        "Ярославль",
        "Санкт-Петербург",
        "Петрозаводск",
        "Сыктывкар",
        "Архангельск",
        "Нарьян-Мар",
        "Вологда",
        "Калининград",
        "Гатчина",
        "Мурманск",
        "Великий Новгород",
        "Псков",
        "Майкоп",
        "Элиста",
        "Симферополь",
        "Краснодар",
        "Астрахань",
        "Волгоград",
        "Ростов-на-Дону",
        "Севастополь",
        "Махачкала",
        "Магас",
        "Нальчик",
        "Черкесск",
        "Владикавказ",
        "Грозный",
        "Ставрополь",
        "Уфа",
        "Йошкар-Ола",
        "Саранск",
        "Казань",
        "Ижевск",
        "Чебоксары",
        "Пермь",
        "Киров",
        "Нижний Новгород",
        "Оренбург",
        "Пенза",
        "Самара",
        "Саратов",
        "Ульяновск",
        "Курган",
        "Екатеринбург",
        "Тюмень",
        "Челябинск",
        "Ханты-Мансийск",
        "Салехард",
        "Горно-Алтайск",
        "Кызыл",
        "Абакан",
        "Барнаул",
        "Красноярск",
        "Иркутск",
        "Кемерово",
        "Новосибирск",
        "Омск",
        "Томск",
        "Улан-Удэ",
        "Якутск",
        "Чита",
        "Петропавловск-Камчатский",
        "Владивосток",
        "Хабаровск",
        "Благовещенск",
        "Магадан",
        "Южно-Сахалинск",
        "Биробиджан",
        "Анадырь",
    ];

    #[test]
    fn every_regional_centre_is_in_the_table() {
        let table = CityTable::embedded();
        let missing: Vec<_> = REGIONAL_CENTRES
            .iter()
            .filter(|c| table.lookup(c).is_none())
            .collect();
        assert!(missing.is_empty(), "missing: {missing:?}");
        let regions: std::collections::BTreeSet<_> =
            table.cities().iter().map(|c| c.region.as_str()).collect();
        assert_eq!(regions.len(), 85);
        for district in FederalDistrict::ALL {
            assert!(
                table.cities().iter().any(|c| c.district == district),
                "{district}"
            );
        }
    }

    #[test]
    fn lookups_ignore_case_and_yo() {
        let table = CityTable::embedded();
        let orel = table.lookup("орел").unwrap();
        assert_eq!(orel.name, "Орёл");
        assert_eq!(orel.region, "Орловская область");
        assert_eq!(table.lookup("ОРЁЛ"), Some(orel));
        assert_eq!(table.lookup("г. Орёл"), Some(orel));
        assert_eq!(
            table.lookup("  королев ").unwrap().region,
            "Московская область"
        );
        assert_eq!(
            table.lookup("ростов–на–дону").unwrap().name,
            "Ростов-на-Дону"
        );
        let vl = table.lookup("Владивосток").unwrap();
        assert_eq!(vl.region, "Приморский край");
        assert_eq!(vl.district, FederalDistrict::FarEastern);
        for big in ["Москва", "Санкт-Петербург", "Краснодар", "Екатеринбург"]
        {
            assert!(table.lookup(big).is_some(), "{big}");
        }
        assert_eq!(table.lookup("Гондор"), None);
    }

    #[test]
    fn a_broken_table_names_its_line() {
        let e =
            CityTable::parse("city,region,federal_district\nОрёл,Орловская область\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = CityTable::parse("city,region,federal_district\nОрёл,Орловская область,Марс\n")
            .unwrap_err();
        assert_eq!(e.reason, "unknown federal district");
        let e = CityTable::parse(
            "city,region,federal_district\nОрёл,Орловская область,central\nОрел,Орловская область,central\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.reason.as_str()), (3, "duplicate city"));
        assert!(CityTable::parse("name,region\n").is_err());
    }
}
