//! # socktool
//! A classic socket tutorial, run for real and narrated.
//!
//! Read it top down, the way a request travels:
//! ```text
//! main.rs      parse the command line, pick the step, turn errors into exit codes
//! cli.rs       every option, parsed into real types (clap)
//! target.rs    host, host:port and URL parsing (strict; fuzzed)
//! steps/       one module per tutorial step, in teaching order
//! tools/       not a step: load, many clients at once to measure the servers
//! client.rs    what client steps share: socket → resolve → connect
//! conn.rs      sendall and recv, traced and hex-dumped
//! lookup.rs    getaddrinfo / getnameinfo
//! serving.rs   what every server shares: listen, accept, per-client accounting, summary
//! limits.rs    the open-files limit (RLIMIT_NOFILE) busy programs raise
//! shutdown.rs  Ctrl-C and SIGTERM: a flag that server loops check
//! sockopt.rs   socket creation and socket options: the only socket2 user
//! narrate.rs   everything printed: tutorial lines, notes, trace, hex, errors
//! error.rs     every failure as a value, its message and exit code
//! meta.rs      not a step: shell completions and the man page
//! ```

pub mod cli;
pub mod client;
pub mod conn;
pub mod error;
pub mod limits;
pub mod lookup;
pub mod meta;
pub mod narrate;
pub mod serving;
pub mod shutdown;
pub mod sockopt;
pub mod steps;
pub mod target;
pub mod tools;

/// docs/*.md, compiled as doctests (STYLE §8).
#[cfg(doctest)]
pub mod lessons;
