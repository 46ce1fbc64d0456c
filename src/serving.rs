//! What every server step shares: setting up the listening socket, waiting
//! for clients without missing Ctrl-C, talking to one client with its bytes
//! and its ending counted, and the summary when the server stops.
//!
//! ```text
//! listen()      socket → setsockopt … → bind → listen        "Socket now listening on ADDR"
//! Server::accept     accept → setsockopt …                     "Connected with IP:PORT"
//! Client::recv / Client::send_all                             (traced, hex-dumped, counted)
//! Client::show       (queued for the console's writer thread)  "[IP:PORT] data" on stdout
//! Client::leave      close                                     "Disconnected IP:PORT after …"
//! Server::finish     close                                     "Server stopped: N clients served, …"
//! ```
//!
//! Blocking calls never block for long: the listening socket and every
//! client socket get a short timeout ([`shutdown::POLL`]) so that a blocked
//! `accept` or `recv` wakes up, checks whether Ctrl-C or SIGTERM arrived,
//! checks `--timeout`, and goes back to waiting. Without that wake-up, a
//! server blocked in `accept` would ignore Ctrl-C forever (Rust retries a
//! call that a signal interrupted). With `--nonblocking` the calls do not
//! wait at all, and the server sleeps [`RETRY`] between tries instead.
//! The exception is serve-threaded's client threads: thousands of them
//! waking ten times a second would keep a core busy doing nothing, so each
//! sleeps in `recv` until data or its `--idle-timeout`
//! ([`Client::sleep_in_recv`]), and on Ctrl-C the main thread wakes them
//! all with `shutdown` ([`Registry::shutdown_all`]).
//!
//! stdout is the one thing a server never waits for long: what clients
//! send is queued for the console's own writer thread ([`Console`]), so a
//! console nobody reads (`| less`, unscrolled) loses records, counted, but
//! never holds up a reply.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::{Family, ServeOpts};
use crate::error::{self, Phase, SockError};
use crate::narrate::{Console, Dir, Narrator, Window, describe_errno};
use crate::shutdown::{self, Shutdown};
use crate::sockopt::{self, AcceptQueue};

/// How long a `--nonblocking` server sleeps after EAGAIN before it asks
/// again. A real non-blocking server never sleeps: it asks the kernel which
/// sockets are ready (select, poll, epoll), the step after threads.
pub const RETRY: Duration = Duration::from_millis(500);

/// Once Ctrl-C or SIGTERM has arrived, how long a reply still being sent
/// may go without the client taking a byte before the server gives up on
/// it. A client that reads gets its whole reply; one that does not read
/// cannot hold the server's exit for longer than this.
pub const LAST_REPLY: Duration = Duration::from_millis(500);

/// Running totals for the summary line, shared by every client thread.
#[derive(Debug, Default)]
struct Stats {
    served: AtomicU64,
    turned_away: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    would_blocks: AtomicU64,
    /// Clients connected right now.
    live: AtomicUsize,
}

/// A listening socket and what the server knows about its clients.
pub struct Server {
    listener: TcpListener,
    /// The real address, port 0 resolved.
    pub addr: SocketAddr,
    opts: ServeOpts,
    say: Narrator,
    shutdown: Shutdown,
    stats: Arc<Stats>,
    /// Where clients' records go on their way to stdout: never blocks.
    console: Console,
}

/// What a wait in [`Server::accept`] ended with.
pub enum Accepted {
    Client(Client),
    /// Ctrl-C or SIGTERM arrived (or a step asked to stop).
    Shutdown,
    /// `--timeout` passed and nobody connected.
    TimedOut(Duration),
}

/// socket → setsockopt → bind → listen, each traced, narrated with the
/// tutorial's lines, ending with the readiness line `Socket now listening
/// on ADDR` (printed even with `--quiet`: scripts and tests wait for it).
pub fn listen(opts: &ServeOpts, say: &Narrator) -> Result<Server, SockError> {
    let addr = opts.bind.addr();
    let family = Family::of(addr.ip());
    let fail = |op: &'static str| move |source| SockError::Io { op, addr, source };

    // Before the socket exists, so a Ctrl-C during set-up already ends the
    // server cleanly instead of killing it halfway.
    let shutdown = Shutdown::install().map_err(fail("sigaction"))?;

    let socket = say
        .traced(
            "socket",
            format_args!("{}, SOCK_STREAM", family.af_name()),
            sockopt::tcp_socket(family),
            |s| format!("fd {}", s.fd()),
        )
        .map_err(fail("socket"))?;
    say.step("Socket created");
    let fd = socket.fd();
    let ok = |_: &()| "ok".to_string();

    if opts.bind.reuse_address {
        say.traced(
            "setsockopt",
            format_args!("fd {fd}, SOL_SOCKET, SO_REUSEADDR, 1"),
            socket.set_reuse_address(),
            ok,
        )
        .map_err(fail("setsockopt"))?;
    }
    if family == Family::V6 {
        say.traced(
            "setsockopt",
            format_args!("fd {fd}, IPPROTO_IPV6, IPV6_V6ONLY, 1"),
            socket.set_only_v6(),
            ok,
        )
        .map_err(fail("setsockopt"))?;
    }
    if !opts.nonblocking {
        // The wake-up that lets a waiting accept notice Ctrl-C.
        say.traced(
            "setsockopt",
            format_args!(
                "fd {fd}, SOL_SOCKET, SO_RCVTIMEO, {}",
                error::secs(shutdown::POLL)
            ),
            socket.set_accept_timeout(shutdown::POLL),
            ok,
        )
        .map_err(fail("setsockopt"))?;
    }

    say.traced(
        "bind",
        format_args!("fd {fd}, {addr}"),
        socket.bind(addr),
        ok,
    )
    .map_err(|source| SockError::Bind { addr, source })?;
    say.step("Socket bind complete");

    let listener = say
        .traced(
            "listen",
            format_args!("fd {fd}, {}", opts.backlog),
            socket.listen(opts.backlog),
            |_| "ok".into(),
        )
        .map_err(fail("listen"))?;
    if opts.nonblocking {
        say.traced(
            "fcntl",
            format_args!("fd {fd}, F_SETFL, O_NONBLOCK"),
            sockopt::set_nonblocking(&listener, true),
            ok,
        )
        .map_err(fail("fcntl"))?;
    }
    let local = say
        .traced(
            "getsockname",
            format_args!("fd {fd}"),
            listener.local_addr(),
            |a| a.to_string(),
        )
        .map_err(fail("getsockname"))?;
    if opts.bind.all_interfaces() {
        say.all_interfaces_warning(local);
    }
    // Before the readiness line, so whoever waits for it finds the server
    // complete, its console's thread included.
    let console = say.console();
    say.listening(local);

    if addr.port() == 0 {
        say.note(format!(
            "port 0 asks the kernel for any free port: it chose {}",
            local.port()
        ));
    }
    Ok(Server {
        listener,
        addr: local,
        opts: opts.clone(),
        say: say.clone(),
        shutdown,
        stats: Arc::default(),
        console,
    })
}

/// [`listen`] for a server that waits in epoll instead of in `accept` and
/// `recv` (serve-poll): the listening socket and every accepted client are
/// made non-blocking (`fcntl(O_NONBLOCK)`, traced), whatever `--nonblocking`
/// says, because one blocked call would stall every client at once.
pub fn listen_for_polling(opts: &ServeOpts, say: &Narrator) -> Result<Server, SockError> {
    let opts = ServeOpts {
        nonblocking: true,
        ..opts.clone()
    };
    listen(&opts, say)
}

/// What one non-blocking [`Server::try_accept`] ended with.
pub enum Polled {
    Client(Client),
    /// EAGAIN: the accept queue is empty.
    Empty,
    /// EMFILE or ENFILE: the next client stays queued until a file
    /// descriptor is free again.
    OutOfFiles,
}

impl Server {
    /// The listening socket's file descriptor, for epoll.
    pub fn fd(&self) -> RawFd {
        self.listener.as_raw_fd()
    }

    /// One `accept` that never waits (the listener must come from
    /// [`listen_for_polling`]). A client whose set-up failed, one that gave up
    /// while queued, or a signal, are skipped and the next one is tried.
    pub fn try_accept(&self) -> Result<Polled, SockError> {
        let fd = self.listener.as_raw_fd();
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    self.say.trace(
                        "accept",
                        format_args!("fd {fd}"),
                        format_args!("fd {}, peer {peer}", stream.as_raw_fd()),
                    );
                    if let Some(client) = self.set_up_client(stream, peer) {
                        return Ok(Polled::Client(client));
                    }
                }
                Err(e) if is_would_block(&e) => {
                    // Every accept_all ends here: words only when shown.
                    if self.say.is_tracing() {
                        self.say
                            .trace("accept", format_args!("fd {fd}"), describe_errno(&e));
                    }
                    return Ok(Polled::Empty);
                }
                Err(e) if is_skippable_accept_error(&e) => {}
                Err(e) if is_out_of_files(&e) => {
                    self.say
                        .trace("accept", format_args!("fd {fd}"), describe_errno(&e));
                    return Ok(Polled::OutOfFiles);
                }
                Err(source) => {
                    return Err(SockError::Io {
                        op: "accept",
                        addr: self.addr,
                        source,
                    });
                }
            }
        }
    }

    /// `--max-clients`: a newcomer over the cap (`live` already counts it)
    /// gets one line, `Server full (N clients). Try again later.`, and is
    /// closed, so it knows at once instead of waiting unanswered. Returns the
    /// client when there is room for it.
    pub fn admit(&self, client: Client, max_clients: usize) -> Option<Client> {
        if self.live() <= max_clients {
            return Some(client);
        }
        self.say.warn(format!(
            "{} turned away: server full ({max_clients} connected, --max-clients {max_clients})",
            client.peer
        ));
        client.refuse(
            format!(
                "Server full ({}). Try again later.\n",
                plural(max_clients as u64, "client")
            )
            .as_bytes(),
        );
        None
    }

    /// Says how many clients the server is about to close as it stops.
    pub fn say_closing(&self) {
        let live = self.live();
        if live > 0 {
            self.say.note(format!(
                "closing {} still connected",
                plural(live as u64, "client")
            ));
        }
    }

    /// Waits for the next client, at most `limit` (`None`: until Ctrl-C).
    /// The client socket comes back set up: `Connected with IP:PORT` has been
    /// said, timeouts or O_NONBLOCK and TCP_NODELAY are set.
    pub fn accept(&self, limit: Option<Duration>) -> Result<Accepted, SockError> {
        let started = Instant::now();
        let fd = self.listener.as_raw_fd();
        let mut told_emfile = false;
        loop {
            if self.shutdown.requested() {
                return Ok(Accepted::Shutdown);
            }
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    self.say.trace(
                        "accept",
                        format_args!("fd {fd}"),
                        format_args!("fd {}, peer {peer}", stream.as_raw_fd()),
                    );
                    if let Some(client) = self.set_up_client(stream, peer) {
                        return Ok(Accepted::Client(client));
                    }
                }
                Err(e) if is_would_block(&e) => {
                    if self.opts.nonblocking {
                        would_block(&self.say, &self.stats, "accept()", "no client is waiting");
                    }
                    if let Some(limit) = limit
                        && started.elapsed() >= limit
                    {
                        return Ok(Accepted::TimedOut(limit));
                    }
                    if self.opts.nonblocking {
                        nap(&self.shutdown, RETRY);
                    }
                }
                Err(e) if is_skippable_accept_error(&e) => {}
                // Out of file descriptors: the client stays queued; wait for
                // one to leave rather than die with every client connected.
                Err(e) if is_out_of_files(&e) => {
                    if !told_emfile {
                        told_emfile = true;
                        self.say.warn(format!(
                            "accept() -> {}: every file descriptor is in use; waiting for a client to leave",
                            describe_errno(&e)
                        ));
                    }
                    nap(&self.shutdown, shutdown::POLL);
                }
                Err(source) => {
                    return Err(SockError::Io {
                        op: "accept",
                        addr: self.addr,
                        source,
                    });
                }
            }
        }
    }

    /// Options on a freshly accepted socket. A failure here is this client's
    /// problem only: it is dropped and the server goes on.
    fn set_up_client(&self, stream: TcpStream, peer: SocketAddr) -> Option<Client> {
        let say = self.say.for_peer(peer);
        let fd = stream.as_raw_fd();
        self.say.step(format_args!("Connected with {peer}"));
        let ok = |_: &()| "ok".to_string();
        let mut result = if self.opts.nonblocking {
            // Accepted sockets do not inherit O_NONBLOCK on Linux.
            say.traced(
                "fcntl",
                format_args!("fd {fd}, F_SETFL, O_NONBLOCK"),
                sockopt::set_nonblocking(&stream, true),
                ok,
            )
        } else {
            say.traced(
                "setsockopt",
                format_args!(
                    "fd {fd}, SO_RCVTIMEO and SO_SNDTIMEO, {}",
                    error::secs(shutdown::POLL)
                ),
                sockopt::set_io_timeouts(&stream, Some(shutdown::POLL)),
                ok,
            )
        };
        if self.opts.nodelay && result.is_ok() {
            result = say.traced(
                "setsockopt",
                format_args!("fd {fd}, IPPROTO_TCP, TCP_NODELAY, 1"),
                sockopt::set_nodelay(&stream),
                ok,
            );
        }
        if let Err(e) = result {
            say.warn(format!("cannot set up this client, closing it: {e}"));
            return None;
        }
        Some(Client {
            stream,
            live: Live::count(&self.stats),
            peer,
            say,
            plain: self.say.clone(),
            shutdown: self.shutdown.clone(),
            stats: Arc::clone(&self.stats),
            window: self.console.window(),
            nonblocking: self.opts.nonblocking,
            timeout: self.opts.timeout,
            idle_timeout: None,
            sleeps_in_recv: false,
            connected: Instant::now(),
            bytes_in: 0,
            bytes_out: 0,
        })
    }

    /// How many finished connections wait in the listen backlog, and the
    /// backlog's limit, read from the kernel (Linux only).
    pub fn accept_queue(&self) -> Option<AcceptQueue> {
        sockopt::accept_queue(&self.listener).ok()
    }

    /// Clients connected right now.
    pub fn live(&self) -> usize {
        self.stats.live.load(Ordering::Relaxed)
    }

    /// Whether Ctrl-C or SIGTERM has arrived.
    pub fn stopping(&self) -> bool {
        self.shutdown.requested()
    }

    /// Closes the listening socket, lets the console drain (at most
    /// [`crate::narrate::LAST_FLUSH`]; records not shown are counted) and
    /// prints the one-line summary.
    pub fn finish(mut self) {
        if self.shutdown.requested() {
            self.say
                .note("Ctrl-C or SIGTERM received: no new clients accepted");
        }
        let fd = self.listener.as_raw_fd();
        drop(self.listener);
        self.say.trace("close", format_args!("fd {fd}"), "ok");
        self.console.finish();
        let s = &self.stats;
        let turned_away = match s.turned_away.load(Ordering::Relaxed) {
            0 => String::new(),
            n => format!(", {n} turned away (server full)"),
        };
        self.say.info(format!(
            "Server stopped: {} served, {} bytes in, {} bytes out{turned_away}",
            plural(s.served.load(Ordering::Relaxed), "client"),
            s.bytes_in.load(Ordering::Relaxed),
            s.bytes_out.load(Ordering::Relaxed),
        ));
    }
}

/// Who ended a conversation, and how: the last words of the leave line.
#[derive(Debug)]
pub enum Closer {
    /// recv returned 0: the client closed its end first.
    ClientEof,
    /// The client vanished with data in flight (ECONNRESET, EPIPE).
    Reset { op: &'static str, source: io::Error },
    /// The client stayed silent (or stopped reading) longer than `option`.
    Timeout {
        phase: Phase,
        after: Duration,
        option: &'static str,
    },
    /// The server closed first; the text says why.
    Server(&'static str),
    /// Any other failing call.
    Failed { op: &'static str, source: io::Error },
}

impl Closer {
    fn from_error(op: &'static str, source: io::Error) -> Closer {
        match source.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted => Closer::Reset { op, source },
            _ => Closer::Failed { op, source },
        }
    }

    /// The error a one-client server exits with, if this ending is one.
    pub fn into_error(self, peer: SocketAddr) -> Option<SockError> {
        match self {
            Closer::ClientEof | Closer::Server(_) => None,
            Closer::Timeout { phase, after, .. } => Some(SockError::Timeout {
                phase,
                addr: peer,
                after,
            }),
            Closer::Reset { op, source } | Closer::Failed { op, source } => Some(SockError::Io {
                op,
                addr: peer,
                source,
            }),
        }
    }
}

impl std::fmt::Display for Closer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closer::ClientEof => write!(f, "the client closed first (recv returned 0)"),
            Closer::Reset { op, source } => {
                write!(
                    f,
                    "the client reset the connection ({op}: {})",
                    describe_errno(source)
                )
            }
            Closer::Timeout {
                phase: Phase::Write,
                after,
                option,
            } => write!(
                f,
                "timed out: the client read nothing for {} ({option}), the server closed",
                error::secs(*after)
            ),
            Closer::Timeout { after, option, .. } => write!(
                f,
                "timed out: the client sent nothing for {} ({option}), the server closed",
                error::secs(*after)
            ),
            Closer::Server(why) => write!(f, "the server closed first ({why})"),
            Closer::Failed { op, source } => write!(f, "{op} failed: {}", describe_errno(source)),
        }
    }
}

/// A recv timeout as `--trace` shows it.
fn wait_text(limit: Option<Duration>) -> String {
    match limit {
        Some(d) => error::secs(d),
        None => "none (until data arrives)".into(),
    }
}

/// Why the server closes when Ctrl-C or SIGTERM arrives mid-conversation.
pub const SHUTTING_DOWN: &str = "shutting down";

/// One connected client: its socket, its narrator (every line names it) and
/// its byte counts.
pub struct Client {
    stream: TcpStream,
    /// Counts this client as connected until dropped.
    live: Live,
    pub peer: SocketAddr,
    /// Narration about this client: `[IP:PORT] ...`.
    say: Narrator,
    /// The server's own narrator, for the leave line.
    plain: Narrator,
    shutdown: Shutdown,
    stats: Arc<Stats>,
    /// The server's console, for [`Client::show`].
    window: Window,
    nonblocking: bool,
    timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    /// Whether `recv` sleeps until the silence limit instead of waking
    /// every [`shutdown::POLL`]: see [`Client::sleep_in_recv`].
    sleeps_in_recv: bool,
    connected: Instant,
    bytes_in: u64,
    bytes_out: u64,
}

impl Client {
    /// The narrator for lines about this client.
    pub fn say(&self) -> &Narrator {
        &self.say
    }

    /// `--idle-timeout`: drop the client after this long without data.
    pub fn set_idle_timeout(&mut self, idle: Option<Duration>) {
        self.idle_timeout = idle;
    }

    /// For a thread that serves only this client (serve-threaded): `recv`
    /// sleeps until data arrives or the client's silence limit passes,
    /// instead of waking every [`shutdown::POLL`] to look for Ctrl-C.
    /// Holding 10,000 idle clients, those wake-ups were 100,000 a second:
    /// about half a core spent on nothing. Only for a client in the
    /// [`Registry`], whose `shutdown_all` then wakes it on Ctrl-C. Call it
    /// after [`Client::set_idle_timeout`]. If the kernel refuses the new
    /// timeout, the client simply goes on polling.
    pub fn sleep_in_recv(&mut self) {
        if self.nonblocking {
            return;
        }
        let (limit, _) = self.silence_limit();
        let fd = self.stream.as_raw_fd();
        let set = self.say.traced(
            "setsockopt",
            format_args!("fd {fd}, SO_RCVTIMEO, {}", wait_text(limit)),
            sockopt::set_recv_timeout(&self.stream, limit),
            |_| "ok".to_string(),
        );
        self.sleeps_in_recv = set.is_ok();
    }

    /// One `recv(buf.len())`. Returns how many bytes arrived, always above 0:
    /// every way the conversation can end (EOF, reset, timeout, Ctrl-C) comes
    /// back as the [`Closer`] that says who ended it.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Closer> {
        self.recv_while(buf, || {})
    }

    /// [`Client::recv`], calling `waiting` each time the wait wakes up with
    /// nothing received (every [`shutdown::POLL`], or [`RETRY`] when
    /// non-blocking): serve-loop uses it to look at the backlog.
    pub fn recv_while(
        &mut self,
        buf: &mut [u8],
        mut waiting: impl FnMut(),
    ) -> Result<usize, Closer> {
        let fd = self.stream.as_raw_fd();
        let (limit, option) = self.silence_limit();
        let started = Instant::now();
        loop {
            if self.shutdown.requested() {
                return Err(Closer::Server(SHUTTING_DOWN));
            }
            match self.stream.read(buf) {
                // After Ctrl-C the main thread shuts this socket down, which
                // also looks like an EOF: say who really closed.
                Ok(0) if self.shutdown.requested() => {
                    return Err(Closer::Server(SHUTTING_DOWN));
                }
                Ok(0) => {
                    self.say.trace(
                        "recv",
                        format_args!("fd {fd}, {}", buf.len()),
                        "0 bytes (EOF)",
                    );
                    return Err(Closer::ClientEof);
                }
                Ok(n) => {
                    self.say.trace(
                        "recv",
                        format_args!("fd {fd}, {}", buf.len()),
                        format_args!("{n} bytes"),
                    );
                    self.say.hex(Dir::Received, &buf[..n]);
                    self.bytes_in += n as u64;
                    self.stats.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_would_block(&e) => {
                    if self.nonblocking {
                        would_block(
                            &self.say,
                            &self.stats,
                            "recv()",
                            "the client has sent nothing yet",
                        );
                    }
                    if let Some(limit) = limit
                        && started.elapsed() >= limit
                    {
                        self.say.trace(
                            "recv",
                            format_args!("fd {fd}, {}", buf.len()),
                            format_args!("nothing in {} ({option})", error::secs(limit)),
                        );
                        return Err(Closer::Timeout {
                            phase: Phase::Read,
                            after: limit,
                            option,
                        });
                    }
                    waiting();
                    if self.nonblocking {
                        nap(&self.shutdown, RETRY);
                    }
                    // The kernel counts SO_RCVTIMEO in clock ticks and may
                    // wake a little early; sleeping the whole limit again
                    // would double it, so sleep only what is left.
                    if self.sleeps_in_recv
                        && let Some(limit) = limit
                    {
                        let left = limit.saturating_sub(started.elapsed());
                        let _ = sockopt::set_recv_timeout(&self.stream, Some(left));
                    }
                }
                Err(e) => {
                    self.say.trace(
                        "recv",
                        format_args!("fd {fd}, {}", buf.len()),
                        describe_errno(&e),
                    );
                    return Err(self.ended_by("recv", e));
                }
            }
        }
    }

    /// How long this client may stay silent, and the option that said so:
    /// the shorter of `--timeout` and `--idle-timeout`.
    fn silence_limit(&self) -> (Option<Duration>, &'static str) {
        match (self.timeout, self.idle_timeout) {
            (Some(t), Some(i)) if t < i => (Some(t), "--timeout"),
            (_, Some(i)) => (Some(i), "--idle-timeout"),
            (t, None) => (t, "--timeout"),
        }
    }

    /// The socket's file descriptor, for epoll and `--trace`.
    pub fn fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }

    /// One `recv` on a non-blocking socket: `Some(n)` bytes arrived (above
    /// 0), `None` means EAGAIN, nothing more for now. EOF and errors come
    /// back as the [`Closer`] that ended the conversation, as in
    /// [`Client::recv`].
    pub fn try_recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Closer> {
        let fd = self.stream.as_raw_fd();
        loop {
            let result = self.stream.read(buf);
            // The outcome is put into words only when it is shown: spelling
            // out "EAGAIN (Resource temporarily unavailable)" after every
            // drained socket was 70 % of serve-poll's own work in ping-pong
            // (callgrind, docs/PERFORMANCE.md).
            if self.say.is_tracing()
                && !matches!(&result, Err(e) if e.kind() == io::ErrorKind::Interrupted)
            {
                let outcome = match &result {
                    Ok(0) => "0 bytes (EOF)".to_string(),
                    Ok(n) => format!("{n} bytes"),
                    Err(e) => describe_errno(e),
                };
                self.say
                    .trace("recv", format_args!("fd {fd}, {}", buf.len()), outcome);
            }
            return match result {
                Ok(0) => Err(Closer::ClientEof),
                Ok(n) => {
                    self.say.hex(Dir::Received, &buf[..n]);
                    self.bytes_in += n as u64;
                    self.stats.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                    Ok(Some(n))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_would_block(&e) => Ok(None),
                Err(e) => Err(self.ended_by("recv", e)),
            };
        }
    }

    /// One `send` on a non-blocking socket: how many bytes the kernel took,
    /// 0 when its send buffer is full (EAGAIN). The rest is the caller's to
    /// keep and send when the socket is writable again.
    pub fn try_send(&mut self, bytes: &[u8]) -> Result<usize, Closer> {
        let fd = self.stream.as_raw_fd();
        loop {
            let result = self.stream.write(bytes);
            // As in try_recv: words only when shown.
            if self.say.is_tracing()
                && !matches!(&result, Err(e) if e.kind() == io::ErrorKind::Interrupted)
            {
                self.say.trace(
                    "send",
                    format_args!("fd {fd}, {} bytes", bytes.len()),
                    match &result {
                        Ok(n) => format!("{n} bytes"),
                        Err(e) => describe_errno(e),
                    },
                );
            }
            return match result {
                Ok(0) if !bytes.is_empty() => Err(Closer::Failed {
                    op: "send",
                    source: io::ErrorKind::WriteZero.into(),
                }),
                Ok(n) => {
                    self.say.hex(Dir::Sent, &bytes[..n]);
                    self.bytes_out += n as u64;
                    self.stats.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                    Ok(n)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_would_block(&e) => Ok(0),
                Err(e) => Err(self.ended_by("send", e)),
            };
        }
    }

    /// For a server that keeps its own clocks (serve-poll): whether this
    /// client has overstayed. `heard` is when it last sent something (or
    /// when its last reply was fully sent); `stalled` is, while replies wait
    /// to be sent, when the client last took any of them. Waiting replies
    /// count against `--timeout` only, as a blocked `sendall` does; silence
    /// against the shorter of `--timeout` and `--idle-timeout`, as `recv`.
    /// `now` is read once for the whole scan: a clock read per client was
    /// most of the cost of looking at 50,000 of them ten times a second.
    pub fn overdue(
        &self,
        now: Instant,
        heard: Instant,
        stalled: Option<Instant>,
    ) -> Option<Closer> {
        let fd = self.stream.as_raw_fd();
        if let Some(stalled) = stalled {
            let limit = self.timeout?;
            if now.saturating_duration_since(stalled) < limit {
                return None;
            }
            self.say.trace(
                "send",
                format_args!("fd {fd}"),
                format_args!("not writable for {} (--timeout)", error::secs(limit)),
            );
            return Some(Closer::Timeout {
                phase: Phase::Write,
                after: limit,
                option: "--timeout",
            });
        }
        let (limit, option) = self.silence_limit();
        let limit = limit?;
        if now.saturating_duration_since(heard) < limit {
            return None;
        }
        self.say.trace(
            "recv",
            format_args!("fd {fd}"),
            format_args!("nothing in {} ({option})", error::secs(limit)),
        );
        Some(Closer::Timeout {
            phase: Phase::Read,
            after: limit,
            option,
        })
    }

    /// `sendall`: every byte, or the [`Closer`] that stopped it. A client that
    /// stops reading stalls only this call (and with `--timeout`, only for
    /// that long); a client that vanished is a `Reset`, never a crash.
    pub fn send_all(&mut self, bytes: &[u8]) -> Result<(), Closer> {
        let fd = self.stream.as_raw_fd();
        self.say.hex(Dir::Sent, bytes);
        let mut sent = 0;
        let mut last_progress = Instant::now();
        let mut stop_noticed: Option<Instant> = None;
        // No check for Ctrl-C here: a reply to bytes the server has already
        // received is finished even while the server stops, as long as the
        // client keeps taking it (see the EAGAIN arm below).
        while sent < bytes.len() {
            match self.stream.write(&bytes[sent..]) {
                Ok(0) => {
                    return Err(Closer::Failed {
                        op: "sendall",
                        source: io::ErrorKind::WriteZero.into(),
                    });
                }
                Ok(n) => {
                    sent += n;
                    self.bytes_out += n as u64;
                    self.stats.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                    last_progress = Instant::now();
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_would_block(&e) => {
                    // Stopping, and the client took nothing for a while
                    // (counted from when we noticed the stop): it is not
                    // reading, so this reply would never end.
                    let stalled = self.shutdown.requested() && {
                        let noticed = *stop_noticed.get_or_insert_with(Instant::now);
                        last_progress.max(noticed).elapsed() >= LAST_REPLY
                    };
                    if stalled {
                        self.say.trace(
                            "sendall",
                            format_args!("fd {fd}, {} bytes", bytes.len()),
                            format_args!(
                                "{sent} sent, then nothing in {} while shutting down",
                                error::secs(LAST_REPLY)
                            ),
                        );
                        return Err(Closer::Server(SHUTTING_DOWN));
                    }
                    if self.nonblocking {
                        would_block(
                            &self.say,
                            &self.stats,
                            "send()",
                            "the client's receive window is full",
                        );
                    }
                    if let Some(limit) = self.timeout
                        && last_progress.elapsed() >= limit
                    {
                        self.say.trace(
                            "sendall",
                            format_args!("fd {fd}, {} bytes", bytes.len()),
                            format_args!(
                                "{sent} sent, then nothing in {} (--timeout)",
                                error::secs(limit)
                            ),
                        );
                        return Err(Closer::Timeout {
                            phase: Phase::Write,
                            after: limit,
                            option: "--timeout",
                        });
                    }
                    if self.nonblocking {
                        // nap wakes at once while stopping; the pause keeps the
                        // last tries of a stopping server from spinning.
                        if self.shutdown.requested() {
                            thread::sleep(shutdown::POLL);
                        } else {
                            nap(&self.shutdown, RETRY);
                        }
                    }
                }
                Err(e) => {
                    self.say.trace(
                        "sendall",
                        format_args!("fd {fd}, {} bytes", bytes.len()),
                        format_args!("{sent} sent, then {}", describe_errno(&e)),
                    );
                    return Err(self.ended_by("sendall", e));
                }
            }
        }
        self.say.trace(
            "sendall",
            format_args!("fd {fd}, {} bytes", bytes.len()),
            "ok",
        );
        Ok(())
    }

    /// What the client sent, on stdout, as bytes: the console of a server
    /// that shows what its clients report. With `labelled`, each chunk is one
    /// record, `[IP:PORT] ` + the bytes unchanged + `\n` if they did not end
    /// with one, kept in one piece so records from different clients never
    /// mix. The console is only a window onto the conversation: this waits
    /// for stdout only while it keeps up, 100 ms at most (a record that
    /// finds the console's queue full is dropped and counted, see
    /// [`Console`]), and a closed stdout does not end the conversation.
    /// `--quiet` closes the window: a busy server's console would otherwise
    /// cost more than the serving itself.
    pub fn show(&self, data: &[u8], labelled: bool) {
        self.window.show(labelled.then_some(self.peer), data);
    }

    /// A failed call: after Ctrl-C the main thread's `shutdown` makes calls
    /// fail, and that is the server closing, not the client.
    fn ended_by(&self, op: &'static str, e: io::Error) -> Closer {
        if self.shutdown.requested() {
            Closer::Server(SHUTTING_DOWN)
        } else {
            Closer::from_error(op, e)
        }
    }

    /// Closes the socket and says goodbye: bytes in and out, how long, and
    /// who closed first.
    pub fn leave(self, why: &Closer) {
        let line = format!(
            "Disconnected {} after {:.2}s: {} bytes in, {} bytes out; {why}",
            self.peer,
            self.connected.elapsed().as_secs_f64(),
            self.bytes_in,
            self.bytes_out,
        );
        self.stats.served.fetch_add(1, Ordering::Relaxed);
        if matches!(why, Closer::Server(_)) {
            self.close_gently();
        }
        let Client {
            stream,
            live,
            say,
            plain,
            ..
        } = self;
        let fd = stream.as_raw_fd();
        // Closed, so its place is free (--max-clients) before we say so.
        drop(stream);
        drop(live);
        say.trace("close", format_args!("fd {fd}"), "ok");
        plain.info(line);
    }

    /// The server is about to close first. Closing a socket that still
    /// holds unread bytes makes the kernel reset the connection (RST) and
    /// throw away whatever of our reply it has not delivered yet, so a
    /// client that sent more than we read (a second line, a flood) could
    /// lose the answer to the first. So: `shutdown(SHUT_WR)` puts the FIN
    /// behind the last reply byte; then, until the client's kernel has
    /// acknowledged all of it (`SIOCOUTQ` is 0), whatever the client sends
    /// is read and discarded. A client that takes nothing for
    /// [`LAST_REPLY`] is not waited for any longer.
    fn close_gently(&self) {
        let fd = self.stream.as_raw_fd();
        let shut = self.say.traced(
            "shutdown",
            format_args!("fd {fd}, SHUT_WR"),
            sockopt::shutdown_write(&self.stream),
            |_| "ok".into(),
        );
        // ENOTCONN: the client already reset the connection, so nothing
        // more can reach it and there is nothing to wait for.
        if shut.is_err() || sockopt::set_nonblocking(&self.stream, true).is_err() {
            return;
        }
        // On the heap: serve-threaded's client threads have small stacks.
        let mut scrap = vec![0u8; 64 * 1024];
        let mut discarded: u64 = 0;
        let mut unacked = usize::MAX;
        let mut last_progress = Instant::now();
        'waiting: loop {
            loop {
                match (&self.stream).read(&mut scrap) {
                    Ok(n) if n > 0 => discarded += n as u64,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // 0 (the client closed its side too) or EAGAIN:
                    // nothing more to take now.
                    Ok(_) => break,
                    Err(e) if is_would_block(&e) => break,
                    // A reset: the client is gone and nothing will ever be
                    // acknowledged, so waiting would only cost LAST_REPLY.
                    Err(_) => break 'waiting,
                }
            }
            match sockopt::unacknowledged(&self.stream) {
                Ok(0) | Err(_) => break,
                Ok(n) if n < unacked => {
                    unacked = n;
                    last_progress = Instant::now();
                }
                Ok(_) if last_progress.elapsed() >= LAST_REPLY => break,
                Ok(_) => {}
            }
            thread::sleep(Duration::from_millis(1));
        }
        if discarded > 0 {
            self.say.trace(
                "recv",
                format_args!("fd {fd}, before close"),
                format_args!(
                    "{discarded} unread bytes discarded, so close does not reset the reply"
                ),
            );
        }
    }

    /// Turns a client away with one line (best effort: it may not read it)
    /// and closes. Counted apart from the clients served.
    pub fn refuse(mut self, line: &[u8]) {
        self.stats.turned_away.fetch_add(1, Ordering::Relaxed);
        let fd = self.stream.as_raw_fd();
        // One try: a newcomer that does not read must not hold up accept.
        let sent = self.stream.write(line);
        self.say
            .traced(
                "send",
                format_args!("fd {fd}, {} bytes", line.len()),
                sent,
                |n| format!("{n} bytes"),
            )
            .ok();
        self.close_gently();
        let Client { stream, say, .. } = self;
        drop(stream);
        say.trace("close", format_args!("fd {fd}"), "ok");
    }
}

/// The protocol of serve-threaded and serve-poll (the tutorial's step 6):
/// a welcome line when a client connects, then `prefix + data` for every
/// recv, the data exactly as it came (telnet's `\r\n` included).
pub struct Protocol {
    welcome: Vec<u8>,
    prefix: Vec<u8>,
}

impl Protocol {
    /// `welcome` without its line end (`\n` is added; empty sends none).
    pub fn new(welcome: &str, prefix: &str) -> Protocol {
        let welcome = match welcome {
            "" => Vec::new(),
            text => format!("{text}\n").into_bytes(),
        };
        Protocol {
            welcome,
            prefix: prefix.as_bytes().to_vec(),
        }
    }

    /// What a client gets first; empty when there is no welcome line.
    pub fn welcome(&self) -> &[u8] {
        &self.welcome
    }

    /// What every reply starts with, before the client's own bytes.
    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// The answer to one recv, in `reply` (cleared first, so one buffer
    /// serves every reply).
    pub fn reply_into(&self, data: &[u8], reply: &mut Vec<u8>) {
        reply.clear();
        reply.extend_from_slice(&self.prefix);
        reply.extend_from_slice(data);
    }
}

/// One connected client in [`Stats::live`], from accept until dropped.
struct Live(Arc<Stats>);

impl Live {
    fn count(stats: &Arc<Stats>) -> Live {
        stats.live.fetch_add(1, Ordering::Relaxed);
        Live(Arc::clone(stats))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Every live client's socket, so that on Ctrl-C the main thread can
/// `shutdown` each one and wake the thread blocked on it at once.
///
/// It keeps file descriptor numbers, not second handles (`dup`): a
/// duplicate would cost every client a second descriptor, and 10,000
/// clients would then hit a 20,000 open-files limit at client ~9,990.
/// A bare number is safe to use only while the socket is open, so the
/// rule is: a client thread removes its number (under the lock) before it
/// closes the socket, and `shutdown_all` uses the numbers under the same
/// lock. A number in the map is therefore always the client's own socket,
/// never a newer one that reused the number.
#[derive(Default)]
pub struct Registry {
    next: AtomicU64,
    fds: Mutex<HashMap<u64, RawFd>>,
}

impl Registry {
    /// Remembers the client's socket; returns its key for [`Registry::remove`].
    pub fn add(&self, client: &Client) -> Option<u64> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, client.stream.as_raw_fd());
        Some(id)
    }

    /// Forgets a client. Must happen before its socket is closed (see the
    /// rule above).
    pub fn remove(&self, id: Option<u64>) {
        if let Some(id) = id {
            self.lock().remove(&id);
        }
    }

    /// `shutdown(SHUT_RD)` on every live client: a thread blocked in recv
    /// wakes at once (recv returns 0). The sending direction stays open, so
    /// a reply already on its way is finished; a thread blocked sending to a
    /// client that does not read wakes by its own timeout and gives up after
    /// [`LAST_REPLY`].
    pub fn shutdown_all(&self, say: &Narrator) {
        let fds = self.lock();
        for &fd in fds.values() {
            // SAFETY: `fd` is in the map, so its client thread has not
            // closed it yet, and cannot while we hold the lock.
            let socket = unsafe { BorrowedFd::borrow_raw(fd) };
            let result = sockopt::shutdown_read(socket);
            say.traced("shutdown", format_args!("fd {fd}, SHUT_RD"), result, |_| {
                "ok".into()
            })
            .ok();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, RawFd>> {
        // A thread that panicked while holding the lock left the map intact.
        self.fds.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A client that gave up while still in the queue, or a signal: neither is
/// the server's problem, so accept simply goes on.
fn is_skippable_accept_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
    )
}

/// EMFILE (this process) or ENFILE (the whole system): no file descriptor
/// left for the next client's socket.
fn is_out_of_files(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

/// Timeouts surface as EAGAIN (`WouldBlock`) on Linux, and non-blocking
/// calls that cannot proceed say the same; both mean "nothing yet".
fn is_would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// `--nonblocking`: say what just happened, with the server's running count.
fn would_block(say: &Narrator, stats: &Stats, call: &str, why: &str) {
    let n = stats.would_blocks.fetch_add(1, Ordering::Relaxed) + 1;
    say.note(format!(
        "{call} -> EAGAIN (would block #{n}): {why}; trying again in {}",
        error::secs(RETRY)
    ));
}

/// Sleeps `d`, waking early when a shutdown is requested.
fn nap(shutdown: &Shutdown, d: Duration) {
    let until = Instant::now() + d;
    while !shutdown.requested() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        thread::sleep(left.min(shutdown::POLL));
    }
}

/// `1 client`, `2 clients`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closers_say_who_closed_first() {
        assert_eq!(
            Closer::ClientEof.to_string(),
            "the client closed first (recv returned 0)"
        );
        let reset = Closer::from_error("recv", io::Error::from_raw_os_error(libc::ECONNRESET));
        assert!(
            reset
                .to_string()
                .starts_with("the client reset the connection")
        );
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(reset.into_error(peer).map(|e| e.exit_code()), Some(74));
        let timeout = Closer::Timeout {
            phase: Phase::Read,
            after: Duration::from_millis(500),
            option: "--idle-timeout",
        };
        assert_eq!(
            timeout.to_string(),
            "timed out: the client sent nothing for 0.5s (--idle-timeout), the server closed"
        );
        assert_eq!(timeout.into_error(peer).map(|e| e.exit_code()), Some(75));
        assert!(Closer::Server("reply sent").into_error(peer).is_none());
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "client"), "1 client");
        assert_eq!(plural(0, "client"), "0 clients");
    }
}
