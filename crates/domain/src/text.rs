//! Russian-aware text similarity: for the cost estimate's "similar work" (SPEC §2.5) and,
//! later, knowledge-base suggestions (SPEC §2.8).
//!
//! A text becomes [`Terms`]: lowercase words (ё read as е, split on anything that is not a
//! letter or a digit), minus a short list of Russian stop words and ticket pleasantries,
//! each reduced to its Snowball stem — Russian for Cyrillic words, English for Latin ones —
//! so «новость», «новости», «новостей» are one term. Two texts are compared by the cosine
//! of their term counts ([`similarity`]) or, inside a [`Corpus`], of TF-IDF weights, which
//! lets words that every ticket uses («сайт») count for less.
//!
//! Scores are `f64` in `0.0..=1.0`; they rank texts, they never touch money.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeMap, HashMap};

/// Words that carry no topic, separated by whitespace: Russian function words, the
/// pleasantries and request words every ticket has, and a few English ones for mixed
/// texts. Compared after lowercasing and ё → е.
const STOP_WORDS: &str = "
    а без более бы был была были было быть в вам вас ведь во вот все всего всех вы где да
    даже для до его ее ей ему если есть еще же за здесь и из или им их к как какая какой
    когда кто ли либо между меня мне мной мы на над надо нам нас не него нее нет ни них но
    ну о об однако он она они оно от очень по под после при про с сам свой свою со так
    также такой там то тогда того тоже только том тот ту тут у уже чем через что чтобы чье
    эта эти это этого этой этом этот эту я
    добрый день здравствуйте привет спасибо пожалуйста прошу просим просьба нужно
    необходимо можно помогите подскажите уважением
    the and or of to in on for is a an
";

/// Stems of words nearly every ticket of this platform uses, so they tell tickets apart no
/// better than stop words do: dropped after stemming, so every form of the word goes.
const COMMON_STEMS: &str = "сайт";

/// Whether `word` (lowercase, ё already read as е) is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.split_whitespace().any(|w| w == word)
}

/// The words of a text: lowercase, ё → е, split on anything that is not a letter or a
/// digit. Nothing is dropped or stemmed here.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'ё' { 'е' } else { c })
                .collect()
        })
        .collect()
}

/// The stems of a text's meaningful words, in order: tokens minus stop words and
/// one-character words, stemmed (Russian Snowball for Cyrillic, English for the rest),
/// minus the platform's everywhere-words («сайт», «сайта», «сайте», …).
pub fn stems(text: &str) -> Vec<String> {
    let russian = Stemmer::create(Algorithm::Russian);
    let english = Stemmer::create(Algorithm::English);
    tokens(text)
        .into_iter()
        .filter(|w| w.chars().count() > 1 && !is_stop_word(w))
        .map(|w| {
            let cyrillic = w.chars().any(|c| ('а'..='я').contains(&c));
            let stemmer = if cyrillic { &russian } else { &english };
            stemmer.stem(&w).into_owned()
        })
        .filter(|stem| !COMMON_STEMS.split_whitespace().any(|c| c == stem))
        .collect()
}

/// The stem of one word as [`stems`] makes it (the word already lowercase, ё read as е), or
/// `None` for a stop word, a one-character word or the platform's everywhere-words.
pub fn stem(word: &str) -> Option<String> {
    if word.chars().count() <= 1 || is_stop_word(word) {
        return None;
    }
    let cyrillic = word.chars().any(|c| ('а'..='я').contains(&c));
    let algorithm = if cyrillic {
        Algorithm::Russian
    } else {
        Algorithm::English
    };
    let stem = Stemmer::create(algorithm).stem(word).into_owned();
    (!COMMON_STEMS.split_whitespace().any(|c| c == stem)).then_some(stem)
}

/// A text as counts of its stems.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    counts: BTreeMap<String, u32>,
}

impl Terms {
    /// Counts the stems of `text`.
    pub fn of(text: &str) -> Terms {
        let mut counts = BTreeMap::new();
        for stem in stems(text) {
            *counts.entry(stem).or_insert(0) += 1;
        }
        Terms { counts }
    }

    /// How often `stem` occurs.
    pub fn count(&self, stem: &str) -> u32 {
        self.counts.get(stem).copied().unwrap_or(0)
    }

    /// The distinct stems, sorted.
    pub fn stems(&self) -> impl Iterator<Item = &str> {
        self.counts.keys().map(String::as_str)
    }

    /// Whether the text had no meaningful word.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn cosine(&self, other: &Terms, weight: impl Fn(&str) -> f64) -> f64 {
        let norm = |t: &Terms| {
            t.counts
                .iter()
                .map(|(s, &c)| (f64::from(c) * weight(s)).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let (na, nb) = (norm(self), norm(other));
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        let dot: f64 = self
            .counts
            .iter()
            .filter_map(|(s, &a)| {
                let b = other.count(s);
                (b > 0).then(|| f64::from(a) * f64::from(b) * weight(s).powi(2))
            })
            .sum();
        (dot / (na * nb)).clamp(0.0, 1.0)
    }
}

/// Cosine similarity of two texts' stem counts, `0.0..=1.0`: 1 for the same words in the
/// same proportions, 0 when they share no meaningful word.
pub fn similarity(a: &str, b: &str) -> f64 {
    Terms::of(a).cosine(&Terms::of(b), |_| 1.0)
}

/// A set of documents that tells how common each stem is, for TF-IDF similarity.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    documents: usize,
    document_frequency: HashMap<String, usize>,
}

impl Corpus {
    /// A corpus of the given documents.
    pub fn new<'a>(documents: impl IntoIterator<Item = &'a Terms>) -> Corpus {
        let mut corpus = Corpus::default();
        for doc in documents {
            corpus.add(doc);
        }
        corpus
    }

    /// Adds one document.
    pub fn add(&mut self, document: &Terms) {
        self.documents += 1;
        for stem in document.stems() {
            *self.document_frequency.entry(stem.to_string()).or_insert(0) += 1;
        }
    }

    /// How many documents the corpus holds.
    pub fn len(&self) -> usize {
        self.documents
    }

    /// Whether the corpus holds no document.
    pub fn is_empty(&self) -> bool {
        self.documents == 0
    }

    /// Smoothed inverse document frequency, `ln((1 + N) / (1 + df)) + 1`: never zero, so a
    /// word every document has still counts a little; a word no document has counts most.
    pub fn idf(&self, stem: &str) -> f64 {
        let df = self.document_frequency.get(stem).copied().unwrap_or(0);
        ((1.0 + self.documents as f64) / (1.0 + df as f64)).ln() + 1.0
    }

    /// Cosine similarity of two documents' TF-IDF vectors, `0.0..=1.0`.
    pub fn similarity(&self, a: &Terms, b: &Terms) -> f64 {
        a.cosine(b, |s| self.idf(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms_of_novost_share_a_stem() {
        let forms: Vec<_> = ["новость", "новости", "новостей"]
            .iter()
            .map(|w| stems(w))
            .collect();
        assert_eq!(forms[0].len(), 1);
        assert_eq!(forms[0], forms[1]);
        assert_eq!(forms[1], forms[2]);
    }

    #[test]
    fn tokens_are_lowercase_with_yo_read_as_ye() {
        assert_eq!(
            tokens("Ещё ОДНА новость: «Акция-2026»!"),
            vec!["еще", "одна", "новость", "акция", "2026"]
        );
    }

    #[test]
    fn stop_words_and_pleasantries_are_dropped() {
        assert_eq!(
            stems("Добрый день! Прошу вас, пожалуйста, и на это"),
            Vec::<String>::new()
        );
        assert!(Terms::of("Здравствуйте, спасибо").is_empty());
    }

    #[test]
    fn the_word_site_in_any_form_tells_nothing() {
        assert_eq!(stems("сайт сайта сайте сайтов"), Vec::<String>::new());
        assert_eq!(
            similarity(
                "Поправить баннер в шапке сайта",
                "Разместить новость на сайте"
            ),
            0.0
        );
    }

    #[test]
    fn english_words_are_stemmed_too() {
        assert_eq!(stems("redirects"), stems("redirect"));
    }

    #[test]
    fn a_text_is_fully_similar_to_itself_and_word_forms_do_not_matter() {
        let a = "Разместить новость об акции";
        assert!((similarity(a, a) - 1.0).abs() < 1e-9);
        let b = "Размещение новостей по акциям";
        assert!(similarity(a, b) > 0.3, "{}", similarity(a, b));
    }

    #[test]
    fn texts_without_common_words_score_zero() {
        assert_eq!(similarity("Разместить новость", "Настроить хостинг"), 0.0);
        assert_eq!(similarity("", "Настроить хостинг"), 0.0);
        assert_eq!(similarity("и в на", "и в на"), 0.0);
    }

    #[test]
    fn a_text_about_news_placement_ranks_above_one_about_hosting() {
        let query = "Прошу разместить новость о весенней акции на сайте";
        let news = "Размещение новостей об акциях дилера на сайте";
        let hosting = "Настройка хостинга и SSL-сертификата сайта";
        assert!(similarity(query, news) > similarity(query, hosting));

        let docs = [Terms::of(news), Terms::of(hosting)];
        let corpus = Corpus::new(&docs);
        let q = Terms::of(query);
        assert!(corpus.similarity(&q, &docs[0]) > corpus.similarity(&q, &docs[1]));
    }

    #[test]
    fn common_words_weigh_less_in_a_corpus() {
        let docs: Vec<Terms> = [
            "модуль хостинг",
            "модуль новость",
            "модуль баннер",
            "модуль форма",
        ]
        .iter()
        .map(|t| Terms::of(t))
        .collect();
        let corpus = Corpus::new(&docs);
        assert_eq!(corpus.len(), 4);
        assert!(corpus.idf(&stems("модуль")[0]) < corpus.idf(&stems("хостинг")[0]));
        let q = Terms::of("модуль новость");
        let plain = q.cosine(&docs[0], |_| 1.0);
        let weighted = corpus.similarity(&q, &docs[0]);
        assert!(weighted < plain, "{weighted} vs {plain}");
    }

    #[test]
    fn scores_stay_within_zero_and_one() {
        let texts = [
            "",
            "новость",
            "новость новость новость",
            "хостинг новость",
            "ssl",
        ];
        let docs: Vec<_> = texts.iter().map(|t| Terms::of(t)).collect();
        let corpus = Corpus::new(&docs);
        for a in &docs {
            for b in &docs {
                let s = corpus.similarity(a, b);
                assert!((0.0..=1.0).contains(&s), "{s}");
            }
        }
    }
}
