//! # socktool ladder
//! The recordings of both ends of a conversation (`--record FILE`, one per
//! process) drawn as one ladder: a column per endpoint, its calls in its
//! column, an arrow wherever bytes or a close went from one end to the
//! other.
//!
//! ```text
//! socktool serve-once --port 8888 --record server.jsonl &
//! echo hello | socktool connect localhost 8888 --record client.jsonl
//! socktool ladder server.jsonl client.jsonl
//! ```
//!
//! Each process keeps its own recording, so no end has to know the other:
//! the ladder pairs them afterwards. A server's calls about one client name
//! that client's address (`accept` returned it), and a client recorded the
//! same address as its own (`getsockname` after `connect`); a client's
//! `connect` names the address the server got from its own `getsockname`.
//! An end that was not recorded (telnet, a web server) still gets a column,
//! named by its address, so `socktool ladder server.jsonl` alone shows a
//! server and every client it had.
//!
//! What the arrows say is what the calls say, no more: an arrow at a
//! `sendall` means those bytes were handed to the kernel then, not that
//! they arrived (the other end's `recv` shows when they did); `connect`
//! starts the handshake and returns once it is done; a
//! `shutdown(SHUT_WR)`, or the `close` of a TCP socket's last descriptor
//! when it was not shut down before, sends the FIN. Calls that send are
//! dated from when they began, calls that receive from when they returned
//! (`--record`), so nothing is drawn arriving before it left. The segments
//! themselves (SYN, ACK, retransmissions, RST) are on the wire, not in any
//! call: `socktool lab` captures those.
//!
//! Read it in this order: [`run`], [`read`] (the files), [`build`] (the
//! model: [`Ladder`]), then one drawing: [`text`], [`svg`], [`mermaid`].

pub mod mermaid;
pub mod svg;
pub mod text;

use std::collections::HashMap;
use std::fs;
use std::net::SocketAddr;
use std::path::Path;

use crate::cli::{DrawingOpts, LadderArgs};
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::record::Event;
use crate::tr;

/// A conversation, ready to draw: who talked, and what happened in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    pub columns: Vec<Column>,
    /// In time order.
    pub rows: Vec<Row>,
    /// Whether waits (poll) were in the recordings and left out.
    pub waits_left_out: bool,
    /// When the first event drawn happened (microseconds since 1970): the
    /// `+0.0 ms` every row's time counts from.
    pub start_us: u64,
}

/// One end: a recorded process, or an address seen in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// `client`, `server`, `client 2`, ...
    pub name: String,
    /// Its address (`127.0.0.1:53824`), or `?` if no call named it.
    pub addr: String,
    /// `connect, pid 4243`; `not recorded` for an end seen only from the
    /// other side.
    pub about: String,
    pub server: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Microseconds since the first event drawn.
    pub t_us: u64,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A call, in its end's column: `recv -> 6 bytes`.
    Call {
        col: usize,
        text: String,
        failed: bool,
    },
    /// Something that went from one end to the other.
    Arrow {
        from: usize,
        to: usize,
        label: String,
        kind: ArrowKind,
    },
    /// What the kernel holds about an end (`lab`: the accept queue,
    /// TIME_WAIT).
    State { col: usize, text: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrowKind {
    /// `connect`: the three-way handshake, which it starts and returns
    /// once done.
    Handshake,
    /// Bytes handed over by a send.
    Data,
    /// A FIN: this end will send no more.
    Close,
    /// A segment seen on the wire (`lab`).
    Segment,
    /// A reset on the wire (`lab`).
    Reset,
}

/// Calls left out of the drawing: waits, not conversation. Said under the
/// ladder, so nobody looks for them.
const NOT_DRAWN: &[&str] = &["poll", "epoll_wait", "epoll_ctl", "epoll_create"];

/// `socktool ladder FILE... [--svg FILE] [--mermaid]`.
pub fn run(args: &LadderArgs, say: &Narrator) -> Result<(), SockError> {
    let mut events = Vec::new();
    for path in &args.files {
        events.extend(read(path)?);
    }
    let ladder = build(&events);
    show(&ladder, &args.drawing, say)
}

/// The drawings asked for: the SVG file if `--svg` names one, then the text
/// drawing (`--width` wide) or, with `--mermaid`, the Mermaid diagram on
/// stdout.
pub fn show(ladder: &Ladder, opts: &DrawingOpts, say: &Narrator) -> Result<(), SockError> {
    // The text drawing is checked first: a width too narrow is a usage
    // error, and then no file should have been written either.
    let drawing = if opts.mermaid {
        mermaid::draw(ladder)
    } else {
        text::draw(ladder, opts.width).map_err(SockError::Usage)?
    };
    if let Some(path) = &opts.svg {
        fs::write(path, svg::draw(ladder)).map_err(|source| SockError::WriteFile {
            path: path.to_path_buf(),
            source,
        })?;
        say.note(tr!("ladder-wrote-svg", path = path.display().to_string()));
    }
    say.data(drawing.as_bytes())
}

/// One recording: every line one [`Event`]. A line that is not one is an
/// error naming the file and line, never skipped: a ladder with a hole in
/// it would show a conversation that did not happen.
pub fn read(path: &Path) -> Result<Vec<Event>, SockError> {
    let bad = |line: usize, why: String| SockError::BadRecording {
        path: path.to_path_buf(),
        line,
        why,
    };
    let bytes = fs::read(path).map_err(|source| SockError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let mut events = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let event: Event = serde_json::from_slice(line).map_err(|e| bad(i + 1, e.to_string()))?;
        events.push(event);
    }
    if events.is_empty() {
        return Err(bad(1, tr!("ladder-no-calls")));
    }
    Ok(events)
}

/// One process in the recordings.
#[derive(Default)]
struct Process {
    step: String,
    pid: u32,
    server: bool,
    /// Its own addresses (`getsockname`): a listener's, or a client's port.
    locals: Vec<SocketAddr>,
}

/// Lays the events of every file on one timeline and works out which end
/// each call and arrow belongs to.
pub fn build(events: &[Event]) -> Ladder {
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|e| e.t_us);
    let start = events.first().map_or(0, |e| e.t_us);

    let mut processes: Vec<Process> = Vec::new();
    // One process is one end, except where `lab` plays several in one
    // (`end` tells them apart).
    let mut which: HashMap<(u32, &str, Option<u32>), usize> = HashMap::new();
    for e in &events {
        let i = *which
            .entry((e.pid, e.side.as_str(), e.end))
            .or_insert_with(|| {
                processes.push(Process {
                    step: e.step.clone(),
                    pid: e.pid,
                    server: e.side == "server",
                    locals: Vec::new(),
                });
                processes.len() - 1
            });
        if let Some(local) = e.local.as_deref().and_then(|l| l.parse().ok()) {
            processes[i].locals.push(local);
        }
    }

    let mut columns = Columns::new(&processes);
    let mut rows = Vec::new();
    // A server's accepted descriptors, each the conversation with one
    // client (its column); a client's one conversation, with the server it
    // connected or sent to; and the conversations that sent their FIN.
    let mut accepted: HashMap<(usize, i64), usize> = HashMap::new();
    let mut talking_to: HashMap<usize, usize> = HashMap::new();
    let mut fin_sent: Vec<(usize, usize)> = Vec::new();
    let mut waits_left_out = false;
    let mut datagrams: std::collections::HashSet<usize> = std::collections::HashSet::new();
    // Per client process: its socket's descriptors still open (the socket
    // and its dups); closing one of several sends nothing.
    let mut open: HashMap<usize, Vec<i64>> = HashMap::new();
    for e in &events {
        if NOT_DRAWN.contains(&e.call.as_str()) {
            waits_left_out = true;
            continue;
        }
        let me = which[&(e.pid, e.side.as_str(), e.end)];
        let t_us = e.t_us - start;
        // A UDP end: a UDP step, or any end whose socket is a datagram
        // socket (`lab`'s own ends are named for the lab, not the step).
        if e.call == "socket" && e.args.contains("SOCK_DGRAM") {
            datagrams.insert(me);
        }
        let udp = e.step.starts_with("udp") || datagrams.contains(&me);
        rows.push(Row {
            t_us,
            what: What::Call {
                col: me,
                text: short(e),
                failed: e.errno.is_some(),
            },
        });
        if e.errno.is_some() {
            continue;
        }
        // The other end this call is about, if it is about one.
        let peer = if processes[me].server {
            match (e.peer.as_deref(), e.remote.as_deref()) {
                (Some(addr), _) | (None, Some(addr)) => Some(columns.client_at(addr)),
                _ => e.fd.and_then(|fd| accepted.get(&(me, fd)).copied()),
            }
        } else {
            match e.remote.as_deref() {
                Some(addr) => {
                    let server = columns.server_at(addr, &processes);
                    talking_to.insert(me, server);
                    Some(server)
                }
                None => talking_to.get(&me).copied(),
            }
        };
        let Some(peer) = peer.filter(|&p| p != me) else {
            continue;
        };
        if let ("accept", Some(fd)) = (
            e.call.as_str(),
            e.result.strip_prefix("fd ").and_then(number),
        ) {
            accepted.insert((me, fd), peer);
        }
        let mut still_open = false;
        if e.call == "dup" {
            let copy = e.result.strip_prefix("fd ").and_then(number);
            let fds = open.entry(me).or_default();
            for fd in e.fd.into_iter().chain(copy) {
                if !fds.contains(&fd) {
                    fds.push(fd);
                }
            }
        }
        if let ("close", Some(fd)) = (e.call.as_str(), e.fd) {
            accepted.remove(&(me, fd));
            if let Some(fds) = open.get_mut(&me) {
                fds.retain(|&f| f != fd);
                still_open = !fds.is_empty();
            }
        }
        let arrow = |label: String, kind| Row {
            t_us,
            what: What::Arrow {
                from: me,
                to: peer,
                label,
                kind,
            },
        };
        match e.call.as_str() {
            "connect" if !udp => rows.push(arrow("handshake".into(), ArrowKind::Handshake)),
            "send" | "sendall" | "sendto" | "write" => {
                if let Some(n) = e.bytes.filter(|&n| n > 0) {
                    let label = if udp {
                        format!("datagram, {n} bytes")
                    } else {
                        crate::narrate::words::plural(n, "byte")
                    };
                    rows.push(arrow(label, ArrowKind::Data));
                }
            }
            "shutdown" | "close" => {
                let sends_fin = match e.call.as_str() {
                    "shutdown" => e.args.contains("SHUT_WR") || e.args.contains("SHUT_RDWR"),
                    _ => !udp && !still_open,
                };
                if sends_fin && !fin_sent.contains(&(me, peer)) {
                    fin_sent.push((me, peer));
                    rows.push(arrow("FIN".into(), ArrowKind::Close));
                }
            }
            _ => {}
        }
    }
    Ladder {
        columns: columns.finish(),
        rows,
        waits_left_out,
        start_us: start,
    }
}

impl Ladder {
    /// The column of the end at `addr` (`127.0.0.1:53824`), if one has it.
    pub fn column_at(&self, addr: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.addr == addr)
    }

    /// Adds a column for an end seen only on the wire or in the kernel,
    /// numbered after the others of its side (`client 2`).
    pub fn add_column(&mut self, addr: &str, server: bool) -> usize {
        let side = if server { "server" } else { "client" };
        let same: Vec<usize> = (0..self.columns.len())
            .filter(|&i| self.columns[i].server == server)
            .collect();
        if let [only] = same[..] {
            self.columns[only].name = format!("{side} 1");
        }
        let name = match same.len() {
            0 => side.to_string(),
            n => format!("{side} {}", n + 1),
        };
        self.columns.push(Column {
            name,
            addr: addr.into(),
            about: "not recorded".into(),
            server,
        });
        self.columns.len() - 1
    }

    /// What a capture saw replaces what the calls imply: the arrows worked
    /// out from the calls go, `rows` (segments on the wire, the kernel's
    /// state; times in microseconds since 1970) come in, and every row is
    /// laid in time order. Calls stay in their columns.
    pub fn with_wire(&mut self, rows: Vec<(u64, What)>) {
        self.rows.retain(|r| !matches!(r.what, What::Arrow { .. }));
        self.add(rows);
    }

    /// Adds `rows` (times in microseconds since 1970) in time order; a row
    /// at the same time as one already there comes after it.
    pub fn add(&mut self, rows: Vec<(u64, What)>) {
        for (t, what) in rows {
            let t_us = t.saturating_sub(self.start_us);
            let at = self.rows.partition_point(|r| r.t_us <= t_us);
            self.rows.insert(at, Row { t_us, what });
        }
    }
}

fn number(text: &str) -> Option<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The columns as they are found: one per process, then one per address
/// seen in a call but recorded by nobody.
struct Columns {
    columns: Vec<Column>,
}

impl Columns {
    fn new(processes: &[Process]) -> Columns {
        let columns = processes
            .iter()
            .map(|p| Column {
                name: if p.server { "server" } else { "client" }.into(),
                addr: p
                    .locals
                    .last()
                    .map_or_else(|| "?".into(), ToString::to_string),
                about: format!("{}, pid {}", p.step, p.pid),
                server: p.server,
            })
            .collect();
        Columns { columns }
    }

    /// The client at `addr`: the recorded process whose own address it is,
    /// or a column for an end nobody recorded.
    fn client_at(&mut self, addr: &str) -> usize {
        let found = self
            .columns
            .iter()
            .position(|c| !c.server && c.addr == addr);
        found.unwrap_or_else(|| self.unrecorded(addr, false))
    }

    /// The server a client connected or sent to: the recorded server whose
    /// address it is (one bound to 0.0.0.0 or :: answers on every address
    /// with its port).
    fn server_at(&mut self, addr: &str, processes: &[Process]) -> usize {
        let wanted: Option<SocketAddr> = addr.parse().ok();
        let found = processes.iter().position(|p| {
            p.server
                && p.locals.iter().any(|l| {
                    wanted.is_some_and(|w| {
                        l.port() == w.port() && (l.ip() == w.ip() || l.ip().is_unspecified())
                    })
                })
        });
        found.unwrap_or_else(|| {
            self.columns
                .iter()
                .position(|c| c.server && c.addr == addr)
                .unwrap_or_else(|| self.unrecorded(addr, true))
        })
    }

    fn unrecorded(&mut self, addr: &str, server: bool) -> usize {
        self.columns.push(Column {
            name: if server { "server" } else { "client" }.into(),
            addr: addr.into(),
            about: "not recorded".into(),
            server,
        });
        self.columns.len() - 1
    }

    /// Clients on the left, servers on the right, each side in the order it
    /// started; numbered when a side has more than one.
    fn finish(self) -> Vec<Column> {
        let Columns { columns, .. } = self;
        let count = |server| columns.iter().filter(|c| c.server == server).count();
        let (clients, servers) = (count(false), count(true));
        let mut seen = [0, 0];
        columns
            .into_iter()
            .map(|mut c| {
                let side = usize::from(c.server);
                seen[side] += 1;
                if [clients, servers][side] > 1 {
                    c.name = format!("{} {}", c.name, seen[side]);
                }
                c
            })
            .collect()
    }
}

/// Where each column is drawn: clients first, servers after, each in the
/// order it appeared.
pub fn order(ladder: &Ladder) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ladder.columns.len()).collect();
    order.sort_by_key(|&i| ladder.columns[i].server);
    order
}

/// A call as few characters as say what it did, for a column a quarter of
/// a projector wide: `accept -> fd 7`, `recv -> 6 bytes`, `sendall(6
/// bytes)`, `recv -> ECONNRESET`. The descriptor a call works on is left out
/// (one end, one column), except where it is the point (`close(fd 7)`).
pub fn short(e: &Event) -> String {
    let args = e.args.as_str();
    let without_fd = match args.strip_prefix("fd ") {
        Some(rest) => rest.split_once(", ").map_or("", |(_, after)| after),
        None => args,
    };
    let outcome = match &e.errno {
        Some(errno) => errno.clone(),
        None => e.result.clone(),
    };
    let failed = e.errno.is_some();
    match e.call.as_str() {
        "socket" => {
            let kind = if args.contains("DGRAM") {
                "DGRAM"
            } else {
                "STREAM"
            };
            format!("socket({kind}) -> {outcome}")
        }
        "setsockopt" => format!("setsockopt({})", without_fd.replace("SOL_SOCKET, ", "")),
        "connect" if !failed => format!("connect({})", args.split(',').next().unwrap_or(args)),
        "connect" => format!("connect -> {outcome}"),
        "accept" => format!(
            "accept -> {}",
            outcome.split(',').next().unwrap_or(&outcome)
        ),
        "recv" | "recvfrom" | "read" => match e.bytes {
            Some(0) if !e.step.starts_with("udp") => format!("{} -> 0 (EOF)", e.call),
            Some(n) if !failed => format!("{} -> {n} bytes", e.call),
            _ => format!("{} -> {outcome}", e.call),
        },
        "send" | "sendall" | "sendto" | "write" if !failed => match e.bytes {
            Some(n) => format!("{}({n} bytes)", e.call),
            None => format!("{}({without_fd})", e.call),
        },
        "close" | "dup" | "getsockname" if !failed && !args.is_empty() => {
            if e.call == "close" {
                format!("close({args})")
            } else {
                format!("{}({args}) -> {outcome}", e.call)
            }
        }
        "fcntl" => format!("fcntl({})", without_fd.replace("F_SETFL, ", "")),
        _ if outcome == "ok" => format!("{}({without_fd})", e.call),
        _ => format!("{}({without_fd}) -> {outcome}", e.call),
    }
}

/// `+0.412 ms`, `+1.250 s`: the time since the first call drawn.
pub fn since_start(t_us: u64) -> String {
    if t_us < 1_000_000 {
        format!("+{:.1} ms", t_us as f64 / 1000.0)
    } else {
        format!("+{:.3} s", t_us as f64 / 1_000_000.0)
    }
}

/// The legend under a drawing: what each kind of arrow in it means, shown
/// as `mark` draws it, and the calls left out, if any were.
pub fn legend(ladder: &Ladder, mark: impl Fn(ArrowKind) -> &'static str) -> String {
    let mut parts = Vec::new();
    for (kind, meaning) in [
        (ArrowKind::Handshake, tr!("ladder-legend-handshake")),
        (ArrowKind::Data, tr!("ladder-legend-data")),
        (ArrowKind::Close, "FIN".to_string()),
        (ArrowKind::Segment, tr!("ladder-legend-segment")),
        (ArrowKind::Reset, "RST".to_string()),
    ] {
        let drawn = ladder
            .rows
            .iter()
            .any(|r| matches!(r.what, What::Arrow { kind: k, .. } if k == kind));
        if drawn {
            parts.push(format!("{} {meaning}", mark(kind)));
        }
    }
    if ladder.waits_left_out {
        parts.push(tr!("ladder-legend-waits"));
    }
    parts.join(&tr!("ladder-legend-separator"))
}
