//! # Beyond the tutorial: serve-poll
//! One thread serves every client: it asks the kernel which sockets are
//! ready and only touches those.
//!
//! ```text
//! socket → bind → listen(128) → fcntl(O_NONBLOCK)
//! epoll_create1 → epoll_ctl(ADD, listener, readable)
//! loop:
//!   epoll_wait(100ms) -> "fd 3 readable, fd 7 readable, fd 9 writable"
//!   fd 3 (the listener) readable:  accept ... accept -> EAGAIN
//!                                  each newcomer: fcntl(O_NONBLOCK), epoll_ctl(ADD, readable),
//!                                  send(welcome)
//!   a client readable:             recv -> data     (shown on stdout as "[IP:PORT] data")
//!                                  send("OK..." + data) -> what the kernel took; the rest is kept
//!                                  ... recv -> EAGAIN (drained: back to epoll), or -> 0 (close)
//!   a client writable:             send(the rest kept) ... until empty
//! ```
//!
//! New since serve-threaded: no thread per client. Every socket is
//! non-blocking, so no call ever waits: `recv` with nothing to read and
//! `send` into a full buffer return EAGAIN at once. Waiting happens in one
//! place, `epoll_wait`, which returns the sockets that can make progress
//! now. Each client is a small record (its socket, its byte counts, and the
//! replies not yet sent), not a thread with a stack, so holding 10,000 idle
//! clients costs a few hundred bytes each. `--trace` prints every
//! `epoll_wait` result and the calls it leads to: one thread, juggling.
//! (The process has one other thread: the console's writer, the only one
//! that waits for stdout, `narrate::Console`. Were the loop to write there
//! itself, a `| less` nobody scrolls would stop it, and every client with
//! it, after 64 KiB.)
//!
//! What one client can no longer do is stall the others, and that takes care:
//! - **Partial writes.** A `send` may take only part of a reply (the
//!   client's receive window and our send buffer are full). The rest is
//!   kept for that client, epoll is asked to say when its socket is
//!   writable again, and the loop moves on.
//! - **Backpressure.** A client that sends without ever reading would make
//!   those kept replies grow without end. Past [`OUT_CAP`] (1 MiB) waiting
//!   for one client, the server stops reading from it: its bytes wait in
//!   the kernel, its TCP window closes, and its own `send` blocks. Reading
//!   resumes when it has taken enough replies to fall below the cap. So one
//!   client holds at most 1 MiB plus one reply here, whatever it does.
//! - **Fairness.** A client is read at most [`READS_PER_TURN`] times in a
//!   row; then every other ready client gets its turn before it is read
//!   again.
//!
//! Same protocol, options and narration as serve-threaded: the welcome
//! line, `OK...` + data for every recv (telnet's `\r\n` comes back as sent),
//! `--max-clients` (default 1000) with its `Server full` line,
//! `--idle-timeout`, `--timeout`, `--welcome`, `--prefix`, the leave lines
//! and the Ctrl-C summary. `--nonblocking` changes nothing: every socket is
//! non-blocking already.
//!
//! Try it:
//! ```text
//! socktool serve-poll --port 8888 --trace
//! telnet localhost 8888          # in two or three other terminals
//! socktool load 127.0.0.1 8888 --welcome --clients 200 --messages 100
//! ```
//!
//! A real server would keep its timers in a heap or a timer wheel (this one
//! looks at every client's clocks every 100 ms when a timeout is set), use
//! more than one core (one such loop per core, as nginx does), and bound
//! the memory of all clients together, not only of each.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

use mio::event::Event;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token};

use crate::cli::ServePollArgs;
use crate::error::{Phase, SockError};
use crate::limits;
use crate::narrate::Narrator;
use crate::serving::{self, Client, Closer, Polled, Protocol, SHUTTING_DOWN, Server};
use crate::shutdown;

/// The most replies kept for one client before the server stops reading
/// from it. The kernel's own send buffer (up to 4 MiB on Linux) already
/// absorbs bursts; this is only for a client that does not read at all.
pub const OUT_CAP: usize = 1024 * 1024;

/// How many recvs one client gets before the others have their turn.
pub const READS_PER_TURN: usize = 16;

/// The listening socket's token; clients use their slot number.
const LISTENER: Token = Token(usize::MAX);

/// Readiness events taken from the kernel per `epoll_wait`.
const EVENTS: usize = 1024;

pub fn run(args: &ServePollArgs, say: &Narrator) -> Result<(), SockError> {
    // Before the first client: every client needs a file descriptor.
    match limits::raise_open_files() {
        Ok(files) => say.open_files(&files),
        Err(e) => say.warn(format!(
            "cannot raise the open-files limit (RLIMIT_NOFILE): {e}"
        )),
    }
    if args.serve.nonblocking {
        say.note("--nonblocking changes nothing here: serve-poll makes every socket non-blocking");
    }

    let server = serving::listen_for_polling(&args.serve, say)?;
    let fail = |op: &'static str| {
        let addr = server.addr;
        move |source| SockError::Io { op, addr, source }
    };
    let poll = say
        .traced(
            "epoll_create1",
            format_args!("EPOLL_CLOEXEC"),
            Poll::new(),
            |p| format!("fd {}", p.as_raw_fd()),
        )
        .map_err(fail("epoll_create1"))?;
    let listener_fd = server.fd();
    say.traced(
        "epoll_ctl",
        format_args!("ADD, fd {listener_fd}, readable"),
        poll.registry()
            .register(&mut SourceFd(&listener_fd), LISTENER, Interest::READABLE),
        |_| "ok".into(),
    )
    .map_err(fail("epoll_ctl"))?;

    let mut juggler = Juggler {
        poll,
        server,
        say: say.clone(),
        protocol: Protocol::new(&args.many.welcome, &args.many.prefix),
        max_clients: args.many.max_clients,
        idle_timeout: args.many.idle_timeout,
        clocks: args.serve.timeout.is_some() || args.many.idle_timeout.is_some(),
        slots: Vec::new(),
        free: Vec::new(),
        again: Vec::new(),
        buf: vec![0u8; args.serve.recv_size],
        reply: Vec::new(),
        out_of_files: false,
    };
    let result = juggler.serve_until_stopped(args.serve.timeout);
    juggler.close_all();
    juggler.server.finish();
    result
}

/// One connected client as the loop sees it.
struct Conn {
    client: Client,
    /// Replies the kernel would not take yet. Empty, with nothing
    /// allocated, unless a send was partial: idle clients cost no buffer.
    out: Vec<u8>,
    /// How much of `out` has been sent since.
    out_sent: usize,
    /// When the client last sent something, or its last reply went out
    /// whole: the start of its silence, for `--idle-timeout`.
    heard: Instant,
    /// While replies wait: when the client last took any (`--timeout`).
    stalled: Option<Instant>,
    /// Whether epoll watches this socket for writable too.
    writable: bool,
    /// Backpressure: not read until its waiting replies fall below the cap.
    paused: bool,
    /// The client closed its sending side; it is closed once its waiting
    /// replies are out, so it still gets every answer it asked for.
    eof: bool,
}

impl Conn {
    fn pending(&self) -> usize {
        self.out.len() - self.out_sent
    }
}

/// The whole server: one thread, one epoll instance, every client.
struct Juggler {
    poll: Poll,
    server: Server,
    say: Narrator,
    protocol: Protocol,
    max_clients: usize,
    idle_timeout: Option<Duration>,
    /// Whether any timeout needs the clients' clocks looked at.
    clocks: bool,
    /// Clients by token; `None` is a free slot, listed in `free`.
    slots: Vec<Option<Conn>>,
    free: Vec<usize>,
    /// Clients that used up their turn with data maybe still waiting, or
    /// that came out of backpressure: edge-triggered epoll will not report
    /// data that was already there, so the loop must come back to them.
    again: Vec<Token>,
    /// One recv buffer for everyone: a client costs no buffer while idle.
    buf: Vec<u8>,
    /// One buffer to build each reply in.
    reply: Vec<u8>,
    /// accept failed with EMFILE: the next client is still queued, and
    /// epoll will not say so again, so accept is retried every turn.
    out_of_files: bool,
}

impl Juggler {
    /// The event loop, until Ctrl-C, SIGTERM, a fatal error, or `--timeout`
    /// with nobody connected.
    fn serve_until_stopped(&mut self, timeout: Option<Duration>) -> Result<(), SockError> {
        let mut events = Events::with_capacity(EVENTS);
        let mut empty_since = Instant::now();
        let mut clocks_read = Instant::now();
        loop {
            if self.server.stopping() {
                return Ok(());
            }
            // Work already waiting means no waiting in the kernel.
            // (Out of file descriptors, accept is retried after each wait
            // instead: spinning would not free one any sooner.)
            let wait = if self.again.is_empty() {
                shutdown::POLL
            } else {
                Duration::ZERO
            };
            match self.poll.poll(&mut events, Some(wait)) {
                Ok(()) => {}
                // A signal (Ctrl-C) interrupted the wait: check the flag.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(SockError::Io {
                        op: "epoll_wait",
                        addr: self.server.addr,
                        source,
                    });
                }
            }
            self.trace_events(&events, wait);

            for event in events.iter() {
                let token = event.token();
                if token == LISTENER {
                    self.accept_all()?;
                    continue;
                }
                // A token whose client left earlier in this batch may
                // already name a newcomer: a stale event only costs it one
                // recv or send that returns EAGAIN.
                if event.is_writable() || event.is_error() {
                    self.flush(token);
                }
                if event.is_readable() || event.is_read_closed() || event.is_error() {
                    self.take_turn(token);
                }
            }
            for token in std::mem::take(&mut self.again) {
                self.take_turn(token);
            }
            if self.out_of_files {
                self.accept_all()?;
            }
            if self.clocks && clocks_read.elapsed() >= shutdown::POLL {
                clocks_read = Instant::now();
                self.drop_overdue();
            }

            // --timeout on accept counts only while nobody is connected:
            // a server with clients is not idle.
            if self.server.live() > 0 {
                empty_since = Instant::now();
            } else if let Some(limit) = timeout
                && empty_since.elapsed() >= limit
            {
                return Err(SockError::Timeout {
                    phase: Phase::Accept,
                    addr: self.server.addr,
                    after: limit,
                });
            }
        }
    }

    /// `--trace`: what epoll_wait returned, one line per wake-up.
    fn trace_events(&self, events: &Events, wait: Duration) {
        // An empty wake-up every 100 ms would drown the lines that matter.
        if !self.say.is_tracing() || events.is_empty() {
            return;
        }
        let ready: Vec<String> = events.iter().map(|e| self.describe(e)).collect();
        self.say.trace(
            "epoll_wait",
            format_args!(
                "fd {}, {EVENTS} events max, {}ms",
                self.poll.as_raw_fd(),
                wait.as_millis()
            ),
            ready.join(", "),
        );
    }

    /// `fd 7 readable`, `fd 9 writable`, `fd 3 readable (listening)`.
    fn describe(&self, event: &Event) -> String {
        let token = event.token();
        let fd = if token == LISTENER {
            Some(self.server.fd())
        } else {
            self.conn(token).map(|c| c.client.fd())
        };
        let mut what = Vec::new();
        if event.is_readable() {
            what.push("readable");
        }
        if event.is_writable() {
            what.push("writable");
        }
        if event.is_read_closed() {
            what.push("peer closed");
        }
        if event.is_error() {
            what.push("error");
        }
        let what = what.join("+");
        match fd {
            Some(fd) if token == LISTENER => format!("fd {fd} {what} (listening)"),
            Some(fd) => format!("fd {fd} {what}"),
            None => format!("gone {what}"),
        }
    }

    fn conn(&self, token: Token) -> Option<&Conn> {
        self.slots.get(token.0).and_then(Option::as_ref)
    }

    /// The listener is readable: accept every queued client, until EAGAIN
    /// (edge-triggered epoll reports the queue once, not once per client).
    fn accept_all(&mut self) -> Result<(), SockError> {
        loop {
            let client = match self.server.try_accept()? {
                Polled::Client(client) => client,
                Polled::Empty => {
                    self.out_of_files = false;
                    return Ok(());
                }
                Polled::OutOfFiles => {
                    if !self.out_of_files {
                        self.say.warn(
                            "accept() -> EMFILE: every file descriptor is in use; \
                             waiting for a client to leave",
                        );
                    }
                    self.out_of_files = true;
                    return Ok(());
                }
            };
            let Some(mut client) = self.server.admit(client, self.max_clients) else {
                continue;
            };
            client.set_idle_timeout(self.idle_timeout);
            self.welcome(client);
        }
    }

    /// Gives a new client a slot and a place in epoll, then its welcome.
    fn welcome(&mut self, client: Client) {
        let index = self.free.pop().unwrap_or(self.slots.len());
        let token = Token(index);
        let fd = client.fd();
        let registered = client.say().traced(
            "epoll_ctl",
            format_args!("ADD, fd {fd}, readable"),
            self.poll
                .registry()
                .register(&mut SourceFd(&fd), token, Interest::READABLE),
            |_| "ok".into(),
        );
        if let Err(source) = registered {
            // Without epoll this client would never be served: close it.
            self.free.push(index);
            client.leave(&Closer::Failed {
                op: "epoll_ctl",
                source,
            });
            return;
        }
        let conn = Conn {
            client,
            out: Vec::new(),
            out_sent: 0,
            heard: Instant::now(),
            stalled: None,
            writable: false,
            paused: false,
            eof: false,
        };
        if index == self.slots.len() {
            self.slots.push(Some(conn));
        } else {
            self.slots[index] = Some(conn);
        }
        let Some(conn) = self.slots[index].as_mut() else {
            return;
        };
        let welcome = self.protocol.welcome();
        if !welcome.is_empty()
            && let Err(why) = send_or_keep(conn, welcome, self.poll.registry(), token)
        {
            self.close(token, why);
        }
    }

    /// A client is readable: recv and answer, until EAGAIN, its turn is
    /// used up, or backpressure stops it.
    fn take_turn(&mut self, token: Token) {
        if let Some(why) = self.read_turn(token) {
            self.close(token, why);
        }
    }

    /// [`Juggler::take_turn`]'s work; returns why the client must be closed,
    /// if it must.
    fn read_turn(&mut self, token: Token) -> Option<Closer> {
        let conn = self.slots.get_mut(token.0)?.as_mut()?;
        if conn.eof || conn.paused {
            return None;
        }
        for _ in 0..READS_PER_TURN {
            if conn.pending() >= OUT_CAP {
                conn.paused = true;
                conn.client.say().note(format!(
                    "{} bytes of replies wait for this client, which is not reading: \
                     not reading from it until it does (backpressure)",
                    conn.pending()
                ));
                return None;
            }
            match conn.client.try_recv(&mut self.buf) {
                // Drained: epoll says when more arrives.
                Ok(None) => return None,
                Ok(Some(n)) => {
                    conn.heard = Instant::now();
                    let data = &self.buf[..n];
                    // The tutorial's purpose: a server that shows what its
                    // clients report.
                    conn.client.show(data, true);
                    self.protocol.reply_into(data, &mut self.reply);
                    if let Err(why) = send_or_keep(conn, &self.reply, self.poll.registry(), token) {
                        return Some(why);
                    }
                }
                // The client is done sending but may still be reading:
                // it gets its waiting replies before the close.
                Err(Closer::ClientEof) if conn.pending() > 0 => {
                    conn.eof = true;
                    return None;
                }
                Err(why) => return Some(why),
            }
        }
        // Its turn is over, maybe with data still waiting: after the others.
        self.again.push(token);
        None
    }

    /// A client is writable: send what was kept for it.
    fn flush(&mut self, token: Token) {
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        let registry = self.poll.registry();
        let result = send_kept(conn, registry, token);
        match result {
            Err(why) => self.close(token, why),
            Ok(()) if conn.eof && conn.pending() == 0 => self.close(token, Closer::ClientEof),
            Ok(()) => {
                if conn.paused && conn.pending() < OUT_CAP {
                    conn.paused = false;
                    conn.client
                        .say()
                        .note("the client is reading again: reading from it again");
                    // Its bytes waited in the kernel all along, and epoll
                    // reports only new arrivals: look now.
                    self.again.push(token);
                }
            }
        }
    }

    /// `--timeout` and `--idle-timeout`: close every client that overstayed.
    fn drop_overdue(&mut self) {
        let now = Instant::now();
        let overdue: Vec<(Token, Closer)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| {
                let conn = slot.as_ref()?;
                let why = conn.client.overdue(now, conn.heard, conn.stalled)?;
                Some((Token(i), why))
            })
            .collect();
        for (token, why) in overdue {
            self.close(token, why);
        }
    }

    /// Takes a client out of epoll, closes it and says goodbye.
    fn close(&mut self, token: Token, why: Closer) {
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::take) else {
            return;
        };
        self.free.push(token.0);
        let fd: RawFd = conn.client.fd();
        // Closing the socket would remove it from epoll anyway; saying so
        // keeps the trace honest about what the kernel watches.
        conn.client
            .say()
            .traced(
                "epoll_ctl",
                format_args!("DEL, fd {fd}"),
                self.poll.registry().deregister(&mut SourceFd(&fd)),
                |_| "ok".into(),
            )
            .ok();
        conn.client.leave(&why);
    }

    /// Ctrl-C, SIGTERM or a fatal error: close every client still here.
    fn close_all(&mut self) {
        self.server.say_closing();
        self.finish_kept();
        for index in 0..self.slots.len() {
            self.close(Token(index), Closer::Server(SHUTTING_DOWN));
        }
    }
}

impl Juggler {
    /// Before closing on Ctrl-C: replies already owed still go out, as a
    /// serve-threaded thread finishes the sendall it is in. Every client
    /// with kept bytes is flushed as it turns writable, until none is owed
    /// or none has taken a byte for `serving::LAST_REPLY` (a client that
    /// never reads must not hold the server open).
    fn finish_kept(&mut self) {
        let mut events = Events::with_capacity(EVENTS);
        let mut last_progress = Instant::now();
        loop {
            let owed: Vec<(Token, usize)> = self
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, slot)| {
                    let conn = slot.as_ref()?;
                    (conn.pending() > 0).then_some((Token(i), conn.pending()))
                })
                .collect();
            if owed.is_empty() || last_progress.elapsed() >= serving::LAST_REPLY {
                return;
            }
            for (token, before) in owed {
                let Some(conn) = self.slots.get_mut(token.0).and_then(Option::as_mut) else {
                    continue;
                };
                match send_kept(conn, self.poll.registry(), token) {
                    Err(why) => self.close(token, why),
                    Ok(()) if conn.pending() < before => last_progress = Instant::now(),
                    Ok(()) => {}
                }
            }
            // Wait for a socket to turn writable (or a short while); an
            // interrupted wait just goes round again.
            let _ = self.poll.poll(&mut events, Some(Duration::from_millis(20)));
        }
    }
}

/// Sends `bytes` to a client, or as much as the kernel takes now; the rest
/// is kept and epoll is asked to report the socket writable. Behind replies
/// already kept, `bytes` only joins the queue: order on the wire is the
/// order of the replies.
fn send_or_keep(
    conn: &mut Conn,
    bytes: &[u8],
    registry: &Registry,
    token: Token,
) -> Result<(), Closer> {
    if conn.pending() > 0 {
        conn.out.extend_from_slice(bytes);
        return Ok(());
    }
    let sent = conn.client.try_send(bytes)?;
    if sent == bytes.len() {
        return Ok(());
    }
    conn.out.clear();
    conn.out_sent = 0;
    conn.out.extend_from_slice(&bytes[sent..]);
    conn.stalled = Some(Instant::now());
    watch_writable(conn, registry, token, true)
}

/// Sends what was kept for a client until it is all out or the kernel
/// says EAGAIN again.
fn send_kept(conn: &mut Conn, registry: &Registry, token: Token) -> Result<(), Closer> {
    // An error event, or a stale one for a reused token: nothing is owed.
    if conn.pending() == 0 {
        return Ok(());
    }
    while conn.pending() > 0 {
        let sent = conn.client.try_send(&conn.out[conn.out_sent..])?;
        if sent == 0 {
            break;
        }
        conn.out_sent += sent;
        conn.stalled = Some(Instant::now());
    }
    if conn.pending() > 0 {
        // Move the unsent tail to the front now and then, so the buffer
        // does not grow with bytes already sent.
        if conn.out_sent > conn.out.len() / 2 {
            conn.out.drain(..conn.out_sent);
            conn.out_sent = 0;
        }
        return Ok(());
    }
    // All out: give the memory back (an idle client holds no buffer) and
    // restart its silence clock, as the end of a sendall does.
    conn.out = Vec::new();
    conn.out_sent = 0;
    conn.stalled = None;
    conn.heard = Instant::now();
    watch_writable(conn, registry, token, false)
}

/// `epoll_ctl(MOD)`: watch for writable only while replies wait. A socket
/// is writable nearly always; watched for nothing, it would wake the loop
/// for nothing.
fn watch_writable(
    conn: &mut Conn,
    registry: &Registry,
    token: Token,
    on: bool,
) -> Result<(), Closer> {
    if conn.writable == on {
        return Ok(());
    }
    let fd = conn.client.fd();
    let (interest, what) = if on {
        (Interest::READABLE | Interest::WRITABLE, "readable+writable")
    } else {
        (Interest::READABLE, "readable")
    };
    conn.client
        .say()
        .traced(
            "epoll_ctl",
            format_args!("MOD, fd {fd}, {what}"),
            registry.reregister(&mut SourceFd(&fd), token, interest),
            |_| "ok".into(),
        )
        .map_err(|source| Closer::Failed {
            op: "epoll_ctl",
            source,
        })?;
    conn.writable = on;
    Ok(())
}
