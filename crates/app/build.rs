//! Embeds the knowledge base's seed content (`site/content`: `_sections.yml` and every
//! `<section>/<slug>.md`) in the app crate, so the local server and a Lambda seed and
//! publish the articles without any files beside the binary. Cargo reruns this script when a
//! file there is added or changed.
//!
//! It writes two lists into `OUT_DIR`: `kb_content.rs` (`kb::content::SEED_FILES` with each
//! file's section and slug, and `SECTIONS_YML`) and `seed_articles.rs` (the files' texts
//! alone, in the same order, for the suggestion index). Paths are relative to the crate and
//! resolved when it compiles, so no checkout's absolute path lands in the generated code.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let content = manifest.join("../../site/content");
    println!("cargo:rerun-if-changed={}", content.display());
    let mut sections: Vec<PathBuf> = fs::read_dir(&content)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", content.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    sections.sort();
    // (section folder, slug, path relative to the crate)
    let mut files: Vec<(String, String, String)> = Vec::new();
    for section in sections {
        println!("cargo:rerun-if-changed={}", section.display());
        let folder = section
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a section folder has a UTF-8 name")
            .to_string();
        let mut articles: Vec<PathBuf> = fs::read_dir(&section)
            .expect("a section folder")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        articles.sort();
        for article in articles {
            let slug = article
                .file_stem()
                .and_then(|n| n.to_str())
                .expect("an article file has a UTF-8 name")
                .to_string();
            let relative = format!("../../site/content/{folder}/{slug}.md");
            files.push((folder.clone(), slug, relative));
        }
    }
    let include = |relative: &str| {
        format!("include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{relative}\"))")
    };
    let mut kb = String::from(
        "/// Every seed article: (section folder, slug, file text).\npub const SEED_FILES: &[(&str, &str, &str)] = &[\n",
    );
    let mut texts = String::from("&[\n");
    for (folder, slug, relative) in &files {
        writeln!(kb, "    ({folder:?}, {slug:?}, {}),", include(relative)).expect("a string");
        writeln!(texts, "    {},", include(relative)).expect("a string");
    }
    kb.push_str("];\n");
    texts.push_str("]\n");
    writeln!(
        kb,
        "/// `_sections.yml`.\npub const SECTIONS_YML: &str = {};",
        include("../../site/content/_sections.yml")
    )
    .expect("a string");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it"));
    fs::write(out.join("kb_content.rs"), kb).expect("writing kb_content.rs");
    fs::write(out.join("seed_articles.rs"), texts).expect("writing seed_articles.rs");
}
