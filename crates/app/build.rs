//! Embeds the knowledge base's seed articles (`site/content/<section>/<slug>.md`) in the
//! app, so every instance — a Lambda included — can publish the first suggestion index
//! without files (`kb_suggest::seed`). Cargo reruns this script when the folder changes.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let content = manifest.join("../../site/content");
    println!("cargo:rerun-if-changed={}", content.display());
    let mut files = Vec::new();
    let mut sections: Vec<_> = fs::read_dir(&content)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", content.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    sections.sort();
    for section in sections {
        println!("cargo:rerun-if-changed={}", section.display());
        let mut articles: Vec<_> = fs::read_dir(&section)
            .expect("a section folder")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        articles.sort();
        for article in articles {
            let relative = article
                .strip_prefix(&manifest)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/");
            files.push(relative);
        }
    }
    // Paths relative to the crate, resolved when the crate compiles (no absolute path in
    // the generated file: every checkout shares the target directory).
    let mut code = String::from("&[\n");
    for f in &files {
        writeln!(
            code,
            "    include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{f}\")),"
        )
        .expect("writing to a string");
    }
    code.push_str("]\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it")).join("seed_articles.rs");
    fs::write(out, code).expect("writing the seed article list");
}
