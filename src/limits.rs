//! Process limits a busy server or load generator meets first.
//!
//! Every socket is a file descriptor, and a process may hold only
//! `RLIMIT_NOFILE` of them. The soft limit (often 1024) is what applies; a
//! process may raise it up to the hard limit on its own, with no privileges.
//! Past it, `socket()` and `accept()` fail with EMFILE ("Too many open
//! files"), which looks like a network problem but is a bookkeeping one.

use std::io;

/// The open-files limit before and after raising it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    pub before: u64,
    pub after: u64,
    pub hard: u64,
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (setrlimit).
#[cfg(unix)]
pub fn raise_open_files() -> io::Result<OpenFiles> {
    let (before, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    let after = rlimit::increase_nofile_limit(u64::MAX)?;
    Ok(OpenFiles {
        before,
        after,
        hard,
    })
}

/// Windows has no such limit: a socket is a handle, and a process may hold
/// as many as memory allows (about 16 million).
#[cfg(windows)]
pub fn raise_open_files() -> io::Result<OpenFiles> {
    Err(io::ErrorKind::Unsupported.into())
}

/// The hard limit as a person reads it: `unlimited` for RLIM_INFINITY
/// (macOS reports it as 9223372036854775807).
pub fn shown(limit: u64) -> String {
    if limit >= i64::MAX as u64 {
        "unlimited".into()
    } else {
        limit.to_string()
    }
}
