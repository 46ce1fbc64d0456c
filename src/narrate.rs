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
//! line is written with one `write_all` on a locked stderr, so lines from
//! different threads never interleave.
//!
//! Colour is decided once, here, from `--color`, `NO_COLOR`,
//! `CLICOLOR_FORCE` and whether **stderr** is a terminal (the `colored`
//! crate on its own would look at stdout, which is the wrong stream).
//!
//! A server's clients' bytes reach stdout through a [`Console`]
//! (`narrate/console.rs`): a queue and one writer thread, so that a stdout
//! nobody reads never holds up a reply.

use std::fmt::{self, Write as _};
use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::time::Duration;

use colored::Colorize;

use crate::cli::{ColorChoice, OutputOpts};
use crate::error::SockError;

mod console;
pub use console::{BUDGET, Console, LAST_FLUSH, Window};

/// Which way a chunk of bytes went, for `--hex`.
#[derive(Debug, Clone, Copy)]
pub enum Dir {
    Sent,
    Received,
}

#[derive(Debug, Clone)]
pub struct Narrator {
    quiet: bool,
    trace: bool,
    hex: bool,
    /// `[127.0.0.1:5555] ` on server threads, empty otherwise.
    prefix: String,
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
        }
    }

    /// A narrator for one client of a server: every line names the peer.
    pub fn for_peer(&self, peer: SocketAddr) -> Narrator {
        Narrator {
            prefix: format!("[{peer}] "),
            ..self.clone()
        }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    pub fn is_tracing(&self) -> bool {
        self.trace
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
            self.emit(&format!("{} {line}", "note:".cyan()));
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
            self.emit(&format!("{} {line}", "warning:".yellow().bold()));
        }
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
            self.note(format!(
                "raised the open-files limit (RLIMIT_NOFILE) from {} to the hard limit {}: every socket is one file descriptor",
                files.before, files.after
            ));
        } else {
            self.note(format!(
                "open-files limit (RLIMIT_NOFILE): {} (the hard limit is {}): every socket is one file descriptor",
                files.after, files.hard
            ));
        }
    }

    /// The warning every server prints when it listens on 0.0.0.0 or ::
    /// (the tutorial's `HOST = ''`), TCP or UDP alike.
    pub fn all_interfaces_warning(&self, addr: SocketAddr) {
        self.warn(format!(
            "listening on {addr}: every network interface, so other machines can reach this server; \
             --host 127.0.0.1 keeps it on this machine"
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
        self.emit(&format!("{} {e}", "socktool: error:".red().bold()));
        if let Some(hint) = e.hint() {
            self.emit(&format!("{} {hint}", "hint:".cyan()));
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
        if self.trace {
            let outcome = match &result {
                Ok(v) => ok(v),
                Err(e) => describe_errno(e),
            };
            self.emit(&format!(
                "{}",
                format!("  {call}({args}) -> {outcome}").dimmed()
            ));
        }
        result
    }

    /// `--trace` for calls that cannot fail or whose failure is reported
    /// elsewhere.
    pub fn trace(&self, call: &str, args: fmt::Arguments<'_>, outcome: impl fmt::Display) {
        if self.trace {
            self.emit(&format!(
                "{}",
                format!("  {call}({args}) -> {outcome}").dimmed()
            ));
        }
    }

    /// `--hex`: a chunk as a classic hex dump, 16 bytes a row.
    pub fn hex(&self, dir: Dir, bytes: &[u8]) {
        if self.hex {
            self.emit(&hex_dump(dir, bytes));
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
        for l in line.lines() {
            text.push_str(&self.prefix);
            text.push_str(l);
            text.push('\n');
        }
        // Narration must never take the program down: a closed stderr just
        // means nobody is watching.
        let _ = io::stderr().lock().write_all(text.as_bytes());
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

/// `ECONNREFUSED (Connection refused)`: the constant students will meet in
/// man pages, then the text.
pub fn describe_errno(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => format!("{} ({})", errno_name(n), crate::error::strerror(e)),
        None => e.to_string(),
    }
}

/// The symbolic names of the errnos sockets produce.
pub fn errno_name(n: i32) -> String {
    let name = match n {
        libc::EAGAIN => "EAGAIN",
        libc::EINTR => "EINTR",
        libc::EINVAL => "EINVAL",
        libc::EBADF => "EBADF",
        libc::EACCES => "EACCES",
        libc::EPERM => "EPERM",
        libc::EMFILE => "EMFILE",
        libc::ENFILE => "ENFILE",
        libc::ENOBUFS => "ENOBUFS",
        libc::ENOMEM => "ENOMEM",
        libc::EPIPE => "EPIPE",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EINPROGRESS => "EINPROGRESS",
        libc::EALREADY => "EALREADY",
        libc::EISCONN => "EISCONN",
        libc::ENOTCONN => "ENOTCONN",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::ENETDOWN => "ENETDOWN",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        _ => return format!("errno {n}"),
    };
    name.to_string()
}

/// ```text
/// > sent 18 bytes
///   0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|
/// ```
pub fn hex_dump(dir: Dir, bytes: &[u8]) -> String {
    let mut out = match dir {
        Dir::Sent => format!("> sent {} bytes", bytes.len()),
        Dir::Received => format!("< received {} bytes", bytes.len()),
    };
    for (row, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "\n  {:04x} ", row * 16);
        for i in 0..16 {
            if i == 8 {
                out.push(' ');
            }
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('|');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_shows_crlf_and_pads_the_last_row() {
        let dump = hex_dump(Dir::Sent, b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(
            dump,
            "> sent 18 bytes\n  \
             0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|\n  \
             0010  0d 0a                                             |..|"
        );
    }

    #[test]
    fn errno_names() {
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(describe_errno(&e), "ECONNREFUSED (Connection refused)");
        assert_eq!(errno_name(9999), "errno 9999");
    }
}
