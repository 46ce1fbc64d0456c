//! The resource files are code too: these tests fail when a language
//! lacks a message English has (or has one English lacks), when a
//! translation drops or invents a `{ $placeholder }`, when a file does not
//! parse, and when the code asks for a message no file has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

/// A `--help` text (`help-serve-once--port`, `help--port`,
/// `help-about-resolve`, `help-heading-timeouts`, `help-exit-codes`):
/// English has these in `cli.rs`'s doc comments and `error.rs`, so only
/// the other languages have them as messages (`help.rs` checks that they
/// have one for every option, step and heading, and every exit code).
fn is_help_text(id: &str) -> bool {
    id.starts_with("help-")
}

/// Each message's id and the variables it uses, for one file (`--help`
/// texts left out: see [`is_help_text`]).
fn messages(tag: &str, text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(r) => r,
        Err((_, errors)) => panic!("locales/{tag}.ftl does not parse: {errors:?}"),
    };
    let mut found = BTreeMap::new();
    for entry in resource.body {
        if let Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &m.value {
                pattern_vars(value, &mut vars);
            }
            assert!(
                m.value.is_some(),
                "locales/{tag}.ftl: {} has no text",
                m.id.name
            );
            if is_help_text(m.id.name) {
                continue;
            }
            let again = found.insert(m.id.name.to_string(), vars);
            assert!(again.is_none(), "locales/{tag}.ftl: {} twice", m.id.name);
        }
    }
    found
}

fn pattern_vars(pattern: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        Expression::Inline(inline) => inline_vars(inline, vars),
    }
}

fn inline_vars(inline: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
            for a in &arguments.named {
                inline_vars(&a.value, vars);
            }
        }
        InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
        }
        _ => {}
    }
}

#[test]
fn every_language_has_every_message_with_the_same_placeholders() {
    assert_eq!(
        LOCALES[0].0, "en",
        "English comes first: it is the fallback"
    );
    assert!(LOCALES.len() >= 2, "{:?}", LOCALES.iter().map(|l| l.0));
    let english = messages("en", LOCALES[0].1);
    for &(tag, text) in &LOCALES[1..] {
        let other = messages(tag, text);
        let missing: Vec<&String> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<&String> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "locales/{tag}.ftl lacks {} message(s) English has: {missing:?}",
            missing.len()
        );
        assert!(
            extra.is_empty(),
            "locales/{tag}.ftl has message(s) English lacks (renamed? removed?): {extra:?}"
        );
        for (id, vars) in &english {
            assert_eq!(
                vars, &other[id],
                "locales/{tag}.ftl: {id} must use the placeholders English uses"
            );
        }
    }
}

#[test]
fn the_checker_catches_a_dropped_placeholder_and_a_missing_message() {
    let en = messages("en", "a = { $host } has no { $family } address\nb = hi\n");
    let dropped = messages("x", "a = { $host } 没有地址\nb = 你好\n");
    assert_ne!(en["a"], dropped["a"]);
    let short = messages("x", "a = { $host } 没有 { $family } 地址\n");
    assert!(!short.contains_key("b"));
}

/// Every `tr!("id"` in src/.
fn ids_in_code() -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("lang/tests.rs")
            {
                let code = std::fs::read_to_string(&path).unwrap();
                for (at, _) in code.match_indices("tr!(") {
                    // `include_str!("...")` is not `tr!`.
                    let before = code[..at].chars().next_back().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    // rustfmt may put the id on the next line.
                    let Some(rest) = code[at + 4..].trim_start().strip_prefix('"') else {
                        continue;
                    };
                    let id = rest.split('"').next().unwrap_or("");
                    ids.insert(id.to_string(), path.display().to_string());
                }
            }
        }
    }
    ids
}

#[test]
fn the_code_asks_only_for_messages_that_exist_and_every_message_is_used() {
    let english = messages("en", LOCALES[0].1);
    let used = ids_in_code();
    // The docs of this module and of `tr!` show an example id.
    let examples = ["id", "served-clients"];
    for (id, file) in &used {
        assert!(
            english.contains_key(id) || examples.contains(&id.as_str()),
            "{file} asks for {id}, which locales/en.ftl lacks"
        );
    }
    // `--help` texts are found by the shape of their id (lang/help.rs).
    let unused: Vec<&String> = english
        .keys()
        .filter(|id| !used.contains_key(*id) && !id.starts_with("help-"))
        .collect();
    assert!(unused.is_empty(), "messages no code uses: {unused:?}");
}

#[test]
fn the_locale_comes_from_lc_all_then_lc_messages_then_lang() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1.to_string())
    };
    let tag = |l: &Language| l.tag;
    assert_eq!(tag(from_env(env(&[("LANG", "zh_CN.UTF-8")]))), "zh-CN");
    assert_eq!(tag(from_env(env(&[("LANG", "zh_TW")]))), "zh-CN");
    assert_eq!(tag(from_env(env(&[("LANG", "zh")]))), "zh-CN");
    assert_eq!(tag(from_env(env(&[("LANG", "C.UTF-8")]))), "en");
    assert_eq!(tag(from_env(env(&[("LANG", "POSIX")]))), "en");
    assert_eq!(tag(from_env(env(&[("LANG", "fr_FR.UTF-8")]))), "en");
    assert_eq!(tag(from_env(env(&[("LANG", "")]))), "en");
    // Odd values are English, never a panic.
    for odd in [
        "zh_CN.UTF-8@@",
        "_",
        "..",
        "@",
        "zh__CN",
        "\u{7f}",
        "12",
        "en_US.ISO-8859-1",
    ] {
        let _ = from_env(move |k: &str| (k == "LANG").then(|| odd.to_string()));
    }
    assert_eq!(
        tag(from_env(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")]))),
        "en",
        "LC_ALL overrides LANG"
    );
    assert_eq!(
        tag(from_env(env(&[
            ("LC_MESSAGES", "zh_CN.UTF-8"),
            ("LANG", "C")
        ]))),
        "zh-CN",
        "LC_MESSAGES overrides LANG"
    );
    assert_eq!(
        tag(from_env(env(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")]))),
        "zh-CN",
        "an empty LC_ALL is not set"
    );
}

#[test]
fn the_flag_wins_and_takes_only_languages_we_speak() {
    let argv = |words: &[&str]| words.iter().map(|w| w.into()).collect::<Vec<_>>();
    assert_eq!(
        choose(&argv(&["socktool", "--lang", "zh", "resolve"])).tag,
        "zh-CN"
    );
    assert_eq!(
        choose(&argv(&["socktool", "resolve", "--lang=en"])).tag,
        "en"
    );
    assert_eq!(parse_flag("zh").as_deref(), Ok("zh-CN"));
    assert_eq!(parse_flag("zh-CN").as_deref(), Ok("zh-CN"));
    assert_eq!(parse_flag("en").as_deref(), Ok("en"));
    assert!(parse_flag("fr").is_err());
    assert!(parse_flag("").is_err());
    assert!(
        parse_flag("zh_CN.UTF-8").is_err(),
        "a flag names a language, not a locale"
    );
}

#[test]
fn plural_rules_are_the_languages_own() {
    let english = &languages()[0];
    let zh = find("zh").unwrap();
    let count = |lang: &Language, n: u64| {
        let mut args = FluentArgs::new();
        args.set("count", n);
        lang.format("count-clients", &args).unwrap()
    };
    assert_eq!(count(english, 1), "1 client");
    assert_eq!(count(english, 2), "2 clients");
    assert_eq!(count(english, 0), "0 clients");
    assert_eq!(count(zh, 1), "1 个客户端");
    assert_eq!(count(zh, 2), "2 个客户端");
}
