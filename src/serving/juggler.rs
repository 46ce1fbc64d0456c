//! The event loop of the servers that serve every client on one thread
//! (serve-poll, serve-chat): one epoll instance, every socket in it, and
//! the clients as small records in slots. What the servers say to their
//! clients is theirs ([`Talk`]); waiting, accepting, turns, clocks,
//! goodbyes and stopping are here, the same for both.
//!
//! ```text
//! event_loop()      socket → bind → listen → epoll_create1 → epoll_ctl(ADD, listener)
//!                   → epoll_ctl(ADD, doorbell) → "Socket now listening on ADDR"
//! Juggler::serve    loop: epoll_wait -> for each ready socket:
//!                     the listener:   accept ... EAGAIN, each newcomer welcomed (Talk::welcome)
//!                                     or, over --max-clients, told "Server full" and let go
//!                     a client:       writable -> send what was kept; readable -> Talk::take_turn
//!                     the doorbell:   Ctrl-C: the loop ends
//!                   then the clients whose turn was cut short, the clocks (--idle-timeout,
//!                   --send-timeout, goodbyes due), --accept-timeout
//! Juggler::close_all  every client still here: its kept replies, the goodbye line
//!                   (Talk::shutting_down), shutdown(SHUT_WR) … close, all at once
//! ```
//!
//! Edge-triggered readiness (epoll's, and on Windows mio's own, which
//! re-arms a socket only after one of *its* reads or writes returned
//! EAGAIN) reports data once, not once per call: a client whose turn ended
//! with data maybe still waiting is put on the `again` list and read after
//! the others, until its `recv` says EAGAIN.

use std::borrow::Cow;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use mio::event::Event;
use mio::{Events, Poll, Registry, Token};

use super::{CALLS, Ending, GOODBYE, Kept, LAST_REPLY, Listener, Next, PolledConn, STOPPING};
use crate::cli::ServeOpts;
use crate::error::SockError;
use crate::narrate::{Narrator, plural};
use crate::signals::Watch;
use crate::tr;

/// How many recvs one client gets before the others have their turn.
pub const READS_PER_TURN: usize = 16;

/// The listening socket's token and the doorbell's; clients use their slot
/// number.
pub const LISTENER: Token = Token(usize::MAX);
pub const DOORBELL: Token = Token(usize::MAX - 1);

/// Readiness events taken from the kernel per `epoll_wait`.
pub const EVENTS: usize = 1024;

/// How often the clients' clocks are read while any client is connected
/// (`--idle-timeout`, `--send-timeout`).
pub const CLOCKS: Duration = Duration::from_millis(100);

/// The most newcomers being turned away at once; a flood beyond that is
/// closed without its `Server full` line.
const MOST_REFUSING: usize = 1000;

/// What a server of the loop says to its clients: the loop calls these
/// when a client arrives, when it is readable, and when it leaves.
pub trait Talk {
    /// A newcomer was admitted (counted, registered with epoll): its
    /// first words. An error closes it at once, never announced.
    fn welcome(&mut self, juggler: &mut Juggler, token: Token) -> Result<(), Ending>;

    /// The client is readable and not leaving: recv until EAGAIN or until
    /// [`READS_PER_TURN`] (then [`Juggler::again`]); `Some` ends the
    /// conversation (the loop calls [`Talk::left`], then closes).
    fn take_turn(&mut self, juggler: &mut Juggler, token: Token) -> Option<Ending>;

    /// Kept replies went out (some or all) and the client stays.
    fn sent(&mut self, _juggler: &mut Juggler, _token: Token) {}

    /// The loop ends this conversation (the client closed, reset, stayed
    /// silent too long), just before it closes the client or says its
    /// goodbye. Not called for clients the server itself sent off.
    fn left(&mut self, _juggler: &mut Juggler, _token: Token, _why: &Ending) {}

    /// The line a client still connected gets when the server stops.
    fn shutting_down(&self, _token: Token) -> Cow<'static, [u8]> {
        Cow::Borrowed(super::protocol::SHUTTING_DOWN)
    }

    /// A line of the server's own for its summary, said just before it.
    fn summary(&self) -> Option<String> {
        None
    }
}

/// socket → setsockopt → bind → listen (as in serve-once), then the epoll
/// instance watching the listener and the doorbell, then the readiness
/// line: what every server of the loop does first.
pub fn event_loop(
    opts: &ServeOpts,
    idle_default: Option<Duration>,
    max_clients: usize,
    say: &Narrator,
) -> Result<Juggler, SockError> {
    let mut listener = super::listen(opts, idle_default, say)?;
    let failed = |op: &'static str| move |source| SockError::Call { op, source };
    let poll = say
        .traced(
            CALLS.2,
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
    let doorbell = say
        .traced(
            CALLS.0,
            format_args!("ADD, doorbell, readable"),
            listener.server.stop.watch(poll.registry(), DOORBELL),
            |_| "ok".into(),
        )
        .map_err(failed("epoll_ctl"))?;
    // Ready now: the epoll instance exists and watches the listener.
    listener.ready();
    listener.raise_open_files();
    Ok(Juggler {
        poll,
        listener,
        _doorbell: doorbell,
        say: say.clone(),
        max_clients,
        slots: Vec::new(),
        free: Vec::new(),
        again: Vec::new(),
        scrap: vec![0u8; 16 * 1024],
        kept: Kept::default(),
        refusing: 0,
        accept_again: None,
    })
}

/// The whole server: one thread, one epoll instance, every client.
pub struct Juggler {
    poll: Poll,
    pub listener: Listener,
    _doorbell: Watch,
    say: Narrator,
    max_clients: usize,
    /// Clients by token; `None` is a free slot, listed in `free`.
    slots: Vec<Option<PolledConn>>,
    free: Vec<usize>,
    /// Clients that used up their turn with data maybe still waiting, or
    /// that came out of backpressure: edge-triggered epoll will not report
    /// data that was already there, so the loop must come back to them.
    again: Vec<Token>,
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
    /// `--accept-timeout` with nobody connected; then every client still
    /// here is closed ([`Juggler::close_all`]) and the summary printed.
    pub fn serve(mut self, talk: &mut impl Talk) -> Result<(), SockError> {
        let result = self.serve_until_stopped(talk);
        self.close_all(talk);
        if let Some(line) = talk.summary() {
            self.say.info(line);
        }
        self.listener.finish();
        result
    }

    fn serve_until_stopped(&mut self, talk: &mut impl Talk) -> Result<(), SockError> {
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
                    LISTENER => self.accept_all(talk)?,
                    token => {
                        // A token whose client left earlier in this batch
                        // may already name a newcomer: a stale event only
                        // costs it one recv or send that returns EAGAIN.
                        if event.is_writable() || event.is_error() {
                            self.flush(talk, token);
                        }
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            self.take_turn(talk, token);
                        }
                    }
                }
            }
            for token in std::mem::take(&mut self.again) {
                self.take_turn(talk, token);
            }
            let now = Instant::now();
            if self.accept_again.is_some_and(|at| now >= at) {
                self.accept_all(talk)?;
            }
            if now >= clocks_read + CLOCKS {
                clocks_read = now;
                self.look_at_clocks(talk, now);
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
            CALLS.1,
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

    /// A client of the loop, if `token` names one.
    pub fn conn(&self, token: Token) -> Option<&PolledConn> {
        self.slots.get(token.0).and_then(Option::as_ref)
    }

    pub fn conn_mut(&mut self, token: Token) -> Option<&mut PolledConn> {
        self.slots.get_mut(token.0).and_then(Option::as_mut)
    }

    /// A client and the registry its sends may need (to watch for
    /// writable), borrowed together.
    pub fn conn_and_registry(&mut self, token: Token) -> Option<(&mut PolledConn, &Registry)> {
        let conn = self.slots.get_mut(token.0).and_then(Option::as_mut)?;
        Some((conn, self.poll.registry()))
    }

    /// Reads this client again after the others: its turn ended with data
    /// maybe still waiting, which epoll will not report again.
    pub fn again(&mut self, token: Token) {
        self.again.push(token);
    }

    /// Replies kept for all clients together.
    pub fn kept(&self) -> &Kept {
        &self.kept
    }

    /// The narrator of the whole server (no client named).
    pub fn say(&self) -> &Narrator {
        &self.say
    }

    /// The listener is readable: accept every queued client, until EAGAIN
    /// (edge-triggered epoll reports the queue once, not once per client).
    fn accept_all(&mut self, talk: &mut impl Talk) -> Result<(), SockError> {
        loop {
            match self.listener.try_accept()? {
                Next::Client(stream, peer) => {
                    if let Some(stream) = self.listener.greet(stream, peer) {
                        self.admit(talk, stream, peer);
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
    fn admit(&mut self, talk: &mut impl Talk, stream: TcpStream, peer: SocketAddr) {
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
                server
                    .say
                    .warn(tr!("client-closed-it", peer = peer, why = why.to_string()));
                return;
            }
        };
        if full {
            let max = self.max_clients;
            server
                .say
                .warn(tr!("turned-away-full", peer = peer, max = max));
            server.tally.add_turned_away(true);
            conn.send_once(
                format!(
                    "Server full ({}). Try again later.\n",
                    plural(max as u64, "client")
                )
                .as_bytes(),
            );
            conn.say_goodbye(Ending::Done(tr!("done-full")), GOODBYE);
            self.refusing += 1;
            self.place(index, conn);
            return;
        }
        self.place(index, conn);
        if let Err(why) = talk.welcome(self, token) {
            self.close(token, why);
        }
    }

    fn place(&mut self, index: usize, conn: PolledConn) {
        if index == self.slots.len() {
            self.slots.push(Some(conn));
        } else {
            self.slots[index] = Some(conn);
        }
    }

    /// A client is readable: a goodbye under way is looked at; otherwise
    /// the server's turn with it ([`Talk::take_turn`]).
    fn take_turn(&mut self, talk: &mut impl Talk, token: Token) {
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        if conn.saying_goodbye() {
            if conn.goodbye_is_over(&mut self.scrap) {
                self.finish_goodbye(token);
            }
            return;
        }
        if !conn.readable() {
            return;
        }
        if let Some(why) = talk.take_turn(self, token) {
            talk.left(self, token, &why);
            self.end(token, why);
        }
    }

    /// A client is writable: send what was kept for it.
    fn flush(&mut self, talk: &mut impl Talk, token: Token) {
        let registry = self.poll.registry();
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::as_mut) else {
            return;
        };
        if conn.saying_goodbye() {
            return;
        }
        match conn.send_kept(registry) {
            Err(why) => {
                talk.left(self, token, &why);
                self.close(token, why);
            }
            Ok(_) if conn.eof && conn.pending() == 0 => {
                talk.left(self, token, &Ending::ClientClosed);
                self.close(token, Ending::ClientClosed);
            }
            Ok(_) if conn.leaving() => {}
            Ok(_) => talk.sent(self, token),
        }
    }

    /// `--idle-timeout`, `--send-timeout`, and goodbyes whose time is up or
    /// whose acknowledgement came (there is no event for that).
    fn look_at_clocks(&mut self, talk: &mut impl Talk, now: Instant) {
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
                Some(why) => {
                    talk.left(self, token, &why);
                    self.end(token, why);
                }
                None => {
                    if let Some(conn) = self.conn_mut(token)
                        && !conn.saying_goodbye()
                    {
                        // Its last words did not go out in time.
                        conn.leave_now();
                    }
                    self.take_turn(talk, token);
                }
            }
        }
    }

    /// A conversation ends: when the server closes first, with a goodbye
    /// the loop watches, after the replies kept for it (the client gets
    /// every reply byte); otherwise at once.
    pub fn end(&mut self, token: Token, why: Ending) {
        let Some(conn) = self.conn_mut(token) else {
            return;
        };
        if why.says_goodbye() && !conn.leaving() {
            conn.leave(why, GOODBYE);
        } else if !conn.leaving() {
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
    pub fn close(&mut self, token: Token, why: Ending) {
        let Some(conn) = self.slots.get_mut(token.0).and_then(Option::take) else {
            return;
        };
        self.free.push(token.0);
        conn.close(why, self.poll.registry());
    }

    /// Ctrl-C, SIGTERM or a fatal error: every client says goodbye at once.
    /// Each gets the goodbye line ([`Talk::shutting_down`]) behind the
    /// replies kept for it, which still go out while the client keeps
    /// taking them (each may stall [`LAST_REPLY`] at most, all within
    /// [`STOPPING`]); then every goodbye runs in parallel, and whatever is
    /// left when `STOPPING` plus [`GOODBYE`] have passed is closed as it is.
    fn close_all(&mut self, talk: &mut impl Talk) {
        self.listener.server.stop.request();
        self.listener.say_closing();
        for i in 0..self.slots.len() {
            let token = Token(i);
            let line = talk.shutting_down(token);
            let registry = self.poll.registry();
            let Some(conn) = self.slots[i].as_mut() else {
                continue;
            };
            if conn.refusing() || conn.leaving() {
                continue;
            }
            if let Err(why) = conn.send_or_keep(&line, registry) {
                self.close(token, why);
            }
        }
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
                        Ok(_) if conn.saying_goodbye() => continue,
                        Ok(_) if conn.pending() > 0 && !stuck && now < replies_end => continue,
                        Ok(_) => {}
                    }
                }
                let within = goodbyes_end.saturating_duration_since(now).min(GOODBYE);
                if conn.leaving() {
                    conn.leave_now();
                } else {
                    conn.say_goodbye(Ending::Stopping, within);
                }
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
