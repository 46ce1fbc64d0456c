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
use crate::tr;

mod backlog_full;
mod echo;
mod half_close;
mod handshake;
mod nagle;
mod refused;
mod reset;
mod time_wait;
mod udp;

/// One scenario: its name on the command line, its lesson in one line
/// (in the student's language: `lab-lesson-NAME` in locales/).
pub struct Scenario {
    pub name: &'static str,
    pub lesson: fn() -> String,
    pub run: fn(&mut Lab) -> Result<(), SockError>,
}

/// Every scenario, in the order `--list` shows them: the life of a
/// connection first, then what goes wrong, then the timing lessons, then
/// UDP.
pub const ALL: &[Scenario] = &[
    Scenario {
        name: "handshake",
        lesson: || tr!("lab-lesson-handshake"),
        run: handshake::run,
    },
    Scenario {
        name: "echo",
        lesson: || tr!("lab-lesson-echo"),
        run: echo::run,
    },
    Scenario {
        name: "half-close",
        lesson: || tr!("lab-lesson-half-close"),
        run: half_close::run,
    },
    Scenario {
        name: "reset",
        lesson: || tr!("lab-lesson-reset"),
        run: reset::run,
    },
    Scenario {
        name: "refused",
        lesson: || tr!("lab-lesson-refused"),
        run: refused::run,
    },
    Scenario {
        name: "backlog-full",
        lesson: || tr!("lab-lesson-backlog-full"),
        run: backlog_full::run,
    },
    Scenario {
        name: "time-wait",
        lesson: || tr!("lab-lesson-time-wait"),
        run: time_wait::run,
    },
    Scenario {
        name: "nagle",
        lesson: || tr!("lab-lesson-nagle"),
        run: nagle::run,
    },
    Scenario {
        name: "udp",
        lesson: || tr!("lab-lesson-udp"),
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
