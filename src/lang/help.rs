//! `--help` and usage errors in the chosen language, as far as clap lets
//! them be.
//!
//! clap has no localisation: its help texts are the `///` comments of
//! `cli.rs`, compiled in, and its own words (`Usage:`, `Options:`,
//! `error: invalid value ...`) are English. So, for a language other than
//! English, the command is rewritten before it parses:
//!
//! - every subcommand's about and every argument's help is replaced by the
//!   language's `help-about-STEP` and `help-STEP--ARG` (or, when the text
//!   is the same for every step, `help--ARG`) messages, followed by the
//!   language's `[default: ...]` and `[possible values: ...]`;
//! - the section headings (`Options`, `Arguments`, `Commands` and each
//!   `help_heading` of `cli.rs`: `Where to listen` is
//!   `help-heading-where-to-listen`), the `Usage:` heading, the exit-code
//!   table and the `Socket calls: ...`/`Example: ...` lines below each
//!   step (`help-after-STEP`, whole) are the language's; the calls and
//!   commands in them are not;
//! - clap's `-h`/`--help` lands under the language's `Options` heading,
//!   which clap then shows after the step's own headings: clap orders
//!   headings by their first argument, and it adds `--help` last;
//! - clap wraps help at spaces only, so a long Chinese line is wrapped by
//!   the terminal, not by clap;
//! - a usage error is rendered by clap, then its fixed English frame
//!   (`error:`, `invalid value 'X' for 'Y'`, `For more information ...`)
//!   is put in the language's words; a phrasing this does not know stays
//!   English. The message inside it (a bad port, a bad host) is already
//!   the language's: it comes from `cli.rs`'s value parsers.
//!
//! English is left exactly as clap renders it: `cli.rs` is its source.

use clap::Command;

use super::{Language, current};
use crate::tr;

/// The message id of a subcommand's about text (`socktool` is the root).
fn about_id(command: &str) -> String {
    format!("help-about-{command}")
}

/// The message ids of an argument's help: for this command, then for any.
fn arg_ids(command: &str, arg: &str) -> [String; 2] {
    [format!("help-{command}--{arg}"), format!("help--{arg}")]
}

/// The message id of a section heading: `Where to listen` is
/// `help-heading-where-to-listen`.
fn heading_id(english: &str) -> String {
    let slug: Vec<String> = english
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("help-heading-{}", slug.join("-"))
}

/// The `help-*` message `id` in the chosen language, or `english` when it
/// has none: English keeps its help texts in `cli.rs`, not in en.ftl.
fn or_english(id: &str, english: &str) -> String {
    match current().has(id) {
        true => super::text(id, &[]),
        false => english.to_string(),
    }
}

/// The help text of `arg` of `command` in `lang`, if it has one.
fn arg_help(lang: &Language, command: &str, arg: &str) -> Option<String> {
    arg_ids(command, arg)
        .into_iter()
        .find(|id| lang.has(id))
        .map(|id| super::text(&id, &[]))
}

/// The command line's definition in the chosen language (unchanged in
/// English). Built here, so every subcommand already has the global
/// options (`--color`, `--lang`) and clap's `--help` to translate.
pub fn localize(mut cmd: Command) -> Command {
    let lang = current();
    if lang.is_english() {
        return cmd;
    }
    cmd.build();
    let name = cmd.get_name().to_string();
    translate(cmd, &name, lang)
}

fn translate(mut cmd: Command, name: &str, lang: &Language) -> Command {
    let about = about_id(name);
    if lang.has(&about) {
        cmd = cmd.about(super::text(&about, &[])).long_about(None);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_string())
        .collect();
    for id in ids {
        let help = arg_help(lang, name, &id);
        cmd = cmd.mut_arg(&id, |mut arg| {
            if let Some(help) = help {
                let help = format!("{help}{}", values(&arg));
                arg = arg
                    .help(help)
                    .long_help(None)
                    .hide_default_value(true)
                    .hide_possible_values(true);
            }
            // Every argument gets a heading of its own language, since
            // clap's default ones ("Options", "Arguments") are English.
            let english = match arg.get_help_heading() {
                Some(heading) => heading.to_string(),
                None if arg.is_positional() => "Arguments".to_string(),
                None => "Options".to_string(),
            };
            arg.help_heading(or_english(&heading_id(&english), &english))
        });
    }
    if let Some(after) = cmd.get_after_help().map(|a| a.to_string()) {
        cmd = cmd.after_help(after_help(&after, name));
    }
    let usage = or_english("help-usage", "Usage:");
    cmd = cmd
        .subcommand_help_heading(or_english(&heading_id("Commands"), "Commands"))
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
        ));
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for sub in subs {
        cmd = cmd.mut_subcommand(&sub, |s| translate(s, &sub, lang));
    }
    cmd
}

/// ` [默认:8888] [可选值:auto, always, never]`: what clap would add
/// after the help in its English words, in the language's.
fn values(arg: &clap::Arg) -> String {
    let mut out = String::new();
    if !arg.get_action().takes_values() {
        return out;
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() {
        let value = defaults.join(",");
        // `text`, not `tr!`: help-* messages are only in other languages.
        out += &format!(
            " {}",
            super::text("help-default", &[("value", value.into())])
        );
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() && !arg.is_hide_possible_values_set() {
        let values = possible.join(", ");
        let values = super::text("help-possible-values", &[("values", values.into())]);
        out += &format!(" {values}");
    }
    out
}

/// The text after a step's options: the exit-code table (the root's), or
/// the step's `Socket calls: ...` and `Example: ...` lines, translated
/// whole as `help-after-STEP` (the calls and commands in it are the same
/// in every language; the words between them are not).
fn after_help(english: &str, command: &str) -> String {
    if english == crate::error::EXIT_CODES_HELP {
        return or_english("help-exit-codes", english);
    }
    or_english(&after_id(command), english)
}

/// The message id of the text after a step's options.
fn after_id(command: &str) -> String {
    format!("help-after-{command}")
}

/// Prints a clap error (or `--help`, `--version`) and exits with clap's
/// code (2 for a usage error). In English, exactly as clap does; in
/// another language, with clap's frame translated.
pub fn exit(error: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let lang = current();
    if lang.is_english()
        || matches!(
            error.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        error.exit()
    }
    // Plain text: socktool's own errors are not coloured by clap either
    // once translated (the narrator colours only what it prints).
    let text = frame(&error.render().to_string());
    eprint!("{text}");
    std::process::exit(error.exit_code())
}

/// clap's English frame around a usage error, in the chosen language.
pub fn frame(rendered: &str) -> String {
    let mut out = String::with_capacity(rendered.len() + 32);
    for line in rendered.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        out.push_str(&frame_line(body));
        out.push_str(end);
    }
    out
}

fn frame_line(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("error: ") {
        return format!("{} {}", tr!("usage-error"), error_words(rest));
    }
    if let Some(rest) = line.strip_prefix("Usage: ") {
        return format!("{} {rest}", or_english("help-usage", "Usage:"));
    }
    if let Some(rest) = line.strip_prefix("  tip: ") {
        return format!("  {} {}", tr!("usage-tip"), tip_words(rest));
    }
    if let Some(rest) = line.strip_prefix("For more information, try ") {
        let what = rest.trim_end_matches('.');
        return tr!("usage-more", what = what);
    }
    line.to_string()
}

/// The first line of clap's error, after `error: `.
fn error_words(rest: &str) -> String {
    // invalid value 'X' for 'Y': WHY (WHY is ours, already translated)
    if let Some(after) = rest.strip_prefix("invalid value ")
        && let Some((value, after)) = after.split_once(" for ")
    {
        let (arg, why) = match after.split_once(": ") {
            Some((arg, why)) => (arg, Some(why)),
            None => (after, None),
        };
        let head = tr!("usage-invalid-value", value = value, arg = arg);
        return match why {
            Some(why) => format!("{head}:{why}"),
            None => head,
        };
    }
    if let Some(arg) = rest
        .strip_prefix("unexpected argument ")
        .and_then(|a| a.strip_suffix(" found"))
    {
        return tr!("usage-unexpected", arg = arg);
    }
    if let Some(sub) = rest.strip_prefix("unrecognized subcommand ") {
        return tr!("usage-unknown-subcommand", name = sub);
    }
    if rest == "the following required arguments were not provided:" {
        return tr!("usage-missing");
    }
    if let Some(arg) = rest
        .strip_prefix("a value is required for ")
        .and_then(|a| a.strip_suffix(" but none was supplied"))
    {
        return tr!("usage-no-value", arg = arg);
    }
    if let Some((arg, other)) = rest
        .strip_prefix("the argument ")
        .and_then(|a| a.split_once(" cannot be used with "))
    {
        return tr!("usage-conflict", arg = arg, other = other);
    }
    rest.to_string()
}

/// clap's `tip:` lines.
fn tip_words(rest: &str) -> String {
    if let Some(similar) = rest.strip_prefix("a similar argument exists: ") {
        return tr!("usage-similar", similar = similar);
    }
    if let Some(similar) = rest.strip_prefix("a similar subcommand exists: ") {
        return tr!("usage-similar", similar = similar);
    }
    rest.to_string()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::lang::{LOCALES, languages};

    /// Every visible argument and subcommand of the command line, as
    /// (command, argument) with `None` for the command's own about.
    fn everything() -> Vec<(String, Option<String>)> {
        fn walk(cmd: &Command, name: &str, out: &mut Vec<(String, Option<String>)>) {
            if !cmd.is_hide_set() {
                out.push((name.to_string(), None));
            }
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                out.push((name.to_string(), Some(arg.get_id().to_string())));
            }
            for sub in cmd.get_subcommands() {
                walk(sub, sub.get_name(), out);
            }
        }
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let mut out = Vec::new();
        walk(&cmd, "socktool", &mut out);
        out
    }

    /// The section headings of `--help`: clap's own three and every
    /// `help_heading` of `cli.rs`, as message ids.
    fn headings() -> Vec<String> {
        fn walk(cmd: &Command, out: &mut Vec<String>) {
            for heading in cmd.get_arguments().filter_map(|a| a.get_help_heading()) {
                out.push(heading_id(heading));
            }
            cmd.get_subcommands().for_each(|s| walk(s, out));
        }
        let mut out: Vec<String> = ["Options", "Arguments", "Commands"]
            .iter()
            .map(|h| heading_id(h))
            .collect();
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        walk(&cmd, &mut out);
        out.sort();
        out.dedup();
        out
    }

    /// The words around the options, not of one option.
    const FRAME: [&str; 4] = [
        "help-usage",
        "help-default",
        "help-possible-values",
        "help-exit-codes",
    ];

    /// Every step with lines after its options, as `help-after-STEP`.
    fn afters() -> Vec<String> {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        cmd.get_subcommands()
            .filter(|s| s.get_after_help().is_some())
            .map(|s| after_id(s.get_name()))
            .collect()
    }

    #[test]
    fn every_option_step_and_heading_has_help_in_every_language() {
        let all = everything();
        for lang in languages().iter().filter(|l| !l.is_english()) {
            let mut missing: Vec<String> = all
                .iter()
                .filter(|(cmd, arg)| match arg {
                    None => !lang.has(&about_id(cmd)),
                    Some(arg) => arg_ids(cmd, arg).iter().all(|id| !lang.has(id)),
                })
                .map(|(cmd, arg)| match arg {
                    None => about_id(cmd),
                    Some(arg) => format!("{} (or {})", arg_ids(cmd, arg)[0], arg_ids(cmd, arg)[1]),
                })
                .collect();
            let words = headings()
                .into_iter()
                .chain(afters())
                .chain(FRAME.map(String::from));
            missing.extend(words.filter(|id| !lang.has(id)));
            assert!(
                missing.is_empty(),
                "locales/{}.ftl has no --help text for: {missing:?}",
                lang.tag
            );
        }
    }

    /// The codes of an exit-code table: the number opening each row.
    fn codes(table: &str) -> Vec<String> {
        table
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_language_lists_the_same_exit_codes() {
        let english = codes(crate::error::EXIT_CODES_HELP);
        for lang in languages().iter().filter(|l| !l.is_english()) {
            let Some(table) = lang.format("help-exit-codes", &Default::default()) else {
                panic!("locales/{}.ftl has no help-exit-codes", lang.tag);
            };
            assert_eq!(
                codes(&table),
                english,
                "locales/{}.ftl: help-exit-codes",
                lang.tag
            );
        }
    }

    #[test]
    fn every_help_message_belongs_to_an_option_or_a_step() {
        let all = everything();
        let known = |id: &str| {
            all.iter().any(|(cmd, arg)| match arg {
                None => about_id(cmd) == id,
                Some(arg) => arg_ids(cmd, arg).iter().any(|a| a == id),
            })
        };
        let headings = headings();
        let afters = afters();
        for &(tag, text) in LOCALES {
            for line in text.lines() {
                let Some(id) = line.split(" =").next().filter(|i| i.starts_with("help-")) else {
                    continue;
                };
                if FRAME.contains(&id) || headings.iter().chain(&afters).any(|h| h == id) {
                    continue;
                }
                assert!(known(id), "locales/{tag}.ftl: {id} names no option or step");
            }
        }
    }
}
