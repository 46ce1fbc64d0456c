//! Everything socktool prints goes through here.
//!
//! Two streams, two jobs:
//! - **stdout** carries data a script would capture (addresses, the HTTP
//!   reply, what a server's clients sent), byte for byte, never coloured;
//! - **stderr** carries the narration: the tutorial's own lines, notes that
//!   explain a pitfall the moment it happens, `--trace` lines for each
//!   socket call, `--hex` dumps, warnings and errors.
//!
//! A [`Narrator`] is cheap to clone; server threads clone it with
//! [`Narrator::for_peer`] so each line says which client it is about. Every
//! line is written whole, so lines from different threads never mix.
//!
//! A server must never wait for its terminal, so a server's first act is
//! [`Narrator::start_output`]: from then on every line and record goes
//! through a queue that threads of their own write out (`output.rs`). A
//! client step writes directly: its stdout is its result.
//!
//! Colour is decided once, here, from `--color`, `NO_COLOR`,
//! `CLICOLOR_FORCE` and whether **stderr** is a terminal (the `colored`
//! crate on its own would look at stdout, which is the wrong stream).
//! How numbers, errors and bytes are put into words lives in `words.rs`.

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use colored::Colorize;

use crate::cli::{ColorChoice, OutputOpts};
use crate::error::SockError;
use crate::tr;

mod output;
pub mod words;
pub use output::{BUDGET, CATCH_UP, LAST_FLUSH, Stream, Unshown};
pub use words::{describe_errno, errno_name, first_line, hex_dump, os_error, plural, secs};

/// Which way a chunk of bytes went, for `--hex`.
#[derive(Debug, Clone, Copy)]
pub enum Dir {
    Sent,
    Received,
}

#[derive(Clone)]
pub struct Narrator {
    quiet: bool,
    trace: bool,
    hex: bool,
    /// `[127.0.0.1:5555] ` on server threads, empty otherwise.
    prefix: String,
    /// The client this narrator is about, on a server.
    peer: Option<SocketAddr>,
    /// `--record`: where every call also goes, as JSON.
    recorder: Option<Arc<crate::record::Recorder>>,
    /// The terminal's width, when stderr is one: explanations are wrapped
    /// to it (a projector shows 80 columns; a 200-character note would
    /// wrap mid-word).
    width: Option<usize>,
    /// Where lines go: straight to the stream, or (once a server has
    /// started its output threads) into their queue. Shared by all clones.
    sink: Arc<OnceLock<Arc<output::Output>>>,
}

impl Narrator {
    /// Builds the narrator and settles colour for the whole process.
    pub fn new(opts: &OutputOpts) -> Narrator {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let colour = match opts.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    true
                } else {
                    env("NO_COLOR").is_none() && io::stderr().is_terminal()
                }
            }
        };
        colored::control::set_override(colour);
        Narrator {
            quiet: opts.quiet,
            trace: opts.trace && !opts.quiet,
            hex: opts.hex && !opts.quiet,
            prefix: String::new(),
            peer: None,
            recorder: None,
            width: terminal_size::terminal_size_of(io::stderr()).map(|(w, _)| usize::from(w.0)),
            sink: Arc::default(),
        }
    }

    /// A narrator that says nothing, for calls made on the way (a goodbye's
    /// reads, a wait inside sendall) that would only repeat what the trace
    /// already says.
    pub fn silent() -> Narrator {
        Narrator {
            quiet: true,
            trace: false,
            hex: false,
            prefix: String::new(),
            peer: None,
            recorder: None,
            width: None,
            sink: Arc::default(),
        }
    }

    /// For a server: from now on every line and record goes through a
    /// queue that two threads write out, so that a terminal nobody reads
    /// never holds up a client or the exit (see `output.rs`). Lasts until
    /// the process ends; [`Narrator::flush`] drains it before exit.
    pub fn start_output(&self) -> io::Result<()> {
        if self.sink.get().is_none() {
            let _ = self.sink.set(output::Output::start()?);
        }
        Ok(())
    }

    /// On a terminal, keeps one status line at the bottom of stderr, made
    /// by `text` and redrawn in place (see `output.rs`); nothing when
    /// stderr is piped, with `--quiet`, or before [`Narrator::start_output`].
    pub fn keep_status(&self, text: impl Fn() -> String + Send + Sync + 'static) {
        let (Some(out), Some(width)) = (self.sink.get(), self.width) else {
            return;
        };
        if self.quiet || !io::stderr().is_terminal() {
            return;
        }
        out.keep_status(Box::new(text), width, io::stdout().is_terminal());
    }

    /// Lets the queue drain (at most [`LAST_FLUSH`] for each stream) and
    /// says what was never shown, before a server's summary. Nothing to do
    /// for a step that writes directly.
    pub fn finish_output(&self) {
        let Some(out) = self.sink.get() else {
            return;
        };
        let unshown = out.finish();
        if unshown.records > 0 {
            self.warn(tr!("unshown-records", count = unshown.records));
        }
        if unshown.lines > 0 {
            self.warn(tr!("unshown-lines", count = unshown.lines));
        }
    }

    /// Before exit: lets the narration still queued out, for at most
    /// [`LAST_FLUSH`]. Exit never waits longer for a terminal.
    pub fn flush(&self) {
        if let Some(out) = self.sink.get() {
            out.flush(LAST_FLUSH);
        }
    }

    /// A server's console: what a client sent, on stdout, as bytes. With a
    /// `peer`, one record: `[IP:PORT] ` + the bytes unchanged + `\n` if they
    /// did not end with one, kept whole so records from different clients
    /// never mix. Without, the bytes exactly (plus that `\n` on a terminal). Never waits for stdout (see `output.rs`); nothing at all
    /// with `--quiet`, where a busy server's console would cost more than
    /// the serving itself.
    pub fn record(&self, peer: Option<SocketAddr>, data: &[u8]) {
        if self.quiet {
            return;
        }
        let label = peer.map(|p| format!("[{p}] ")).unwrap_or_default();
        // Unlabelled records (serve-once's echo) stay exact in a pipe; on a
        // terminal they end the line, or the next narration line would
        // start right after them (`happDisconnected ...`).
        let line_ends = peer.is_some() || io::stdout().is_terminal();
        let end: &[u8] = if line_ends && !data.ends_with(b"\n") {
            b"\n"
        } else {
            b""
        };
        match self.sink.get() {
            Some(out) => out.push(Stream::Out, &[label.as_bytes(), data, end]),
            None => {
                let mut out = io::stdout().lock();
                let _ = out
                    .write_all(label.as_bytes())
                    .and_then(|()| out.write_all(data))
                    .and_then(|()| out.write_all(end))
                    .and_then(|()| out.flush());
            }
        }
    }

    /// A narrator for one client of a server: every line names the peer.
    pub fn for_peer(&self, peer: SocketAddr) -> Narrator {
        Narrator {
            prefix: format!("[{peer}] "),
            peer: Some(peer),
            ..self.clone()
        }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Whether calls are being watched: shown (`--trace`) or recorded
    /// (`--record`). Words for a call's outcome are made only then.
    pub fn is_tracing(&self) -> bool {
        self.trace || self.recorder.is_some()
    }

    /// One of the tutorial's own lines: `Socket created`, `Socket Connected
    /// to ...`. These are what a student compares with the tutorial.
    pub fn step(&self, line: impl fmt::Display) {
        if !self.quiet {
            self.emit(&format!("{}", line.to_string().bold()));
        }
    }

    /// A line that explains what just happened and why it matters: a short
    /// recv, an EOF, a would-block.
    pub fn note(&self, line: impl fmt::Display) {
        if !self.quiet {
            let label = tr!("label-note");
            self.explain(&label, label.cyan(), &line.to_string());
        }
    }

    /// Plain narration that is neither a tutorial line nor a lesson: the
    /// request lines shown as `> GET / HTTP/1.1`, a summary.
    pub fn info(&self, line: impl fmt::Display) {
        if !self.quiet {
            self.emit(&line.to_string());
        }
    }

    /// Something the user should know even when nothing failed.
    pub fn warn(&self, line: impl fmt::Display) {
        if !self.quiet {
            self.warn_always(line);
        }
    }

    /// A warning that `--quiet` does not hide: what a user must know
    /// whatever they asked for (a server other machines can reach).
    pub fn warn_always(&self, line: impl fmt::Display) {
        let label = tr!("label-warning");
        self.explain(&label, label.yellow().bold(), &line.to_string());
    }

    /// On a terminal, the line after Ctrl-C starts afresh instead of after
    /// the `^C` the terminal echoed.
    pub fn after_ctrl_c(&self) {
        if !self.quiet && self.width.is_some() {
            self.emit("");
        }
    }

    /// A labelled explanation (`note:`, `warning:`, `hint:`), wrapped to
    /// the terminal's width with its continuation lines indented under
    /// the text, so that a long note stays readable on a projector.
    fn explain(&self, label: &str, painted: colored::ColoredString, body: &str) {
        let text = match self.width {
            Some(width) => {
                // Columns, not bytes: `说明:` is 5 columns wide, 7 bytes long.
                let indent = words::width(label) + 1;
                let room = width.saturating_sub(self.prefix.len() + indent).max(30);
                words::wrap(body, room, indent)
            }
            None => body.to_string(),
        };
        self.emit(&format!("{painted} {text}"));
    }

    /// The readiness line every server prints, even with `--quiet`: scripts
    /// and tests wait for it, then connect to the address it names.
    pub fn listening(&self, addr: SocketAddr) {
        self.emit(&format!(
            "{}",
            format!("Socket now listening on {addr}").bold()
        ));
    }

    /// What `limits::raise_open_files` did, for programs that hold many
    /// sockets at once.
    pub fn open_files(&self, files: &crate::limits::OpenFiles) {
        if files.after > files.before {
            self.note(tr!(
                "open-files-raised",
                before = files.before,
                after = crate::limits::shown(files.after)
            ));
        } else {
            self.note(tr!(
                "open-files",
                limit = crate::limits::shown(files.after),
                hard = crate::limits::shown(files.hard)
            ));
        }
    }

    /// The warning every server prints, even with `--quiet`, when other
    /// machines can reach it: on 0.0.0.0 or :: (the tutorial's `HOST = ''`,
    /// every interface), or on one of this machine's network addresses.
    /// Nothing for loopback (127.0.0.0/8, ::1), TCP or UDP alike.
    pub fn reachable_warning(&self, addr: SocketAddr) {
        let ip = addr.ip();
        if ip.is_loopback() {
            return;
        }
        let local = if ip.is_ipv4() { "127.0.0.1" } else { "::1" };
        self.warn_always(tr!(
            "reachable",
            addr = addr,
            local = local,
            every = if ip.is_unspecified() { "yes" } else { "no" }
        ));
    }

    /// Ends the data on stdout with a line break when it did not end with
    /// one and stdout is a terminal, so the shell prompt or the next
    /// narration line does not start mid-line. Piped data stays exact.
    pub fn end_line_on_terminal(&self, last: &[u8]) -> Result<(), SockError> {
        if !last.ends_with(b"\n") && io::stdout().is_terminal() {
            return self.data(b"\n");
        }
        Ok(())
    }

    /// The one place an error is printed: one line, then a hint if we have one.
    pub fn error(&self, e: &SockError) {
        if matches!(e, SockError::StdoutClosed) {
            return;
        }
        let label = tr!("label-error");
        self.explain(&label, label.red().bold(), &e.to_string());
        if let Some(hint) = e.hint() {
            let label = tr!("label-hint");
            self.explain(&label, label.cyan(), &hint);
        }
    }

    /// `--trace`: one socket call, its arguments and how it ended. Returns the
    /// result untouched, so a call can be traced where it is made:
    /// `say.traced("recv", format_args!("{n}"), stream.read(&mut buf), |n| ...)`.
    pub fn traced<T>(
        &self,
        call: &str,
        args: fmt::Arguments<'_>,
        result: io::Result<T>,
        ok: impl FnOnce(&T) -> String,
    ) -> io::Result<T> {
        self.traced_since(None, call, args, result, ok)
    }

    /// [`traced`](Self::traced) for a call that may wait (`sendall`):
    /// `--record` dates it from `started`, when its bytes began to go, so
    /// that a ladder never shows them arriving before they were sent.
    pub fn traced_since<T>(
        &self,
        started: Option<Instant>,
        call: &str,
        args: fmt::Arguments<'_>,
        result: io::Result<T>,
        ok: impl FnOnce(&T) -> String,
    ) -> io::Result<T> {
        if self.is_tracing() {
            let (outcome, errno) = match &result {
                Ok(v) => (ok(v), None),
                Err(e) => (words::describe_errno(e), words::os_error(e)),
            };
            self.show_call(started, call, args, &outcome, errno);
        }
        result
    }

    /// `--trace` for calls that cannot fail or whose failure is reported
    /// elsewhere.
    pub fn trace(&self, call: &str, args: fmt::Arguments<'_>, outcome: impl fmt::Display) {
        self.trace_since(None, call, args, outcome);
    }

    /// [`trace`](Self::trace), dated from `started` as
    /// [`traced_since`](Self::traced_since) is.
    pub fn trace_since(
        &self,
        started: Option<Instant>,
        call: &str,
        args: fmt::Arguments<'_>,
        outcome: impl fmt::Display,
    ) {
        if self.is_tracing() {
            self.show_call(started, call, args, &outcome.to_string(), None);
        }
    }

    /// One call, on stderr with `--trace` and into the file with `--record`.
    fn show_call(
        &self,
        started: Option<Instant>,
        call: &str,
        args: fmt::Arguments<'_>,
        outcome: &str,
        errno: Option<&str>,
    ) {
        if self.trace {
            self.emit(&format!(
                "{}",
                format!("  {call}({args}) -> {outcome}").dimmed()
            ));
        }
        if let Some(recorder) = &self.recorder {
            let peer = self.peer.map(|p| p.to_string());
            let ago = started.map_or(Duration::ZERO, |s| s.elapsed());
            recorder.call(
                ago,
                peer.as_deref(),
                call,
                &args.to_string(),
                outcome,
                errno,
            );
        }
    }

    /// `--record FILE`: from now on every call `--trace` would show is also
    /// written to `path`, one JSON object a line (`record.rs`), for
    /// `socktool ladder`. Call it before the step runs.
    pub fn record_to(
        &mut self,
        path: &std::path::Path,
        step: &'static str,
    ) -> Result<(), crate::error::SockError> {
        let recorder = crate::record::Recorder::create(path, step).map_err(|source| {
            crate::error::SockError::WriteFile {
                path: path.to_path_buf(),
                source,
            }
        })?;
        self.recorder = Some(Arc::new(recorder));
        Ok(())
    }

    /// A narrator that prints nothing and records every call into
    /// `recorder`: one of `socktool lab`'s in-process ends, whose calls
    /// are drawn, not narrated.
    pub fn recording_only(recorder: Arc<crate::record::Recorder>) -> Narrator {
        Narrator {
            recorder: Some(recorder),
            ..Narrator::silent()
        }
    }

    /// `--hex`: a chunk as a classic hex dump, 16 bytes a row.
    pub fn hex(&self, dir: Dir, bytes: &[u8]) {
        if self.hex {
            self.emit(&words::hex_dump(dir, bytes));
        }
    }

    /// `--hex` with a title of the caller's (`> plaintext 78 bytes, sent
    /// inside TLS`), for bytes that are not a socket's: the layer inside
    /// TLS. With no bytes, the title alone (a TLS record's header, read
    /// out).
    pub fn hex_titled(&self, title: impl fmt::Display, bytes: &[u8]) {
        if self.hex {
            self.emit(&words::hex_titled(&title.to_string(), bytes));
        }
    }

    /// Data for stdout, byte for byte. A reader that went away (`| head`)
    /// becomes [`SockError::StdoutClosed`], which ends the step quietly.
    pub fn data(&self, bytes: &[u8]) -> Result<(), SockError> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(stdout_error)
    }

    /// A progress line for long downloads: shown only when stdout is
    /// redirected (so it cannot mix with the data), stderr is a terminal and
    /// nothing else is narrating chunk by chunk.
    pub fn progress(&self) -> Progress {
        let wanted = !self.quiet
            && !self.trace
            && !self.hex
            && io::stderr().is_terminal()
            && !io::stdout().is_terminal();
        let bar = wanted.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} received {bytes} ({bytes_per_sec}) in {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar }
    }

    /// A bar counting up to `total` (`unit` names what it counts), for runs
    /// that take a while, like `socktool load`. Shown only when stderr is a
    /// terminal and nothing narrates line by line; stdout is not touched, so
    /// a result line printed there stays clean.
    pub fn counter(&self, total: u64, unit: &str) -> Progress {
        let wanted = !self.quiet && !self.trace && !self.hex && io::stderr().is_terminal();
        let bar = wanted.then(|| {
            let bar = indicatif::ProgressBar::new(total);
            let template = format!("{{bar:30}} {{pos}}/{{len}} {unit} in {{elapsed}} {{msg}}");
            bar.set_style(
                indicatif::ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress { bar }
    }

    /// One machine-readable result line on stdout (`key=value key=value`),
    /// for scripts such as bench/run.
    pub fn result(&self, line: &str) -> Result<(), SockError> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.data(&bytes)
    }

    fn emit(&self, line: &str) {
        let mut text = String::with_capacity(self.prefix.len() + line.len() + 1);
        if line.is_empty() {
            text.push('\n');
        }
        for l in line.lines() {
            text.push_str(&self.prefix);
            text.push_str(l);
            text.push('\n');
        }
        match self.sink.get() {
            Some(out) => out.push(Stream::Err, &[text.as_bytes()]),
            // Narration must never take the program down: a closed stderr
            // just means nobody is watching.
            None => {
                let _ = io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }
}

/// See [`Narrator::progress`].
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn advance(&self, bytes: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes as u64);
        }
    }

    /// Moves the bar to `pos` and shows `msg` beside it.
    pub fn set(&self, pos: u64, msg: impl fmt::Display) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
            bar.set_message(msg.to_string());
        }
    }

    /// Prints a narration line above the bar without tearing it.
    pub fn println(&self, say: &Narrator, line: impl fmt::Display) {
        match &self.bar {
            Some(bar) => bar.suspend(|| say.info(line)),
            None => say.info(line),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn stdout_error(e: io::Error) -> SockError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        SockError::StdoutClosed
    } else {
        // A full disk is not a reader that left: data was lost, say so.
        SockError::Stdout { source: e }
    }
}
