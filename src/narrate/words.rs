//! How numbers, durations, errors and bytes are put into words: one home
//! for each, so every line socktool prints says them the same way.

use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use super::Dir;

/// Seconds as a person writes them: `10s`, `0.5s`.
pub fn secs(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// `1 client`, `2 clients`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The OS's message for an error without Rust's ` (os error N)` suffix.
pub fn strerror(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => {
            let full = io::Error::from_raw_os_error(n).to_string();
            match full.rfind(" (os error") {
                Some(cut) => full[..cut].to_string(),
                None => full,
            }
        }
        None => e.to_string(),
    }
}

/// `ECONNREFUSED (Connection refused)`: the constant students will meet in
/// man pages, then the text.
pub fn describe_errno(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => format!("{} ({})", errno_name(n), strerror(e)),
        None => e.to_string(),
    }
}

/// The symbolic names of the errnos sockets produce.
pub fn errno_name(n: i32) -> String {
    let name = match n {
        libc::EAGAIN => "EAGAIN",
        libc::EINTR => "EINTR",
        libc::EINVAL => "EINVAL",
        libc::EBADF => "EBADF",
        libc::EACCES => "EACCES",
        libc::EPERM => "EPERM",
        libc::EMFILE => "EMFILE",
        libc::ENFILE => "ENFILE",
        libc::ENOBUFS => "ENOBUFS",
        libc::ENOMEM => "ENOMEM",
        libc::ENOSPC => "ENOSPC",
        libc::EPIPE => "EPIPE",
        libc::EPROTO => "EPROTO",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EINPROGRESS => "EINPROGRESS",
        libc::EALREADY => "EALREADY",
        libc::EISCONN => "EISCONN",
        libc::ENOTCONN => "ENOTCONN",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::ENETDOWN => "ENETDOWN",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        _ => return format!("errno {n}"),
    };
    name.to_string()
}

/// ```text
/// > sent 18 bytes
///   0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|
/// ```
pub fn hex_dump(dir: Dir, bytes: &[u8]) -> String {
    let mut out = match dir {
        Dir::Sent => format!("> sent {} bytes", bytes.len()),
        Dir::Received => format!("< received {} bytes", bytes.len()),
    };
    for (row, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "\n  {:04x} ", row * 16);
        for i in 0..16 {
            if i == 8 {
                out.push(' ');
            }
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('|');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_shows_crlf_and_pads_the_last_row() {
        let dump = hex_dump(Dir::Sent, b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(
            dump,
            "> sent 18 bytes\n  \
             0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|\n  \
             0010  0d 0a                                             |..|"
        );
    }

    #[test]
    fn errno_names() {
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(describe_errno(&e), "ECONNREFUSED (Connection refused)");
        assert_eq!(errno_name(9999), "errno 9999");
    }

    #[test]
    fn plurals_and_seconds() {
        assert_eq!(plural(1, "client"), "1 client");
        assert_eq!(plural(0, "client"), "0 clients");
        assert_eq!(secs(Duration::from_millis(500)), "0.5s");
    }
}
