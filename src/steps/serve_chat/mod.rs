//! # Beyond the tutorial: serve-chat
//! A chat room: every line a client sends goes to every other client,
//! with the sender's name in front. One thread, serve-poll's event loop.
//!
//! ```text
//! socket → bind → listen(128) → epoll_create1 → epoll_ctl(ADD, listener, doorbell)
//! loop:
//!   epoll_wait -> "fd 3 readable (listening), fd 8 readable"
//!   fd 3 readable:  accept ... EAGAIN; each newcomer: send(welcome), and to everyone
//!                   else: send("* 127.0.0.1:50412 joined (3 here)")
//!   fd 8 readable:  recv -> "hi\r\n"           (shown on stdout as "[IP:PORT] hi")
//!                   for every other client: send("[alice] hi" + its own line end)
//!                   ... recv -> EAGAIN (drained), or -> 0: "* alice left (2 here)"
//!   a client writable:  send(what was kept for it)
//! ```
//!
//! New since serve-poll: what comes in on one socket goes out on many.
//! serve-poll answers the client that spoke; here one line in is N - 1
//! sends out, one per listener, so the room's work grows with the square
//! of its size (PERFORMANCE.md measures it with 50 and 500 clients). This
//! is Beej's `pollserver.c`, the classic multi-person chat, with what a
//! classroom needs around it:
//! - **Lines, not recvs.** TCP delivers bytes, not the sender's writes: a
//!   recv may hold half a line or three. Each client's bytes are gathered
//!   into lines (`room.rs`), each relayed whole; a line over 2 KiB is
//!   relayed in pieces, so a client that never sends `\n` costs 2 KiB.
//! - **Names.** A client is its address (`127.0.0.1:50412`) until it says
//!   `/nick alice`; `/who` lists the room; `/quit` leaves. Joins and
//!   leaves are announced to the room (`* alice joined (3 here)`).
//! - **Every client its own line end.** telnet ends lines with `\r\n`,
//!   nc with `\n`; each client gets every line the way it ends its own.
//! - **Nobody can act on the others' screens.** Control characters arrive
//!   as `^[` and `^G`, and telnet's commands are dropped, so no student can
//!   clear everyone's terminal or make their telnet negotiate.
//! - **A client that does not read holds nobody up.** Lines for a client
//!   whose kernel buffers are full are kept for it (serve-poll's partial
//!   writes), but only up to its share of the relay: 256 KiB, or less when
//!   the 64 MiB every client together may have kept is shared by more than
//!   256. Past its share it is told why, dropped, and the room is told. The
//!   others never wait for it: serve-poll's backpressure (stop reading the
//!   one who talks) would make every talker wait for the slowest listener.
//!
//! Same as the other servers otherwise: loopback unless `--host`,
//! `--max-clients` (1000) with its `Server full` line, `--idle-timeout`
//! (ten minutes of silence: a student who only reads for longer is
//! dropped too, so give a long lecture `--idle-timeout 7200`), the
//! readiness line, the leave lines, `Server shutting down. Goodbye.` to
//! everyone at Ctrl-C, and the summary.
//!
//! Try it (in four terminals):
//! ```text
//! socktool serve-chat
//! telnet localhost 8888          # type /nick alice, then a line
//! nc localhost 8888              # sees alice's line; /who lists the room
//! socktool connect localhost 8888
//! ```
//!
//! A real chat server would keep a history for newcomers, limit how fast
//! one client may talk, authenticate names, and speak a protocol that
//! tells commands from text without guessing (IRC, XMPP, Matrix).

use std::borrow::Cow;
use std::net::SocketAddr;

use mio::Token;

use crate::cli::ServeChatArgs;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::narrate::{describe_errno, secs};
use crate::serving::{self, Ending, Juggler, READS_PER_TURN, TOTAL_CAP, Talk};
use crate::tr;

mod room;
use room::{LineEnd, Lines, Said};

/// The most bytes of the room's lines kept for one client whose kernel
/// takes no more: its share of the relay. Its kernel buffers hold more
/// already (hundreds of KiB on Linux), so only a client that stopped
/// reading ever reaches it.
pub const SHARE: usize = 256 * 1024;

/// The most names one `/who` answer lists.
const WHO_SHOWN: usize = 50;

pub fn run(args: &ServeChatArgs, say: &Narrator) -> Result<(), SockError> {
    if args.serve.nonblocking {
        say.note(tr!("nonblocking-anyway", step = "serve-chat"));
    }
    // socket → setsockopt → bind → listen, as in serve-once; then epoll,
    // as in serve-poll.
    let juggler = serving::event_loop(
        &args.serve,
        Some(serving::IDLE_TIMEOUT),
        args.max_clients,
        say,
    )?;
    let mut room = Room {
        welcome: args.welcome.as_bytes().to_vec(),
        members: Vec::new(),
        here: 0,
        buf: vec![0u8; args.serve.recv_size],
        out: Vec::new(),
        trouble: Vec::new(),
        said: 0,
        copies: 0,
        delivered: 0,
    };
    juggler.serve(&mut room)
}

/// One client in the room.
struct Member {
    peer: SocketAddr,
    /// Its address until it takes a name.
    name: Vec<u8>,
    /// Its line under way, and how it ends its lines.
    lines: Lines,
}

/// The room: who is in it (by the loop's token), and the buffers every
/// relay shares.
struct Room {
    welcome: Vec<u8>,
    /// Members by token; `None` for a free slot or a client on its way out.
    members: Vec<Option<Member>>,
    here: usize,
    /// One recv buffer for everyone.
    buf: Vec<u8>,
    /// One buffer to build each line sent in.
    out: Vec<u8>,
    /// Clients a relay could not reach (reset) or left too far behind:
    /// taken out of the room once the relay is over ([`Room::settle`]).
    trouble: Vec<(Token, Ending)>,
    /// Lines said to the room, and copies of them delivered (or kept to
    /// be); `delivered` counts every line sent, the room's own too.
    said: u64,
    copies: u64,
    delivered: u64,
}

impl Talk for Room {
    /// The newcomer's first lines, then the room hears it joined.
    fn welcome(&mut self, juggler: &mut Juggler, token: Token) -> Result<(), Ending> {
        let Some((conn, registry)) = juggler.conn_and_registry(token) else {
            return Ok(());
        };
        let peer = conn.peer;
        let here = self.here + 1;
        let mut first = Vec::new();
        if !self.welcome.is_empty() {
            first.extend_from_slice(&self.welcome);
            first.push(b'\n');
        }
        first.extend_from_slice(
            format!(
                "* you are {peer}; {} here, you included. /nick NAME gives you a name, /who lists \
                 who is here, /quit leaves\n",
                here
            )
            .as_bytes(),
        );
        conn.send_or_keep(&first, registry)?;
        if self.members.len() <= token.0 {
            self.members.resize_with(token.0 + 1, || None);
        }
        let name = peer.to_string().into_bytes();
        self.members[token.0] = Some(Member {
            peer,
            name: name.clone(),
            lines: Lines::default(),
        });
        self.here = here;
        let joined = format!(" joined ({here} here)");
        self.broadcast(juggler, Some(token), &[b"* ", &name, joined.as_bytes()]);
        self.settle(juggler);
        Ok(())
    }

    /// recv until EAGAIN (or the turn is up), each complete line said.
    fn take_turn(&mut self, juggler: &mut Juggler, token: Token) -> Option<Ending> {
        let say = juggler.say().clone();
        for _ in 0..READS_PER_TURN {
            let (conn, _) = juggler.conn_and_registry(token)?;
            if conn.leaving() {
                return None;
            }
            let peer = conn.peer;
            match conn.try_recv(&mut self.buf) {
                // Drained: epoll says when more arrives.
                Ok(None) => return None,
                Ok(Some(n)) => {
                    // The server's console shows what each client sent.
                    say.record(Some(peer), &self.buf[..n]);
                    let data = std::mem::take(&mut self.buf);
                    self.heard(juggler, token, &data[..n]);
                    self.buf = data;
                    self.settle(juggler);
                }
                Err(Ending::ClientClosed) => {
                    // A last line without its line end was still said.
                    let rest = self.member_mut(token).and_then(|m| m.lines.unfinished());
                    if let Some(rest) = rest {
                        self.line(juggler, token, &rest);
                    }
                    self.left(juggler, token, &Ending::ClientClosed);
                    // Done sending, maybe still reading: it gets the lines
                    // kept for it before the close.
                    let conn = juggler.conn_mut(token)?;
                    if conn.pending() > 0 {
                        conn.eof = true;
                        return None;
                    }
                    return Some(Ending::ClientClosed);
                }
                Err(why) => return Some(why),
            }
        }
        // Its turn is over, maybe with data still waiting: after the others.
        juggler.again(token);
        None
    }

    fn left(&mut self, juggler: &mut Juggler, token: Token, why: &Ending) {
        if let Some(member) = self.take_member(token) {
            self.announce_leave(juggler, &member, why);
            self.settle(juggler);
        }
    }

    fn shutting_down(&self, token: Token) -> Cow<'static, [u8]> {
        let end = self.member(token).map_or(LineEnd::Lf, |m| m.lines.end);
        let line = serving::protocol::SHUTTING_DOWN;
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        Cow::Owned([text, end.bytes()].concat())
    }

    fn summary(&self) -> Option<String> {
        Some(tr!("chat-summary", lines = self.said, copies = self.copies))
    }
}

impl Room {
    fn member(&self, token: Token) -> Option<&Member> {
        self.members.get(token.0).and_then(Option::as_ref)
    }

    fn member_mut(&mut self, token: Token) -> Option<&mut Member> {
        self.members.get_mut(token.0).and_then(Option::as_mut)
    }

    fn take_member(&mut self, token: Token) -> Option<Member> {
        let member = self.members.get_mut(token.0).and_then(Option::take)?;
        self.here -= 1;
        Some(member)
    }

    /// One client's share of the relay: [`SHARE`], or less once more than
    /// 256 clients share [`TOTAL_CAP`].
    fn share(&self) -> usize {
        SHARE.min(TOTAL_CAP / self.here.max(1))
    }

    /// What one recv brought: each line it completes is said.
    fn heard(&mut self, juggler: &mut Juggler, token: Token, data: &[u8]) {
        let Some(member) = self.member_mut(token) else {
            return;
        };
        let mut lines = Vec::new();
        member.lines.take(data, |line, _| lines.push(line.to_vec()));
        for line in lines {
            // /quit ends the client's turn: what it sent after is not said.
            if self.member(token).is_none() {
                break;
            }
            self.line(juggler, token, &line);
        }
    }

    /// One line from a client: a command, or text for the room.
    fn line(&mut self, juggler: &mut Juggler, token: Token, raw: &[u8]) {
        let text = room::clean(raw);
        if text.is_empty() {
            return;
        }
        let Some(member) = self.member(token) else {
            return;
        };
        let (peer, name) = (member.peer, member.name.clone());
        match room::said(&text) {
            Said::Text(text) => {
                let before = self.delivered;
                self.broadcast(juggler, Some(token), &[b"[", &name, b"] ", text]);
                self.said += 1;
                self.copies += self.delivered - before;
                if self.said == 1 {
                    juggler
                        .say()
                        .note(tr!("chat-fan-out", copies = self.delivered - before));
                }
            }
            Said::Nick(new) => self.nick(juggler, token, peer, &name, new),
            Said::Who => self.who(juggler, token),
            Said::Quit => {
                self.send(juggler, token, &[b"* bye"]);
                if let Some(member) = self.take_member(token) {
                    let why = Ending::Done(tr!("done-quit"));
                    self.announce_leave(juggler, &member, &why);
                    juggler.end(token, why);
                }
            }
            Said::Help => self.send(
                juggler,
                token,
                &[
                    b"* a line is sent to everyone here; /nick NAME gives you a name, /who lists \
                    who is here, /quit leaves; start a line with // to send one that starts with /",
                ],
            ),
            Said::Unknown(word) => self.send(
                juggler,
                token,
                &[
                    b"* no command /",
                    word,
                    b": try /nick NAME, /who, /quit, /help (// sends a line that starts with /)",
                ],
            ),
        }
    }

    /// `/nick NAME`: a name nobody else has, said to the whole room.
    fn nick(
        &mut self,
        juggler: &mut Juggler,
        token: Token,
        peer: SocketAddr,
        old: &[u8],
        new: &[u8],
    ) {
        if let Some(why) = room::bad_name(new) {
            self.send(juggler, token, &[b"* ", why.as_bytes()]);
            return;
        }
        let taken = self.members.iter().enumerate().any(|(i, m)| {
            i != token.0 && m.as_ref().is_some_and(|m| room::same_name(&m.name, new))
        });
        if taken {
            self.send(
                juggler,
                token,
                &[b"* the name ", new, b" is taken: choose another"],
            );
            return;
        }
        if let Some(member) = self.member_mut(token) {
            member.name = new.to_vec();
        }
        juggler
            .say()
            .for_peer(peer)
            .info(tr!("chat-renamed", name = shown(new)));
        self.broadcast(juggler, None, &[b"* ", old, b" is now ", new]);
    }

    /// `/who`: the names in the room, to the one who asked.
    fn who(&mut self, juggler: &mut Juggler, token: Token) {
        let mut line = format!("* {} here: ", self.here).into_bytes();
        let mut shown = 0;
        for (i, member) in self.members.iter().enumerate() {
            let Some(member) = member else { continue };
            if shown == WHO_SHOWN {
                line.extend_from_slice(format!(", and {} more", self.here - shown).as_bytes());
                break;
            }
            if shown > 0 {
                line.extend_from_slice(b", ");
            }
            line.extend_from_slice(&member.name);
            if i == token.0 {
                line.extend_from_slice(b" (you)");
            }
            shown += 1;
        }
        self.send(juggler, token, &[&line]);
    }

    /// `* alice left (2 here)`, or why the server dropped it.
    fn announce_leave(&mut self, juggler: &mut Juggler, member: &Member, why: &Ending) {
        let reason = match why {
            Ending::ClientClosed | Ending::Stopping => "left".to_string(),
            Ending::Done(_) => "left (/quit)".to_string(),
            Ending::Reset { .. } => "left (connection reset)".to_string(),
            Ending::Silent { after, option } => {
                format!("was dropped: silent for {} ({option})", secs(*after))
            }
            Ending::NotReading { after, option } => {
                format!("was dropped: took nothing for {} ({option})", secs(*after))
            }
            Ending::Behind { waiting, .. } => {
                format!("was dropped: {waiting} bytes behind the room (not reading)")
            }
            Ending::Failed { call, source } => {
                format!("left ({call} failed: {})", describe_errno(source))
            }
        };
        let tail = format!(" {reason} ({} here)", self.here);
        self.broadcast(juggler, None, &[b"* ", &member.name, tail.as_bytes()]);
    }

    /// One line to one member, ended its way.
    fn send(&mut self, juggler: &mut Juggler, to: Token, parts: &[&[u8]]) {
        let Some(end) = self.member(to).map(|m| m.lines.end) else {
            return;
        };
        let mut line = std::mem::take(&mut self.out);
        line.clear();
        for part in parts {
            line.extend_from_slice(part);
        }
        line.extend_from_slice(end.bytes());
        self.deliver(juggler, to, &line);
        self.out = line;
    }

    /// One line to every member but `except`, each ended its way. The line
    /// is built twice at most (`\n` and `\r\n`), not once per member.
    fn broadcast(&mut self, juggler: &mut Juggler, except: Option<Token>, parts: &[&[u8]]) {
        let mut lf = std::mem::take(&mut self.out);
        lf.clear();
        for part in parts {
            lf.extend_from_slice(part);
        }
        let mut crlf = lf.clone();
        lf.push(b'\n');
        crlf.extend_from_slice(b"\r\n");
        for i in 0..self.members.len() {
            let token = Token(i);
            let Some(member) = &self.members[i] else {
                continue;
            };
            if Some(token) == except {
                continue;
            }
            let line = match member.lines.end {
                LineEnd::Lf => &lf,
                LineEnd::CrLf => &crlf,
            };
            self.deliver(juggler, token, line);
        }
        self.out = lf;
    }

    /// Sends (or keeps) one line for one member, and notes trouble: a
    /// failed send, or more kept for it than its share.
    fn deliver(&mut self, juggler: &mut Juggler, to: Token, line: &[u8]) {
        let share = self.share();
        let Some((conn, registry)) = juggler.conn_and_registry(to) else {
            return;
        };
        match conn.send_or_keep(line, registry) {
            Err(why) => self.trouble.push((to, why)),
            Ok(()) => {
                self.delivered += 1;
                if conn.pending() > share {
                    self.trouble.push((
                        to,
                        Ending::Behind {
                            waiting: conn.pending(),
                            limit: share,
                        },
                    ));
                }
            }
        }
    }

    /// After a relay: the members it could not reach are closed, those too
    /// far behind are told and dropped, and the room hears of each (which
    /// is a relay too, so this goes on until nothing is left to settle).
    fn settle(&mut self, juggler: &mut Juggler) {
        while !self.trouble.is_empty() {
            let (token, why) = self.trouble.remove(0);
            let Some(member) = self.take_member(token) else {
                continue;
            };
            if let Ending::Behind { waiting, limit } = why
                && let Some((conn, registry)) = juggler.conn_and_registry(token)
            {
                let thrown = conn.discard_kept_after(b'\n');
                let notice = format!(
                    "* you are dropped: {waiting} bytes of the room's lines waited for you, past \
                     your share of {limit} (you were not reading). Reconnect to come back{}",
                    String::from_utf8_lossy(member.lines.end.bytes())
                );
                let _ = conn.send_or_keep(notice.as_bytes(), registry);
                conn.say().warn(tr!(
                    "chat-dropped",
                    waiting = waiting,
                    limit = limit.to_string(),
                    thrown = thrown
                ));
            }
            self.announce_leave(juggler, &member, &why);
            juggler.end(token, why);
        }
    }
}

/// A name for the narration: as it is when it is UTF-8, escaped otherwise
/// (a GBK name shows as `\xc4\xe3`, never as replacement characters).
fn shown(name: &[u8]) -> String {
    match std::str::from_utf8(name) {
        Ok(text) => text.to_string(),
        Err(_) => name.escape_ascii().to_string(),
    }
}
