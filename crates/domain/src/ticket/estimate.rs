//! The cost estimate banner of SPEC §2.5 («Примерная оценка стоимости»): what similar paid
//! work of the same category and criticality cost over the last period. Informational
//! only; it never sets a price.

use crate::error::ValidationError;
use crate::kernel::FieldError;
use crate::text::{Corpus, Terms};
use crate::ticket::catalog::{Billing, Category, Criticality};
use crate::ticket::{TEXT_RULE, TITLE_RULE};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The default look-back period, days.
pub const DEFAULT_PERIOD_DAYS: u32 = 90;
/// The default least similarity for a completed ticket to count as similar work.
pub const DEFAULT_MIN_SIMILARITY: f64 = 0.1;
/// The default most similar tickets an estimate is built from.
pub const DEFAULT_MAX_SIMILAR: usize = 10;
/// The default fewest similar tickets an estimate is shown from. The similar work is every
/// dealer's, so with one or two tickets the banner would show another dealer's price.
pub const DEFAULT_MIN_SIMILAR: usize = 3;

/// How an estimate picks its similar work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimateSettings {
    /// Only tickets completed this many days before now, or later, count.
    pub period_days: u32,
    /// Only tickets whose text similarity (TF-IDF cosine, 0..=1) is above this count.
    pub min_similarity: f64,
    /// At most this many of the most similar tickets count.
    pub max_similar: usize,
    /// With fewer similar tickets than this there is no estimate at all.
    pub min_similar: usize,
}

impl Default for EstimateSettings {
    fn default() -> Self {
        EstimateSettings {
            period_days: DEFAULT_PERIOD_DAYS,
            min_similarity: DEFAULT_MIN_SIMILARITY,
            max_similar: DEFAULT_MAX_SIMILAR,
            min_similar: DEFAULT_MIN_SIMILAR,
        }
    }
}

/// A completed ticket, as the estimate sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Completed {
    pub category: Category,
    pub criticality: Criticality,
    pub billing: Billing,
    pub completed_at: DateTime<Utc>,
    /// Title and text together.
    pub text: String,
    /// The ticket's cost, ₽.
    pub cost: Decimal,
}

/// The banner's numbers: median and range of the similar work's costs, ₽.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub median: Decimal,
    pub low: Decimal,
    pub high: Decimal,
    /// How many tickets it is built from.
    pub count: usize,
    /// The look-back period, days.
    pub period_days: u32,
}

/// The estimate for a new ticket with the default settings (90 days, top 10 similar, at
/// least 3); `None` when there is not enough similar work.
pub fn estimate(
    new_text: &str,
    category: Category,
    criticality: Criticality,
    now: DateTime<Utc>,
    candidates: &[Completed],
) -> Option<Estimate> {
    estimate_with(
        &EstimateSettings::default(),
        new_text,
        category,
        criticality,
        now,
        candidates,
    )
}

/// [`estimate`] with explicit settings: `None` when fewer than `min_similar` tickets are
/// similar work.
pub fn estimate_with(
    settings: &EstimateSettings,
    new_text: &str,
    category: Category,
    criticality: Criticality,
    now: DateTime<Utc>,
    candidates: &[Completed],
) -> Option<Estimate> {
    let costs: Vec<Decimal> =
        similar_work(settings, new_text, category, criticality, now, candidates)
            .into_iter()
            .map(|(_, c)| c.cost)
            .collect();
    if costs.len() < settings.min_similar.max(1) {
        return None;
    }
    Some(Estimate {
        median: median(&costs)?,
        low: costs.iter().copied().min()?,
        high: costs.iter().copied().max()?,
        count: costs.len(),
        period_days: settings.period_days,
    })
}

/// The similar work an estimate is built from, most similar first (ties: the more recent
/// first), each with its similarity.
///
/// A candidate counts when it is paid with a positive cost, of the same category and
/// criticality, completed within `period_days` before `now` (not after it), and its text
/// is more similar than `min_similarity`. Similarity is TF-IDF cosine over a corpus of
/// those candidates and the new text, so words every such ticket uses weigh little.
pub fn similar_work<'a>(
    settings: &EstimateSettings,
    new_text: &str,
    category: Category,
    criticality: Criticality,
    now: DateTime<Utc>,
    candidates: &'a [Completed],
) -> Vec<(f64, &'a Completed)> {
    let since = now - Duration::days(i64::from(settings.period_days));
    let eligible: Vec<(&Completed, Terms)> = candidates
        .iter()
        .filter(|c| {
            c.billing == Billing::Paid
                && c.cost > Decimal::ZERO
                && c.category == category
                && c.criticality == criticality
                && c.completed_at >= since
                && c.completed_at <= now
        })
        .map(|c| (c, Terms::of(&c.text)))
        .collect();
    let query = Terms::of(new_text);
    let corpus = Corpus::new(eligible.iter().map(|(_, t)| t).chain([&query]));
    let mut ranked: Vec<(f64, &Completed)> = eligible
        .iter()
        .map(|(c, terms)| (corpus.similarity(&query, terms), *c))
        .filter(|(score, _)| *score > settings.min_similarity)
        .collect();
    ranked.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then_with(|| b.completed_at.cmp(&a.completed_at))
    });
    ranked.truncate(settings.max_similar);
    ranked
}

/// What the new-ticket form (or `GET /api/estimates`) asks an estimate for, unchecked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct EstimateDraft {
    pub category: Option<String>,
    pub criticality: Option<String>,
    /// Absent means the category's default billing class.
    pub billing: Option<String>,
    /// The ticket's title, if typed; it is part of the text the similar work is found by.
    pub title: Option<String>,
    pub text: Option<String>,
}

/// A checked estimate request: the work the estimate is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstimateRequest {
    pub category: Category,
    pub criticality: Criticality,
    pub billing: Billing,
    /// Title and text together, as for a filed ticket.
    pub text: String,
}

impl EstimateRequest {
    /// Whether the work is paid: free work has no estimate at all.
    pub fn is_paid(&self) -> bool {
        self.billing == Billing::Paid
    }
}

impl EstimateDraft {
    /// Checks every field with the new-ticket form's words and reports all problems at once.
    pub fn validate(&self) -> Result<EstimateRequest, ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let category = match self.category.as_deref() {
            None | Some("") => {
                errors.push(field("category", "Выберите категорию обращения."));
                None
            }
            Some(code) => Category::from_code(code).or_else(|| {
                errors.push(field("category", "Такой категории обращений нет."));
                None
            }),
        };
        let criticality = match self.criticality.as_deref() {
            None | Some("") => {
                errors.push(field("criticality", "Выберите критичность."));
                None
            }
            Some(code) => Criticality::from_code(code).or_else(|| {
                errors.push(field(
                    "criticality",
                    "Критичность может быть низкой, средней или высокой.",
                ));
                None
            }),
        };
        let billing = match self.billing.as_deref() {
            None | Some("") => category.map(Category::default_billing),
            Some(code) => Billing::from_code(code).or_else(|| {
                errors.push(field(
                    "billing",
                    "Тип обращения может быть «платно» или «бесплатно».",
                ));
                None
            }),
        };
        let title = TITLE_RULE
            .optional(self.title.as_deref())
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        let text = TEXT_RULE
            .required(self.text.as_deref())
            .unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            });
        match (category, criticality, billing) {
            (Some(category), Some(criticality), Some(billing)) if errors.is_empty() => {
                Ok(EstimateRequest {
                    category,
                    criticality,
                    billing,
                    text: match title {
                        Some(title) => format!("{title}\n{text}"),
                        None => text,
                    },
                })
            }
            _ => Err(ValidationError { errors }),
        }
    }
}

fn field(field: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        message: message.to_string(),
    }
}

/// The median of `values`; of an even count, the mean of the middle two. `None` when
/// empty.
pub fn median(values: &[Decimal]) -> Option<Decimal> {
    let mut sorted = values.to_vec();
    sorted.sort();
    let n = sorted.len();
    let mid = n / 2;
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[mid]),
        _ => Some(((sorted[mid - 1] + sorted[mid]) / Decimal::TWO).normalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn done(text: &str, days_ago: i64, cost: Decimal) -> Completed {
        Completed {
            category: Category::IndividualNews,
            criticality: Criticality::High,
            billing: Billing::Paid,
            completed_at: now() - Duration::days(days_ago),
            text: text.to_string(),
            cost,
        }
    }

    const NEW: &str = "Разместить новость о летней акции на сайте";

    /// With a single similar ticket enough, so each filter is seen on one ticket.
    fn est(candidates: &[Completed]) -> Option<Estimate> {
        let one_is_enough = EstimateSettings {
            min_similar: 1,
            ..EstimateSettings::default()
        };
        estimate_with(
            &one_is_enough,
            NEW,
            Category::IndividualNews,
            Criticality::High,
            now(),
            candidates,
        )
    }

    #[test]
    fn ranking_prefers_similar_text() {
        let candidates = [
            done("Поправить баннер в шапке сайта", 3, dec!(1200)),
            done("Разместить новость об акции", 10, dec!(590)),
            done("Размещение новостей о летних акциях", 20, dec!(700)),
        ];
        let ranked = similar_work(
            &EstimateSettings::default(),
            NEW,
            Category::IndividualNews,
            Criticality::High,
            now(),
            &candidates,
        );
        let texts: Vec<_> = ranked.iter().map(|(_, c)| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Разместить новость об акции",
                "Размещение новостей о летних акциях"
            ]
        );
        assert!(ranked[0].0 >= ranked[1].0);
        // Only the single most similar one when asked for one.
        let one = EstimateSettings {
            max_similar: 1,
            min_similar: 1,
            ..EstimateSettings::default()
        };
        let e = estimate_with(
            &one,
            NEW,
            Category::IndividualNews,
            Criticality::High,
            now(),
            &candidates,
        )
        .unwrap();
        assert_eq!((e.median, e.count), (dec!(590), 1));
    }

    #[test]
    fn the_estimate_gives_median_range_count_and_period() {
        let candidates = [
            done("Разместить новость", 1, dec!(590)),
            done("Разместить новость об акции", 2, dec!(1200)),
            done("Новость об акции на главной", 3, dec!(700)),
        ];
        assert_eq!(
            est(&candidates),
            Some(Estimate {
                median: dec!(700),
                low: dec!(590),
                high: dec!(1200),
                count: 3,
                period_days: 90,
            })
        );
    }

    #[test]
    fn work_older_than_90_days_is_ignored() {
        let candidates = [
            done("Разместить новость об акции", 90, dec!(590)),
            done("Разместить новость об акции", 91, dec!(5000)),
        ];
        let e = est(&candidates).unwrap();
        assert_eq!((e.count, e.high), (1, dec!(590)));
        assert_eq!(est(&candidates[1..]), None);
    }

    #[test]
    fn other_criticality_category_free_work_and_the_future_are_ignored() {
        let same = done("Разместить новость об акции", 5, dec!(590));
        let candidates = [
            Completed {
                criticality: Criticality::Low,
                ..same.clone()
            },
            Completed {
                category: Category::CustomContent,
                ..same.clone()
            },
            Completed {
                billing: Billing::Free,
                cost: Decimal::ZERO,
                ..same.clone()
            },
            Completed {
                completed_at: now() + Duration::days(1),
                ..same.clone()
            },
            Completed {
                cost: Decimal::ZERO,
                ..same.clone()
            },
        ];
        assert_eq!(est(&candidates), None);
        let mut with_one = candidates.to_vec();
        with_one.push(same);
        assert_eq!(est(&with_one).map(|e| e.count), Some(1));
    }

    #[test]
    fn one_or_two_similar_tickets_give_no_estimate_three_do() {
        let similar = [
            done("Разместить новость об акции", 1, dec!(590)),
            done("Разместить новость о летней акции", 2, dec!(1200)),
            done("Новость об акции на главной", 3, dec!(700)),
        ];
        let with_defaults =
            |c: &[Completed]| estimate(NEW, Category::IndividualNews, Criticality::High, now(), c);
        assert_eq!(with_defaults(&similar[..1]), None);
        assert_eq!(with_defaults(&similar[..2]), None);
        assert_eq!(with_defaults(&similar).map(|e| e.count), Some(3));
    }

    #[test]
    fn the_minimum_and_the_period_are_settings() {
        let similar = [
            done("Разместить новость об акции", 1, dec!(590)),
            done("Разместить новость о летней акции", 20, dec!(1200)),
            done("Новость об акции на главной", 40, dec!(700)),
        ];
        let settings = |period_days, min_similar| EstimateSettings {
            period_days,
            min_similar,
            ..EstimateSettings::default()
        };
        let with = |s: EstimateSettings| {
            estimate_with(
                &s,
                NEW,
                Category::IndividualNews,
                Criticality::High,
                now(),
                &similar,
            )
        };
        assert_eq!(with(settings(90, 4)), None);
        assert_eq!(with(settings(30, 3)), None, "the third is 40 days old");
        let e = with(settings(30, 2)).expect("two within 30 days");
        assert_eq!((e.count, e.period_days), (2, 30));
    }

    fn draft(category: &str, criticality: &str, text: &str) -> EstimateDraft {
        EstimateDraft {
            category: Some(category.into()),
            criticality: Some(criticality.into()),
            billing: None,
            title: None,
            text: Some(text.into()),
        }
    }

    #[test]
    fn an_estimate_request_is_checked_like_the_new_ticket_form() {
        let ok = EstimateDraft {
            title: Some("Новость".into()),
            ..draft("individual_news", "high", "  Разместить новость  ")
        }
        .validate()
        .unwrap();
        assert_eq!(
            ok,
            EstimateRequest {
                category: Category::IndividualNews,
                criticality: Criticality::High,
                billing: Billing::Paid,
                text: "Новость\nРазместить новость".into(),
            }
        );
        assert!(ok.is_paid());
        let free = draft("consultation", "low", "Как добавить новость?")
            .validate()
            .unwrap();
        assert!(!free.is_paid(), "the category's default billing");

        let fields = |d: EstimateDraft| -> Vec<&'static str> {
            d.validate()
                .unwrap_err()
                .errors
                .iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(EstimateDraft::default()),
            vec!["category", "criticality", "text"]
        );
        assert_eq!(
            fields(draft("gardening", "urgent", "Текст")),
            vec!["category", "criticality"]
        );
        assert_eq!(
            fields(EstimateDraft {
                billing: Some("maybe".into()),
                ..draft("individual_news", "high", "Текст")
            }),
            vec!["billing"]
        );
        assert_eq!(
            fields(draft("individual_news", "high", &"я".repeat(20_001))),
            vec!["text"]
        );
        let e = draft("individual_news", "high", " ")
            .validate()
            .unwrap_err();
        assert_eq!(e.errors[0].message, "Опишите, что нужно сделать.");
    }

    #[test]
    fn nothing_completed_gives_no_estimate() {
        assert_eq!(est(&[]), None);
    }

    #[test]
    fn nothing_similar_gives_no_estimate() {
        let candidates = [done("Настроить хостинг и SSL-сертификат", 5, dec!(3500))];
        assert_eq!(est(&candidates), None);
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(
            median(&[dec!(700), dec!(590), dec!(1200), dec!(600)]),
            Some(dec!(650))
        );
        assert_eq!(median(&[dec!(590), dec!(595)]), Some(dec!(592.5)));
        assert_eq!(median(&[dec!(590)]), Some(dec!(590)));
        assert_eq!(median(&[dec!(3), dec!(1), dec!(2)]), Some(dec!(2)));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn the_estimate_serialises_money_as_decimal_strings() {
        let e = Estimate {
            median: dec!(592.5),
            low: dec!(590),
            high: dec!(595),
            count: 2,
            period_days: 90,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"median":"592.5","low":"590","high":"595","count":2,"period_days":90}"#
        );
    }
}
