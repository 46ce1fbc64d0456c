//! One client of an event loop (serve-poll): a socket that is never waited
//! on, only tried when epoll says it is ready, and the replies the kernel
//! would not take yet.
//!
//! ```text
//! PolledConn::register   epoll_ctl(ADD, fd, readable)
//! PolledConn::try_recv   recv -> data, or EAGAIN (nothing more for now)
//! PolledConn::send_or_keep
//!                        send -> what the kernel took; the rest is kept and
//!                        epoll_ctl(MOD, fd, readable+writable) asks to hear
//!                        when the socket can take more
//! PolledConn::send_kept  the socket is writable: send what was kept
//! PolledConn::say_goodbye / goodbye_is_over
//!                        shutdown(SHUT_WR), then the client's side of the
//!                        goodbye, watched by the loop like any other event
//! PolledConn::close      epoll_ctl(DEL, fd), close   "Disconnected IP:PORT …"
//! ```
//!
//! Memory is bounded twice. One client may have at most [`OUT_CAP`] of
//! replies kept; past that the loop stops reading from it (backpressure:
//! its bytes wait in the kernel, its TCP window closes, its own `send`
//! blocks). And all clients together may have at most [`TOTAL_CAP`] kept
//! ([`Kept`]); past that, every client with replies waiting stops being
//! read until they go out, so a hundred clients that never read cost 64
//! MiB, not a hundred times one.

use std::cell::Cell;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::rc::Rc;
use std::time::{Duration, Instant};

use mio::{Interest, Registry, Token};

use super::farewell::Goodbye;
use super::{Ending, Live, Server};
use crate::narrate::{Dir, Narrator};
use crate::sockopt;
use crate::tr;

/// The most replies kept for one client before the server stops reading
/// from it. The kernel's own send buffer (up to 4 MiB on Linux) already
/// absorbs bursts; this is only for a client that does not read at all.
pub const OUT_CAP: usize = 1024 * 1024;

/// The most replies kept for all clients together.
pub const TOTAL_CAP: usize = 64 * 1024 * 1024;

/// The names the trace gives the readiness calls mio really makes here:
/// (creating the instance, registering a socket, waiting). epoll on Linux,
/// kqueue on macOS and the BSDs, and on Windows the AFD driver's polling
/// behind an I/O completion port.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const CALLS: (&str, &str, &str) = ("epoll_ctl", "epoll_wait", "epoll_create1");
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
pub const CALLS: (&str, &str, &str) = ("kevent", "kevent", "kqueue");
#[cfg(windows)]
pub const CALLS: (&str, &str, &str) = (
    "AFD poll",
    "GetQueuedCompletionStatusEx",
    "CreateIoCompletionPort",
);

/// The bytes of replies kept across every client of one loop.
#[derive(Debug, Clone, Default)]
pub struct Kept(Rc<Cell<usize>>);

impl Kept {
    pub fn total(&self) -> usize {
        self.0.get()
    }

    fn add(&self, n: usize) {
        self.0.set(self.0.get() + n);
    }

    fn sub(&self, n: usize) {
        self.0.set(self.0.get().saturating_sub(n));
    }
}

/// One client of the loop.
pub struct PolledConn {
    stream: mio::net::TcpStream,
    token: Token,
    pub peer: SocketAddr,
    say: Narrator,
    server: Server,
    /// Counts this client as connected; `None` for one being turned away.
    live: Option<Live>,
    connected: Instant,
    bytes_in: u64,
    bytes_out: u64,
    /// Replies the kernel would not take yet. Empty, with nothing
    /// allocated, unless a send was partial: idle clients cost no buffer.
    out: Vec<u8>,
    /// How much of `out` has been sent since.
    out_sent: usize,
    kept: Kept,
    /// When the client last sent something, or its last reply went out
    /// whole: the start of its silence, for `--idle-timeout`.
    heard: Instant,
    /// While replies wait: when the client last took any (`--send-timeout`).
    stalled: Option<Instant>,
    /// Whether epoll watches this socket for writable too.
    writable: bool,
    /// Not read until its kept replies go out (backpressure).
    paused: bool,
    /// The client closed its sending side; it is closed once its kept
    /// replies are out, so it still gets every answer it asked for.
    pub eof: bool,
    /// The goodbye under way, and the ending it will be closed with.
    goodbye: Option<(Goodbye, Ending)>,
    /// The server is done with this client but replies are still kept for
    /// it: the goodbye starts once they are out, or at this deadline.
    leaving: Option<(Ending, Instant)>,
    /// The last byte the kernel took, if any: where a line stands.
    last_sent: Option<u8>,
}

impl PolledConn {
    /// A freshly accepted client, registered with epoll for readable
    /// (`live`: counted as connected; a client being turned away is not).
    pub fn register(
        stream: TcpStream,
        peer: SocketAddr,
        server: &Server,
        registry: &Registry,
        token: Token,
        kept: &Kept,
        live: bool,
    ) -> Result<PolledConn, Ending> {
        let mut stream = mio::net::TcpStream::from_std(stream);
        let say = server.say.for_peer(peer);
        say.traced(
            CALLS.0,
            format_args!("ADD, fd {}, readable", sockopt::fd(&stream)),
            registry.register(&mut stream, token, Interest::READABLE),
            |_| "ok".into(),
        )
        .map_err(|source| Ending::Failed {
            call: CALLS.0,
            source,
        })?;
        Ok(PolledConn {
            stream,
            token,
            peer,
            say,
            server: server.clone(),
            live: live.then(|| Live::count(&server.tally)),
            connected: Instant::now(),
            bytes_in: 0,
            bytes_out: 0,
            out: Vec::new(),
            out_sent: 0,
            kept: kept.clone(),
            heard: Instant::now(),
            stalled: None,
            writable: false,
            paused: false,
            eof: false,
            goodbye: None,
            leaving: None,
            last_sent: None,
        })
    }

    pub fn say(&self) -> &Narrator {
        &self.say
    }

    pub fn fd(&self) -> i64 {
        sockopt::fd(&self.stream)
    }

    /// Bytes of replies kept, not yet taken by the kernel.
    pub fn pending(&self) -> usize {
        self.out.len() - self.out_sent
    }

    /// Whether the loop may read from it now: not while its goodbye is
    /// under way, after its EOF, or while backpressure holds it.
    pub fn readable(&self) -> bool {
        self.goodbye.is_none() && self.leaving.is_none() && !self.eof && !self.paused
    }

    /// While replies wait: when the client last took any of them.
    pub fn last_progress(&self) -> Option<Instant> {
        self.stalled
    }

    /// One `send` for a client the server turns away: the line goes out
    /// if the kernel takes it now, and is not kept otherwise (a newcomer
    /// that does not read must not cost memory).
    pub fn send_once(&mut self, line: &[u8]) {
        let _ = self.try_send(line);
    }

    /// Whether this is a newcomer being turned away (not counted as live).
    pub fn refusing(&self) -> bool {
        self.live.is_none()
    }

    pub fn saying_goodbye(&self) -> bool {
        self.goodbye.is_some()
    }

    /// Whether the server is done with it: a goodbye under way, or one
    /// waiting for the last kept replies to go out.
    pub fn leaving(&self) -> bool {
        self.goodbye.is_some() || self.leaving.is_some()
    }

    /// One `recv` that never waits: `Some(n)` bytes arrived (above 0),
    /// `None` means EAGAIN, nothing more for now. EOF and errors come back
    /// as the [`Ending`] that ended the conversation.
    pub fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Ending> {
        loop {
            return match sockopt::recv(&self.stream, buf, &self.say) {
                Ok(0) => Err(Ending::ClientClosed),
                Ok(n) => {
                    self.say.hex(Dir::Received, &buf[..n]);
                    self.bytes_in += n as u64;
                    self.server.tally.add_in(n);
                    self.heard = Instant::now();
                    Ok(Some(n))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
                Err(e) => Err(Ending::from_error("recv", e)),
            };
        }
    }

    /// Sends `bytes`, or as much as the kernel takes now; the rest is kept
    /// and epoll is asked to report the socket writable. Behind replies
    /// already kept, `bytes` only joins them: order on the wire is the
    /// order of the replies.
    pub fn send_or_keep(&mut self, bytes: &[u8], registry: &Registry) -> Result<(), Ending> {
        if self.pending() > 0 {
            self.keep(bytes);
            return Ok(());
        }
        let sent = self.try_send(bytes)?;
        if sent == bytes.len() {
            return Ok(());
        }
        self.out.clear();
        self.out_sent = 0;
        self.keep(&bytes[sent..]);
        self.stalled = Some(Instant::now());
        self.watch_writable(registry, true)
    }

    fn keep(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
        self.kept.add(bytes.len());
    }

    /// The socket is writable: sends what was kept until it is all out or
    /// the kernel says EAGAIN again. Returns whether anything went out.
    pub fn send_kept(&mut self, registry: &Registry) -> Result<bool, Ending> {
        let before = self.pending();
        // Out of `self` while it is sent from, and put back before any return.
        let out = std::mem::take(&mut self.out);
        let mut failed = None;
        while self.out_sent < out.len() {
            match self.try_send(&out[self.out_sent..]) {
                Ok(0) => break,
                Ok(sent) => {
                    self.out_sent += sent;
                    self.kept.sub(sent);
                    self.stalled = Some(Instant::now());
                }
                Err(ending) => {
                    failed = Some(ending);
                    break;
                }
            }
        }
        self.out = out;
        if let Some(ending) = failed {
            return Err(ending);
        }
        let moved = self.pending() < before;
        if self.pending() > 0 {
            // Move the unsent tail to the front now and then, so the
            // buffer does not grow with bytes already sent.
            if self.out_sent > self.out.len() / 2 {
                self.out.drain(..self.out_sent);
                self.out_sent = 0;
            }
            return Ok(moved);
        }
        if before > 0 {
            // All out: give the memory back (an idle client holds no
            // buffer) and restart its silence clock, as a sendall's end does.
            self.out = Vec::new();
            self.out_sent = 0;
            self.stalled = None;
            self.heard = Instant::now();
            self.watch_writable(registry, false)?;
        }
        // The last words went out: now the goodbye.
        if let Some((ending, deadline)) = self.leaving.take() {
            let within = deadline.saturating_duration_since(Instant::now());
            self.say_goodbye(ending, within.max(Duration::from_millis(1)));
        }
        Ok(moved)
    }

    /// One `send` that never waits: how many bytes the kernel took (0 when
    /// its buffer is full).
    fn try_send(&mut self, bytes: &[u8]) -> Result<usize, Ending> {
        loop {
            return match sockopt::send(&self.stream, bytes, &self.say, true) {
                Ok(0) if !bytes.is_empty() => Err(Ending::Failed {
                    call: "send",
                    source: io::ErrorKind::WriteZero.into(),
                }),
                Ok(n) => {
                    self.say.hex(Dir::Sent, &bytes[..n]);
                    if n > 0 {
                        self.last_sent = Some(bytes[n - 1]);
                    }
                    self.bytes_out += n as u64;
                    self.server.tally.add_out(n);
                    Ok(n)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
                Err(e) => Err(Ending::from_error("send", e)),
            };
        }
    }

    /// Backpressure: whether this client must stop being read, because
    /// its own kept replies reached [`OUT_CAP`], or all clients' together
    /// reached [`TOTAL_CAP`] and it has some waiting. Narrated when it
    /// starts and when it ends.
    pub fn check_pressure(&mut self) -> bool {
        let own = self.pending() >= OUT_CAP;
        let total = self.pending() > 0 && self.kept.total() >= TOTAL_CAP;
        let pressed = own || total;
        if pressed && !self.paused {
            let why = if own {
                tr!("pressure-own", bytes = self.pending())
            } else {
                tr!(
                    "pressure-all",
                    total = self.kept.total() >> 20,
                    limit = TOTAL_CAP >> 20,
                    bytes = self.pending()
                )
            };
            self.say.note(tr!("pressure", why = why));
        } else if !pressed && self.paused {
            self.say.note(tr!("pressure-off"));
        }
        self.paused = pressed;
        pressed
    }

    /// `--idle-timeout` and `--send-timeout`: whether this client has
    /// overstayed, at `now` (read once for the whole scan: a clock read per
    /// client was most of the cost of looking at 50,000 of them). Waiting
    /// replies count against `--send-timeout`, silence against
    /// `--idle-timeout`.
    pub fn overdue(&self, now: Instant) -> Option<Ending> {
        if self.goodbye.is_some() {
            return None;
        }
        let limits = &self.server.limits;
        if let Some(stalled) = self.stalled {
            let limit = limits.send?;
            return (now.saturating_duration_since(stalled) >= limit).then_some(
                Ending::NotReading {
                    after: limit,
                    option: limits.send_option,
                },
            );
        }
        let limit = limits.idle?;
        (now.saturating_duration_since(self.heard) >= limit).then_some(Ending::Silent {
            after: limit,
            option: limits.idle_option,
        })
    }

    /// The server is done with this client: its goodbye starts once the
    /// replies kept for it are out (at once if none are), or when `within`
    /// has passed, whatever is still kept then being given up. Nothing
    /// more is read from it meanwhile.
    pub fn leave(&mut self, ending: Ending, within: Duration) {
        if self.goodbye.is_some() {
            return;
        }
        if self.pending() == 0 {
            self.leaving = None;
            self.say_goodbye(ending, within);
        } else {
            self.leaving = Some((ending, Instant::now() + within));
        }
    }

    /// Throws away what is kept for this client, except the rest of a
    /// line the kernel already has the start of (up to the first `end`
    /// byte): a client too far behind loses the lines it has not started,
    /// never half a line. Returns how many bytes were thrown away.
    pub fn discard_kept_after(&mut self, end: u8) -> usize {
        let unsent = &self.out[self.out_sent..];
        let keep = match unsent.iter().position(|&b| b == end) {
            Some(i) if self.last_sent != Some(end) => self.out_sent + i + 1,
            None if self.last_sent != Some(end) => self.out.len(),
            _ => self.out_sent,
        };
        let thrown = self.out.len() - keep;
        self.out.truncate(keep);
        self.kept.sub(thrown);
        thrown
    }

    /// The server closes first: `shutdown(SHUT_WR)` (after any kept
    /// replies: call it once they are out or given up), then the loop
    /// watches for the client's side of the goodbye, within `within`.
    pub fn say_goodbye(&mut self, ending: Ending, within: Duration) {
        let goodbye = Goodbye::begin(&self.stream, &self.say, within);
        self.goodbye = Some((goodbye, ending));
    }

    /// Whether the goodbye under way is over (see `farewell.rs`).
    pub fn goodbye_is_over(&mut self, scrap: &mut [u8]) -> bool {
        match &mut self.goodbye {
            Some((goodbye, _)) => goodbye.is_over(&self.stream, scrap),
            None => false,
        }
    }

    /// When the loop should look at this goodbye again, if one is under way
    /// (or waits for kept replies: at its deadline).
    pub fn goodbye_due(&self) -> Option<Instant> {
        match (&self.goodbye, &self.leaving) {
            (Some((g, _)), _) => Some(g.look_again()),
            (None, Some((_, deadline))) => Some(*deadline),
            (None, None) => None,
        }
    }

    /// A leave whose kept replies did not go out in time: the goodbye
    /// starts anyway (they are given up, counted as never sent).
    pub fn leave_now(&mut self) {
        if let Some((ending, _)) = self.leaving.take() {
            self.kept.sub(self.pending());
            self.out = Vec::new();
            self.out_sent = 0;
            self.say_goodbye(ending, Duration::from_millis(1));
        }
    }

    /// Takes the client out of epoll, closes it and says goodbye: the leave
    /// line for a client that was served, nothing more for one turned away.
    /// `ending` is used unless a goodbye under way carries its own.
    pub fn close(mut self, ending: Ending, registry: &Registry) {
        let ending = match self.goodbye.take() {
            Some((goodbye, why)) => {
                goodbye.end(&self.stream, &self.say);
                why
            }
            None => ending,
        };
        self.kept.sub(self.pending());
        // Closing would remove it from epoll anyway; saying so keeps the
        // trace honest about what the kernel watches.
        let fd = self.fd();
        self.say
            .traced(
                CALLS.0,
                format_args!("DEL, fd {fd}"),
                registry.deregister(&mut self.stream),
                |_| "ok".into(),
            )
            .ok();
        let PolledConn {
            stream,
            peer,
            say,
            server,
            live,
            connected,
            bytes_in,
            bytes_out,
            ..
        } = self;
        sockopt::close(stream, &say);
        if live.is_none() {
            return;
        }
        // Closed, so its place is free (--max-clients) before we say so.
        drop(live);
        server.tally.add_served();
        server.say.info(tr!(
            "disconnected",
            peer = peer,
            after = format!("{:.2}", connected.elapsed().as_secs_f64()),
            waited = "",
            bytes_in = bytes_in,
            bytes_out = bytes_out,
            ending = ending.to_string()
        ));
    }

    /// `epoll_ctl(MOD)`: watch for writable only while replies wait. A
    /// socket is writable nearly always; watched for nothing, it would
    /// wake the loop for nothing.
    fn watch_writable(&mut self, registry: &Registry, on: bool) -> Result<(), Ending> {
        if self.writable == on {
            return Ok(());
        }
        let (interest, what) = if on {
            (Interest::READABLE | Interest::WRITABLE, "readable+writable")
        } else {
            (Interest::READABLE, "readable")
        };
        let fd = self.fd();
        self.say
            .traced(
                CALLS.0,
                format_args!("MOD, fd {fd}, {what}"),
                registry.reregister(&mut self.stream, self.token, interest),
                |_| "ok".into(),
            )
            .map_err(|source| Ending::Failed {
                call: CALLS.0,
                source,
            })?;
        self.writable = on;
        Ok(())
    }
}
