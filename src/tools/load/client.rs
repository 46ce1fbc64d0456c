//! One connection's state machine. A non-blocking socket cannot wait in
//! `recv`, so each client remembers where it stopped (connecting, reading
//! the welcome line, sending, receiving, holding) and [`advance`] takes it
//! from there whenever epoll says its socket is ready: as far as it can go,
//! until the kernel answers EAGAIN, the client is finished, or it failed.
//!
//! How a client that fails is told (which `Fail`, which sentence) lives in
//! ending.rs, so this file reads as the conversation itself.

use std::io::{self, Read, Write};
use std::time::Instant;

use mio::net::TcpStream;
use mio::{Interest, Poll, Token};

use super::Plan;
use super::check::{fill_message, shown, verify};
use super::ending::{
    io_fail, io_failure_connect, keep, looks_like_refusal, mismatch, turned_away,
    turned_away_story, wrong_line,
};
use super::report::{Fail, Report};
use crate::tr;

/// The longest welcome line accepted before giving up on finding its '\n'.
const MAX_WELCOME: usize = 4096;

/// Where a client is in its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// `connect` returned EINPROGRESS; writable means the handshake ended.
    Connecting,
    /// Reading the welcome line; `got` counts its bytes so far.
    Welcome,
    /// The welcome line is in: one more read, because edge-triggered epoll
    /// would not wake us again for a FIN that came with it, and a FIN right
    /// behind the line means the server turned the client away.
    Welcomed,
    /// Writing `msg`; `sent` counts its bytes so far.
    Sending,
    /// Reading the reply; `got` counts its bytes so far.
    Receiving,
    /// `--hold`: round trip done, connection kept open.
    Holding,
    /// Without --welcome: the first reply was one whole line, and wrong.
    /// The end of the stream within GRACE makes it a refusal; more bytes,
    /// or the connection still open after GRACE, a wrong reply (`wrong`).
    MaybeTurnedAway,
}

/// One connection and where it is in its conversation.
pub(super) struct Client {
    pub(super) id: u64,
    stream: TcpStream,
    pub(super) state: State,
    /// Round trips completed and verified.
    pub(super) done: u64,
    pub(super) msg: Vec<u8>,
    sent: usize,
    pub(super) got: usize,
    /// When the current message's first byte went out.
    sent_at: Instant,
    /// Whether the server has answered this connection once (its welcome
    /// line or first reply): until then it counts against --connect-batch.
    pub(super) answered: bool,
    /// Whether the socket is registered for writable events too. Only while
    /// connecting or after a send hit a full buffer: otherwise every ACK
    /// would wake us for nothing.
    wants_write: bool,
    /// The server's first line while it may still be a refusal: the welcome
    /// line, or without --welcome a first reply that was wrong. Its first
    /// LINE_KEPT bytes, to quote; dropped at the first good reply.
    pub(super) line: Vec<u8>,
    /// When that line's '\n' arrived.
    pub(super) line_at: Instant,
    /// In `MaybeTurnedAway`: what was wrong with the line as a reply, the
    /// story to tell if the server does not close.
    pub(super) wrong: String,
}

impl Client {
    /// A client whose `connect` is under way; its messages are `size` bytes.
    pub(super) fn new(id: u64, stream: TcpStream, size: usize) -> Client {
        Client {
            id,
            stream,
            state: State::Connecting,
            done: 0,
            msg: vec![0; size],
            sent: 0,
            got: 0,
            sent_at: Instant::now(),
            answered: false,
            // Writable is how epoll tells that the handshake ended.
            wants_write: true,
            line: Vec::new(),
            line_at: Instant::now(),
            wrong: String::new(),
        }
    }
}

/// What driving a client as far as it can go led to.
pub(super) enum Outcome {
    /// It is waiting for the kernel (EAGAIN, or a reply not yet in).
    Waiting,
    /// All its round trips are done and verified; close it.
    Finished,
}

/// The state machine of one client: runs until the socket would block, the
/// client is finished, or it failed.
pub(super) fn advance(
    c: &mut Client,
    plan: &Plan,
    buf: &mut [u8],
    poll: &Poll,
    token: Token,
    report: &mut Report,
) -> Result<Outcome, (Fail, String)> {
    let id = c.id;
    loop {
        match c.state {
            State::Connecting => {
                // Writable after a non-blocking connect: SO_ERROR says how
                // the handshake ended; getpeername fails while it goes on.
                if let Some(e) = c
                    .stream
                    .take_error()
                    .map_err(|e| io_failure_connect(id, plan, &e))?
                {
                    return Err(io_failure_connect(id, plan, &e));
                }
                match c.stream.peer_addr() {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        return Ok(Outcome::Waiting);
                    }
                    Err(e) => return Err(io_failure_connect(id, plan, &e)),
                }
                report.connected += 1;
                set_interest(c, poll, token, false).map_err(|e| io_fail(c, "epoll_ctl", &e))?;
                if plan.welcome {
                    c.state = State::Welcome;
                    c.got = 0;
                } else {
                    begin_message(c);
                }
            }
            State::Welcome => match c.stream.read(buf) {
                Ok(0) => {
                    return Err((
                        Fail::Closed,
                        tr!("load-story-welcome-closed", id = id, got = c.got),
                    ));
                }
                Ok(n) => {
                    let end = buf[..n].iter().position(|&b| b == b'\n');
                    keep(&mut c.line, &buf[..end.map_or(n, |end| end + 1)]);
                    match end {
                        Some(end) if end + 1 < n => {
                            return Err((
                                Fail::Mismatch,
                                tr!(
                                    "load-story-after-welcome",
                                    id = id,
                                    n = n - end - 1,
                                    shown = shown(&buf[end + 1..n])
                                ),
                            ));
                        }
                        Some(_) => {
                            c.answered = true;
                            c.line_at = Instant::now();
                            c.got = 0;
                            c.state = State::Welcomed;
                        }
                        None => {
                            c.got += n;
                            if c.got > MAX_WELCOME {
                                return Err((
                                    Fail::Mismatch,
                                    tr!("load-story-no-newline", id = id, got = c.got),
                                ));
                            }
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail(c, "recv (welcome line)", &e)),
            },
            State::Welcomed => match c.stream.read(buf) {
                Ok(0) => return Err(turned_away_story(c)),
                Ok(n) => {
                    return Err((
                        Fail::Mismatch,
                        tr!(
                            "load-story-after-welcome",
                            id = id,
                            n = n,
                            shown = shown(&buf[..n])
                        ),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => begin_message(c),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail(c, "recv (welcome line)", &e)),
            },
            State::Sending => match c.stream.write(&c.msg[c.sent..]) {
                Ok(n) => {
                    c.sent += n;
                    if c.sent == c.msg.len() {
                        c.state = State::Receiving;
                        c.got = 0;
                        if c.wants_write {
                            set_interest(c, poll, token, false)
                                .map_err(|e| io_fail(c, "epoll_ctl", &e))?;
                        }
                        // No read now: the reply cannot be here before the
                        // server has read the message, and the next data to
                        // arrive will wake epoll (or kqueue). Saves one
                        // EAGAIN per trip. Windows' readiness (mio over
                        // AFD) is only armed again by a read that found
                        // nothing, so there the read goes on to EAGAIN.
                        if cfg!(windows) {
                            continue;
                        }
                        return Ok(Outcome::Waiting);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // The send buffer is full: ask to be told when it drains.
                    if !c.wants_write {
                        set_interest(c, poll, token, true)
                            .map_err(|e| io_fail(c, "epoll_ctl", &e))?;
                    }
                    return Ok(Outcome::Waiting);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail(c, "send", &e)),
            },
            State::Receiving => match c.stream.read(buf) {
                Ok(0) if turned_away(c) => return Err(turned_away_story(c)),
                Ok(0) => {
                    let story = if c.got > 0 {
                        tr!(
                            "load-story-closed-mid-reply",
                            id = id,
                            done = c.done,
                            total = plan.round_trips(),
                            reply = c.done + 1,
                            got = c.got,
                            len = plan.prefix.len() + c.msg.len()
                        )
                    } else {
                        tr!(
                            "load-story-closed-before-reply",
                            id = id,
                            done = c.done,
                            total = plan.round_trips(),
                            reply = c.done + 1
                        )
                    };
                    return Err((Fail::Closed, story));
                }
                Ok(n) => {
                    let chunk = &buf[..n];
                    if let Err(at) = verify(&plan.prefix, &c.msg, c.got, chunk) {
                        let story = mismatch(c, &plan.prefix, chunk, at);
                        // Without --welcome a refusal comes where the first
                        // reply should: a whole line with nothing of a reply.
                        // Only what follows tells, so look again now and, if
                        // need be, wait GRACE.
                        if !plan.welcome
                            && c.done == 0
                            && c.got == 0
                            && looks_like_refusal(&plan.prefix, &c.msg, chunk)
                        {
                            keep(&mut c.line, chunk);
                            c.line_at = Instant::now();
                            c.wrong = story;
                            c.state = State::MaybeTurnedAway;
                            continue;
                        }
                        return Err((Fail::Mismatch, story));
                    }
                    c.got += n;
                    if c.got == plan.prefix.len() + c.msg.len() {
                        let rtt = c.sent_at.elapsed();
                        report.latency.saturating_record(rtt.as_micros() as u64);
                        report.round_trips += 1;
                        c.done += 1;
                        c.answered = true;
                        // A good reply settles it: the first line was no refusal.
                        c.line = Vec::new();
                        if plan.hold {
                            c.state = State::Holding;
                        } else if c.done == plan.messages {
                            return Ok(Outcome::Finished);
                        } else {
                            begin_message(c);
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail(c, "recv", &e)),
            },
            State::MaybeTurnedAway => match c.stream.read(buf) {
                Ok(0) => return Err(turned_away_story(c)),
                // More came, so the line was a wrong reply after all.
                Ok(_) => return Err(wrong_line(c)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail(c, "recv", &e)),
            },
            State::Holding => match c.stream.read(buf) {
                Ok(0) => {
                    return Err((Fail::Closed, tr!("load-story-held-closed", id = id)));
                }
                Ok(n) => {
                    return Err((
                        Fail::Mismatch,
                        tr!(
                            "load-story-held-bytes",
                            id = id,
                            n = n,
                            shown = shown(&buf[..n])
                        ),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail(c, "recv (held)", &e)),
            },
        }
    }
}

/// Readable always; writable only while it matters (see `wants_write`).
fn set_interest(c: &mut Client, poll: &Poll, token: Token, write: bool) -> io::Result<()> {
    let interest = if write {
        Interest::READABLE | Interest::WRITABLE
    } else {
        Interest::READABLE
    };
    poll.registry().reregister(&mut c.stream, token, interest)?;
    c.wants_write = write;
    Ok(())
}

/// Fills in the next message and switches to sending it.
fn begin_message(c: &mut Client) {
    fill_message(&mut c.msg, c.id, c.done);
    c.sent = 0;
    c.got = 0;
    c.state = State::Sending;
    c.sent_at = Instant::now();
}
