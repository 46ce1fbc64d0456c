//! How a client's conversation ends, when it does not end well: which
//! [`Fail`] it counts as, and the one sentence that tells it (the client,
//! and what it saw), so the summary can quote the first of each kind.

use std::io;
use std::net::SocketAddr;

use super::Plan;
use super::check::shown;
use super::client::Client;
use super::report::Fail;

/// A failed socket call. A reset or a broken pipe is the server closing.
pub(super) fn io_fail(c: &Client, what: &str, e: &io::Error) -> (Fail, String) {
    let kind = match e.kind() {
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionAborted => Fail::Closed,
        _ => Fail::Io,
    };
    (kind, format!("client {}: {what}: {e}", c.id))
}

/// The one line that says what was wrong with a reply.
pub(super) fn mismatch(c: &Client, prefix: &[u8], chunk: &[u8], at: usize) -> String {
    let pos = c.got + at;
    let expected: Vec<u8> = prefix.iter().chain(&c.msg).copied().collect();
    let what = match expected.get(pos) {
        Some(&want) => format!(
            "reply byte {pos} is '{}', expected '{}'",
            [chunk[at]].escape_ascii(),
            [want].escape_ascii()
        ),
        None => format!(
            "{} bytes more than the {}-byte reply",
            chunk.len() - at,
            expected.len()
        ),
    };
    format!(
        "client {}, message {}: {what} (expected \"{}\", received from byte {}: \"{}\")",
        c.id,
        c.done + 1,
        shown(&expected),
        c.got,
        shown(chunk)
    )
}

pub(super) fn io_failure_connect(id: u64, plan: &Plan, e: &io::Error) -> (Fail, String) {
    connect_failure(id, plan.addr, e)
}

/// A connect that failed: refused (nothing listens, or a full accept queue)
/// counts apart, and running out of ports or descriptors says so, since
/// those are limits of this machine, not of the server.
pub(super) fn connect_failure(id: u64, addr: SocketAddr, e: &io::Error) -> (Fail, String) {
    let hint = match e.raw_os_error() {
        Some(libc::EADDRNOTAVAIL) => " (out of ephemeral ports: spread clients with --sources N)",
        Some(libc::EMFILE) | Some(libc::ENFILE) => " (out of file descriptors)",
        _ => "",
    };
    let kind = if e.kind() == io::ErrorKind::ConnectionRefused {
        Fail::Refused
    } else {
        Fail::Connect
    };
    (kind, format!("client {id}: connect to {addr}: {e}{hint}"))
}
