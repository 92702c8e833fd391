//! Embeds the knowledge base's seed content (`site/content`: `_sections.yml` and every
//! `<section>/<slug>.md`) in the app crate, so the local server and a Lambda seed and
//! publish the articles without any files beside the binary. Cargo reruns this script when a
//! file there is added or changed; the generated list is `kb::content::SEED_FILES`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = manifest.join("../../site/content");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, String, PathBuf)> = Vec::new();
    let sections = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the articles in {}: {e}", dir.display()));
    for section in sections {
        let section = section.expect("a directory entry").path();
        if !section.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", section.display());
        let folder = section
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a section folder has a UTF-8 name")
            .to_string();
        for file in fs::read_dir(&section).expect("a readable section folder") {
            let path = file.expect("a directory entry").path();
            let Some(slug) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".md"))
            else {
                continue;
            };
            files.push((folder.clone(), slug.to_string(), path.clone()));
        }
    }
    files.sort();
    let mut out = String::from(
        "/// Every seed article: (section folder, slug, file text).\npub const SEED_FILES: &[(&str, &str, &str)] = &[\n",
    );
    for (folder, slug, path) in &files {
        writeln!(
            out,
            "    ({folder:?}, {slug:?}, include_str!({:?})),",
            path.canonicalize()
                .expect("the file exists")
                .display()
                .to_string()
        )
        .expect("writing to a string");
    }
    out.push_str("];\n");
    writeln!(
        out,
        "/// `_sections.yml`.\npub const SECTIONS_YML: &str = include_str!({:?});",
        dir.join("_sections.yml")
            .canonicalize()
            .expect("site/content/_sections.yml exists")
            .display()
            .to_string()
    )
    .expect("writing to a string");
    let target = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it")).join("kb_content.rs");
    fs::write(&target, out).expect("writing the generated list");
}
