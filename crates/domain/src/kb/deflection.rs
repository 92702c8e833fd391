//! Deflection (SPEC §2.8): how often a suggested article answered the dealer's question,
//! so the ticket was never filed.
//!
//! The portal records two events per new-ticket form (its random `draft` id): the dealer
//! **opened** a suggested article (through the suggestion's link), and a ticket was
//! **filed** from a form in which a suggestion had been opened. A form in which an
//! article was opened is
//! - **deflected** when no ticket was filed from it and [`ABANDON_AFTER_MINUTES`] have passed
//!   since the last article was opened from it (the dealer read and left);
//! - **not deflected** when a ticket was filed from it (the article did not answer);
//! - **pending** until then.
//!
//! The rate is deflected ÷ decided forms, per dealer and per article (a form counts for
//! every article opened from it). Forms in which nothing was opened are not counted: the
//! rate says what opening a suggestion does.

use crate::DealerId;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// A form with an opened article and no ticket this long after is abandoned: deflected.
pub const ABANDON_AFTER_MINUTES: i64 = 30;

/// What a deflection event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestEventKind {
    /// The dealer opened a suggested article from the new-ticket form.
    Opened,
    /// A ticket was filed from a form in which a suggestion had been opened.
    Filed,
}

impl SuggestEventKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            SuggestEventKind::Opened => "opened",
            SuggestEventKind::Filed => "filed",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<SuggestEventKind> {
        match code {
            "opened" => Some(SuggestEventKind::Opened),
            "filed" => Some(SuggestEventKind::Filed),
            _ => None,
        }
    }
}

/// One deflection event of one new-ticket form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestEvent {
    pub at: DateTime<Utc>,
    pub kind: SuggestEventKind,
    pub dealer: DealerId,
    /// The form's random id.
    pub draft: String,
    /// The opened article's slug (for `Opened`).
    pub slug: Option<String>,
}

/// Forms counted for one dealer, one article, or all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deflection {
    /// Forms abandoned after an article was opened.
    pub deflected: u32,
    /// Forms from which a ticket was filed anyway.
    pub filed: u32,
    /// Forms still within [`ABANDON_AFTER_MINUTES`].
    pub pending: u32,
}

impl Deflection {
    /// Deflected ÷ decided, in percent; `None` before any form is decided.
    pub fn rate_percent(&self) -> Option<f64> {
        let decided = self.deflected + self.filed;
        (decided > 0).then(|| f64::from(self.deflected) * 100.0 / f64::from(decided))
    }

    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Deflected => self.deflected += 1,
            Outcome::Filed => self.filed += 1,
            Outcome::Pending => self.pending += 1,
        }
    }
}

#[derive(Clone, Copy)]
enum Outcome {
    Deflected,
    Filed,
    Pending,
}

/// The deflection of every form, all together, per dealer and per article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeflectionReport {
    pub overall: Deflection,
    pub by_dealer: BTreeMap<DealerId, Deflection>,
    pub by_article: BTreeMap<String, Deflection>,
}

/// Counts `events` as of `now`.
pub fn deflection(events: &[SuggestEvent], now: DateTime<Utc>) -> DeflectionReport {
    struct Form<'a> {
        dealer: &'a DealerId,
        last_open: Option<DateTime<Utc>>,
        filed: bool,
        articles: BTreeSet<&'a str>,
    }
    let mut forms: BTreeMap<&str, Form> = BTreeMap::new();
    for e in events {
        let form = forms.entry(&e.draft).or_insert(Form {
            dealer: &e.dealer,
            last_open: None,
            filed: false,
            articles: BTreeSet::new(),
        });
        match e.kind {
            SuggestEventKind::Opened => {
                form.last_open = form.last_open.max(Some(e.at));
                form.articles.extend(e.slug.as_deref());
            }
            SuggestEventKind::Filed => form.filed = true,
        }
    }
    let mut report = DeflectionReport::default();
    for form in forms.values() {
        let Some(last_open) = form.last_open else {
            continue;
        };
        let outcome = if form.filed {
            Outcome::Filed
        } else if now - last_open >= Duration::minutes(ABANDON_AFTER_MINUTES) {
            Outcome::Deflected
        } else {
            Outcome::Pending
        };
        report.overall.add(outcome);
        report
            .by_dealer
            .entry(form.dealer.clone())
            .or_default()
            .add(outcome);
        for slug in &form.articles {
            report
                .by_article
                .entry(slug.to_string())
                .or_default()
                .add(outcome);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, minute, 0).unwrap()
    }

    fn opened(draft: &str, dealer: &str, slug: &str, minute: u32) -> SuggestEvent {
        SuggestEvent {
            at: at(minute),
            kind: SuggestEventKind::Opened,
            dealer: DealerId::new(dealer),
            draft: draft.into(),
            slug: Some(slug.into()),
        }
    }

    fn filed(draft: &str, dealer: &str, minute: u32) -> SuggestEvent {
        SuggestEvent {
            at: at(minute),
            kind: SuggestEventKind::Filed,
            dealer: DealerId::new(dealer),
            draft: draft.into(),
            slug: None,
        }
    }

    #[test]
    fn a_form_left_half_an_hour_after_an_opened_article_is_deflected() {
        let events = [opened("f1", "dealer-1", "redirekty", 0)];
        let report = deflection(&events, at(29));
        assert_eq!(report.overall.pending, 1);
        assert_eq!(report.overall.rate_percent(), None);
        let report = deflection(&events, at(30));
        assert_eq!(report.overall.deflected, 1);
        assert_eq!(report.overall.rate_percent(), Some(100.0));
    }

    #[test]
    fn a_ticket_filed_after_reading_is_not_deflected() {
        let events = [
            opened("f1", "dealer-1", "redirekty", 0),
            filed("f1", "dealer-1", 5),
        ];
        let report = deflection(&events, at(59));
        assert_eq!(report.overall.filed, 1);
        assert_eq!(report.overall.rate_percent(), Some(0.0));
    }

    #[test]
    fn rates_per_dealer_and_per_article() {
        let events = [
            opened("f1", "dealer-1", "redirekty", 0),
            opened("f2", "dealer-1", "redirekty", 1),
            opened("f2", "dealer-1", "meta-tegi", 2),
            filed("f2", "dealer-1", 3),
            opened("f3", "dealer-2", "meta-tegi", 4),
            // A ticket from a form where nothing was opened does not count.
            filed("f4", "dealer-2", 5),
        ];
        let report = deflection(&events, at(50));
        assert_eq!(
            report.by_dealer[&DealerId::new("dealer-1")].rate_percent(),
            Some(50.0)
        );
        assert_eq!(
            report.by_dealer[&DealerId::new("dealer-2")].rate_percent(),
            Some(100.0)
        );
        assert_eq!(report.by_article["redirekty"].deflected, 1);
        assert_eq!(report.by_article["redirekty"].filed, 1);
        assert_eq!(report.by_article["meta-tegi"].rate_percent(), Some(50.0));
        assert_eq!(report.overall.deflected + report.overall.filed, 3);
    }
}
