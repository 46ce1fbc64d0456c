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

#[test]
fn man_name_line_says_what_socktool_is_once() {
    let out = socktool()
        .arg("man")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let page = text(&out);
    let name = page
        .split("\n.SH NAME\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or("");
    assert!(
        name.starts_with("socktool \\- learn TCP and UDP sockets"),
        "{name}"
    );
}

/// A fresh directory under the system's temporary one, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("socktool-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn man_dir_writes_one_file_per_page_as_man_looks_them_up() {
    let tmp = TempDir::new("man");
    // The directory does not exist yet: `man --dir` creates it.
    let dir = tmp.0.join("man1");
    let out = socktool()
        .args(["man", "--dir"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let said = text(&out);
    let mut names = vec!["socktool".to_string()];
    names.extend(subcommands().iter().map(|s| format!("socktool-{s}")));
    for name in &names {
        let path = dir.join(format!("{name}.1"));
        let page = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}\n{said}", path.display()));
        let title = format!(".TH {name} 1");
        assert!(page.contains(&title), "{} lacks {title}", path.display());
        assert!(said.contains(&path.display().to_string()), "{said}");
    }
    let written = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(written, names.len(), "{said}");
}

#[test]
fn man_dir_that_cannot_be_made_is_one_error_and_exit_74() {
    let tmp = TempDir::new("man-blocked");
    let file = tmp.0.join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    socktool()
        .args(["man", "--dir"])
        .arg(file.join("man1"))
        .assert()
        .code(74)
        .stderr(predicates::str::contains("socktool: error: cannot write"));
}
