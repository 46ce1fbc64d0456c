//! The scenarios, one file each, each a conversation that shows one thing
//! about TCP or UDP that no single call's result does. Each file reads top
//! to bottom as the conversation goes; its module doc draws what to look
//! for in the ladder.
//!
//! Each end is a real tutorial step where one does what the scenario
//! needs (`serve-once`, `connect`, `udp-send` as child processes), and the
//! scenario's own few calls otherwise (`ends.rs` says why).

use super::ends::Lab;
use crate::error::SockError;

mod backlog_full;
mod echo;
mod half_close;
mod handshake;
mod nagle;
mod refused;
mod reset;
mod time_wait;
mod udp;

/// One scenario: its name on the command line, its lesson in one line.
pub struct Scenario {
    pub name: &'static str,
    pub lesson: &'static str,
    pub run: fn(&mut Lab) -> Result<(), SockError>,
}

/// Every scenario, in the order `--list` shows them: the life of a
/// connection first, then what goes wrong, then the timing lessons, then
/// UDP.
pub const ALL: &[Scenario] = &[
    Scenario {
        name: "handshake",
        lesson: "connect sends SYN, the listening kernel answers SYN-ACK, the ACK completes it: accept only takes a finished connection",
        run: handshake::run,
    },
    Scenario {
        name: "echo",
        lesson: "the tutorial's serve-once conversation: connect, send, the echo, and the server closes first",
        run: echo::run,
    },
    Scenario {
        name: "half-close",
        lesson: "shutdown(SHUT_WR) sends a FIN, and the server still answers: the other direction stays open",
        run: half_close::run,
    },
    Scenario {
        name: "reset",
        lesson: "SO_LINGER 0 turns close into a reset (RST): the peer's recv fails with ECONNRESET",
        run: reset::run,
    },
    Scenario {
        name: "refused",
        lesson: "a socket bound but not listening: the SYN is answered by RST, and connect fails with ECONNREFUSED",
        run: refused::run,
    },
    Scenario {
        name: "backlog-full",
        lesson: "listen(1) and three clients: the full accept queue drops the third SYN, which is retransmitted a second later",
        run: backlog_full::run,
    },
    Scenario {
        name: "time-wait",
        lesson: "whoever closes first keeps TIME_WAIT for 60 s: the server in one conversation, the client in the next",
        run: time_wait::run,
    },
    Scenario {
        name: "nagle",
        lesson: "two small writes: Nagle holds the second until the peer's delayed ACK (~40 ms); TCP_NODELAY sends it at once",
        run: nagle::run,
    },
    Scenario {
        name: "udp",
        lesson: "datagrams: no handshake, no ACK, no FIN; one sendto is one datagram is one recvfrom",
        run: udp::run,
    },
];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.name == name)
}

/// Every scenario's name, for the error that lists them.
pub fn names() -> String {
    ALL.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
