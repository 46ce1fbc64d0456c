//! The docs cannot rot: every command shown in README.md and docs/ is run.
//!
//! Three kinds of block, three checks:
//! - ```` ```console ```` blocks hold one command each, deterministic output
//!   and an optional `? CODE` exit-code line; trycmd runs them as they are
//!   (`...` and `[..]` match what varies).
//! - ```` ```text ```` blocks with `$ ` lines are transcripts of a real run,
//!   often in two terminals (a server, then a client). [`replay`] runs them
//!   again against real peers on 127.0.0.1 and checks every line they show.
//! - The Chinese edition under docs/zh/ must have the same lessons and the
//!   same command lines as the English one.
//!
//! Commands that are only suggested (experiments) go in ```` ```sh ````
//! blocks, which show no output and are not run.

mod common;
use common::*;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Colour off and a fixed help width, the same for every run.
const ENV: [(&str, &str); 3] = [
    ("NO_COLOR", "1"),
    ("CLICOLOR_FORCE", "0"),
    ("COLUMNS", "100"),
];

#[test]
fn console_blocks_match_what_socktool_prints() {
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("socktool", Path::new(BIN))
        .timeout(Duration::from_secs(30));
    for (k, v) in ENV {
        cases.env(k, v);
    }
    for file in doc_files() {
        cases.case(file);
    }
    // Runs when `cases` is dropped; a failing block names its file and line.
}

#[test]
fn transcripts_replay_against_real_peers() {
    let mut replayed = 0;
    for file in doc_files() {
        for block in fenced_blocks(&file) {
            if block.lang == "text" && block.lines.iter().any(|l| l.starts_with("$ ")) {
                replay(&block);
                replayed += 1;
            }
        }
    }
    // README.md and the http-get lesson in both languages, at least.
    assert!(replayed >= 3, "only {replayed} transcripts found");
}

#[test]
fn english_and_chinese_editions_have_the_same_lessons_and_commands() {
    // Lessons are `NN-name.md` plus the index; reference pages such as
    // docs/bad-input.md are English only.
    let en = lessons(&Path::new(ROOT).join("docs"));
    let zh = lessons(&Path::new(ROOT).join("docs/zh"));
    assert_eq!(en, zh, "docs/ and docs/zh/ must hold the same lessons");
    assert!(en.contains(&"README.md".to_string()), "{en:?}");
    assert!(en.len() >= 3, "{en:?}");
    for name in &en {
        let en_file = Path::new(ROOT).join("docs").join(name);
        let zh_file = Path::new(ROOT).join("docs/zh").join(name);
        assert_eq!(
            command_lines(&en_file),
            command_lines(&zh_file),
            "docs/{name} and docs/zh/{name} must show the same commands, in the same order"
        );
    }
}

#[test]
fn the_index_links_every_lesson_and_only_files_that_exist() {
    for dir in ["docs", "docs/zh"] {
        let dir = Path::new(ROOT).join(dir);
        let index = fs::read_to_string(dir.join("README.md")).unwrap();
        for name in lessons(&dir).iter().filter(|n| *n != "README.md") {
            assert!(
                index.contains(&format!("]({name})")),
                "{}/README.md does not link {name}",
                dir.display()
            );
        }
        for link in index.split("](").skip(1) {
            let target = link.split(')').next().unwrap_or("");
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let path = dir.join(target.split('#').next().unwrap_or(""));
            assert!(path.exists(), "{} links to missing {target}", dir.display());
        }
    }
}

/// The index and the numbered lessons (`01-resolve.md`) in `dir`.
fn lessons(dir: &Path) -> Vec<String> {
    lesson_names(dir)
        .into_iter()
        .filter(|n| {
            n == "README.md"
                || n.split('-')
                    .next()
                    .is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()))
        })
        .collect()
}

#[test]
fn every_fence_names_its_language() {
    // A bare ``` fence is taken for a console block by trycmd and for Rust
    // by rustdoc; naming the language keeps each block's role explicit.
    for file in doc_files() {
        for block in fenced_blocks(&file) {
            assert!(
                !block.lang.is_empty(),
                "{}:{}: a fence without a language (use console, text, sh or rust)",
                block.file.display(),
                block.line
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Finding blocks

/// README.md and every Markdown file under docs/.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    for dir in ["docs", "docs/zh"] {
        for name in lesson_names(&Path::new(ROOT).join(dir)) {
            files.push(Path::new(ROOT).join(dir).join(name));
        }
    }
    files
}

/// Every `.md` file directly in `dir`, sorted.
fn lesson_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

struct Block {
    file: PathBuf,
    /// Line number of the opening fence.
    line: usize,
    /// The fence's language: `console`, `text`, `sh`, `rust`, ...
    lang: String,
    lines: Vec<String>,
}

fn fenced_blocks(file: &Path) -> Vec<Block> {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut blocks = Vec::new();
    let mut open: Option<(String, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        let ticks = line.len() - line.trim_start_matches('`').len();
        match &mut open {
            None if ticks >= 3 => {
                let info = line[ticks..].trim();
                let lang = info.split([',', ' ']).next().unwrap_or("").to_string();
                let block = Block {
                    file: file.to_path_buf(),
                    line: i + 1,
                    lang,
                    lines: Vec::new(),
                };
                open = Some((line[..ticks].to_string(), block));
            }
            None => {}
            Some((fence, _)) if line.starts_with(fence.as_str()) && line.trim() == fence => {
                blocks.push(open.take().unwrap().1);
            }
            Some((_, block)) => block.lines.push(line.to_string()),
        }
    }
    blocks
}

/// The commands a page shows: `$ ` lines in any block, and each command in
/// ```` ```sh ```` blocks (comments dropped: they are translated).
fn command_lines(file: &Path) -> Vec<String> {
    let mut commands = Vec::new();
    for block in fenced_blocks(file) {
        for line in &block.lines {
            if let Some(cmd) = line.strip_prefix("$ ") {
                commands.push(cmd.trim().to_string());
            } else if block.lang == "sh" {
                let cmd = line.split(" #").next().unwrap_or("").trim();
                if !cmd.is_empty() && !cmd.starts_with('#') {
                    commands.push(cmd.to_string());
                }
            }
        }
    }
    commands
}

// ---------------------------------------------------------------------------
// Replaying transcripts
//
// A transcript is a ```text block: `$ COMMAND` lines, each followed by what
// the terminal showed. `# ...` lines (e.g. `# terminal 1`) and blank lines
// are for the reader. Commands run in the order shown, in a fresh temporary
// directory:
// - a long-running server starts in the background and the replay waits for
//   its readiness line: `python3 -m http.server PORT ...` ("Serving HTTP on
//   ... port N"), or any `socktool` command whose output shows "Socket now
//   listening on ADDR" (every socktool server prints it). It runs on port 0;
//   the port the OS chose replaces the shown one in every later line;
// - `socktool ...` (optionally `> FILE`) runs to completion; its stdout and
//   stderr, interleaved as in a terminal, must match the lines shown exactly,
//   where `[..]` matches anything within a line and a line `...` any number
//   of lines. A port no server in the block owns stands for a port where
//   nothing listens;
// - `echo $?` shows the exit code of the command before.
// After the last command, each server's output must contain the lines shown
// under it, in that order.
// Anything else is refused: show it in a ```sh block instead.

/// A command and the lines shown under it.
struct Step {
    line: usize,
    command: String,
    shown: Vec<String>,
}

fn steps(block: &Block) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_output = false;
    for (i, line) in block.lines.iter().enumerate() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            steps.push(Step {
                line: block.line + 1 + i,
                command: cmd.trim().to_string(),
                shown: Vec::new(),
            });
            in_output = true;
        } else if line.starts_with('#') || line.trim().is_empty() {
            in_output = !line.starts_with('#') && in_output;
        } else if in_output {
            steps.last_mut().unwrap().shown.push(line.clone());
        } else {
            panic!(
                "{}:{}: output with no command above it: {line:?}",
                block.file.display(),
                block.line + 1 + i
            );
        }
    }
    steps
}

/// A process started by a transcript; killed when dropped.
struct Peer {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    shown: Vec<String>,
    at: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Peer {
    /// Waits (at most [`PATIENCE`]) for a line containing `needle`.
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "{}: never printed {needle:?}; output so far:\n{}",
                    self.at,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Checks that the lines shown under the server appeared, in order.
    fn check_shown(&mut self, ports: &HashMap<String, String>) {
        let mut next = 0;
        let deadline = Instant::now() + PATIENCE;
        let shown: Vec<String> = self
            .shown
            .iter()
            .map(|l| with_ports(l, ports))
            .filter(|l| l != "...")
            .collect();
        let mut matched = 0;
        while matched < shown.len() {
            if next == self.seen.len() {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.lines.recv_timeout(left) {
                    Ok(line) => self.seen.push(line),
                    Err(_) => panic!(
                        "{}: the server never printed {:?}; it printed:\n{}",
                        self.at,
                        shown[matched],
                        self.seen.join("\n")
                    ),
                }
                continue;
            }
            if line_matches(&shown[matched], &self.seen[next]) {
                matched += 1;
            }
            next += 1;
        }
    }
}

/// Spawns `cmd` with stdout and stderr on one pipe, as a terminal shows
/// them, and returns a channel of its lines.
fn spawn_merged(mut cmd: Command, at: &str) -> (Child, Receiver<String>) {
    for (k, v) in ENV {
        cmd.env(k, v);
    }
    let (reader, writer) = std::io::pipe().expect("pipe");
    cmd.stdin(Stdio::null())
        .stdout(writer.try_clone().expect("pipe"))
        .stderr(writer);
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{at}: cannot start {:?}: {e}", cmd.get_program()));
    // Our copies of the write end go with `cmd`, so EOF comes when the child exits.
    drop(cmd);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn replay(block: &Block) {
    let dir = std::env::temp_dir().join(format!(
        "socktool-docs-{}-{}",
        std::process::id(),
        block.line
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut ports: HashMap<String, String> = HashMap::new();
    let mut peers: Vec<Peer> = Vec::new();
    let mut last_code: Option<i32> = None;
    for step in steps(block) {
        let at = format!("{}:{}", block.file.display(), step.line);
        let words: Vec<&str> = step.command.split_whitespace().collect();
        assert!(
            !step.command.contains(['"', '\'', '|', '&', ';', '<']),
            "{at}: the replay has no shell: {:?}",
            step.command
        );
        match words.as_slice() {
            ["python3", "-m", "http.server", port, rest @ ..] => {
                let mut cmd = Command::new("python3");
                cmd.args(["-m", "http.server", "0"])
                    .args(rest)
                    .current_dir(&dir)
                    // Python buffers a piped stdout; the readiness line must
                    // come at once.
                    .env("PYTHONUNBUFFERED", "1");
                let (child, lines) = spawn_merged(cmd, &at);
                let mut peer = Peer {
                    child,
                    lines,
                    seen: Vec::new(),
                    shown: step.shown.clone(),
                    at: at.clone(),
                };
                let ready = peer.wait_for("Serving HTTP on ");
                let real = ready
                    .split(" port ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .unwrap_or_else(|| panic!("{at}: no port in {ready:?}"));
                ports.insert(port.to_string(), real.to_string());
                peers.push(peer);
            }
            ["socktool", ..]
                if step
                    .shown
                    .iter()
                    .any(|l| l.contains("Socket now listening on ")) =>
            {
                let shown_port = step
                    .shown
                    .iter()
                    .find_map(|l| l.split("Socket now listening on ").nth(1))
                    .and_then(|a| a.trim().rsplit(':').next())
                    .unwrap_or_else(|| panic!("{at}: no port in the listening line"))
                    .to_string();
                let mut args = on_port_zero(&words[1..]);
                args.insert(0, "--color".into());
                args.insert(1, "never".into());
                let mut cmd = Command::new(BIN);
                cmd.args(&args).current_dir(&dir);
                let (child, lines) = spawn_merged(cmd, &at);
                let mut peer = Peer {
                    child,
                    lines,
                    seen: Vec::new(),
                    shown: step.shown.clone(),
                    at: at.clone(),
                };
                let ready = peer.wait_for("Socket now listening on ");
                let real = ready.trim().rsplit(':').next().unwrap_or("").to_string();
                ports.insert(shown_port, real);
                peers.push(peer);
            }
            ["socktool", rest @ ..] => {
                let (args, stdout_file) = match rest {
                    [args @ .., ">", file] => (args, Some(dir.join(file))),
                    args => (args, None),
                };
                for arg in args {
                    add_closed_ports(&mut ports, arg);
                }
                let args: Vec<String> = args.iter().map(|a| with_ports(a, &ports)).collect();
                last_code = Some(run_client(
                    &at,
                    &dir,
                    &args,
                    stdout_file,
                    &step.shown,
                    &ports,
                ));
            }
            ["echo", "$?"] => {
                let code = last_code.unwrap_or_else(|| panic!("{at}: no command before echo $?"));
                assert_eq!(
                    step.shown,
                    vec![code.to_string()],
                    "{at}: the command before exited {code}"
                );
            }
            _ => panic!(
                "{at}: a transcript cannot replay {:?}; show it in a ```sh block, or teach tests/docs.rs to run it",
                step.command
            ),
        }
    }
    for peer in &mut peers {
        peer.check_shown(&ports);
    }
    drop(peers);
    let _ = fs::remove_dir_all(&dir);
}

/// Registers the ports in `arg` that no server owns as ports where nothing
/// listens: the kernel hands out a free one, which we release at once.
fn add_closed_ports(ports: &mut HashMap<String, String>, arg: &str) {
    for port in ports_in(arg) {
        ports.entry(port).or_insert_with(|| {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
            l.local_addr().unwrap().port().to_string()
        });
    }
}

/// The port numbers in a target such as `localhost:8000` or
/// `http://127.0.0.1:8000/`.
fn ports_in(arg: &str) -> Vec<String> {
    let after_scheme = arg.split("://").last().unwrap_or(arg);
    let authority = after_scheme.split('/').next().unwrap_or("");
    match authority.rsplit_once(':') {
        Some((_, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => {
            vec![port.to_string()]
        }
        _ => Vec::new(),
    }
}

/// A server's arguments with `--port N`/`-p N` replaced by port 0 (added
/// when the transcript relies on the default port).
fn on_port_zero(words: &[&str]) -> Vec<String> {
    let mut args = Vec::new();
    let mut replaced = false;
    let mut iter = words.iter();
    while let Some(w) = iter.next() {
        if *w == "--port" || *w == "-p" {
            iter.next();
            replaced = true;
            args.extend(["--port".to_string(), "0".to_string()]);
        } else {
            args.push(w.to_string());
        }
    }
    if !replaced {
        args.extend(["--port".to_string(), "0".to_string()]);
    }
    args
}

/// `text` with every shown port replaced by the real one, as whole numbers.
fn with_ports(text: &str, ports: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        out.push_str(ports.get(digits.as_str()).unwrap_or(digits));
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn run_client(
    at: &str,
    dir: &Path,
    args: &[String],
    stdout_file: Option<PathBuf>,
    shown: &[String],
    ports: &HashMap<String, String>,
) -> i32 {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    let (mut child, lines, file) = match stdout_file {
        Some(path) => {
            let file = fs::File::create(&path).unwrap();
            let (reader, writer) = std::io::pipe().unwrap();
            for (k, v) in ENV {
                cmd.env(k, v);
            }
            cmd.stdin(Stdio::null()).stdout(file).stderr(writer);
            let child = cmd.spawn().expect("spawn socktool");
            drop(cmd);
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                for line in BufReader::new(reader).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
            (child, rx, Some(path))
        }
        None => {
            let (child, rx) = spawn_merged(cmd, at);
            (child, rx, None)
        }
    };
    let mut output = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => output.push(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                panic!(
                    "{at}: socktool did not finish in time; it printed:\n{}",
                    output.join("\n")
                );
            }
        }
    }
    let code = child.wait().expect("wait").code().unwrap_or(-1);
    if let Some(path) = file {
        let mut data = Vec::new();
        fs::File::open(&path)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        assert!(
            !data.is_empty() || code != 0,
            "{at}: nothing was written to {}",
            path.display()
        );
    }
    let shown: Vec<String> = shown.iter().map(|l| with_ports(l, ports)).collect();
    let output: Vec<String> = output
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        lines_match(&shown, &output),
        "{at}: socktool {} printed something else.\n--- shown in the docs (ports replaced):\n{}\n--- printed:\n{}",
        args.join(" "),
        shown.join("\n"),
        output.join("\n")
    );
    code
}

/// Whole-output match: `...` alone on a line matches any number of lines.
fn lines_match(shown: &[String], printed: &[String]) -> bool {
    match shown.split_first() {
        None => printed.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=printed.len()).any(|skip| lines_match(rest, &printed[skip..]))
        }
        Some((first, rest)) => {
            !printed.is_empty()
                && line_matches(first, &printed[0])
                && lines_match(rest, &printed[1..])
        }
    }
}

/// One line: `[..]` matches any run of characters.
fn line_matches(shown: &str, printed: &str) -> bool {
    let parts: Vec<&str> = shown.split("[..]").collect();
    if parts.len() == 1 {
        return shown == printed;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !printed.starts_with(first) || !printed[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &printed[first.len()..printed.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn the_matcher_itself() {
    let s = |v: &[&str]| v.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(lines_match(
        &s(&["a", "...", "d"]),
        &s(&["a", "b", "c", "d"])
    ));
    assert!(lines_match(&s(&["a", "..."]), &s(&["a"])));
    assert!(!lines_match(&s(&["a", "d"]), &s(&["a", "b", "d"])));
    assert!(line_matches(
        "Received [..] bytes in [..] recv calls",
        "Received 12 bytes in 2 recv calls"
    ));
    assert!(!line_matches("Received [..] bytes", "Received 12 bytes!"));
    assert!(!line_matches("x[..]y[..]y", "xy"));
    let ports = HashMap::from([("8000".to_string(), "41234".to_string())]);
    assert_eq!(
        with_ports("localhost:8000 18000", &ports),
        "localhost:41234 18000"
    );
    assert_eq!(ports_in("http://localhost:8000/x"), vec!["8000"]);
    assert_eq!(ports_in("[::1]:81"), vec!["81"]);
    assert!(ports_in("localhost").is_empty());
}
