//! `socktool completions` and `socktool man`: generated from the same clap
//! definitions as `--help`, so they must name every subcommand `--help` names.

mod common;
use common::*;

#[test]
fn bash_completions_offer_every_subcommand() {
    let out = socktool()
        .args(["completions", "bash"])
        .assert()
        .code(0)
        .stderr("")
        .get_output()
        .stdout
        .clone();
    let script = text(&out);
    assert!(
        script.contains("_socktool()"),
        "not a bash completion script"
    );
    assert!(script.contains("complete -F _socktool"), "{script}");
    for sub in subcommands() {
        assert!(script.contains(&sub), "bash completions lack {sub}");
    }
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("zsh", "#compdef socktool"),
        ("fish", "complete -c socktool"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[socktool]"),
    ] {
        socktool()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicates::str::contains(marker));
    }
    socktool()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("possible values"));
}

#[test]
fn man_is_roff_and_has_a_page_per_subcommand() {
    let out = socktool()
        .arg("man")
        .assert()
        .code(0)
        .stderr("")
        .get_output()
        .stdout
        .clone();
    let page = text(&out);
    // clap_mangen opens with two lines that define a quote string for groff
    // (`.ie \n(.g ...` / `.el ...`); the first real request is the title.
    let first_request = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap_or("");
    assert!(
        first_request.starts_with(".TH socktool 1"),
        "{first_request}"
    );
    assert!(page.contains("\n.SH NAME\n"), "no NAME section");
    for sub in subcommands() {
        // roff escapes the hyphen: socktool\-http\-get
        let title = format!(".TH socktool-{sub} 1");
        assert!(page.contains(&title), "no page {title}");
        assert!(
            page.contains(&format!("socktool\\-{}(1)", sub.replace('-', "\\-"))),
            "SUBCOMMANDS section lacks {sub}"
        );
    }
    // The exit-code table from --help is in the page too.
    assert!(page.contains("68  host not found"), "no exit codes");
}
