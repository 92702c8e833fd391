//! The suggestions' quality (issue 9): every case of `site/eval/suggest.toml` — a text a
//! dealer might type into a new ticket, and the article a person would want — is run
//! against the index built from `site/content`. The top-3 hit rate (a wanted article among
//! the first three suggestions) is printed and must be at least 85 %.

use dealerdesk_domain::kb::suggest::{Document, Index};
use std::path::{Path, PathBuf};

fn site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../site")
}

fn articles() -> Vec<Document> {
    let mut docs = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(site().join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            docs.push(
                Document::from_markdown(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display())),
            );
        }
    }
    docs
}

/// The test set's cases: `text = "…"` then `want = ["slug", …]`, one line each.
fn cases() -> Vec<(String, Vec<String>)> {
    let toml = std::fs::read_to_string(site().join("eval/suggest.toml")).unwrap();
    let unquote = |v: &str| v.trim().trim_matches('"').replace("\\\"", "\"");
    let mut cases = Vec::new();
    let mut text = None;
    for line in toml.lines() {
        if let Some(v) = line.strip_prefix("text = ") {
            text = Some(unquote(v));
        } else if let Some(v) = line.strip_prefix("want = ") {
            let want = v
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(unquote)
                .filter(|s| !s.is_empty())
                .collect();
            cases.push((text.take().expect("a case's text before its want"), want));
        }
    }
    cases
}

#[test]
fn suggestions_find_the_wanted_article_in_the_top_three_for_at_least_85_percent() {
    let docs = articles();
    assert!(docs.len() >= 30, "{} articles", docs.len());
    let index = Index::build(&docs);
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for (_, want) in &cases {
        for slug in want {
            assert!(
                docs.iter().any(|d| &d.slug == slug),
                "the test set wants {slug}, which is no article"
            );
        }
    }
    let mut hits = 0;
    for (text, want) in &cases {
        let found = index.suggest(text, 3, "/kb/");
        let slugs: Vec<&str> = found.iter().map(|s| s.slug.as_str()).collect();
        if slugs.iter().any(|s| want.iter().any(|w| w == s)) {
            hits += 1;
        } else {
            println!("MISS {text:?}: want {want:?}, got {slugs:?}");
        }
    }
    let rate = hits as f64 / cases.len() as f64 * 100.0;
    println!("top-3 hit rate: {hits}/{} = {rate:.1} %", cases.len());
    assert!(rate >= 85.0, "top-3 hit rate {rate:.1} % is under 85 %");
}
