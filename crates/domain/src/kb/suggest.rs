//! Article suggestions while a dealer types a ticket (SPEC §2.8).
//!
//! An [`Index`] is built once from the published articles ([`Document`]s) — at publish time,
//! never per request — and is serialisable, so the app stores it and every instance loads it.
//! A query is a ticket's text; the answer is the best few articles with a snippet in which
//! the matched words are marked.
//!
//! - **Russian morphology**: words are compared by their Snowball stems (`crate::text`), so
//!   «новость», «новости», «новостей» match; «ё» is read as «е».
//! - **Small typos**: a query word whose stem no article has is compared with every word of
//!   the articles of about its length; a word of 5–7 letters may be one edit away (a letter
//!   added, dropped, replaced, or two neighbours swapped), a longer word two; the first
//!   letter must be right. Such a match counts for [`TYPO_WEIGHT`] of an exact one.
//! - **Ranking**: BM25F — a term's frequency in the title, tags, summary and body, each field
//!   weighted ([`FIELD_WEIGHTS`]: the title and tags count most) and normalised by the
//!   field's length, saturated by `k1`, times the term's inverse document frequency; then a
//!   bonus for a word in the title or the tags ([`TITLE_BOOST`], [`TAG_BOOST`]) added after the
//!   saturation, and a small bonus for covering more of the query's distinct words.
//!
//! Pure: no I/O, no clock.

use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse};
use crate::text::{stem, tokens};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

/// The longest query the suggestions take, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// A query with fewer letters and digits than this gets no suggestions (the dealer has only
/// started typing).
pub const MIN_QUERY_LETTERS: usize = 3;
/// How many suggestions the form shows.
pub const DEFAULT_SUGGESTIONS: usize = 5;
/// What a typo match counts for, against an exact one.
pub const TYPO_WEIGHT: f32 = 0.6;
/// Field weights of BM25F: title, tags, summary, body.
pub const FIELD_WEIGHTS: [f32; 4] = [3.0, 3.0, 1.5, 1.0];
/// What a query word in an article's title adds, beyond its saturated frequency: BM25
/// saturates, so a title weight inside the frequency alone is lost in a long article.
pub const TITLE_BOOST: f32 = 1.0;
/// What a query word among an article's tags adds.
pub const TAG_BOOST: f32 = 0.6;
/// Stems of the words a ticket uses to ask, whatever it asks about («сделать», «сделайте»,
/// «подскажите», «хотим», «можете», «вопрос»): left out of a query, so an article that
/// happens to say «сделать» does not outrank the one about the question.
const QUERY_NOISE: &str = "сдела подскаж помог помоч хотел хот хотим хоч может можн могл вопрос";
/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation per field: title, tags, summary, body.
const B: [f32; 4] = [0.3, 0.3, 0.5, 0.75];
/// A suggestion scoring under this share of the best one is noise, not a suggestion.
const RELATIVE_FLOOR: f32 = 0.2;
/// The snippet's length, in characters, about.
const SNIPPET_CHARS: usize = 180;

/// One article as the suggestions see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub slug: String,
    pub title: String,
    pub section: String,
    pub tags: Vec<String>,
    pub summary: String,
    /// The article's body as plain text (Markdown taken out).
    pub text: String,
}

/// Why an article's Markdown could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the article has no front matter between --- lines")]
    NoFrontMatter,
    #[error("the front matter has no {0}")]
    Missing(&'static str),
}

impl Document {
    /// Reads an article of `site/content`: YAML front matter (`title`, `slug`, `section`,
    /// `tags`, `summary` — one line each) between `---` lines, then a Markdown body. Only
    /// the flat one-line keys the seed articles use are read; this is the suggestions' own
    /// small loader, not a YAML parser.
    pub fn from_markdown(markdown: &str) -> Result<Document, DocumentError> {
        let rest = markdown
            .trim_start_matches('\u{feff}')
            .strip_prefix("---")
            .ok_or(DocumentError::NoFrontMatter)?;
        let end = rest.find("\n---").ok_or(DocumentError::NoFrontMatter)?;
        let (front, body) = (&rest[..end], &rest[end + 4..]);
        let mut fields: HashMap<&str, &str> = HashMap::new();
        for line in front.lines() {
            if let Some((key, value)) = line.split_once(':')
                && !key.starts_with(' ')
            {
                fields.insert(key.trim(), value.trim());
            }
        }
        let field = |name: &'static str| {
            fields
                .get(name)
                .map(|v| unquote(v))
                .filter(|v| !v.is_empty())
                .ok_or(DocumentError::Missing(name))
        };
        let tags = fields
            .get("tags")
            .map(|v| {
                v.trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .map(unquote)
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Document {
            slug: field("slug")?,
            title: field("title")?,
            section: field("section")?,
            tags,
            summary: field("summary").unwrap_or_default(),
            text: plain_text(body.split_once('\n').map_or("", |(_, b)| b)),
        })
    }
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(v);
    v.replace("\\\"", "\"")
}

/// Markdown as plain text: headings, emphasis, code marks, list and quote markers, table
/// bars and link targets out; one line per paragraph, heading, list item or table row.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.lines() {
        let mut l = line.trim();
        if l.is_empty() || l.chars().all(|c| matches!(c, '-' | '|' | ':' | ' ' | '=')) {
            continue;
        }
        l = l.trim_start_matches('#').trim_start_matches('>').trim();
        if let Some(rest) = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")) {
            l = rest;
        } else if let Some((n, rest)) = l.split_once(". ")
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
        {
            l = rest;
        }
        let mut text = String::with_capacity(l.len());
        let mut chars = l.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' | '`' | '_' if c != '_' || chars.peek() == Some(&'_') => {}
                '|' => text.push_str(" · "),
                ']' if chars.peek() == Some(&'(') => {
                    // The link's target is not text.
                    for t in chars.by_ref() {
                        if t == ')' {
                            break;
                        }
                    }
                }
                '[' => {}
                _ => text.push(c),
            }
        }
        let text = text.trim().trim_matches('·').trim();
        if !text.is_empty() {
            out.push_str(text);
            out.push('\n');
        }
    }
    out
}

/// A refused query.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SuggestError {
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
}

impl Refuse for SuggestError {
    fn refusal(&self) -> Refusal {
        match self {
            SuggestError::TooLong => {
                let message =
                    format!("Текст для подсказок — не длиннее {MAX_QUERY_CHARS} символов.");
                Refusal::new(RefusalKind::Invalid, "validation_failed", message.clone())
                    .with_fields(vec![FieldError {
                        field: "q",
                        message,
                    }])
            }
        }
    }
}

/// Reads a query: `None` when it is too short to suggest anything (fewer than
/// [`MIN_QUERY_LETTERS`] letters or digits), refused over [`MAX_QUERY_CHARS`].
pub fn read_query(q: &str) -> Result<Option<&str>, SuggestError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(SuggestError::TooLong);
    }
    let letters = q.chars().filter(|c| c.is_alphanumeric()).count();
    Ok((letters >= MIN_QUERY_LETTERS).then_some(q.trim()))
}

/// One piece of a snippet: text, matched (a query word) or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetPart {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mark: bool,
}

/// One suggested article.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    pub slug: String,
    pub title: String,
    pub section: String,
    /// The article's page: `<base><section>/<slug>/`.
    pub url: String,
    /// A passage of the article around the query's words, the matched words marked.
    pub snippet: Vec<SnippetPart>,
    /// The ranking score (only to order; not comparable between queries).
    pub score: f32,
}

/// One article's stored part: what a suggestion shows.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Entry {
    slug: String,
    title: String,
    section: String,
    summary: String,
    /// The summary and the body's lines: the snippet's candidates.
    lines: Vec<String>,
}

/// The suggestions' search index: built from the articles at publish time, stored, loaded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Index {
    entries: Vec<Entry>,
    /// stem → one row per article that has it: (entry, BM25F pseudo-frequency, heading
    /// weight — [`TITLE_BOOST`] when the title has it plus [`TAG_BOOST`] when a tag has).
    postings: HashMap<String, Vec<(u32, f32, f32)>>,
    /// Every distinct word of the articles (ё as е) → its stem: what typos are matched on.
    words: BTreeMap<String, String>,
}

/// A query word as matched: its stem and how much the match counts.
#[derive(Debug)]
struct Matched {
    stem: String,
    weight: f32,
}

impl Index {
    /// Builds the index of `documents`.
    pub fn build(documents: &[Document]) -> Index {
        let mut field_terms: Vec<[HashMap<String, f32>; 4]> = Vec::new();
        let mut lengths: Vec<[f32; 4]> = Vec::new();
        let mut words = BTreeMap::new();
        for doc in documents {
            let fields = [
                doc.title.clone(),
                doc.tags.join(" , "),
                doc.summary.clone(),
                doc.text.clone(),
            ];
            let mut terms: [HashMap<String, f32>; 4] = Default::default();
            let mut len = [0.0f32; 4];
            for (f, text) in fields.iter().enumerate() {
                for word in tokens(text) {
                    if let Some(s) = stem(&word) {
                        *terms[f].entry(s.clone()).or_insert(0.0) += 1.0;
                        len[f] += 1.0;
                        words.entry(word).or_insert(s);
                    }
                }
            }
            field_terms.push(terms);
            lengths.push(len);
        }
        let n = documents.len().max(1) as f32;
        let avg: Vec<f32> = (0..4)
            .map(|f| (lengths.iter().map(|l| l[f]).sum::<f32>() / n).max(1.0))
            .collect();
        let mut postings: HashMap<String, Vec<(u32, f32, f32)>> = HashMap::new();
        for (d, terms) in field_terms.iter().enumerate() {
            let mut pseudo: HashMap<&str, f32> = HashMap::new();
            for f in 0..4 {
                let norm = 1.0 - B[f] + B[f] * lengths[d][f] / avg[f];
                for (s, tf) in &terms[f] {
                    *pseudo.entry(s).or_insert(0.0) += FIELD_WEIGHTS[f] * tf / norm;
                }
            }
            for (s, tf) in pseudo {
                let head = if terms[0].contains_key(s) {
                    TITLE_BOOST
                } else {
                    0.0
                } + if terms[1].contains_key(s) {
                    TAG_BOOST
                } else {
                    0.0
                };
                postings
                    .entry(s.to_string())
                    .or_default()
                    .push((d as u32, tf, head));
            }
        }
        let entries = documents
            .iter()
            .map(|doc| Entry {
                slug: doc.slug.clone(),
                title: doc.title.clone(),
                section: doc.section.clone(),
                summary: doc.summary.clone(),
                lines: std::iter::once(doc.summary.clone())
                    .chain(doc.text.lines().flat_map(sentences))
                    .filter(|l| !l.trim().is_empty())
                    .collect(),
            })
            .collect();
        Index {
            entries,
            postings,
            words,
        }
    }

    /// How many articles the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no article.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The page of the article `slug` under `base`, if the index has it.
    pub fn url_of(&self, slug: &str, base: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|e| e.slug == slug)
            .map(|e| format!("{base}{}/{}/", e.section, e.slug))
    }

    /// The title of the article `slug`, if the index has it.
    pub fn title_of(&self, slug: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.slug == slug)
            .map(|e| e.title.as_str())
    }

    fn idf(&self, stem: &str) -> f32 {
        let n = self.entries.len() as f32;
        let df = self.postings.get(stem).map_or(0, Vec::len) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The query's distinct words as the index knows them: exact stems, or for an unknown
    /// word the stems of the articles' words a typo away.
    fn match_query(&self, query: &str) -> Vec<Matched> {
        let mut seen = HashSet::new();
        let mut out: Vec<Matched> = Vec::new();
        for word in tokens(query) {
            let Some(s) = stem(&word) else { continue };
            if QUERY_NOISE.split_whitespace().any(|n| n == s) || !seen.insert(s.clone()) {
                continue;
            }
            if self.postings.contains_key(&s) {
                out.push(Matched {
                    stem: s,
                    weight: 1.0,
                });
                continue;
            }
            let len = word.chars().count();
            let max = match len {
                0..=4 => continue,
                5..=7 => 1,
                _ => 2,
            };
            let query_chars: Vec<char> = word.chars().collect();
            let mut best: HashMap<&str, usize> = HashMap::new();
            // Candidates share the first letter (typos there are rare, and the vocabulary is
            // sorted, so they are one range: a scan of a few hundred words, not all).
            let first = query_chars[0];
            let range = self
                .words
                .range::<str, _>((
                    Bound::Included(first.to_string().as_str()),
                    Bound::Unbounded,
                ))
                .take_while(|(w, _)| w.starts_with(first));
            for (candidate, candidate_stem) in range {
                let clen = candidate.chars().count();
                if clen.abs_diff(len) > max {
                    continue;
                }
                let cand: Vec<char> = candidate.chars().collect();
                if let Some(d) = edit_distance(&query_chars, &cand, max) {
                    let e = best.entry(candidate_stem).or_insert(d);
                    *e = (*e).min(d);
                }
            }
            // Only the closest candidates: a typo is one word, not every word near it.
            let Some(&closest) = best.values().min() else {
                continue;
            };
            for (candidate_stem, d) in best {
                if d == closest && seen.insert(candidate_stem.to_string()) {
                    out.push(Matched {
                        stem: candidate_stem.to_string(),
                        weight: TYPO_WEIGHT,
                    });
                }
            }
        }
        out
    }

    /// The best `n` articles for a ticket's text, best first, each with its page under
    /// `base` (e.g. `/kb/`) and a snippet. Empty when nothing matches.
    pub fn suggest(&self, query: &str, n: usize, base: &str) -> Vec<Suggestion> {
        let matched = self.match_query(query);
        if matched.is_empty() {
            return Vec::new();
        }
        let mut scores: HashMap<u32, (f32, f32)> = HashMap::new();
        let total_weight: f32 = matched.iter().map(|m| m.weight * self.idf(&m.stem)).sum();
        for m in &matched {
            let idf = self.idf(&m.stem);
            for &(doc, tf, head) in self.postings.get(&m.stem).into_iter().flatten() {
                let score = m.weight * idf * (tf * (K1 + 1.0) / (tf + K1) + head);
                let e = scores.entry(doc).or_insert((0.0, 0.0));
                e.0 += score;
                e.1 += m.weight * idf;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores
            .into_iter()
            .map(|(doc, (score, covered))| {
                let coverage = if total_weight > 0.0 {
                    covered / total_weight
                } else {
                    0.0
                };
                (doc, score * (1.0 + 0.5 * coverage))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = ranked.first().map_or(0.0, |r| r.1);
        let stems: HashSet<&str> = matched.iter().map(|m| m.stem.as_str()).collect();
        ranked
            .into_iter()
            .take_while(|r| r.1 >= top * RELATIVE_FLOOR)
            .take(n)
            .map(|(doc, score)| {
                let e = &self.entries[doc as usize];
                Suggestion {
                    slug: e.slug.clone(),
                    title: e.title.clone(),
                    section: e.section.clone(),
                    url: format!("{base}{}/{}/", e.section, e.slug),
                    snippet: self.snippet(e, &stems),
                    score,
                }
            })
            .collect()
    }

    /// The line of the article with the most (rarest) query words, cut to about
    /// [`SNIPPET_CHARS`] around its first match, the matched words marked; the summary
    /// when no line matches.
    fn snippet(&self, entry: &Entry, stems: &HashSet<&str>) -> Vec<SnippetPart> {
        let weight_of = |line: &str| -> f32 {
            let mut seen = HashSet::new();
            tokens(line)
                .iter()
                .filter_map(|w| self.words.get(w))
                .filter(|s| stems.contains(s.as_str()) && seen.insert(s.as_str()))
                .map(|s| self.idf(s))
                .sum()
        };
        let best = entry
            .lines
            .iter()
            .map(|l| (weight_of(l), l))
            .filter(|(w, _)| *w > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(entry.summary.as_str(), |(_, l)| l.as_str());
        mark(best, stems, &self.words)
    }
}

/// Splits a line into sentences (after `.`, `!`, `?` followed by a space).
fn sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '!' | '?') && chars.peek() == Some(&' ') && current.len() > 40 {
            out.push(current.trim().to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// `line` cut to about [`SNIPPET_CHARS`] around its first matched word, in parts with the
/// words whose stem (by the index's `words_of`) is in `stems` marked.
fn mark(
    line: &str,
    stems: &HashSet<&str>,
    words_of: &BTreeMap<String, String>,
) -> Vec<SnippetPart> {
    // Words with their char ranges.
    let chars: Vec<char> = line.chars().collect();
    let mut words: Vec<(usize, usize, bool)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let hit = tokens(&word)
                .first()
                .and_then(|w| words_of.get(w))
                .is_some_and(|s| stems.contains(s.as_str()));
            words.push((start, i, hit));
        } else {
            i += 1;
        }
    }
    let first_hit = words.iter().find(|w| w.2).map_or(0, |w| w.0);
    let (mut from, mut to) = (0, chars.len());
    if chars.len() > SNIPPET_CHARS {
        from = first_hit.saturating_sub(SNIPPET_CHARS / 3);
        // Start and end on word boundaries.
        if from > 0 {
            from = words.iter().map(|w| w.0).find(|&s| s >= from).unwrap_or(0);
        }
        to = (from + SNIPPET_CHARS).min(chars.len());
        if to < chars.len() {
            to = words
                .iter()
                .map(|w| w.1)
                .filter(|&e| e <= to && e > from)
                .max()
                .unwrap_or(to);
        }
    }
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |text: String, mark: bool| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(&text),
            _ => parts.push(SnippetPart { text, mark }),
        }
    };
    if from > 0 {
        push("…".to_string(), false);
    }
    let mut at = from;
    for &(s, e, hit) in words.iter().filter(|w| w.0 >= from && w.1 <= to) {
        if hit {
            push(chars[at..s].iter().collect(), false);
            push(chars[s..e].iter().collect(), true);
            at = e;
        }
    }
    push(chars[at..to].iter().collect(), false);
    if to < chars.len() {
        push("…".to_string(), false);
    }
    parts
}

/// The optimal-string-alignment distance of `a` and `b` (insertions, deletions,
/// substitutions, adjacent transpositions), or `None` when it exceeds `max`.
pub fn edit_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= max).then_some(prev[m])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(slug: &str, title: &str, tags: &[&str], summary: &str, text: &str) -> Document {
        Document {
            slug: slug.into(),
            title: title.into(),
            section: "rabota-s-saitom".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            summary: summary.into(),
            text: text.into(),
        }
    }

    fn index() -> Index {
        Index::build(&[
            doc(
                "razmeshchenie-novosti",
                "Как разместить новость",
                &["новости", "контент"],
                "Новость дилер размещает сам в панели управления.",
                "Откройте раздел новостей. Добавьте заголовок, текст и картинку.\nОпубликуйте.",
            ),
            doc(
                "redirekty",
                "Редиректы 301",
                &["редирект", "перенаправление"],
                "Когда нужен редирект и как его настроить.",
                "Перенаправление со старого адреса на новый. Ошибка 404 пропадёт.",
            ),
            doc(
                "schetchiki",
                "Счётчики и скрипты",
                &["метрика", "счетчик"],
                "Куда вставлять код счётчика.",
                "Код счётчика вставляется только в отведённое место, не на произвольные страницы.",
            ),
        ])
    }

    fn slugs(found: &[Suggestion]) -> Vec<&str> {
        found.iter().map(|s| s.slug.as_str()).collect()
    }

    #[test]
    fn novost_novosti_novostei_find_the_news_article() {
        let index = index();
        for q in ["новость", "новости", "новостей", "добавить новостей"]
        {
            let found = index.suggest(q, 3, "/kb/");
            assert_eq!(slugs(&found)[0], "razmeshchenie-novosti", "{q}");
        }
    }

    #[test]
    fn yo_and_ye_are_one_letter() {
        let index = index();
        assert_eq!(slugs(&index.suggest("счетчик", 3, "/kb/"))[0], "schetchiki");
        assert_eq!(slugs(&index.suggest("СЧЁТЧИК", 3, "/kb/"))[0], "schetchiki");
    }

    #[test]
    fn a_small_typo_still_finds_the_article() {
        let index = index();
        // One letter swapped, one dropped, one wrong.
        for q in ["ридирект", "перенаправлене", "новотсей"] {
            let found = index.suggest(q, 3, "/kb/");
            assert!(!found.is_empty(), "{q}");
        }
        assert_eq!(slugs(&index.suggest("ридирект", 3, "/kb/"))[0], "redirekty");
    }

    #[test]
    fn the_words_a_ticket_asks_with_are_no_topic() {
        let index = Index::build(&[doc(
            "a",
            "Что сделать, если нужна помощь",
            &[],
            "Подскажем, поможем, сделаем: вопрос решим, хотим и можем.",
            "",
        )]);
        for q in [
            "сделать сделайте сделали",
            "подскажите помогите помочь",
            "хотели хотим хочу",
            "можете можно могли вопрос",
        ] {
            assert!(
                index.match_query(q).is_empty(),
                "{q}: {:?}",
                index.match_query(q)
            );
        }
    }

    #[test]
    fn short_words_are_not_guessed_at() {
        // «кот» is three letters: no typo match for it, so nothing is suggested.
        assert!(index().suggest("кот", 3, "/kb/").is_empty());
    }

    #[test]
    fn a_title_word_outranks_the_same_word_in_a_body() {
        let index = Index::build(&[
            doc("a", "Хостинг", &[], "", "Перенос и стейджи."),
            doc("b", "Стейджи", &[], "", "Хостинг и перенос."),
        ]);
        assert_eq!(slugs(&index.suggest("стейдж", 2, "/kb/")), vec!["b", "a"]);
    }

    #[test]
    fn a_suggestion_has_its_page_and_a_snippet_with_the_words_marked() {
        let found = index().suggest("как настроить редирект со старого адреса", 3, "/kb/");
        let first = &found[0];
        assert_eq!(first.url, "/kb/rabota-s-saitom/redirekty/");
        assert_eq!(first.title, "Редиректы 301");
        let marked: Vec<&str> = first
            .snippet
            .iter()
            .filter(|p| p.mark)
            .map(|p| p.text.as_str())
            .collect();
        assert!(!marked.is_empty(), "{:?}", first.snippet);
        let text: String = first.snippet.iter().map(|p| p.text.as_str()).collect();
        assert!(text.contains("старого адреса"), "{text}");
    }

    #[test]
    fn nothing_matching_means_no_suggestions() {
        assert!(index().suggest("бухгалтерия квартал", 3, "/kb/").is_empty());
        assert!(index().suggest("и в на", 3, "/kb/").is_empty());
    }

    #[test]
    fn the_index_survives_serialisation() {
        let index = index();
        let json = serde_json::to_string(&index).unwrap();
        let back: Index = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.suggest("новости", 3, "/kb/"),
            index.suggest("новости", 3, "/kb/")
        );
    }

    #[test]
    fn a_query_is_read_short_empty_or_too_long() {
        assert_eq!(read_query(" ну "), Ok(None));
        assert_eq!(read_query("редирект"), Ok(Some("редирект")));
        let long = "а".repeat(MAX_QUERY_CHARS + 1);
        let refusal = read_query(&long).unwrap_err().refusal();
        assert_eq!(refusal.kind, RefusalKind::Invalid);
        assert!(refusal.message.contains("1000"), "{}", refusal.message);
        assert_eq!(refusal.fields[0].field, "q");
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("новотсей"), &c("новостей"), 2), Some(1));
        assert_eq!(edit_distance(&c("редирект"), &c("ридирект"), 1), Some(1));
        assert_eq!(edit_distance(&c("хостинг"), &c("новость"), 2), None);
    }

    #[test]
    fn an_article_is_read_from_its_markdown() {
        let md = "---\ntitle: \"Редиректы 301: когда и как\"\nslug: redirekty\nsection: rabota-s-saitom\ntags: [редирект, \"301\", старый адрес]\nupdated: 2026-11-30\nsummary: \"Что такое 301.\"\n---\n\n**Редирект** — перенаправление, см. [статью](../meta-tegi/).\n\n## Когда нужен\n\n- Вы изменили `адрес`.\n| Было | Стало |\n|---|---|\n";
        let d = Document::from_markdown(md).unwrap();
        assert_eq!(d.title, "Редиректы 301: когда и как");
        assert_eq!(d.slug, "redirekty");
        assert_eq!(d.section, "rabota-s-saitom");
        assert_eq!(d.tags, vec!["редирект", "301", "старый адрес"]);
        assert_eq!(d.summary, "Что такое 301.");
        assert_eq!(
            d.text,
            "Редирект — перенаправление, см. статью.\nКогда нужен\nВы изменили адрес.\nБыло  ·  Стало\n"
        );
        assert_eq!(
            Document::from_markdown("no front matter"),
            Err(DocumentError::NoFrontMatter)
        );
    }
}
