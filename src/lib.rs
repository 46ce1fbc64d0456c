//! # socktool
//! A classic socket tutorial, run for real and narrated.
//!
//! Read it top down, the way a request travels:
//! ```text
//! main.rs      parse the command line, pick the step, turn errors into exit codes
//! cli.rs       every option, parsed into real types (clap)
//! target.rs    host, host:port and URL parsing (strict; fuzzed)
//! steps/       one module per tutorial step, in teaching order
//! tools/       not a step: load (many clients at once, to measure the servers),
//!              ladder (recordings drawn as one conversation), lab (whole
//!              conversations run in a private network, the wire captured)
//! client.rs    what client steps share: socket → resolve → connect, sendall, recv
//! tls/         TLS on that socket for http-get https:// and connect --tls:
//!              the handshake narrated, certificates, trust, records, key log
//! lookup.rs    getaddrinfo / getnameinfo
//! serving/     what every server shares, one idea a file: listening and
//!              accepting, a blocking conversation, a polled one, the event
//!              loop, goodbyes, how a conversation ends, the tutorial's
//!              protocol, the tallies, the addresses students type
//! limits.rs    the open-files limit (RLIMIT_NOFILE) busy programs raise
//! signals.rs   Ctrl-C and SIGTERM: a stop request and the doorbell every wait hears
//! sockopt.rs   every socket call, traced: the only socket2 user
//! record.rs    --record: every call --trace shows, as JSON lines for `ladder`
//! narrate/     everything printed: tutorial lines, notes, trace, hex, errors,
//!              and the queue that keeps a server's terminal from stalling it
//! error.rs     every failure as a value, its message and exit code
//! lang/        the language socktool speaks: locales/*.ftl, chosen by
//!              --lang or the locale; tr!("id") gives a message in it
//! meta.rs      not a step: shell completions and the man page
//! ```

pub mod cli;
pub mod client;
pub mod error;
pub mod lang;
pub mod limits;
pub mod lookup;
pub mod meta;
pub mod narrate;
pub mod record;
pub mod serving;
pub mod signals;
pub mod sockopt;
pub mod steps;
pub mod target;
pub mod tls;
pub mod tools;

/// docs/*.md, compiled as doctests (STYLE §8).
#[cfg(doctest)]
pub mod lessons;
