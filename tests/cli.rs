//! The promises every subcommand shares: help, usage errors, the exit-code
//! table in README.md and in `socktool --help`.

mod common;
use common::*;

use predicates::prelude::*;
use predicates::str::contains;

fn codes_in(table: &str, row_start: &str) -> Vec<u8> {
    table
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix(row_start))
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn readme_and_help_show_the_same_exit_codes() {
    let help = socktool()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = text(&help);
    let help_codes = codes_in(
        help.split("Exit codes:").nth(1).expect("table in --help"),
        "",
    );
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let readme_table = readme
        .split("## Exit codes")
        .nth(1)
        .expect("README section");
    let readme_codes = codes_in(readme_table.split("\n## ").next().unwrap(), "| ");
    assert_eq!(
        help_codes,
        vec![0, 2, 35, 60, 65, 66, 68, 69, 71, 74, 75, 76]
    );
    assert_eq!(readme_codes, help_codes);
}

#[test]
fn usage_errors_exit_2() {
    socktool().assert().code(2);
    socktool().args(["no-such-step"]).assert().code(2);
    socktool()
        .args(["resolve", "localhost", "-4", "-6"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    socktool()
        .args(["http-get", "localhost", "--timeout", "-1"])
        .assert()
        .code(2);
    socktool()
        .args(["http-get", "localhost", "--recv-size", "0"])
        .assert()
        .code(2)
        .stderr(contains("give 1 or more"));
}

#[test]
fn every_subcommand_help_names_its_calls_and_an_example() {
    let subcommands = subcommands();
    for sub in subcommands {
        let out = socktool()
            .args([&sub, "--help"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = text(&out);
        assert!(out.contains("Socket calls: "), "{sub} --help:\n{out}");
        assert!(out.contains("Example: socktool "), "{sub} --help:\n{out}");
    }
}

/// Every long option a subcommand's `--help` lists.
fn options_of(sub: &str) -> String {
    let out = socktool()
        .args([sub, "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    text(&out)
}

#[test]
fn narration_options_are_offered_only_where_they_mean_something() {
    for sub in ["completions", "man"] {
        let help = options_of(sub);
        for absent in ["--trace", "--hex", "--quiet"] {
            assert!(
                !help.contains(absent),
                "{sub} --help offers {absent}:\n{help}"
            );
        }
        assert!(help.contains("--color"), "{sub} --help:\n{help}");
    }
    let resolve = options_of("resolve");
    assert!(
        resolve.contains("--trace") && resolve.contains("--quiet"),
        "{resolve}"
    );
    assert!(!resolve.contains("--hex"), "{resolve}");
    for sub in [
        "http-get",
        "connect",
        "udp-send",
        "serve-once",
        "serve-poll",
    ] {
        let help = options_of(sub);
        for present in ["--trace", "--hex", "--quiet", "--color"] {
            assert!(
                help.contains(present),
                "{sub} --help lacks {present}:\n{help}"
            );
        }
    }
    let load = options_of("load");
    assert!(
        load.contains("--quiet") && !load.contains("--hex"),
        "{load}"
    );
}

#[test]
fn a_narration_option_that_means_nothing_is_refused_before_or_after_the_step() {
    for args in [
        &["resolve", "localhost", "--hex"][..],
        &["--hex", "resolve", "localhost"],
    ] {
        socktool()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains("error: --hex does nothing for `socktool resolve`"));
    }
    socktool()
        .args(["completions", "bash", "--trace"])
        .assert()
        .code(2)
        .stderr(contains("--trace does nothing for `socktool completions`"));
    socktool()
        .args(["-q", "man"])
        .assert()
        .code(2)
        .stderr(contains("--quiet does nothing for `socktool man`"));
    socktool()
        .args(["-q", "resolve", "localhost", "--trace"])
        .assert()
        .code(2)
        .stderr(contains("'--quiet' cannot be used with '--trace'"));
}

#[test]
fn narration_options_still_work_before_the_steps_name() {
    // Nothing listens on port 1 of loopback: refused at once, traced.
    socktool()
        .args(["--trace", "connect", "127.0.0.1", "1"])
        .assert()
        .code(69)
        .stderr(contains("connect(127.0.0.1:1"));
    socktool()
        .args(["-q", "resolve", "localhost"])
        .assert()
        .code(0)
        .stdout(contains("127.0.0.1"));
}

#[test]
fn a_servers_port_typed_as_a_bare_number_points_at_the_port_option() {
    for sub in ["serve-threaded", "serve-once", "udp-serve"] {
        socktool()
            .args([sub, "9999"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(format!(
                "tip: a server's port is an option: socktool {sub} --port 9999"
            )));
    }
    // A word that is not a port gets clap's message alone.
    socktool()
        .args(["serve-threaded", "lots"])
        .assert()
        .code(2)
        .stderr(contains("unexpected argument 'lots'").and(contains("--port").not()));
}

#[test]
#[cfg(unix)]
fn on_a_terminal_explanations_are_wrapped_to_its_width() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` (util-linux) is not installed, no pty to test with");
        return;
    }
    // A 60-column terminal, as a projector might be.
    let out = std::process::Command::new("script")
        .arg("-qec")
        .arg(format!(
            "stty cols 60 rows 20; {} --color never resolve nosuch.invalid",
            common::BIN
        ))
        .arg("/dev/null")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let screen = common::text(&out.stdout).replace('\r', "");
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines.len() >= 4, "{screen}");
    for line in &lines {
        assert!(line.chars().count() <= 60, "{line:?} in:\n{screen}");
    }
    // The hint's own lines stand under its text, not under the label.
    let hint = lines.iter().position(|l| l.starts_with("hint: ")).unwrap();
    assert!(lines[hint + 1].starts_with("      ") && !lines[hint + 1].starts_with("       "));
    // Piped, the same words stay on one line each (scripts read them).
    let piped = common::socktool()
        .args(["resolve", "nosuch.invalid"])
        .output()
        .unwrap();
    assert_eq!(common::text(&piped.stderr).lines().count(), 2);
}
