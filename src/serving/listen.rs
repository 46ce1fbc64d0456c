//! The listening socket, and waiting for clients without missing Ctrl-C.
//!
//! ```text
//! listen()            socket → setsockopt(SO_REUSEADDR) → bind → listen → fcntl(O_NONBLOCK)
//! Listener::ready     "Socket now listening on ADDR"  (what scripts and tests wait for)
//! Listener::accept    poll(listener, doorbell) → accept (non-blocking)   "Connected with IP:PORT"
//! ```
//!
//! A server spends most of its life waiting for the next client. It does
//! not wait inside `accept`: Ctrl-C could not wake it there on every
//! system (see `signals.rs`). It waits in `poll`, on the listening socket
//! and on the stop doorbell at once, and calls `accept` only when the
//! kernel says a client is queued. The listening socket is non-blocking,
//! so a client that gave up in between costs an EAGAIN, not a hang.
//!
//! `accept` can fail for reasons that are nobody's fault for long: out of
//! file descriptors (EMFILE, ENFILE), out of kernel memory (ENOBUFS,
//! ENOMEM), a firewall's verdict on one client (EPERM), a network going
//! down (ENETDOWN), a protocol error on one handshake (EPROTO). Each is
//! narrated once and survived: the server waits a little (longer each
//! time, up to a second) and tries again, so a burst of trouble does not
//! end a classroom's server. Only errors that mean the listening socket
//! itself is broken (EBADF, EINVAL, ENOTSOCK) end it.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Conn, Limits, RETRY, Server};
use crate::cli::{Family, ServeOpts};
use crate::error::SockError;
use crate::limits;
use crate::narrate::{Narrator, describe_errno, os_error, secs};
use crate::signals::Stop;
use crate::sockopt::{self, AcceptQueue, Want, Woke};
use crate::tr;

/// The first wait after a failed accept; it doubles up to [`BACKOFF_MAX`].
const BACKOFF_FIRST: Duration = Duration::from_millis(10);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// A listening socket and the server behind it.
pub struct Listener {
    sock: sockopt::Listener,
    /// The real address, port 0 resolved.
    pub addr: SocketAddr,
    pub server: Server,
    /// The port asked for: 0 gets a note saying which one the kernel chose.
    asked_port: u16,
    /// The old single `--timeout`, said in a note once ready.
    old_timeout: Option<Duration>,
    /// accept failures in a row, and the wait before the next try.
    failures: std::cell::Cell<(u64, Duration)>,
    /// The stop has been announced (see `fresh_line`).
    stop_said: std::cell::Cell<bool>,
}

/// What a wait in [`Listener::accept`] ended with. (Returned once per
/// client and unpacked at once, never stored: its size does not matter.)
#[allow(clippy::large_enum_variant)]
pub enum Accepted {
    Conn(Conn),
    /// Ctrl-C or SIGTERM arrived (or the step asked to stop).
    Stopped,
    /// `--accept-timeout` passed with nobody connected.
    TimedOut(Duration),
}

/// What one [`Listener::try_accept`] found.
pub enum Next {
    Client(TcpStream, SocketAddr),
    /// EAGAIN: the queue is empty.
    Empty,
    /// accept failed for a reason that may pass: try again after this long.
    BackOff(Duration),
}

/// socket → setsockopt → bind → listen, each traced, narrated with the
/// tutorial's lines: what every server after serve-once does first (whose
/// lesson spells the same calls out). `idle_default` is the server's own
/// `--idle-timeout` when none is given.
pub fn listen(
    opts: &ServeOpts,
    idle_default: Option<Duration>,
    say: &Narrator,
) -> Result<Listener, SockError> {
    start(say)?;
    let addr = opts.bind.addr().map_err(SockError::Usage)?;
    let socket = sockopt::tcp_socket(Family::of(addr.ip()), say)?;
    say.step("Socket created");
    socket.set_reuse_address(opts.bind.reuse(true))?;
    socket.bind(addr)?;
    say.step("Socket bind complete");
    let sock = socket.listen(opts.backlog)?;
    Listener::new(sock, opts, idle_default, say)
}

/// What every server does before its first call: its terminal output
/// moves to threads of its own, because a terminal nobody reads must never
/// hold it up.
pub fn start(say: &Narrator) -> Result<(), SockError> {
    say.start_output().map_err(|source| SockError::Call {
        op: "thread",
        source,
    })
}

impl Listener {
    /// The server around a socket that is listening already. From here on
    /// Ctrl-C rings the doorbell (before, it simply ends the process: there
    /// is nothing to close yet but one socket).
    pub fn new(
        sock: sockopt::Listener,
        opts: &ServeOpts,
        idle_default: Option<Duration>,
        say: &Narrator,
    ) -> Result<Listener, SockError> {
        let addr = sock.local_addr()?;
        let stop = Stop::on_ctrl_c().map_err(|source| SockError::Call {
            op: "sigaction",
            source,
        })?;
        let tally = Arc::default();
        let server = Server {
            stop,
            limits: Limits::from_opts(opts, idle_default),
            tally: Arc::clone(&tally),
            say: say.clone(),
        };
        // A second Ctrl-C prints the summary as it stands, then exits.
        let summary = Arc::clone(&tally);
        server
            .stop
            .set_last_words(move || super::Tally::summary(&summary));
        // On a terminal: who is here now, at the bottom of the screen.
        let status = Arc::clone(&tally);
        say.keep_status(move || super::Tally::status(&status));
        Ok(Listener {
            sock,
            addr,
            server,
            asked_port: opts.bind.port,
            old_timeout: opts.timeouts.timeout,
            failures: std::cell::Cell::new((0, BACKOFF_FIRST)),
            stop_said: std::cell::Cell::new(false),
        })
    }

    /// The readiness line, `Socket now listening on ADDR` (printed even with
    /// `--quiet`: scripts and tests wait for it, then connect), once
    /// everything the server needs exists; then the notes that go with it.
    pub fn ready(&self) {
        let say = &self.server.say;
        say.listening(self.addr);
        say.reachable_warning(self.addr);
        super::reach::name_the_way_in(self.addr, "telnet", say);
        if self.asked_port == 0 {
            say.note(tr!("port-zero", port = self.addr.port()));
        }
        if let Some(all) = self.old_timeout {
            say.note(tr!(
                "old-timeout",
                given = all.as_secs_f64().to_string(),
                after = secs(all)
            ));
        }
    }

    /// For a server that holds many clients at once, before its first
    /// accept: every client is one file descriptor, and the soft limit on
    /// them (often 1024) may be raised to the hard one without privileges.
    pub fn raise_open_files(&self) {
        let say = &self.server.say;
        match limits::raise_open_files() {
            Ok(files) => say.open_files(&files),
            Err(e) if e.kind() == io::ErrorKind::Unsupported => {
                say.note(tr!("no-open-files-limit"))
            }
            Err(e) => say.warn(tr!("open-files-failed", why = e.to_string())),
        }
    }

    /// Waits for the next client, at most `--accept-timeout` while nobody
    /// is connected: sleeps in `poll` on the listening socket and the
    /// doorbell, then accepts. The client comes back set up: `Connected
    /// with IP:PORT` said, its socket non-blocking (and with `--nodelay`,
    /// TCP_NODELAY).
    pub fn accept(&self) -> Result<Accepted, SockError> {
        let server = &self.server;
        loop {
            if server.stop.requested() {
                return Ok(Accepted::Stopped);
            }
            // The accept clock runs only while nobody is connected: a
            // server with clients is not idle.
            let deadline = match server.limits.accept {
                Some(limit) if server.tally.live() == 0 => {
                    let empty = server.tally.empty_for();
                    if empty >= limit {
                        return Ok(Accepted::TimedOut(limit));
                    }
                    Some(Instant::now() + (limit - empty))
                }
                Some(limit) => Some(Instant::now() + limit),
                None => None,
            };
            if !server.limits.retry {
                let bell = Some(server.stop.bell());
                match sockopt::wait(&self.sock, Want::Readable, bell, deadline, &server.say)
                    .map_err(|source| self.failed(source))?
                {
                    Woke::Rung => return Ok(Accepted::Stopped),
                    Woke::TimedOut => continue,
                    Woke::Ready | Woke::Other => {}
                }
            }
            match self.try_accept()? {
                Next::Client(stream, peer) => {
                    if let Some(conn) = self.set_up(stream, peer) {
                        return Ok(Accepted::Conn(conn));
                    }
                }
                Next::Empty if server.limits.retry => {
                    server.would_block("accept()", &tr!("eagain-accept"));
                    sockopt::nap(server.stop.bell(), RETRY);
                }
                Next::Empty => {}
                Next::BackOff(pause) => sockopt::nap(server.stop.bell(), pause),
            }
        }
    }

    /// One `accept` that never waits. A failure that may pass is narrated
    /// (once per run of failures) and comes back as how long to wait
    /// before the next try; only a broken listening socket is an error.
    pub fn try_accept(&self) -> Result<Next, SockError> {
        let say = &self.server.say;
        loop {
            match self.sock.accept() {
                Ok((stream, peer)) => {
                    let (failed, _) = self.failures.replace((0, BACKOFF_FIRST));
                    if failed > 0 {
                        say.note(tr!("accept-again", failures = failed));
                    }
                    return Ok(Next::Client(stream, peer));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Next::Empty),
                // A signal, or a client that gave up while queued: neither
                // is the server's problem.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) if is_fatal(&e) => return Err(self.failed(e)),
                Err(e) => {
                    let (failed, pause) = self.failures.get();
                    if failed == 0 {
                        say.warn(tr!(
                            "accept-failed",
                            errno = describe_errno(&e),
                            why = why_accept_failed(&e)
                        ));
                    }
                    self.failures
                        .set((failed + 1, (pause * 2).min(BACKOFF_MAX)));
                    return Ok(Next::BackOff(pause));
                }
            }
        }
    }

    /// `Connected with IP:PORT`, then the new socket's options. A failure
    /// here is this client's problem only: it is closed and the server
    /// goes on.
    fn set_up(&self, stream: TcpStream, peer: SocketAddr) -> Option<Conn> {
        let stream = self.greet(stream, peer)?;
        Some(Conn::new(stream, peer, &self.server))
    }

    /// `Connected with IP:PORT` and, with `--nodelay`, TCP_NODELAY; `None`
    /// (the socket closed) if the option cannot be set.
    pub fn greet(&self, stream: TcpStream, peer: SocketAddr) -> Option<TcpStream> {
        let server = &self.server;
        server.say.step(format_args!("Connected with {peer}"));
        if server.limits.nodelay {
            let say = server.say.for_peer(peer);
            if let Err(e) = sockopt::set_nodelay(&stream, &say) {
                say.warn(tr!("client-set-up-failed", why = e.to_string()));
                return None;
            }
        }
        Some(stream)
    }

    /// The listening socket, for a conversation that watches its backlog.
    pub fn socket(&self) -> &sockopt::Listener {
        &self.sock
    }

    /// The listening socket's descriptor, for the trace.
    pub fn fd(&self) -> i64 {
        self.sock.fd()
    }

    /// Whether one more client would be over `--max-clients` (the
    /// newcomer already counted as live is not).
    pub fn full(&self, max_clients: usize) -> bool {
        self.server.tally.live() > max_clients
    }

    /// How many finished connections wait in the listen backlog, and the
    /// backlog's limit, read from the kernel (Linux only).
    pub fn accept_queue(&self) -> Option<AcceptQueue> {
        self.sock.accept_queue()
    }

    /// Registers the listening socket with serve-poll's epoll, readable.
    pub fn register(
        &mut self,
        registry: &mio::Registry,
        token: mio::Token,
    ) -> Result<(), SockError> {
        self.sock.register(registry, token, super::polled::CALLS.0)
    }

    /// Says how many clients the server is about to close as it stops,
    /// and what each is told first.
    pub fn say_closing(&self) {
        self.fresh_line();
        let live = self.server.tally.live();
        if live > 0 {
            let line = String::from_utf8_lossy(super::protocol::SHUTTING_DOWN);
            self.server.say.note(tr!(
                "closing-clients",
                count = live as u64,
                goodbye = format!("{:?}", line.trim_end())
            ));
        }
    }

    /// Closes the listening socket, lets the terminal catch up (at most
    /// `narrate::LAST_FLUSH` a stream; what was not shown is counted) and
    /// prints the one-line summary.
    pub fn finish(self) {
        let say = &self.server.say;
        if self.server.stop.by_signal() {
            self.fresh_line();
            say.note(tr!("stop-signal"));
        }
        self.sock.close();
        say.finish_output();
        say.info(self.server.tally.summary());
    }

    /// Once, when the server starts stopping: the next line starts afresh,
    /// not after the `^C` a terminal echoed.
    fn fresh_line(&self) {
        if !self.stop_said.replace(true) && self.server.stop.by_signal() {
            self.server.say.after_ctrl_c();
        }
    }

    fn failed(&self, source: io::Error) -> SockError {
        SockError::Io {
            op: "accept",
            addr: self.addr,
            source,
        }
    }
}

impl Server {
    /// `--nonblocking`: say what just happened, with the server's running
    /// count of EAGAINs.
    pub fn would_block(&self, call: &str, why: &str) {
        let n = self.tally.next_would_block();
        self.say.note(tr!(
            "eagain",
            call = call,
            n = n,
            why = why,
            retry = secs(RETRY)
        ));
    }
}

/// An accept error that means the listening socket itself is unusable:
/// nothing will ever be accepted from it again.
fn is_fatal(e: &io::Error) -> bool {
    matches!(
        os_error(e),
        Some("EBADF" | "EINVAL" | "ENOTSOCK" | "EOPNOTSUPP" | "EFAULT")
    )
}

/// What an accept failure that may pass means, in a few words.
fn why_accept_failed(e: &io::Error) -> String {
    match os_error(e) {
        Some("EMFILE") => tr!("accept-emfile"),
        Some("ENFILE") => tr!("accept-enfile"),
        Some("ENOBUFS" | "ENOMEM") => tr!("accept-enobufs"),
        Some("EPERM") => tr!("accept-eperm"),
        Some("ENETDOWN" | "ENETUNREACH" | "EHOSTUNREACH") => tr!("accept-enetdown"),
        Some("EPROTO") => tr!("accept-eproto"),
        _ => tr!("accept-may-pass"),
    }
}
