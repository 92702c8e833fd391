//! Embeds every official production calendar of `infra/calendars/ru/` in the domain crate,
//! so adding next year is one step: drop its `<year>.xml` into that folder. Cargo reruns
//! this script whenever a file there is added or changed; the generated list is
//! `OFFICIAL_RU` in `src/calendar/mod.rs`, and the domain's tests parse every entry and
//! check its year.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = manifest.join("../../infra/calendars/ru");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut years: Vec<(i32, String)> = Vec::new();
    let entries = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the calendars in {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".xml") else {
            continue;
        };
        // A misnamed file would silently not count: refuse it loudly instead.
        let year = stem
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9999).contains(y))
            .unwrap_or_else(|| panic!("{}: a calendar file is named <year>.xml", path.display()));
        years.push((year, name.to_owned()));
    }
    years.sort();
    // Paths relative to the crate, resolved when the crate compiles: the generated file holds
    // no absolute path, because every checkout of the workspace (tests/e2e/readme_run.rs
    // builds a clone into the same target directory) shares this script's output.
    let mut code = String::from("&[\n");
    for (year, name) in &years {
        writeln!(
            code,
            "    ({year}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../infra/calendars/ru/{name}\"))),"
        )
        .expect("writing to a String");
    }
    code.push_str("]\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it")).join("official_ru.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
