//! What every server step shares, one idea a file:
//!
//! ```text
//! listen.rs     socket → setsockopt → bind → listen, the readiness line,
//!               and waiting for clients (accept) without missing Ctrl-C
//! conn.rs       one client on a blocking conversation: recv, sendall,
//!               close (serve-once, serve-loop, serve-threaded)
//! polled.rs     one client of an event loop: non-blocking recv and send,
//!               replies kept until the socket is writable (serve-poll)
//! juggler.rs    the event loop itself: epoll, accepting, turns, clocks,
//!               goodbyes, stopping (serve-poll, serve-chat)
//! farewell.rs   goodbyes that take time, on a thread of their own, so the
//!               accept loop never waits for one (serve-threaded)
//! ending.rs     how a conversation ends: who closed first, and why
//! protocol.rs   the tutorial's welcome line and its "OK..." prefix
//! reach.rs      the addresses students type to reach a server on every
//!               interface
//! tally.rs      who is connected now, served, turned away, bytes each way
//! ```
//!
//! Three promises hold for every server, whatever its clients or its
//! terminal do:
//! - **Nothing waits where it must not.** Waiting happens in `poll`, on a
//!   socket and on the stop doorbell at once (`signals.rs`,
//!   `sockopt::wait`), never inside `accept` or `recv`; the terminal is
//!   written by threads of its own (`narrate`); a goodbye never holds up
//!   the accept loop or the event loop.
//! - **Ctrl-C always works.** The first stops accepting and closes every
//!   client at once, in parallel: a reply already being sent still goes
//!   out while the client takes it ([`LAST_REPLY`]), and the whole stop
//!   takes at most [`STOPPING`] plus that. The second exits at once with
//!   the summary so far.
//! - **Bytes received are answered**, unless the client stops reading.

use std::sync::Arc;
use std::time::Duration;

use crate::cli::ServeOpts;
use crate::narrate::Narrator;
use crate::signals::Stop;

mod conn;
mod ending;
mod farewell;
mod juggler;
mod listen;
mod polled;
pub mod protocol;
pub mod reach;
mod tally;

pub use conn::Conn;
pub use ending::Ending;
pub use farewell::Farewells;
pub use juggler::{Juggler, READS_PER_TURN, Talk, event_loop};
pub use listen::{Accepted, Listener, Next, listen, start};
pub use polled::{CALLS, Kept, OUT_CAP, PolledConn, TOTAL_CAP};
pub use protocol::Protocol;
pub use tally::{Live, Tally};

use crate::error::{Phase, SockError};

/// Once the server is stopping, how long a reply still being sent may go
/// without the client taking a byte before the server gives up on it. A
/// client that reads gets its whole reply; one that does not cannot hold
/// the server's exit.
pub const LAST_REPLY: Duration = Duration::from_millis(500);

/// The longest a stop takes, from Ctrl-C to the summary, whatever the
/// clients do: replies being sent, goodbyes and gentle closes all happen
/// within it (plus [`LAST_REPLY`] for a reply that was still moving).
pub const STOPPING: Duration = Duration::from_secs(2);

/// How long a gentle close waits for the client's side of the goodbye
/// (its FIN, or its kernel's acknowledgement of our last bytes) when the
/// server is not stopping.
pub const GOODBYE: Duration = Duration::from_millis(500);

/// The `--idle-timeout` of the servers that hold many clients at once
/// (serve-threaded, serve-poll) unless told otherwise: ten minutes, longer
/// than a pause in a lecture, shorter than a laptop left open overnight.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// How long a `--nonblocking` server sleeps after EAGAIN before it asks
/// again. A real non-blocking server never sleeps: it asks the kernel which
/// sockets are ready (select, poll, epoll), the step after threads.
pub const RETRY: Duration = Duration::from_millis(500);

/// What a server knows that each of its conversations needs: how to stop,
/// the limits on a client, the tallies, the narrator. Cheap to clone.
#[derive(Clone)]
pub struct Server {
    pub stop: Stop,
    pub limits: Limits,
    pub tally: Arc<Tally>,
    pub say: Narrator,
}

impl Server {
    /// The error a server ends with when nobody came for `--accept-timeout`.
    pub fn accept_timed_out(&self, addr: std::net::SocketAddr, after: Duration) -> SockError {
        SockError::ServerTimeout {
            phase: Phase::Accept,
            addr,
            after,
            option: self.limits.accept_option,
        }
    }
}

/// The limits a server puts on each client, one per phase.
#[derive(Debug, Clone)]
pub struct Limits {
    /// `--idle-timeout`: silence before a client is dropped.
    pub idle: Option<Duration>,
    /// `--send-timeout`: how long a reply may make no progress.
    pub send: Option<Duration>,
    /// `--accept-timeout`: how long the server waits for a client when
    /// nobody is connected.
    pub accept: Option<Duration>,
    /// The flags that set `idle`, `send` and `accept`, for the leave line
    /// and the error (the old `--timeout` sets all three).
    pub idle_option: &'static str,
    pub send_option: &'static str,
    pub accept_option: &'static str,
    /// `--nonblocking`: no waiting in poll; retry after [`RETRY`] and say
    /// so each time (the lesson of what polling by hand costs).
    pub retry: bool,
    /// `--nodelay`: TCP_NODELAY on every client socket.
    pub nodelay: bool,
}

impl Limits {
    /// The limits `opts` asks for; `idle_default` is this server's own
    /// default for `--idle-timeout`.
    pub fn from_opts(opts: &ServeOpts, idle_default: Option<Duration>) -> Limits {
        let t = &opts.timeouts;
        let (idle, idle_option) = match (t.idle_timeout, t.timeout) {
            (Some(i), _) => (Some(i), "--idle-timeout"),
            (None, Some(all)) => (Some(all), "--timeout"),
            (None, None) => (idle_default, "--idle-timeout"),
        };
        let (send, send_option) = match (t.send_timeout, t.timeout) {
            (Some(s), _) => (Some(s), "--send-timeout"),
            (None, Some(all)) => (Some(all), "--timeout"),
            (None, None) => (None, "--send-timeout"),
        };
        Limits {
            idle,
            send,
            accept: t.accept_timeout.or(t.timeout),
            idle_option,
            send_option,
            accept_option: match t.accept_timeout {
                Some(_) => "--accept-timeout",
                None => "--timeout",
            },
            retry: opts.nonblocking,
            nodelay: opts.nodelay,
        }
    }
}
