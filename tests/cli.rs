//! The promises every subcommand shares: help, usage errors, the exit-code
//! table in README.md and in `socktool --help`.

mod common;
use common::*;

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
    assert_eq!(help_codes, vec![0, 2, 65, 68, 69, 71, 74, 75, 76]);
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
