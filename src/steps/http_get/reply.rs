//! Where an HTTP reply ends, and whether all of it came.
//!
//! http-get reads until the server closes: only `recv` returning 0 says the
//! peer is done. But a close can come early (a server that crashed, a
//! connection cut half-way), and then the bytes that did arrive look just
//! like a whole reply. The reply's header says how long its body is, in one
//! of three ways (RFC 9112, section 6.3):
//!
//! ```text
//! Transfer-Encoding: chunked   chunks, each after its size in hex; size 0 ends it
//! Content-Length: N            exactly N bytes
//! neither                      everything until the server closes
//! ```
//!
//! [`Reply`] follows the bytes as they arrive, without keeping the body
//! (the step streams it to stdout), and says at the close what is missing.
//! It also notices at once when the peer does not speak HTTP at all, such as
//! the tutorial's own line server, which greets with `Welcome to the
//! server...` instead of `HTTP/1.1 200 OK`.
//!
//! A real client would also stop at the end the header announces instead
//! of waiting for the close, and keep the connection for the next request.

use crate::tr;

/// The longest header kept: far above what servers send (nginx refuses
/// request headers over 8 KiB), and a bound on memory if a peer never ends
/// its header.
pub const MAX_HEAD: usize = 64 * 1024;

/// Why the bytes cannot be an HTTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// They do not start with `HTTP/`: some other protocol answered.
    NotHttp,
    /// The header or a chunk size line is malformed; the text says how.
    Malformed(String),
}

/// How the body's end is known, once the header is in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    /// `Content-Length`: this many bytes are still to come.
    Length { promised: u64, left: u64 },
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunk),
    /// Neither: the close ends it, so it cannot be cut short.
    UntilClose,
    /// 1xx, 204 and 304 replies have no body at all.
    Empty,
}

/// Where a chunked body is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunk {
    /// Reading a size line (`1a3f`, maybe `;extension`, then CRLF).
    Size { line: Vec<u8> },
    /// Inside a chunk's data.
    Data { size: u64, left: u64 },
    /// After a chunk's data, reading the CRLF that closes it.
    DataEnd { seen_cr: bool },
    /// After the 0-size chunk: trailer lines until an empty one.
    Trailer { line: Vec<u8> },
    /// The empty line after the trailer: the body is whole.
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Collecting the header, up to its blank line.
    Head,
    Body(Body),
}

/// An HTTP reply, followed piece by piece as `recv` returns it.
#[derive(Debug, Clone)]
pub struct Reply {
    state: State,
    /// The header so far (at most [`MAX_HEAD`] bytes), kept until parsed.
    head: Vec<u8>,
    /// Once the header is in: its status code, and its Location header
    /// (which -L follows), if any.
    status: Option<u16>,
    location: Option<Vec<u8>>,
}

impl Default for Reply {
    fn default() -> Self {
        Reply::new()
    }
}

impl Reply {
    pub fn new() -> Reply {
        Reply {
            state: State::Head,
            head: Vec::new(),
            status: None,
            location: None,
        }
    }

    /// The status code, once the whole header has come.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The Location header's value as text, once the whole header has
    /// come; `None` without one, or when it is not ASCII (a URL is).
    pub fn location(&self) -> Option<String> {
        let value = self.location.as_ref()?;
        value
            .is_ascii()
            .then(|| String::from_utf8_lossy(value).trim().to_string())
    }

    /// The header bytes received so far, to show when the peer turns out
    /// not to speak HTTP.
    pub fn head_so_far(&self) -> &[u8] {
        &self.head
    }

    /// Follows the next piece of the reply.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Broken> {
        while !bytes.is_empty() {
            bytes = match &mut self.state {
                State::Head => self.feed_head(bytes)?,
                State::Body(Body::Length { left, .. }) => {
                    // Bytes past the promised length are the server's
                    // mistake, not a cut reply: they are not counted.
                    *left = left.saturating_sub(bytes.len() as u64);
                    &[]
                }
                State::Body(Body::Chunked(chunk)) => feed_chunked(chunk, bytes)?,
                State::Body(Body::UntilClose | Body::Empty) => &[],
            };
        }
        Ok(())
    }

    /// At the close: `None` when the reply is whole, or what is missing.
    pub fn missing(&self) -> Option<String> {
        match &self.state {
            State::Head if self.head.is_empty() => Some(tr!("reply-nothing")),
            State::Head => Some(tr!("reply-ended-in-head", got = self.head.len())),
            State::Body(Body::Length { promised, left }) if *left > 0 => Some(tr!(
                "reply-short",
                left = left,
                promised = promised,
                arrived = promised - left
            )),
            State::Body(Body::Chunked(chunk)) => match chunk {
                Chunk::Done => None,
                Chunk::Data { size, left } => {
                    Some(tr!("reply-mid-chunk", left = left, size = size))
                }
                Chunk::Size { .. } | Chunk::DataEnd { .. } => Some(tr!("reply-between-chunks")),
                Chunk::Trailer { .. } => Some(tr!("reply-in-trailer")),
            },
            State::Body(_) => None,
        }
    }

    /// Adds header bytes; once the blank line is in, reads the header and
    /// returns what follows it.
    fn feed_head<'a>(&mut self, bytes: &'a [u8]) -> Result<&'a [u8], Broken> {
        let before = self.head.len();
        let room = MAX_HEAD - before;
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        // Leading empty lines are tolerated before the status line (RFC
        // 9112, section 2.2); the rest must begin as HTTP/ does.
        let start = self
            .head
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .unwrap_or(self.head.len());
        let begun = &self.head[start..];
        let n = begun.len().min(5);
        if begun[..n] != b"HTTP/"[..n] {
            return Err(Broken::NotHttp);
        }
        let Some(end) = find_head_end(&self.head, start) else {
            if self.head.len() >= MAX_HEAD {
                return Err(Broken::Malformed(tr!(
                    "reply-head-too-long",
                    kib = MAX_HEAD / 1024
                )));
            }
            return Ok(&[]);
        };
        let head = parse_head(&self.head[start..end])?;
        self.state = State::Body(head.body);
        self.status = Some(head.status);
        self.location = head.location;
        // What of this piece came after the header belongs to the body.
        let used = end - before;
        Ok(&bytes[used..])
    }
}

/// Where the header ends: just past its blank line (CRLF CRLF, or bare LF
/// LF from a lenient server), searching from `from`.
fn find_head_end(head: &[u8], from: usize) -> Option<usize> {
    let text = &head[from..];
    let crlf = text
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = text.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(from + end)
}

/// What a header says: the status, where the body ends, where it points.
struct Head {
    status: u16,
    body: Body,
    location: Option<Vec<u8>>,
}

/// The status line, the two headers that say where the body ends, and
/// Location.
fn parse_head(head: &[u8]) -> Result<Head, Broken> {
    let malformed = |why: &str| Broken::Malformed(why.to_string());
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    // HTTP/1.1 200 OK: the code is the second word, three digits.
    let status = status_line
        .split(|&b| b == b' ')
        .nth(1)
        .filter(|code| code.len() == 3 && code.iter().all(u8::is_ascii_digit))
        .and_then(|code| std::str::from_utf8(code).ok()?.parse::<u16>().ok())
        .ok_or_else(|| malformed(&tr!("reply-no-status")))?;
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut location = None;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = &line[..colon];
        if name.eq_ignore_ascii_case(b"location") {
            location = Some(line[colon + 1..].to_vec());
            continue;
        }
        let value = String::from_utf8_lossy(&line[colon + 1..])
            .trim()
            .to_ascii_lowercase();
        if name.eq_ignore_ascii_case(b"content-length") {
            let n = value
                .parse::<u64>()
                .map_err(|_| malformed(&tr!("reply-bad-length")))?;
            if length.is_some_and(|l| l != n) {
                return Err(malformed(&tr!("reply-two-lengths")));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            // Only the last coding decides whether chunks frame the body.
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|c| c.trim() == "chunked");
        }
    }
    let body = if (100..200).contains(&status) || status == 204 || status == 304 {
        Body::Empty
    } else if chunked {
        // Chunked wins over a Content-Length (RFC 9112, section 6.3).
        Body::Chunked(Chunk::Size { line: Vec::new() })
    } else if let Some(n) = length {
        Body::Length {
            promised: n,
            left: n,
        }
    } else {
        Body::UntilClose
    };
    Ok(Head {
        status,
        body,
        location,
    })
}

/// The longest chunk-size or trailer line kept.
const MAX_LINE: usize = 8 * 1024;

/// Follows a chunked body through `bytes`; returns what is left of them
/// after the state changed (or nothing, when all were used).
fn feed_chunked<'a>(chunk: &mut Chunk, bytes: &'a [u8]) -> Result<&'a [u8], Broken> {
    let in_size_line = matches!(chunk, Chunk::Size { .. });
    match chunk {
        Chunk::Size { line } | Chunk::Trailer { line } => {
            let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
                line.extend_from_slice(bytes);
                if line.len() > MAX_LINE {
                    return Err(Broken::Malformed(tr!("reply-endless-line")));
                }
                return Ok(&[]);
            };
            line.extend_from_slice(&bytes[..nl]);
            let text = line.strip_suffix(b"\r").unwrap_or(line);
            let next = if in_size_line {
                match chunk_size(text)? {
                    0 => Chunk::Trailer { line: Vec::new() },
                    size => Chunk::Data { size, left: size },
                }
            } else if text.is_empty() {
                // An empty line ends the trailer, and the body with it.
                Chunk::Done
            } else {
                Chunk::Trailer { line: Vec::new() }
            };
            *chunk = next;
            Ok(&bytes[nl + 1..])
        }
        Chunk::Data { left, .. } => {
            let take = bytes
                .len()
                .min(usize::try_from(*left).unwrap_or(usize::MAX));
            *left -= take as u64;
            if *left == 0 {
                *chunk = Chunk::DataEnd { seen_cr: false };
            }
            Ok(&bytes[take..])
        }
        Chunk::DataEnd { seen_cr } => {
            // The CRLF after the data (a lenient server may send LF alone);
            // anything else means the chunk was longer than its size said.
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b'\n' => {
                        *chunk = Chunk::Size { line: Vec::new() };
                        return Ok(&bytes[i + 1..]);
                    }
                    b'\r' if !*seen_cr => *seen_cr = true,
                    _ => {
                        return Err(Broken::Malformed(tr!("reply-long-chunk")));
                    }
                }
            }
            Ok(&[])
        }
        Chunk::Done => Ok(&[]),
    }
}

/// `1a3f` or `1a3f;name=value`: the chunk's size in hex.
fn chunk_size(line: &[u8]) -> Result<u64, Broken> {
    let hex = line.split(|&b| b == b';').next().unwrap_or_default();
    let hex = std::str::from_utf8(hex).unwrap_or("").trim();
    u64::from_str_radix(hex, 16).map_err(|_| Broken::Malformed(tr!("reply-bad-chunk-size")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `reply` in pieces of `step` bytes, as recv might return it.
    fn follow(reply: &[u8], step: usize) -> Result<Reply, Broken> {
        let mut r = Reply::new();
        for piece in reply.chunks(step) {
            r.feed(piece)?;
        }
        Ok(r)
    }

    fn missing(reply: &[u8]) -> Option<String> {
        // The verdict must not depend on where recv happened to cut.
        let whole = follow(reply, reply.len().max(1)).unwrap().missing();
        for step in [1, 2, 3, 7] {
            assert_eq!(follow(reply, step).unwrap().missing(), whole, "step {step}");
        }
        whole
    }

    #[test]
    fn whole_replies_miss_nothing() {
        for reply in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"[..],
            b"HTTP/1.0 200 OK\r\n\r\nuntil the close",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nExpires: never\r\n\r\n",
            b"\r\nHTTP/1.1 200 OK\ncontent-length: 2\n\nok",
        ] {
            assert_eq!(missing(reply), None, "{}", String::from_utf8_lossy(reply));
        }
    }

    #[test]
    fn cut_replies_say_what_is_missing() {
        for (reply, says) in [
            (&b""[..], "without sending any reply"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Le",
                "ended in its header, after 27 bytes",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789",
                "990 bytes short: its header promised a body of 1000 bytes (Content-Length), 10 arrived",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123",
                "in the middle of a chunk (Transfer-Encoding: chunked): 6 of its 10 bytes missing",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n",
                "the chunk of size 0 that ends the body never came",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
                "in the trailer",
            ),
        ] {
            let got = missing(reply).unwrap_or_default();
            assert!(got.contains(says), "{got}");
        }
    }

    #[test]
    fn another_protocol_is_noticed_from_its_first_bytes() {
        let mut r = Reply::new();
        assert_eq!(
            r.feed(b"Welcome to the server. Type something and hit enter\n"),
            Err(Broken::NotHttp)
        );
        assert_eq!(Reply::new().feed(b"H"), Ok(()));
        assert_eq!(Reply::new().feed(b"HTTX"), Err(Broken::NotHttp));
    }

    #[test]
    fn malformed_framing_is_refused() {
        for reply in [
            &b"HTTP/1.1 OK\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n",
        ] {
            assert!(
                matches!(follow(reply, 3), Err(Broken::Malformed(_))),
                "{}",
                String::from_utf8_lossy(reply)
            );
        }
    }

    #[test]
    fn status_and_location_once_the_header_is_in() {
        let mut r = Reply::new();
        r.feed(b"HTTP/1.1 301 Moved Permanently\r\nLocation:  https://h/x \r\n")
            .unwrap();
        assert_eq!((r.status(), r.location()), (None, None));
        r.feed(b"Content-Length: 0\r\n\r\n").unwrap();
        assert_eq!(r.status(), Some(301));
        assert_eq!(r.location().as_deref(), Some("https://h/x"));
        let mut odd = Reply::new();
        odd.feed(b"HTTP/1.1 302 Found\r\nLocation: /\xff\r\n\r\n")
            .unwrap();
        assert_eq!(odd.location(), None, "not ASCII");
    }

    #[test]
    fn an_endless_header_is_bounded() {
        let mut r = Reply::new();
        r.feed(b"HTTP/1.1 200 OK\r\n").unwrap();
        let filler = vec![b'x'; MAX_HEAD];
        assert!(matches!(r.feed(&filler), Err(Broken::Malformed(_))));
    }
}
