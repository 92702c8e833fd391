//! Links every function as a non-PIE executable on Linux (`-no-pie`), the deployed arm64 build
//! and the host's builds alike.
//!
//! A position-independent executable is loaded at a random address, so before `main` the loader
//! rewrites every absolute address the binary holds — about 67,000 relative relocations in the
//! portal, a 1.6 MB `.data.rel.ro` written page by page — and that was most of what its cold
//! start paid over hello-world's (infra/deploy.md, "Sizes and cold start now"). Linked at a fixed
//! address, the linker resolves them once and the loader maps the pages as they are.
//!
//! Only the link of this package's binaries changes: the code stays position-independent (the
//! workspace's `relocation-model` is untouched, so no dependency is rebuilt, and a dependency
//! that also builds a shared library — `crc-fast`, under the S3 SDK — still can), and the
//! linker relaxes its GOT loads to direct ones. The price: the function's own image is no longer
//! at a random address (its stack, heap and shared libraries still are) — accepted for code that
//! is safe Rust reading its input through typed parsers, in a sandbox of its own per instance.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
