//! One client of a server that talks to it call by call, as the tutorial
//! does (`conn.recv(1024)`, `conn.sendall(data)`, `conn.close()`):
//! serve-once, serve-loop, and each thread of serve-threaded.
//!
//! ```text
//! Conn::recv       poll(conn, doorbell) → recv        (traced, hex-dumped, counted)
//! Conn::send_all   send … poll(conn writable) … send  until every byte is out
//! Conn::show       "[IP:PORT] data" on stdout          (queued, never waits)
//! Conn::close      shutdown(SHUT_WR) … close          "Disconnected IP:PORT after …"
//! ```
//!
//! The calls block, as the tutorial's do, but not inside `recv` or
//! `send`: the socket is non-blocking, and the wait happens in `poll`, on
//! the socket and the stop doorbell at once (Python's `settimeout` works
//! the same way underneath). That is what lets Ctrl-C, `--idle-timeout`
//! and `--send-timeout` end any wait on every system, and what makes an
//! idle client cost nothing: its thread sleeps in `poll` until the client
//! sends something, its time is up, or the server stops.
//!
//! With `--nonblocking` the server does not wait in `poll` at all: it
//! tries, gets EAGAIN, says so, sleeps [`RETRY`](super::RETRY) and tries
//! again, which is the lesson of what polling by hand costs.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::farewell::close_gently;
use super::protocol::SHUTTING_DOWN;
use super::{Ending, GOODBYE, LAST_REPLY, Live, RETRY, STOPPING, Server};
use crate::narrate::{Dir, Narrator};
use crate::sockopt::{self, Want, Woke};
use crate::tr;

/// While clients wait in the backlog behind this one (serve-loop), how
/// often the server looks whether their number changed.
pub const BACKLOG_TICK: Duration = Duration::from_millis(100);

/// One connected client: its socket, its narrator (every line names it)
/// and its byte counts. Python's `conn` from `conn, addr = s.accept()`.
pub struct Conn {
    stream: TcpStream,
    pub peer: SocketAddr,
    /// Narration about this client: `[IP:PORT] ...`.
    say: Narrator,
    server: Server,
    /// Counts this client as connected until dropped (`--max-clients`).
    live: Live,
    connected: Instant,
    /// How long it waited in the listen backlog before `accept` took it,
    /// when the server knows (serve-loop watches its backlog).
    waited: Option<Duration>,
    bytes_in: u64,
    bytes_out: u64,
    /// A reply was given up half sent: nothing more may follow it (a
    /// goodbye line glued to half a reply would read as part of it).
    cut: bool,
}

impl Conn {
    /// A freshly accepted client (its socket already non-blocking).
    pub fn new(stream: TcpStream, peer: SocketAddr, server: &Server) -> Conn {
        Conn {
            stream,
            peer,
            say: server.say.for_peer(peer),
            server: server.clone(),
            live: Live::count(&server.tally),
            connected: Instant::now(),
            waited: None,
            bytes_in: 0,
            bytes_out: 0,
            cut: false,
        }
    }

    /// Says how long the client waited in the backlog before it was
    /// accepted: the leave line then tells waiting and being served apart.
    pub fn waited_in_backlog(&mut self, waited: Duration) {
        self.waited = Some(waited);
    }

    /// The narrator for lines about this client.
    pub fn say(&self) -> &Narrator {
        &self.say
    }

    /// The socket, for a server that turns this client away.
    pub fn into_stream(self) -> TcpStream {
        self.stream
    }

    /// `recv(buf.len())`: waits until the client sends something, then
    /// returns how many bytes arrived, always above 0. Every way the
    /// conversation can end (EOF, reset, `--idle-timeout`, Ctrl-C) comes
    /// back as the [`Ending`] that says who ended it.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Ending> {
        self.recv_while(buf, None, || false)
    }

    /// [`Conn::recv`], watching a listening socket meanwhile (serve-loop's
    /// lesson): `meanwhile` is called when a client joins its backlog, and
    /// then every [`BACKLOG_TICK`] while it says clients are waiting there
    /// (their number may change). With nobody waiting, the wait costs no
    /// wake-up at all.
    pub fn recv_while(
        &mut self,
        buf: &mut [u8],
        listener: Option<&sockopt::Listener>,
        mut meanwhile: impl FnMut() -> bool,
    ) -> Result<usize, Ending> {
        let limits = &self.server.limits;
        let silent_until = limits.idle.map(|idle| Instant::now() + idle);
        let silent = || Ending::Silent {
            after: limits.idle.unwrap_or_default(),
            option: limits.idle_option,
        };
        let mut queued = false;
        loop {
            if self.server.stop.requested() {
                return Err(Ending::Stopping);
            }
            if !limits.retry {
                // Clients queued: look again soon. None queued: the
                // listener turning readable says when one comes.
                let tick = queued.then(|| Instant::now() + BACKLOG_TICK);
                let until = match (silent_until, tick) {
                    (Some(s), Some(t)) => Some(s.min(t)),
                    (s, t) => s.or(t),
                };
                let other = listener
                    .filter(|_| !queued)
                    .map(|l| l as &dyn sockopt::AsSock);
                let bell = Some(self.server.stop.bell());
                match sockopt::wait_also(
                    &self.stream,
                    Want::Readable,
                    other,
                    bell,
                    until,
                    &self.say,
                ) {
                    Ok(Woke::Ready) => {}
                    Ok(Woke::Rung) => return Err(Ending::Stopping),
                    Ok(Woke::TimedOut) if silent_until.is_some_and(|s| Instant::now() >= s) => {
                        return Err(silent());
                    }
                    Ok(Woke::TimedOut | Woke::Other) => {
                        queued = meanwhile();
                        continue;
                    }
                    Err(e) => return Err(Ending::from_error("poll", e)),
                }
            }
            match sockopt::recv(&self.stream, buf, &self.say) {
                Ok(0) => return Err(Ending::ClientClosed),
                Ok(n) => {
                    self.say.hex(Dir::Received, &buf[..n]);
                    self.bytes_in += n as u64;
                    self.server.tally.add_in(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !limits.retry {
                        continue;
                    }
                    self.server.would_block("recv()", &tr!("eagain-recv"));
                    if silent_until.is_some_and(|s| Instant::now() >= s) {
                        return Err(silent());
                    }
                    meanwhile();
                    sockopt::nap(self.server.stop.bell(), RETRY);
                }
                Err(e) => return Err(Ending::from_error("recv", e)),
            }
        }
    }

    /// `sendall`: every byte, or the [`Ending`] that stopped it. A client
    /// that stops reading stalls only this call (for `--send-timeout` at
    /// most); a client that vanished is a reset, never a crash. A reply
    /// under way when the server stops is still finished, as long as the
    /// client keeps taking it ([`LAST_REPLY`], within [`STOPPING`]).
    pub fn send_all(&mut self, bytes: &[u8]) -> Result<(), Ending> {
        self.say.hex(Dir::Sent, bytes);
        let fd = sockopt::fd(&self.stream);
        let limits = self.server.limits.clone();
        let mut sent = 0;
        let started = Instant::now();
        let mut progress = started;
        while sent < bytes.len() {
            match sockopt::send(&self.stream, &bytes[sent..], &self.say, false) {
                Ok(n) => {
                    sent += n;
                    self.bytes_out += n as u64;
                    self.server.tally.add_out(n);
                    progress = Instant::now();
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.say.trace_since(
                        Some(started),
                        "sendall",
                        format_args!("fd {fd}, {} bytes", bytes.len()),
                        format_args!("{sent} sent, then {}", crate::narrate::describe_errno(&e)),
                    );
                    self.cut = true;
                    return Err(Ending::from_error("sendall", e));
                }
            }
            // The send buffer is full: the client is not taking our bytes
            // right now. Wait until it does, or until time is up.
            let stopping = self.server.stop.since();
            let mut until = limits.send.map(|t| progress + t);
            if let Some(since) = stopping {
                let last = (progress.max(since) + LAST_REPLY).min(since + STOPPING);
                until = Some(until.map_or(last, |u| u.min(last)));
            }
            let gave_up = || match stopping {
                Some(_) => Ending::Stopping,
                None => Ending::NotReading {
                    after: limits.send.unwrap_or_default(),
                    option: limits.send_option,
                },
            };
            // Checked here too, not only by poll: a poll that calls a full
            // socket writable (Wine's does) must not spin for ever.
            if until.is_some_and(|u| Instant::now() >= u) {
                self.cut = true;
                return Err(gave_up());
            }
            if limits.retry && stopping.is_none() {
                self.server.would_block("send()", &tr!("eagain-send"));
                sockopt::nap(self.server.stop.bell(), RETRY);
                continue;
            }
            // Stopping: the bell keeps ringing, so it is not listened to.
            let bell = stopping.is_none().then(|| self.server.stop.bell());
            let quiet = Narrator::silent();
            match sockopt::wait(&self.stream, Want::Writable, bell, until, &quiet) {
                Ok(Woke::Ready | Woke::Rung | Woke::Other) => {}
                Ok(Woke::TimedOut) => {
                    self.say.trace_since(
                        Some(started),
                        "sendall",
                        format_args!("fd {fd}, {} bytes", bytes.len()),
                        format_args!("{sent} sent, then no progress"),
                    );
                    self.cut = true;
                    return Err(gave_up());
                }
                Err(e) => return Err(Ending::from_error("poll", e)),
            }
        }
        self.say.trace_since(
            Some(started),
            "sendall",
            format_args!("fd {fd}, {} bytes", bytes.len()),
            "ok",
        );
        Ok(())
    }

    /// What the client sent, on the server's stdout (its console): with
    /// `labelled`, one record `[IP:PORT] data`. Never waits for stdout.
    pub fn show(&self, data: &[u8], labelled: bool) {
        self.server.say.record(labelled.then_some(self.peer), data);
    }

    /// Closes the connection and says goodbye: bytes in and out, how long,
    /// and who closed first. When the server closes first, gently (see
    /// `farewell.rs`), so the client gets every reply byte. A server that
    /// is stopping tells the client so first ([`SHUTTING_DOWN`]), unless a
    /// reply to it was cut (the client is not reading, or too slowly).
    pub fn close(mut self, ending: &Ending) {
        if matches!(ending, Ending::Stopping) && !self.cut {
            // Bounded like any reply sent while stopping: LAST_REPLY
            // without progress, STOPPING in all.
            let _ = self.send_all(SHUTTING_DOWN);
        }
        let line = tr!(
            "disconnected",
            peer = self.peer,
            after = format!("{:.2}", self.connected.elapsed().as_secs_f64()),
            waited = self.waited.map_or_else(String::new, |w| tr!(
                "disconnected-waited",
                secs = format!("{:.2}", w.as_secs_f64())
            )),
            bytes_in = self.bytes_in,
            bytes_out = self.bytes_out,
            ending = ending.to_string()
        );
        self.server.tally.add_served();
        if ending.says_goodbye() {
            let within = match self.server.stop.since() {
                Some(since) => GOODBYE
                    .min((since + STOPPING + GOODBYE).saturating_duration_since(Instant::now())),
                None => GOODBYE,
            };
            close_gently(&self.stream, &self.say, within);
        }
        let Conn {
            stream,
            live,
            say,
            server,
            ..
        } = self;
        // Closed, so its place is free (--max-clients) before we say so.
        sockopt::close(stream, &say);
        drop(live);
        server.say.info(line);
    }
}
