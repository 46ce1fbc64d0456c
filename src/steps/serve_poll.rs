//! # Beyond the tutorial: serve-poll
//! One thread serves every client: it asks the kernel which sockets are
//! ready and only touches those.
//!
//! ```text
//! socket → bind → listen(128) → fcntl(O_NONBLOCK)
//! epoll_create1 → epoll_ctl(ADD, listener, readable), epoll_ctl(ADD, doorbell, readable)
//! loop:
//!   epoll_wait -> "fd 3 readable, fd 7 readable, fd 9 writable"
//!   fd 3 (the listener) readable:  accept ... accept -> EAGAIN
//!                                  each newcomer (non-blocking already): epoll_ctl(ADD, readable),
//!                                  send(welcome)
//!   a client readable:             recv -> data     (shown on stdout as "[IP:PORT] data")
//!                                  send("OK..." + data) -> what the kernel took; the rest is kept
//!                                  ... recv -> EAGAIN (drained: back to epoll), or -> 0 (close)
//!   a client writable:             send(the rest kept) ... until empty
//!   the doorbell readable:         Ctrl-C: every client is closed, all at once
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
//! (The process has two other threads: the writers of stdout and stderr,
//! the only ones that wait for the terminal, `narrate/output.rs`. Were the
//! loop to write there itself, a `| less` nobody scrolls would stop it,
//! and every client with it, after 64 KiB.)
//!
//! What one client can no longer do is stall the others, and that takes care:
//! - **Partial writes.** A `send` may take only part of a reply (the
//!   client's receive window and our send buffer are full). The rest is
//!   kept for that client, epoll is asked to say when its socket is
//!   writable again, and the loop moves on.
//! - **Backpressure.** A client that sends without ever reading would make
//!   those kept replies grow without end. Past `OUT_CAP` (1 MiB) waiting
//!   for one client, or `TOTAL_CAP` (64 MiB) for all of them together, the
//!   server stops reading from it: its bytes wait in the kernel, its TCP
//!   window closes, and its own `send` blocks. Reading resumes when its
//!   replies go out. So a hundred clients that never read cost 64 MiB
//!   here, not a hundred times one.
//! - **Goodbyes are events too.** Turning a newcomer away (`Server full`)
//!   or closing first means waiting for the client's side of the goodbye
//!   (see `serving/farewell.rs`); the loop never waits for it, it watches
//!   it like any other socket. On Ctrl-C every client says goodbye at once,
//!   in parallel, and the server exits within `serving::STOPPING` plus the
//!   last goodbye.
//! - **Fairness.** A client is read at most [`READS_PER_TURN`] times in a
//!   row; then every other ready client gets its turn before it is read
//!   again.
//!
//! Same protocol, options and narration as serve-threaded: the welcome
//! line, `OK...` + data for every recv (telnet's `\r\n` comes back as sent),
//! `--max-clients` (default 1000) with its `Server full` line, the
//! timeouts, `--welcome`, `--prefix`, the leave lines and the Ctrl-C
//! summary. `--nonblocking` changes nothing: every socket is non-blocking
//! already.
//!
//! Try it:
//! ```text
//! socktool serve-poll --port 8888 --trace
//! telnet localhost 8888          # in two or three other terminals
//! socktool load 127.0.0.1 8888 --welcome --clients 200 --messages 100
//! ```
//!
//! A real server would keep its timers in a heap or a timer wheel (this one
//! looks at every client's clocks every 100 ms while clients are
//! connected), and use more than one core (one such loop per core, as
//! nginx does).

use std::io;
use std::time::{Duration, Instant};

use mio::event::Event;
use mio::{Events, Poll, Token};

use crate::cli::ServePollArgs;
use crate::error::SockError;
use crate::narrate::{Narrator, plural};
use crate::serving::{
    self, Ending, GOODBYE, Kept, LAST_REPLY, Listener, Next, PolledConn, Protocol, STOPPING,
};

/// How many recvs one client gets before the others have their turn.
pub const READS_PER_TURN: usize = 16;

/// The listening socket's token and the doorbell's; clients use their slot
/// number.
const LISTENER: Token = Token(usize::MAX);
const DOORBELL: Token = Token(usize::MAX - 1);

/// Readiness events taken from the kernel per `epoll_wait`.
const EVENTS: usize = 1024;

/// How often the clients' clocks are read while any client is connected
/// (`--idle-timeout`, `--send-timeout`).
const CLOCKS: Duration = Duration::from_millis(100);

/// The most newcomers being turned away at once; a flood beyond that is
/// closed without its `Server full` line.
const MOST_REFUSING: usize = 1000;

pub fn run(args: &ServePollArgs, say: &Narrator) -> Result<(), SockError> {
    if args.serve.nonblocking {
        say.note("--nonblocking changes nothing here: serve-poll makes every socket non-blocking");
    }
    // socket → setsockopt → bind → listen, as in serve-once.
    let mut listener = serving::listen(&args.serve, Some(serving::IDLE_TIMEOUT), say)?;
    let failed = |op: &'static str| move |source| SockError::Call { op, source };
    let poll = say
        .traced(
            serving::CALLS.2,
            format_args!(
                "{}",
                if cfg!(target_os = "linux") {
                    "EPOLL_CLOEXEC"
                } else {
                    ""
                }
            ),
            Poll::new(),
            |p| format!("fd {}", poll_fd(p)),
        )
        .map_err(failed("epoll_create1"))?;
    listener.register(poll.registry(), LISTENER)?;
    // Ctrl-C rings the doorbell; epoll watches it like a client.
    let _doorbell = say
        .traced(
            serving::CALLS.0,
            format_args!("ADD, doorbell, readable"),
            listener.server.stop.watch(poll.registry(), DOORBELL),
            |_| "ok".into(),
        )
        .map_err(failed("epoll_ctl"))?;
    // Ready now: the epoll instance exists and watches the listener.
    listener.ready();
    listener.raise_open_files();

    let mut juggler = Juggler {
        poll,
        listener,
        say: say.clone(),
        protocol: Protocol::new(&args.many.welcome, &args.many.prefix),
        max_clients: args.many.max_clients,
        slots: Vec::new(),
        free: Vec::new(),
        again: Vec::new(),
        buf: vec![0u8; args.serve.recv_size],
        reply: Vec::new(),
        scrap: vec![0u8; 16 * 1024],
        kept: Kept::default(),
        refusing: 0,
        accept_again: None,
    };
    let result = juggler.serve_until_stopped();
    juggler.close_all();
    juggler.listener.finish();
    result
}

/// The whole server: one thread, one epoll instance, every client.
struct Juggler {
    poll: Poll,
    listener: Listener,
    say: Narrator,
    protocol: Protocol,
    max_clients: usize,
    /// Clients by token; `None` is a free slot, listed in `free`.
    slots: Vec<Option<PolledConn>>,
    free: Vec<usize>,
    /// Clients that used up their turn with data maybe still waiting, or
    /// that came out of backpressure: edge-triggered epoll will not report
    /// data that was already there, so the loop must come back to them.
    again: Vec<Token>,
    /// One recv buffer for everyone: a client costs no buffer while idle.
    buf: Vec<u8>,
    /// One buffer to build each reply in.
    reply: Vec<u8>,
    /// Where goodbyes throw away what clients still send.
    scrap: Vec<u8>,
    /// Replies kept for all clients together (`serving::TOTAL_CAP`).
    kept: Kept,
    /// Newcomers being turned away right now.
    refusing: usize,
    /// accept failed (out of file descriptors, ...): the next client is
    /// still queued, and epoll will not say so again, so accept is tried
    /// again at this time.
    accept_again: Option<Instant>,
}

impl Juggler {
    /// The event loop, until Ctrl-C, SIGTERM, a fatal error, or
    /// `--accept-timeout` with nobody connected.
    fn serve_until_stopped(&mut self) -> Result<(), SockError> {
        let mut events = Events::with_capacity(EVENTS);
        let mut clocks_read = Instant::now();
        loop {
            let wait = self.next_wake();
            match self.poll.poll(&mut events, wait) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(SockError::Io {
                        op: "epoll_wait",
                        addr: self.listener.addr,
                        source,
                    });
                }
            }
            self.trace_events(&events, wait);

            for event in events.iter() {
                match event.token() {
                    DOORBELL => return Ok(()),
                    LISTENER => self.accept_all()?,
                    token => {
                        // A token whose client left earlier in this batch
                        // may already name a newcomer: a stale event only
                        // costs it one recv or send that returns EAGAIN.
                        if event.is_writable() || event.is_error() {
                            self.flush(token);
                        }
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            self.take_turn(token);
                        }
                    }
                }
            }
            for token in std::mem::take(&mut self.again) {
                self.take_turn(token);
            }
            let now = Instant::now();
            if self.accept_again.is_some_and(|at| now >= at) {
                self.accept_all()?;
            }
            if now >= clocks_read + CLOCKS {
                clocks_read = now;
                self.look_at_clocks(now);
            }
            // --accept-timeout counts only while nobody is connected.
            let tally = &self.listener.server.tally;
            if let Some(limit) = self.listener.server.limits.accept
                && tally.live() == 0
                && tally.empty_for() >= limit
            {
                return Err(self
                    .listener
                    .server
                    .accept_timed_out(self.listener.addr, limit));
            }
        }
    }

    /// How long `epoll_wait` may sleep: not at all with work waiting, until
    /// the next clock to read while clients are here, and otherwise until
    /// an event comes (an idle server costs no wake-ups).
    fn next_wake(&self) -> Option<Duration> {
        if !self.again.is_empty() {
            return Some(Duration::ZERO);
        }
        let server = &self.listener.server;
        let mut wake: Option<Duration> = None;
        let mut sooner = |d: Duration| wake = Some(wake.map_or(d, |w| w.min(d)));
        if self.slots.iter().any(Option::is_some) {
            sooner(CLOCKS);
        }
        if let Some(at) = self.accept_again {
            sooner(at.saturating_duration_since(Instant::now()));
        }
        if let Some(limit) = server.limits.accept
            && server.tally.live() == 0
        {
            sooner(limit.saturating_sub(server.tally.empty_for()));
        }
        wake
    }

    /// `--trace`: what epoll_wait returned, one line per wake-up.
    fn trace_events(&self, events: &Events, wait: Option<Duration>) {
        // An empty wake-up every 100 ms would drown the lines that matter.
        if !self.say.is_tracing() || events.is_empty() {
            return;
        }
        let ready: Vec<String> = events.iter().map(|e| self.describe(e)).collect();
        let wait = match wait {
            Some(w) => format!("{}ms", w.as_millis()),
            None => "no timeout".into(),
        };
        self.say.trace(
            serving::CALLS.1,
            format_args!("fd {}, {EVENTS} events max, {wait}", poll_fd(&self.poll)),
            ready.join(", "),
        );
    }

    /// `fd 7 readable`, `fd 9 writable`, `fd 3 readable (listening)`.
    fn describe(&self, event: &Event) -> String {
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
        match event.token() {
            LISTENER => format!("fd {} {what} (listening)", self.listener.fd()),
            DOORBELL => "doorbell rang (Ctrl-C)".into(),
            token => match self.conn(token) {
                Some(c) => format!("fd {} {what}", c.fd()),
                None => format!("gone {what}"),
            },
        }
    }

    fn conn(&self, token: Token) -> Option<&PolledConn> {
        self.slots.get(token.0).and_then(Option::as_ref)
    }

    fn conn_mut(&mut self, token: Token) -> Option<&mut PolledConn> {
        self.slots.get_mut(token.0).and_then(Option::as_mut)
    }

    /// The listener is readable: accept every queued client, until EAGAIN
    /// (edge-triggered epoll reports the queue once, not once per client).
    fn accept_all(&mut self) -> Result<(), SockError> {
        loop {
            match self.listener.try_accept()? {
                Next::Client(stream, peer) => {
                    if let Some(stream) = self.listener.greet(stream, peer) {
                        self.welcome(stream, peer);
                    }
                }
                Next::Empty => {
                    self.accept_again = None;
                    return Ok(());
                }
                // Out of file descriptors, say: the client stays queued,
                // and accept is tried again after a pause.
                Next::BackOff(pause) => {
                    self.accept_again = Some(Instant::now() + pause);
                    return Ok(());
                }
            }
        }
    }

    /// Gives a new client a slot and a place in epoll, then its welcome;
    /// over `--max-clients`, its `Server full` line and a goodbye.
    fn welcome(&mut self, stream: std::net::TcpStream, peer: std::net::SocketAddr) {
        let server = &self.listener.server;
        let full = server.tally.live() >= self.max_clients;
        if full && self.refusing >= MOST_REFUSING {
            server.tally.add_turned_away(true);
            crate::sockopt::close(stream, &server.say.for_peer(peer));
            return;
        }
        let index = self.free.pop().unwrap_or(self.slots.len());
        let token = Token(index);
        let registered = PolledConn::register(
            stream,
            peer,
            server,
            self.poll.registry(),
            token,
            &self.kept,
            !full,
        );
        let mut conn = match registered {
            Ok(conn) => conn,
            Err(why) => {
                // Without epoll this client would never be served.
                self.free.push(index);
                server.say.warn(format!("{peer}: {why}; closed it"));
                return;
            }
        };
        if full {
            let max = self.max_clients;
            server.say.warn(format!(
                "{peer} turned away: server full ({max} connected, --max-clients {max})"
            ));
            server.tally.add_turned_away(true);
            conn.send_once(
                format!(
                    "Server full ({}). Try again later.\n",
                    plural(max as u64, "client")
                )
                .as_bytes(),
            );
            conn.say_goodbye(Ending::Done("server full"), GOODBYE);
            self.refusing += 1;
        } else if !self.protocol.welcome().is_empty()
            && let Err(why) = conn.send_or_keep(self.protocol.welcome(), self.poll.registry())
        {
            self.place(index, conn);
            self.close(token, why);
            return;
        }
        self.place(index, conn);
    }

    fn place(&mut self, index: usize, conn: PolledConn) {
        if index == self.slots.len() {
            self.slots.push(Some(conn));
        } else {
            self.slots[index] = Some(conn);
        }
    }

    /// A client is readable: recv and answer, until EAGAIN, its turn is
    /// used up, or backpressure stops it. A client saying goodbye is
    /// looked at instead.
    fn take_turn(&mut self, token: Token) {
        if let Some(why) = self.read_turn(token) {
            self.end(token, why);
        }
    }

    /// [`Juggler::take_turn`]'s work; returns why the conversation ends,
    /// if it does.
    fn read_turn(&mut self, token: Token) -> Option<Ending> {
        let registry = self.poll.registry();
        let conn = self.slots.get_mut(token.0)?.as_mut()?;
        if conn.saying_goodbye() {
            if conn.goodbye_is_over(&mut self.scrap) {
                self.finish_goodbye(token);
            }
            return None;
        }
        if !conn.readable() {
            return None;
        }
        for _ in 0..READS_PER_TURN {
            if conn.check_pressure() {
                return None;
            }
            match conn.try_recv(&mut self.buf) {
                // Drained: epoll says when more arrives.
                Ok(None) => return None,
                Ok(Some(n)) => {
                    let data = &self.buf[..n];
                    // The tutorial's purpose: a server that shows what its
                    // clients report.
                    self.listener.server.say.record(Some(conn.peer), data);
                    self.protocol.answer_into(data, &mut self.reply);
                    if let Err(why) = conn.send_or_keep(&self.reply, registry) {
                        return Some(why);
                    }
                }
                // The client is done sending but may still be reading:
                // it gets its waiting replies before the close.
                Err(Ending::ClientClosed) if conn.pending() > 0 => {
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
        let registry = self.poll.registry();
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        if conn.saying_goodbye() {
            return;
        }
        match conn.send_kept(registry) {
            Err(why) => self.close(token, why),
            Ok(_) if conn.eof && conn.pending() == 0 => self.close(token, Ending::ClientClosed),
            Ok(_) => {
                // Out of backpressure: its bytes waited in the kernel all
                // along, and epoll reports only new arrivals, so look now.
                if !conn.readable() && !conn.eof && !conn.check_pressure() {
                    self.again.push(token);
                }
            }
        }
    }

    /// `--idle-timeout`, `--send-timeout`, and goodbyes whose time is up or
    /// whose acknowledgement came (there is no event for that).
    fn look_at_clocks(&mut self, now: Instant) {
        let mut due: Vec<(Token, Option<Ending>)> = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            let Some(conn) = slot else { continue };
            if let Some(why) = conn.overdue(now) {
                due.push((Token(i), Some(why)));
            } else if conn.goodbye_due().is_some_and(|at| now >= at) {
                due.push((Token(i), None));
            }
        }
        for (token, why) in due {
            match why {
                Some(why) => self.end(token, why),
                None => self.take_turn(token),
            }
        }
    }

    /// A conversation ends: when the server closes first, with a goodbye
    /// the loop watches (the client gets every reply byte); otherwise at once.
    fn end(&mut self, token: Token, why: Ending) {
        let Some(conn) = self.conn_mut(token) else {
            return;
        };
        if why.says_goodbye() && !conn.saying_goodbye() {
            conn.say_goodbye(why, GOODBYE);
        } else {
            self.close(token, why);
        }
    }

    /// A goodbye is over: close.
    fn finish_goodbye(&mut self, token: Token) {
        if self.conn(token).is_some_and(|c| c.refusing()) {
            self.refusing = self.refusing.saturating_sub(1);
        }
        self.close(token, Ending::Stopping);
    }

    /// Takes a client out of epoll, closes it and says goodbye.
    fn close(&mut self, token: Token, why: Ending) {
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::take) else {
            return;
        };
        self.free.push(token.0);
        conn.close(why, self.poll.registry());
    }

    /// Ctrl-C, SIGTERM or a fatal error: every client says goodbye at once.
    /// A reply still being sent goes out while the client keeps taking it
    /// (each may stall [`LAST_REPLY`] at most, all within [`STOPPING`]);
    /// then every goodbye runs in parallel, and whatever is left when
    /// `STOPPING` plus [`GOODBYE`] have passed is closed as it is.
    fn close_all(&mut self) {
        self.listener.server.stop.request();
        self.listener.say_closing();
        let since = self
            .listener
            .server
            .stop
            .since()
            .unwrap_or_else(Instant::now);
        let (replies_end, goodbyes_end) = (since + STOPPING, since + STOPPING + GOODBYE);
        let mut events = Events::with_capacity(EVENTS);
        loop {
            let now = Instant::now();
            for i in 0..self.slots.len() {
                let token = Token(i);
                let Some(conn) = self.slots[i].as_mut() else {
                    continue;
                };
                if conn.saying_goodbye() {
                    if conn.goodbye_is_over(&mut self.scrap) || now >= goodbyes_end {
                        self.finish_goodbye(token);
                    }
                    continue;
                }
                if conn.pending() > 0 {
                    let moved = conn.send_kept(self.poll.registry());
                    let stuck = conn
                        .last_progress()
                        .is_some_and(|p| now >= p.max(since) + LAST_REPLY);
                    match moved {
                        Err(why) => {
                            self.close(token, why);
                            continue;
                        }
                        Ok(_) if conn.pending() > 0 && !stuck && now < replies_end => continue,
                        Ok(_) => {}
                    }
                }
                let within = goodbyes_end.saturating_duration_since(now).min(GOODBYE);
                conn.say_goodbye(Ending::Stopping, within);
            }
            if self.slots.iter().all(Option::is_none) {
                return;
            }
            // Wake for a socket turning writable or readable, or to look at
            // acknowledgements and deadlines again soon.
            let _ = self.poll.poll(&mut events, Some(Duration::from_millis(5)));
        }
    }
}

/// The epoll instance's own file descriptor, for the trace.
fn poll_fd(poll: &Poll) -> i64 {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        i64::from(poll.as_raw_fd())
    }
    #[cfg(not(unix))]
    {
        let _ = poll;
        -1
    }
}
