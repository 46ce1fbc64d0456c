//! The docs cannot rot: every command shown in README.md and docs/ is run.
//!
//! Three kinds of block, three checks:
//! - ```` ```console ```` blocks hold one command each, deterministic output
//!   and an optional `? CODE` exit-code line; trycmd runs them as they are
//!   (`...` and `[..]` match what varies).
//! - ```` ```text ```` blocks with `$ ` lines are transcripts of a real run,
//!   often in two terminals (a server, then a client). [`replay`] runs them
//!   again against real peers on 127.0.0.1 and checks every line they show:
//!   the client's, and the server's (its greetings, what it shows of its
//!   clients' bytes, its goodbyes, and its summary after a `^C`). Input a
//!   client reads is shown as `printf 'hi\n' | socktool connect ...`.
//! - The Chinese edition under docs/zh/ must have the same lessons and the
//!   same command lines as the English one. Its blocks run under a Chinese
//!   locale (`LANG=zh_CN.UTF-8`), so they show what a Chinese student sees:
//!   the tutorial's own lines in English, as the tutorial prints them, and
//!   socktool's notes, hints, errors and goodbyes in Chinese. The English
//!   pages run under `LANG=C.UTF-8`.
//!
//! Commands that are only suggested (experiments) go in ```` ```sh ````
//! blocks, which show no output and are not run.

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Colour off and a fixed help width, the same for every run; no key log
/// (an empty SSLKEYLOGFILE is none).
const ENV: [(&str, &str); 4] = [
    ("NO_COLOR", "1"),
    ("CLICOLOR_FORCE", "0"),
    ("COLUMNS", "100"),
    ("SSLKEYLOGFILE", ""),
];

/// The locale a page's commands run under: Chinese for docs/zh/, English
/// for the rest, whatever the machine running the tests has.
fn locale(file: &Path) -> [(&'static str, &'static str); 3] {
    let lang = if file.components().any(|c| c.as_os_str() == "zh") {
        "zh_CN.UTF-8"
    } else {
        "C.UTF-8"
    };
    // An empty LC_ALL or LC_MESSAGES is as good as unset.
    [("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", lang)]
}

#[test]
fn console_blocks_match_what_socktool_prints() {
    // One set of cases per language: trycmd's environment is per set.
    let english = trycmd::TestCases::new();
    let chinese = trycmd::TestCases::new();
    for (cases, lang) in [(&english, "docs/"), (&chinese, "docs/zh/")] {
        cases
            .register_bin("socktool", Path::new(BIN))
            .timeout(Duration::from_secs(30));
        for (k, v) in ENV.into_iter().chain(locale(Path::new(lang))) {
            cases.env(k, v);
        }
    }
    // trycmd reports a file with no console block as "ignored", which reads
    // as if the page were skipped: those pages hold transcripts (replayed
    // below) or prose, so they are not handed to trycmd at all.
    let with_console: Vec<PathBuf> = doc_files()
        .into_iter()
        .filter(|f| fenced_blocks(f).iter().any(|b| b.lang == "console"))
        .collect();
    for must in ["README.md", "docs/01-resolve.md", "docs/zh/02-http-get.md"] {
        assert!(
            with_console.iter().any(|f| f.ends_with(must)),
            "{must} should have console blocks: {with_console:?}"
        );
    }
    for file in with_console {
        match locale(&file)[2].1 {
            "C.UTF-8" => english.case(file),
            _ => chinese.case(file),
        };
    }
    // Runs when `cases` is dropped; a failing block names its file and line.
}

#[test]
// Transcripts end servers with Ctrl-C (SIGINT): Unix only.
#[cfg(unix)]
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
            // An opening fence's info string has no backticks (CommonMark):
            // a line of prose that starts with ```` ```console ```` opens nothing.
            None if ticks >= 3 && !line[ticks..].contains('`') => {
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
//   the port the OS chose replaces the shown one in every later line.
//   `openssl s_server -accept PORT ...` (an HTTPS server for the TLS
//   lesson) starts the same way on a free port the replay picks, ready
//   when it prints ACCEPT;
// - `socktool ...` (optionally `> FILE`) runs to completion. What a client
//   reads is shown as a shell gives it: `printf 'hi\n' | socktool connect
//   localhost 8888` (printf's escapes `\n \r \t \\ \xHH`). `nc` and
//   `openssl` (making certificates) run the same way; a transcript that
//   uses either is skipped, saying so, where it is not installed. stdout and stderr must match the lines shown: each in
//   its own order, interleaved in any way (two threads, or a program and
//   its data, may reach a terminal in either order). A port no server in
//   the block owns, given as an argument, stands for a port where nothing
//   listens;
// - `echo $?` shows the exit code of the command before.
// In every shown line `[..]` matches any run of characters, a line `...`
// any number of lines, and `IP:PORT` with a port no server owns is a
// client's port: any number, but the same number wherever it appears again
// in the block (so `Connected with 127.0.0.1:60730` and `Disconnected
// 127.0.0.1:60730 ...` must name the same client).
// Before each client runs, every socktool server must have said goodbye
// (`Disconnected ...`, `... turned away`) to every client it greeted
// (`Connected with ...`), so its lines come in the order a person sees them.
// After the last command, each server's output must contain the lines shown
// under it, in that order. A line `^C` among them is Ctrl-C: SIGINT is sent
// once the lines above it have appeared; the server must then print the
// lines below it and exit.
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

/// A command line taken apart: what is piped in, the words, `> FILE`.
struct Invocation {
    input: Option<Vec<u8>>,
    words: Vec<String>,
    stdout_file: Option<String>,
}

fn parse_command(command: &str, at: &str) -> Invocation {
    let (input, rest) = match command.strip_prefix("printf '") {
        Some(after) => {
            let (text, rest) = after
                .split_once("' | ")
                .unwrap_or_else(|| panic!("{at}: expected printf 'TEXT' | COMMAND: {command:?}"));
            (Some(printf_bytes(text, at)), rest)
        }
        None => (None, command),
    };
    assert!(
        !rest.contains(['"', '\'', '|', '&', ';', '<']),
        "{at}: the replay has no shell (only `printf 'TEXT' | COMMAND`): {command:?}"
    );
    let mut words: Vec<String> = rest.split_whitespace().map(String::from).collect();
    let mut stdout_file = None;
    if words.len() >= 2 && words[words.len() - 2] == ">" {
        stdout_file = words.pop();
        words.pop();
    }
    Invocation {
        input,
        words,
        stdout_file,
    }
}

/// The bytes `printf 'TEXT'` writes, for the escapes the docs use.
fn printf_bytes(text: &str, at: &str) -> Vec<u8> {
    assert!(
        !text.contains('%'),
        "{at}: printf formats (%) are not replayed"
    );
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let byte = u8::from_str_radix(&hex, 16)
                    .unwrap_or_else(|_| panic!("{at}: bad printf escape \\x{hex}"));
                out.push(byte);
            }
            other => panic!("{at}: printf escape \\{other:?} is not replayed"),
        }
    }
    out
}

/// Whether `program` can be started (it is installed and on PATH).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("-h")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Client ports bound so far in one transcript: shown number → real one.
type Vars = HashMap<String, String>;

/// A process started by a transcript; killed when dropped.
struct Peer {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    /// How far `seen` has been matched against `shown`.
    next: usize,
    shown: Vec<String>,
    at: String,
    /// A socktool server, which greets and says goodbye to each client.
    socktool: bool,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Peer {
    /// Starts `cmd` as the peer whose lines the transcript `shown` at `at`
    /// (in `file`) shows; `socktool` when it is one of socktool's servers.
    fn start(cmd: Command, at: &str, file: &Path, shown: &[String], socktool: bool) -> Peer {
        let (child, lines) = spawn_merged(cmd, at, file);
        Peer {
            child,
            lines,
            seen: Vec::new(),
            next: 0,
            shown: shown.to_vec(),
            at: at.to_string(),
            socktool,
        }
    }

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

    /// Waits until the server has said goodbye to every client it greeted,
    /// or has exited.
    fn settle(&mut self) {
        if !self.socktool {
            return;
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            while let Ok(line) = self.lines.try_recv() {
                self.seen.push(line);
            }
            let open = open_clients(&self.seen);
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            // A server the docs show stopping by itself (serve-once after
            // its client, no ^C) must really be gone before the next client
            // runs: until it closes its listening socket, a connect would
            // still land in its backlog.
            if open.is_empty() && !(self.stops_by_itself() && self.served_all_shown()) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                    "{}: the server never said goodbye to {open:?}; it printed:\n{}",
                    self.at,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// The transcript shows the server's summary without a Ctrl-C first.
    fn stops_by_itself(&self) -> bool {
        self.shown.iter().any(|l| is_summary(l)) && !self.shown.iter().any(|l| l.trim() == "^C")
    }

    /// The server has said goodbye to as many clients as the transcript
    /// shows it serving.
    fn served_all_shown(&self) -> bool {
        let goodbyes = |lines: &[String]| lines.iter().filter(|l| is_goodbye(l)).count();
        goodbyes(&self.seen) >= goodbyes(&self.shown)
    }

    /// Checks that the lines shown under the server appeared, in order;
    /// `^C` sends SIGINT and then the server must finish and exit.
    fn check_shown(&mut self, ports: &HashMap<String, String>, vars: &mut Vars) {
        let shown = self.shown.clone();
        let mut parts = shown.split(|l| l == "^C");
        let before = parts.next().unwrap_or(&[]);
        self.expect_in_order(before, ports, vars);
        #[cfg(unix)]
        if shown.iter().any(|l| l == "^C") {
            let after: Vec<String> = parts.flatten().cloned().collect();
            // SAFETY: kill(2) on our own child's pid; no memory is involved.
            let rc = unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
            assert_eq!(rc, 0, "{}: cannot send SIGINT", self.at);
            self.expect_in_order(&after, ports, vars);
            let deadline = Instant::now() + PATIENCE;
            while !matches!(self.child.try_wait(), Ok(Some(_))) {
                assert!(
                    Instant::now() < deadline,
                    "{}: the server did not exit after ^C",
                    self.at
                );
                thread::sleep(Duration::from_millis(20));
            }
        }
    }

    fn expect_in_order(
        &mut self,
        shown: &[String],
        ports: &HashMap<String, String>,
        vars: &mut Vars,
    ) {
        let deadline = Instant::now() + PATIENCE;
        for line in shown.iter().filter(|l| *l != "...") {
            let pattern = pattern(line, ports);
            loop {
                if self.next == self.seen.len() {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match self.lines.recv_timeout(left) {
                        Ok(printed) => self.seen.push(printed),
                        Err(_) => panic!(
                            "{}: the server never printed {line:?}; it printed:\n{}",
                            self.at,
                            self.seen.join("\n")
                        ),
                    }
                    continue;
                }
                let printed = &self.seen[self.next];
                self.next += 1;
                if let Some(bound) = tok_match(&pattern, printed, vars) {
                    *vars = bound;
                    break;
                }
            }
        }
    }
}

/// Clients a socktool server greeted and has not said goodbye to yet.
/// `Connected with` is the tutorial's line in every language; the
/// goodbyes are socktool's own, in English or in Chinese.
fn open_clients(lines: &[String]) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    for line in lines {
        if let Some(peer) = line.strip_prefix("Connected with ") {
            open.push(peer.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("Disconnected ") {
            let peer = rest.split(' ').next().unwrap_or("");
            open.retain(|p| p != peer);
        } else if let Some(rest) = line.strip_prefix("已断开 ") {
            let peer = rest.split(',').next().unwrap_or("");
            open.retain(|p| p != peer);
        } else if let Some((peer, _)) = line
            .split_once(" turned away")
            .or_else(|| line.split_once(" 被拒绝:"))
        {
            let peer = peer
                .trim_start_matches("warning: ")
                .trim_start_matches("警告: ");
            open.retain(|p| p != peer);
        }
    }
    open
}

/// The summary a TCP server ends with, in either language.
fn is_summary(line: &str) -> bool {
    line.starts_with("Server stopped:") || line.starts_with("服务器已停止:")
}

/// A server's goodbye to one client, in either language.
fn is_goodbye(line: &str) -> bool {
    line.starts_with("Disconnected ")
        || line.starts_with("已断开 ")
        || line.contains(" turned away")
        || line.contains(" 被拒绝:")
}

/// Spawns `cmd` with stdout and stderr on one pipe, as a terminal shows
/// them, and returns a channel of its lines.
fn spawn_merged(mut cmd: Command, at: &str, file: &Path) -> (Child, Receiver<String>) {
    for (k, v) in ENV.into_iter().chain(locale(file)) {
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
    let all = steps(block);
    for step in &all {
        let program = step.command.split(" | ").last().unwrap_or("");
        for tool in ["nc", "openssl"] {
            if program.starts_with(&format!("{tool} ")) && !installed(tool) {
                eprintln!(
                    "{}:{}: skipped this transcript: {tool} is not installed",
                    block.file.display(),
                    step.line
                );
                return;
            }
        }
    }
    let dir = std::env::temp_dir().join(format!(
        "socktool-docs-{}-{}",
        std::process::id(),
        block.line
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut ports: HashMap<String, String> = HashMap::new();
    let mut vars = Vars::new();
    let mut peers: Vec<Peer> = Vec::new();
    let mut last_code: Option<i32> = None;
    for step in all {
        let at = format!("{}:{}", block.file.display(), step.line);
        let inv = parse_command(&step.command, &at);
        let words: Vec<&str> = inv.words.iter().map(String::as_str).collect();
        let serves = step
            .shown
            .iter()
            .any(|l| l.contains("Socket now listening on "));
        match words.as_slice() {
            ["python3", "-m", "http.server", port, rest @ ..] => {
                let mut cmd = Command::new("python3");
                cmd.args(["-m", "http.server", "0"])
                    .args(rest)
                    .current_dir(&dir)
                    // Python buffers a piped stdout; the readiness line must
                    // come at once.
                    .env("PYTHONUNBUFFERED", "1");
                let mut peer = Peer::start(cmd, &at, &block.file, &step.shown, false);
                let ready = peer.wait_for("Serving HTTP on ");
                let real = ready
                    .split(" port ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .unwrap_or_else(|| panic!("{at}: no port in {ready:?}"));
                ports.insert(port.to_string(), real.to_string());
                peers.push(peer);
            }
            ["socktool", ..] if serves => {
                assert!(inv.input.is_none(), "{at}: a server reads no input");
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
                let mut peer = Peer::start(cmd, &at, &block.file, &step.shown, true);
                let ready = peer.wait_for("Socket now listening on ");
                let real = ready.trim().rsplit(':').next().unwrap_or("").to_string();
                ports.insert(shown_port, real);
                peers.push(peer);
            }
            ["openssl", "s_server", "-accept", port, rest @ ..] => {
                // A free port, released for s_server to take: s_server
                // cannot say which port it got from port 0.
                let free = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
                let real = free.local_addr().unwrap().port().to_string();
                drop(free);
                let mut cmd = Command::new("openssl");
                cmd.args(["s_server", "-accept", &format!("127.0.0.1:{real}")])
                    .args(rest)
                    .current_dir(&dir);
                let mut peer = Peer::start(cmd, &at, &block.file, &step.shown, false);
                peer.wait_for("ACCEPT");
                ports.insert(port.to_string(), real);
                peers.push(peer);
            }
            [program @ ("socktool" | "nc" | "openssl"), args @ ..] => {
                for port in ports_in_args(args) {
                    add_closed_port(&mut ports, port);
                }
                let args: Vec<String> = args.iter().map(|a| with_ports(a, &ports)).collect();
                for peer in &mut peers {
                    peer.settle();
                }
                let program = if *program == "socktool" { BIN } else { program };
                let client = Client {
                    at: &at,
                    dir: &dir,
                    program,
                    args: &args,
                    input: inv.input,
                    stdout_file: inv.stdout_file.as_ref().map(|f| dir.join(f)),
                    page: &block.file,
                };
                last_code = Some(client.run(&step.shown, &ports, &mut vars));
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
        peer.settle();
        peer.check_shown(&ports, &mut vars);
    }
    drop(peers);
    let _ = fs::remove_dir_all(&dir);
}

/// Registers a port that no server owns as a port where nothing listens:
/// the kernel hands out a free one, which we release at once.
fn add_closed_port(ports: &mut HashMap<String, String>, port: String) {
    ports.entry(port).or_insert_with(|| {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        l.local_addr().unwrap().port().to_string()
    });
}

/// The ports a client's arguments name: in a target such as
/// `localhost:8000` or `http://127.0.0.1:8000/`, or as the word after a
/// host (`connect localhost 8888`, `nc -N localhost 8888`).
fn ports_in_args(args: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        found.extend(ports_in(arg));
        let after_host = i > 0 && is_host(args[i - 1]);
        if after_host && !arg.is_empty() && arg.chars().all(|c| c.is_ascii_digit()) {
            found.push(arg.to_string());
        }
    }
    found
}

fn is_host(word: &str) -> bool {
    word == "localhost" || word.ends_with(".invalid") || word.parse::<std::net::IpAddr>().is_ok()
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

/// A client command of a transcript.
struct Client<'a> {
    at: &'a str,
    dir: &'a Path,
    program: &'a str,
    args: &'a [String],
    input: Option<Vec<u8>>,
    stdout_file: Option<PathBuf>,
    /// The page the command is shown on, which sets its language.
    page: &'a Path,
}

impl Client<'_> {
    /// Runs to completion (at most [`PATIENCE`]), checks what it printed
    /// against `shown`, returns the exit code.
    fn run(self, shown: &[String], ports: &HashMap<String, String>, vars: &mut Vars) -> i32 {
        let at = self.at;
        let mut cmd = Command::new(self.program);
        cmd.args(self.args).current_dir(self.dir);
        for (k, v) in ENV.into_iter().chain(locale(self.page)) {
            cmd.env(k, v);
        }
        cmd.stdin(match self.input {
            Some(_) => Stdio::piped(),
            None => Stdio::null(),
        })
        .stderr(Stdio::piped());
        match &self.stdout_file {
            Some(path) => cmd.stdout(fs::File::create(path).unwrap()),
            None => cmd.stdout(Stdio::piped()),
        };
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{at}: cannot start {}: {e}", self.program));
        if let (Some(bytes), Some(mut stdin)) = (self.input, child.stdin.take()) {
            // Closed when written: the end of the pipe is the client's EOF.
            thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
        }
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            read_lines(out, true, tx.clone());
        }
        read_lines(child.stderr.take().expect("stderr"), false, tx);
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok((true, line)) => stdout.push(line),
                Ok((false, line)) => stderr.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    panic!(
                        "{at}: {} did not finish in time; it printed:\n{}\n{}",
                        self.program,
                        stdout.join("\n"),
                        stderr.join("\n")
                    );
                }
            }
        }
        let code = child.wait().expect("wait").code().unwrap_or(-1);
        if let Some(path) = &self.stdout_file {
            let data = fs::read(path).unwrap();
            assert!(
                !data.is_empty() || code != 0,
                "{at}: nothing was written to {}",
                path.display()
            );
        }
        let patterns = patterns(shown, ports);
        match interleaved(&patterns, &stdout, &stderr, vars) {
            Some(bound) => *vars = bound,
            None => panic!(
                "{at}: {} {} printed something else.\n--- shown in the docs:\n{}\n--- printed on stdout:\n{}\n--- printed on stderr:\n{}",
                self.program,
                self.args.join(" "),
                shown.join("\n"),
                stdout.join("\n"),
                stderr.join("\n")
            ),
        }
        code
    }
}

/// Sends each non-blank line of `reader` (without its `\n` or `\r\n`),
/// tagged with `is_stdout`. Lossy text is for comparing narration only.
fn read_lines(
    reader: impl Read + Send + 'static,
    is_stdout: bool,
    tx: mpsc::Sender<(bool, String)>,
) {
    thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line);
                    let text = text.trim_end_matches('\n').trim_end_matches('\r');
                    if !text.trim().is_empty() && tx.send((is_stdout, text.to_string())).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------
// Matching shown lines

/// A shown line, compiled.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(String),
    /// `[..]`: any run of characters.
    Any,
    /// A client's port: any number, the same one everywhere in the block.
    Port(String),
}

/// A shown line: `...` (any number of lines) or a pattern.
enum Line {
    Skip,
    Pat(Vec<Tok>),
}

fn patterns(shown: &[String], ports: &HashMap<String, String>) -> Vec<Line> {
    shown
        .iter()
        .map(|l| match l.as_str() {
            "..." => Line::Skip,
            l => Line::Pat(pattern(l, ports)),
        })
        .collect()
}

/// Compiles a shown line: `[..]` becomes [`Tok::Any`]; a server's shown port
/// becomes its real one; any other port after an address (`127.0.0.1:60730`,
/// `[::1]:60730`) becomes a client port [`Tok::Port`].
fn pattern(shown: &str, ports: &HashMap<String, String>) -> Vec<Tok> {
    let chars: Vec<char> = shown.chars().collect();
    let mut toks = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i..].starts_with(&['[', '.', '.', ']']) {
            toks.push(Tok::Lit(std::mem::take(&mut lit)));
            toks.push(Tok::Any);
            i += 4;
        } else if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            let after_address = start >= 2
                && chars[start - 1] == ':'
                && (chars[start - 2].is_ascii_digit() || chars[start - 2] == ']');
            if let Some(real) = ports.get(&number) {
                lit.push_str(real);
            } else if after_address {
                toks.push(Tok::Lit(std::mem::take(&mut lit)));
                toks.push(Tok::Port(number));
            } else {
                lit.push_str(&number);
            }
        } else {
            lit.push(chars[i]);
            i += 1;
        }
    }
    toks.push(Tok::Lit(lit));
    toks.retain(|t| *t != Tok::Lit(String::new()));
    toks
}

/// Matches one printed line; returns the client ports bound so far.
fn tok_match(toks: &[Tok], printed: &str, vars: &Vars) -> Option<Vars> {
    match toks.split_first() {
        None => printed.is_empty().then(|| vars.clone()),
        Some((Tok::Lit(lit), rest)) => printed
            .strip_prefix(lit.as_str())
            .and_then(|p| tok_match(rest, p, vars)),
        Some((Tok::Any, rest)) => printed
            .char_indices()
            .map(|(i, _)| i)
            .chain([printed.len()])
            .find_map(|i| tok_match(rest, &printed[i..], vars)),
        Some((Tok::Port(name), rest)) => {
            let n = printed.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let (port, rest_of_line) = printed.split_at(n);
            match vars.get(name) {
                Some(bound) if bound != port => None,
                Some(_) => tok_match(rest, rest_of_line, vars),
                // Two shown numbers are two clients: never the same port.
                None if vars.values().any(|v| v == port) => None,
                None => {
                    let mut bound = vars.clone();
                    bound.insert(name.clone(), port.to_string());
                    tok_match(rest, rest_of_line, &bound)
                }
            }
        }
    }
}

/// Whole-output match of two streams printed at once: the shown lines must
/// be `a` and `b` interleaved, each kept in its own order.
fn interleaved(shown: &[Line], a: &[String], b: &[String], vars: &Vars) -> Option<Vars> {
    match shown.split_first() {
        None => (a.is_empty() && b.is_empty()).then(|| vars.clone()),
        Some((Line::Skip, [])) => Some(vars.clone()),
        Some((Line::Skip, rest)) => (0..=a.len())
            .flat_map(|i| (0..=b.len()).map(move |j| (i, j)))
            .find_map(|(i, j)| interleaved(rest, &a[i..], &b[j..], vars)),
        Some((Line::Pat(p), rest)) => {
            let from_a = a
                .first()
                .and_then(|l| tok_match(p, l, vars))
                .and_then(|v| interleaved(rest, &a[1..], b, &v));
            from_a.or_else(|| {
                b.first()
                    .and_then(|l| tok_match(p, l, vars))
                    .and_then(|v| interleaved(rest, a, &b[1..], &v))
            })
        }
    }
}

/// One stream: [`interleaved`] with nothing on the other.
#[cfg(test)]
fn lines_match(shown: &[&str], printed: &[&str]) -> bool {
    let shown: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
    let printed: Vec<String> = printed.iter().map(|s| s.to_string()).collect();
    interleaved(
        &patterns(&shown, &HashMap::new()),
        &printed,
        &[],
        &Vars::new(),
    )
    .is_some()
}

#[cfg(test)]
fn line_matches(shown: &str, printed: &str) -> bool {
    tok_match(&pattern(shown, &HashMap::new()), printed, &Vars::new()).is_some()
}

#[test]
fn the_matcher_itself() {
    assert!(lines_match(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(lines_match(&["a", "..."], &["a"]));
    assert!(!lines_match(&["a", "d"], &["a", "b", "d"]));
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
    assert_eq!(
        ports_in_args(&["connect", "localhost", "8888", "--timeout", "2"]),
        vec!["8888"]
    );
    assert_eq!(ports_in_args(&["-N", "127.0.0.1", "81"]), vec!["81"]);
}

#[test]
fn client_ports_bind_once_per_transcript() {
    let ports = HashMap::from([("8888".to_string(), "41234".to_string())]);
    let s = |v: &[&str]| v.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let shown = patterns(
        &s(&[
            "Connected with 127.0.0.1:60730",
            "[127.0.0.1:60730] hi",
            "Disconnected 127.0.0.1:60730 after [..]s",
            "listening on 127.0.0.1:8888",
        ]),
        &ports,
    );
    let good = s(&[
        "Connected with 127.0.0.1:50001",
        "[127.0.0.1:50001] hi",
        "Disconnected 127.0.0.1:50001 after 0.01s",
        "listening on 127.0.0.1:41234",
    ]);
    let vars = interleaved(&shown, &good, &[], &Vars::new()).expect("matches");
    assert_eq!(vars.get("60730").map(String::as_str), Some("50001"));
    let mut other_client = good.clone();
    other_client[2] = "Disconnected 127.0.0.1:50002 after 0.01s".into();
    assert!(interleaved(&shown, &other_client, &[], &Vars::new()).is_none());
    let two_names = patterns(
        &s(&["Connected with 127.0.0.1:60730", "[127.0.0.1:60731] hi"]),
        &ports,
    );
    assert!(interleaved(&two_names, &good[..2], &[], &Vars::new()).is_none());
    let mut wrong_server = good.clone();
    wrong_server[3] = "listening on 127.0.0.1:8888".into();
    assert!(interleaved(&shown, &wrong_server, &[], &Vars::new()).is_none());
}

#[test]
fn two_streams_keep_their_own_order_and_may_interleave() {
    let s = |v: &[&str]| v.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let shown = patterns(&s(&["one", "A", "two", "B"]), &HashMap::new());
    let (out, err) = (s(&["A", "B"]), s(&["one", "two"]));
    assert!(interleaved(&shown, &out, &err, &Vars::new()).is_some());
    let swapped = patterns(&s(&["one", "B", "two", "A"]), &HashMap::new());
    assert!(interleaved(&swapped, &out, &err, &Vars::new()).is_none());
    let missing = patterns(&s(&["one", "A", "two"]), &HashMap::new());
    assert!(interleaved(&missing, &out, &err, &Vars::new()).is_none());
}

#[test]
fn printf_input_and_shell_forms() {
    let inv = parse_command(
        r"printf 'hi\r\n\x00' | socktool connect localhost 8888",
        "t",
    );
    assert_eq!(inv.input.as_deref(), Some(&b"hi\r\n\x00"[..]));
    assert_eq!(inv.words, ["socktool", "connect", "localhost", "8888"]);
    let inv = parse_command("socktool http-get localhost:8000 > page.html", "t");
    assert_eq!(inv.stdout_file.as_deref(), Some("page.html"));
    assert!(std::panic::catch_unwind(|| parse_command("socktool a | b", "t")).is_err());
}
