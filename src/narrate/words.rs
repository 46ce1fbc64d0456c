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

/// How many terminal columns `text` takes: a Chinese character takes two.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` wrapped to lines of at most `width` columns, every line after
/// the first indented by `indent` spaces (it follows a label such as
/// `note: `). English breaks at spaces; Chinese, written without them,
/// may break between any two characters, but never before the punctuation
/// that closes a phrase (`,` `:` `)` `。`). A word longer than a line stays
/// whole.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        for (i, piece) in pieces(word).into_iter().enumerate() {
            // Pieces of one word join without a space; words with one.
            let gap = usize::from(i == 0);
            let len = self::width(piece);
            if line > 0 && line + gap + len > width {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                line = 0;
            } else if line > 0 && gap == 1 {
                out.push(' ');
                line += 1;
            }
            out.push_str(piece);
            line += len;
        }
    }
    out
}

/// A space-free word cut where a line may break: before and after each
/// wide (CJK) character, keeping closing punctuation on the piece before
/// it. An English word is one piece.
fn pieces(word: &str) -> Vec<&str> {
    let wide = |c: char| unicode_width::UnicodeWidthChar::width(c) == Some(2);
    let closing = |c: char| ",.:;!?)]}>，。、：；！？）】》".contains(c);
    let mut cuts = vec![0];
    let mut prev: Option<char> = None;
    for (i, c) in word.char_indices() {
        if let Some(p) = prev
            && (wide(c) || wide(p))
            && !closing(c)
        {
            cuts.push(i);
        }
        prev = Some(c);
    }
    cuts.push(word.len());
    cuts.windows(2).map(|w| &word[w[0]..w[1]]).collect()
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
/// man pages, then the text. On Windows the Unix name comes first too (the
/// lessons use it), then Windows' own name and number:
/// `ECONNREFUSED (WSAECONNREFUSED 10061: No connection could be made ...)`.
pub fn describe_errno(e: &io::Error) -> String {
    let Some(n) = e.raw_os_error() else {
        return e.to_string();
    };
    match (os_error_name(n), native_name(n)) {
        (Some(name), Some(native)) => format!("{name} ({native} {n}: {})", strerror(e)),
        (Some(name), None) => format!("{name} ({})", strerror(e)),
        (None, _) => format!("errno {n} ({})", strerror(e)),
    }
}

/// The name of an OS error number, as Unix spells it (`EMFILE`), on every
/// system: what code that reacts to a particular error matches on, so that
/// it reacts the same way on Windows, whose numbers differ.
pub fn errno_name(n: i32) -> String {
    os_error_name(n).map_or_else(|| format!("errno {n}"), str::to_string)
}

/// [`errno_name`] for an error, if it came from the OS and has a name.
pub fn os_error(e: &io::Error) -> Option<&'static str> {
    e.raw_os_error().and_then(os_error_name)
}

/// The errors sockets produce, by their Unix names.
#[cfg(unix)]
fn os_error_name(n: i32) -> Option<&'static str> {
    Some(match n {
        libc::EAGAIN => "EAGAIN",
        libc::EINTR => "EINTR",
        libc::EINVAL => "EINVAL",
        libc::EBADF => "EBADF",
        libc::EFAULT => "EFAULT",
        libc::EACCES => "EACCES",
        libc::EPERM => "EPERM",
        libc::EMFILE => "EMFILE",
        libc::ENFILE => "ENFILE",
        libc::ENOBUFS => "ENOBUFS",
        libc::ENOMEM => "ENOMEM",
        libc::ENOSPC => "ENOSPC",
        libc::EPIPE => "EPIPE",
        libc::EPROTO => "EPROTO",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
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
        libc::ENETRESET => "ENETRESET",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EHOSTDOWN => "EHOSTDOWN",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        libc::ESHUTDOWN => "ESHUTDOWN",
        _ => return None,
    })
}

/// Unix names its errors itself: no second name.
#[cfg(unix)]
fn native_name(_n: i32) -> Option<&'static str> {
    None
}

/// Windows' socket errors (WSAE..., `WSAGetLastError`) and the few file
/// errors a server meets, with the Unix name each corresponds to.
#[cfg(windows)]
const WINDOWS_ERRORS: &[(i32, &str, &str)] = &[
    (10004, "EINTR", "WSAEINTR"),
    (10009, "EBADF", "WSAEBADF"),
    (10013, "EACCES", "WSAEACCES"),
    (10014, "EFAULT", "WSAEFAULT"),
    (10022, "EINVAL", "WSAEINVAL"),
    (10024, "EMFILE", "WSAEMFILE"),
    (10035, "EAGAIN", "WSAEWOULDBLOCK"),
    (10036, "EINPROGRESS", "WSAEINPROGRESS"),
    (10037, "EALREADY", "WSAEALREADY"),
    (10038, "ENOTSOCK", "WSAENOTSOCK"),
    (10040, "EMSGSIZE", "WSAEMSGSIZE"),
    (10043, "EPROTONOSUPPORT", "WSAEPROTONOSUPPORT"),
    (10045, "EOPNOTSUPP", "WSAEOPNOTSUPP"),
    (10047, "EAFNOSUPPORT", "WSAEAFNOSUPPORT"),
    (10048, "EADDRINUSE", "WSAEADDRINUSE"),
    (10049, "EADDRNOTAVAIL", "WSAEADDRNOTAVAIL"),
    (10050, "ENETDOWN", "WSAENETDOWN"),
    (10051, "ENETUNREACH", "WSAENETUNREACH"),
    (10052, "ENETRESET", "WSAENETRESET"),
    (10053, "ECONNABORTED", "WSAECONNABORTED"),
    (10054, "ECONNRESET", "WSAECONNRESET"),
    (10055, "ENOBUFS", "WSAENOBUFS"),
    (10056, "EISCONN", "WSAEISCONN"),
    (10057, "ENOTCONN", "WSAENOTCONN"),
    (10058, "ESHUTDOWN", "WSAESHUTDOWN"),
    (10060, "ETIMEDOUT", "WSAETIMEDOUT"),
    (10061, "ECONNREFUSED", "WSAECONNREFUSED"),
    (10064, "EHOSTDOWN", "WSAEHOSTDOWN"),
    (10065, "EHOSTUNREACH", "WSAEHOSTUNREACH"),
    (8, "ENOMEM", "ERROR_NOT_ENOUGH_MEMORY"),
    (109, "EPIPE", "ERROR_BROKEN_PIPE"),
    (112, "ENOSPC", "ERROR_DISK_FULL"),
    (232, "EPIPE", "ERROR_NO_DATA"),
];

#[cfg(windows)]
fn os_error_name(n: i32) -> Option<&'static str> {
    WINDOWS_ERRORS
        .iter()
        .find(|e| e.0 == n)
        .map(|&(_, unix, _)| unix)
}

#[cfg(windows)]
fn native_name(n: i32) -> Option<&'static str> {
    WINDOWS_ERRORS
        .iter()
        .find(|e| e.0 == n)
        .map(|&(_, _, native)| native)
}

/// The first line of what a peer sent, for an error line: escaped
/// (`\r\n`, `\xff`) so that any bytes show as what they are, on one
/// line, cut at 60. Bytes are never round-tripped through lossy UTF-8.
pub fn first_line(bytes: &[u8]) -> String {
    let bytes = match bytes.iter().position(|&b| b == b'\n') {
        Some(nl) => &bytes[..=nl],
        None => bytes,
    };
    let mut shown = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: String = std::ascii::escape_default(b).map(char::from).collect();
        if shown.len() + escaped.len() > 57 && i + 1 < bytes.len() {
            shown.push_str("...");
            break;
        }
        shown.push_str(&escaped);
    }
    shown
}

/// ```text
/// > sent 18 bytes
///   0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|
/// ```
pub fn hex_dump(dir: Dir, bytes: &[u8]) -> String {
    let title = match dir {
        Dir::Sent => format!("> sent {} bytes", bytes.len()),
        Dir::Received => format!("< received {} bytes", bytes.len()),
    };
    hex_titled(&title, bytes)
}

/// [`hex_dump`] under any title.
pub fn hex_titled(title: &str, bytes: &[u8]) -> String {
    let mut out = title.to_string();
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
    #[cfg(unix)]
    fn errno_names() {
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(describe_errno(&e), "ECONNREFUSED (Connection refused)");
        assert_eq!(os_error(&e), Some("ECONNREFUSED"));
        assert_eq!(errno_name(9999), "errno 9999");
    }

    #[test]
    #[cfg(windows)]
    fn windows_errors_get_their_unix_name_first() {
        let e = io::Error::from_raw_os_error(10061);
        assert!(
            describe_errno(&e).starts_with("ECONNREFUSED (WSAECONNREFUSED 10061: "),
            "{}",
            describe_errno(&e)
        );
        assert_eq!(os_error(&e), Some("ECONNREFUSED"));
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    }

    #[test]
    fn wrapping_keeps_words_whole_and_indents_under_the_label() {
        assert_eq!(
            wrap("recv returned 0: the server closed the connection", 20, 6),
            "recv returned 0: the\n      server closed the\n      connection"
        );
        assert_eq!(wrap("short", 20, 6), "short");
        assert_eq!(
            wrap("a verylongwordindeed b", 5, 2),
            "a\n  verylongwordindeed\n  b"
        );
        // Chinese breaks between characters, two columns each, and never
        // before a closing `,` or `:`.
        assert_eq!(
            wrap("recv 返回 0:服务器关闭了连接", 12, 6),
            "recv 返回 0:\n      服务器关闭了\n      连接"
        );
        assert_eq!(wrap("服务器,关闭", 7, 0), "服务器,\n关闭");
        assert_eq!(width("说明:"), 5);
    }

    #[test]
    fn plurals_and_seconds() {
        assert_eq!(plural(1, "client"), "1 client");
        assert_eq!(plural(0, "client"), "0 clients");
        assert_eq!(secs(Duration::from_millis(500)), "0.5s");
    }
}
