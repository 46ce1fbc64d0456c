//! How a client's conversation ends, when it does not end well: which
//! [`Fail`] it counts as, and the one sentence that tells it (the client,
//! and what it saw), so the summary can quote the first of each kind.
//!
//! One ending needs care. A full server (serve-threaded or serve-poll over
//! `--max-clients`) answers a newcomer with one line, `Server full (N
//! clients). Try again later.`, and closes. That line arrives where the
//! welcome line or the first reply should, so only what follows tells it
//! apart: the end of the stream, at once, before any reply. Until then the
//! client keeps the line (`Client::line`) and the moment it came.

use std::io;
use std::mem;
use std::net::SocketAddr;
use std::time::Duration;

use super::Plan;
use super::check::shown;
use super::client::Client;
use super::report::Fail;
use crate::tr;

/// How soon after its one line a server must close for the line to count
/// as turning the client away. serve-threaded sends its FIN microseconds
/// behind the line; the rest is room for a busy machine.
pub(super) const GRACE: Duration = Duration::from_millis(500);

/// Bytes of a server's first line kept to quote it (`shown` cuts at 48).
const LINE_KEPT: usize = 64;

/// Without --welcome, whether a wrong first reply may be a refusal: a
/// whole line of its own that has nothing of a reply, neither its start
/// (`prefix`) nor the message sent (`msg`, ending in '\n'), since a server
/// turning a client away never reads it. A reply that is merely wrong (a
/// one-shot echo under another --prefix, a garbled byte) is said at once,
/// not after waiting GRACE for a close.
pub(super) fn looks_like_refusal(prefix: &[u8], msg: &[u8], chunk: &[u8]) -> bool {
    let one_line =
        chunk.last() == Some(&b'\n') && chunk.iter().filter(|&&b| b == b'\n').count() == 1;
    let reply_like = (!prefix.is_empty() && chunk.starts_with(prefix)) || chunk.ends_with(msg);
    one_line && !reply_like
}

/// A failed socket call. A reset or a broken pipe is the server closing:
/// right behind its one line, that is a refusal too.
pub(super) fn io_fail(c: &Client, what: &str, e: &io::Error) -> (Fail, String) {
    let closed = matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    );
    if closed && turned_away(c) {
        return turned_away_story(c);
    }
    let kind = if closed { Fail::Closed } else { Fail::Io };
    (
        kind,
        tr!(
            "load-story-io",
            id = c.id,
            call = what,
            error = e.to_string()
        ),
    )
}

/// Whether the end of the stream, seen now, means the server turned this
/// client away: its first line is in, no byte of a reply has come, and the
/// end follows the line within GRACE. A server that welcomes a client and
/// hangs up without answering looks the same from here; the story quotes
/// the line, so a reader can tell.
pub(super) fn turned_away(c: &Client) -> bool {
    !c.line.is_empty() && c.done == 0 && c.got == 0 && c.line_at.elapsed() <= GRACE
}

pub(super) fn turned_away_story(c: &Client) -> (Fail, String) {
    (
        Fail::TurnedAway,
        tr!("load-story-turned-away", id = c.id, line = shown(&c.line)),
    )
}

/// A client still in `MaybeTurnedAway` when GRACE or the run is over: the
/// server kept the connection open, so its line was a wrong reply.
pub(super) fn wrong_line(c: &mut Client) -> (Fail, String) {
    (Fail::Mismatch, mem::take(&mut c.wrong))
}

/// Adds `bytes` to a kept line, up to LINE_KEPT bytes in all.
pub(super) fn keep(line: &mut Vec<u8>, bytes: &[u8]) {
    let room = LINE_KEPT.saturating_sub(line.len());
    line.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// The one line that says what was wrong with a reply.
pub(super) fn mismatch(c: &Client, prefix: &[u8], chunk: &[u8], at: usize) -> String {
    let pos = c.got + at;
    let expected: Vec<u8> = prefix.iter().chain(&c.msg).copied().collect();
    let what = match expected.get(pos) {
        Some(&want) => tr!(
            "load-story-wrong-byte",
            pos = pos,
            got = [chunk[at]].escape_ascii().to_string(),
            want = [want].escape_ascii().to_string()
        ),
        None => tr!(
            "load-story-extra-bytes",
            extra = chunk.len() - at,
            len = expected.len()
        ),
    };
    tr!(
        "load-story-mismatch",
        id = c.id,
        message = c.done + 1,
        what = what,
        expected = shown(&expected),
        from = c.got,
        received = shown(chunk)
    )
}

pub(super) fn io_failure_connect(id: u64, plan: &Plan, e: &io::Error) -> (Fail, String) {
    connect_failure(id, plan.addr, e)
}

/// A connect that failed: refused (nothing listens, or a full accept queue)
/// counts apart, and running out of ports or descriptors says so, since
/// those are limits of this machine, not of the server.
pub(super) fn connect_failure(id: u64, addr: SocketAddr, e: &io::Error) -> (Fail, String) {
    let hint = match crate::narrate::os_error(e) {
        Some("EADDRNOTAVAIL") => format!(" ({})", tr!("load-out-of-ports")),
        Some("EMFILE" | "ENFILE") => format!(" ({})", tr!("load-out-of-fds")),
        _ => String::new(),
    };
    let kind = if e.kind() == io::ErrorKind::ConnectionRefused {
        Fail::Refused
    } else {
        Fail::Connect
    };
    let story = tr!(
        "load-story-connect",
        id = id,
        addr = addr,
        error = e.to_string()
    );
    (kind, format!("{story}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_a_line_of_its_own() {
        let full = b"Server full (1 client). Try again later.\n";
        let msg = b"abc\n";
        assert!(looks_like_refusal(b"OK...", msg, full));
        assert!(looks_like_refusal(b"", msg, full));
        for (not, why) in [
            (&b"OK...abd\n"[..], "starts as a reply"),
            (b"abc\n", "the message echoed without the prefix"),
            (b"You said: abc\n", "the message under another prefix"),
            (b"Server full", "no line end yet"),
            (b"Welcome\nOK...abc\n", "two lines"),
            (b"", "nothing"),
        ] {
            assert!(!looks_like_refusal(b"OK...", msg, not), "{why}");
        }
    }

    #[test]
    fn a_kept_line_stops_at_line_kept_bytes() {
        let mut line = Vec::new();
        keep(&mut line, &[b'a'; 40]);
        keep(&mut line, &[b'b'; 40]);
        assert_eq!(line.len(), LINE_KEPT);
        assert_eq!(line[39..41], *b"ab");
    }
}
