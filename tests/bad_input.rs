//! Runs every row of docs/bad-input.md: the command, its exit code, and
//! the text its message must contain. The page is the table; this file only
//! reads it, so a row cannot say one thing while the tool does another.

mod common;
use common::*;

/// Splits a command line on spaces, honouring single quotes ('' is an
/// empty argument). Enough for the table; no other shell syntax is used.
fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    args.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {line}");
    if started {
        args.push(current);
    }
    args
}

/// Runs socktool with `args` and stdin from `stdin` (or nothing), killing
/// it after `PATIENCE`. The file is handed over as it is, never read into
/// memory here (`/dev/zero` never ends).
fn run_bounded(args: &[String], stdin: Option<&str>) -> std::process::Output {
    use std::process::Stdio;
    let input = match stdin {
        Some(path) => Stdio::from(std::fs::File::open(path).expect("stdin file")),
        None => Stdio::null(),
    };
    let mut child = socktool_std()
        .args(args)
        .stdin(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn socktool");
    let deadline = std::time::Instant::now() + PATIENCE;
    while child.try_wait().expect("try_wait").is_none() {
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.wait_with_output().expect("socktool output")
}

struct Row {
    command: String,
    code: i32,
    contains: String,
    /// A row marked "(Linux)" after its command: it names something only
    /// Linux has (the loopback interface `lo`).
    linux_only: bool,
}

fn rows() -> Vec<Row> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/bad-input.md"))
        .expect("docs/bad-input.md");
    page.lines()
        .filter(|l| l.starts_with("| `socktool"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "row {l}");
            let linux_only = cells[0].ends_with(" (Linux)");
            let command = cells[0].trim_end_matches(" (Linux)");
            Row {
                command: command.trim_matches('`').to_string(),
                linux_only,
                code: cells[1]
                    .parse()
                    .unwrap_or_else(|_| panic!("exit code in {l}")),
                contains: cells[2].trim_matches('`').to_string(),
            }
        })
        .collect()
}

#[test]
fn every_row_of_the_bad_input_table_holds() {
    let rows = rows();
    assert!(rows.len() >= 40, "the table should keep at least 40 cases");
    let mut failures = Vec::new();
    for row in &rows {
        if row.linux_only && !cfg!(target_os = "linux") {
            continue;
        }
        let args = split_args(&row.command);
        assert_eq!(args[0], "socktool");
        if row.command.contains("::1") && !has_ipv6_loopback() {
            eprintln!("skipped (no ::1 here): {}", row.command);
            continue;
        }
        // `< FILE` at the end: that file is stdin (a row has no shell).
        let (args, stdin) = match args.iter().position(|a| a == "<") {
            Some(i) => (&args[..i], Some(args[i + 1].clone())),
            None => (&args[..], None),
        };
        let out = run_bounded(&args[1..], stdin.as_deref());
        let stderr = text(&out.stderr);
        let code = out.status.code();
        let problems: Vec<String> = [
            (code != Some(row.code)).then(|| format!("exit {code:?}, wanted {}", row.code)),
            (!stderr.contains(&row.contains))
                .then(|| format!("no {:?} in the message", row.contains)),
            stderr.contains("panicked").then(|| "panicked".to_string()),
            // A row that ran out of time was killed: it hung.
            (code.is_none()).then(|| "no exit code: it hung or was killed".to_string()),
            // One line of message: clap's `error: ...` or our
            // `socktool: error: ...` (which may be followed by a hint line).
            (stderr
                .lines()
                .filter(|l| l.starts_with("error:") || l.starts_with("socktool: error:"))
                .count()
                > 1)
            .then(|| "more than one error line".into()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n{stderr}",
                row.command,
                problems.join(", ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_splitter_handles_quotes() {
    assert_eq!(
        split_args("socktool resolve ''"),
        ["socktool", "resolve", ""]
    );
    assert_eq!(split_args("a 'b c' d"), ["a", "b c", "d"]);
}
