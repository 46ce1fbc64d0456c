//! Finds the languages socktool speaks: every `locales/*.ftl` file, named
//! by its language tag (`en.ftl`, `zh-CN.ftl`). The list is written into
//! `$OUT_DIR/locales.rs` and compiled in (`src/lang/mod.rs` includes it),
//! so a third language is one new file: no Rust to edit, and the binary
//! still needs no file beside it at run time.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("locales");
    let mut tags: Vec<String> = fs::read_dir(&dir)
        .expect("locales/ holds one .ftl file per language")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".ftl").map(str::to_string))
        .collect();
    // English first: it is what every other language falls back to.
    tags.sort_by_key(|tag| (tag != "en", tag.clone()));
    let mut out = String::from("pub const LOCALES: &[(&str, &str)] = &[\n");
    for tag in &tags {
        let path = dir.join(format!("{tag}.ftl"));
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({tag:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("locales.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}
