//! # Step 3: http-get
//! Be a client: connect to a web server, send an HTTP request, print the reply.
//!
//! ```text
//! socket(AF_INET, SOCK_STREAM)
//! getaddrinfo(host)             -> ip
//! connect(ip:80)
//! sendall("GET / HTTP/1.1\r\n...\r\n")
//! recv(65536) -> n   ... repeated until ...   recv(65536) -> 0
//! close()
//! ```
//!
//! New since step 2: a connected socket is a two-way byte stream. What we
//! send is just bytes (HTTP is text with `\r\n` line ends); what comes back
//! arrives in pieces whose sizes say nothing about the message: one reply can
//! take one recv or a hundred. Only `recv` returning 0 says the server is
//! done, which is why the request asks for `Connection: close`.
//!
//! The tutorial sends `GET / HTTP/1.1\r\n\r\n` and calls `recv(4096)` once.
//! Both are quirks: HTTP/1.1 requires a `Host:` header (many servers answer
//! 400 without one), and one recv returns at most 4096 bytes, so a longer
//! reply is cut. `--tutorial` does exactly that, to see it happen; the
//! default sends a correct request and reads until the server closes.
//!
//! Reading until the close, the default asks for 64 KiB per recv, not
//! 4096: every recv is a system call and every piece one write to stdout,
//! so the tutorial's size makes 16 times as many of both. For a 1 GiB
//! download that was 0.68x curl's speed; 64 KiB matches curl (see
//! docs/PERFORMANCE.md). `--recv-size 4096` brings the tutorial's back, to
//! count the calls.
//!
//! Try it:
//! ```text
//! python3 -m http.server 8000 &
//! socktool http-get localhost:8000 > page.html
//! socktool http-get localhost:8000 --tutorial --trace
//! ```
//!
//! Reading until the close has one blind spot: a server that dies half-way
//! closes too, and what arrived looks whole. So the reply's header is
//! followed as it passes (`reply.rs`): a body shorter than its
//! `Content-Length` or its chunks promised is reported (exit 76), and so is
//! a peer that answers in something other than HTTP (the tutorial's own
//! line server greets with `Welcome to the server...`), at once instead of
//! after a timeout. `--timeout` bounds each call; `--max-time` (default 60
//! s) bounds the whole exchange, so a server that trickles a byte a second
//! cannot hold the client forever (exit 75).
//!
//! `https://` runs the same exchange inside TLS (`tls/`): a handshake on
//! the connected socket, then the same request and reply, encrypted. `-L`
//! follows redirects (`redirect.rs`), each hop a new connection; without
//! it nothing here changes.
//!
//! A real client would stop at the end the header announces instead of
//! waiting for the server to close, and reuse the connection for the next
//! request.

use std::net::SocketAddr;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::cli::HttpGetArgs;
use crate::client;
use crate::error::{Asker, Phase, SockError};
use crate::narrate::{Narrator, first_line};
use crate::target::Target;
use crate::tls::{self, Tls};
use crate::tr;

mod redirect;
mod reply;
use reply::{Broken, Reply};

/// The tutorial's request, byte for byte.
pub const TUTORIAL_REQUEST: &[u8] = b"GET / HTTP/1.1\r\n\r\n";

/// The tutorial's `recv(4096)`, kept by `--tutorial`.
const TUTORIAL_RECV: usize = 4096;

/// Each recv of a whole reply: large enough that system calls stop
/// mattering next to the copying (curl reads up to 100 KiB at a time).
const DEFAULT_RECV: usize = 64 * 1024;

pub fn run(args: &HttpGetArgs, say: &Narrator) -> Result<(), SockError> {
    let clock = Deadline {
        start: Instant::now(),
        max: args.max_time,
    };
    // TLS is set up before the first socket, so that a bad --cacert or
    // --keylog is said before anything connects; a plain http:// run that
    // -L sends to https:// sets it up then.
    let mut setup = match args.target.tls {
        true => Some(tls::Setup::new(&args.tls, Some(tls::HTTP_1_1))?),
        false => None,
    };
    let mut target = args.target.clone();
    let mut hops = 0;
    loop {
        if target.tls && setup.is_none() {
            setup = Some(tls::Setup::new(&args.tls, Some(tls::HTTP_1_1))?);
        }
        let Some(moved) = fetch(&target, setup.as_ref(), args, clock, say)? else {
            return Ok(());
        };
        target = redirect::follow(&target, moved, hops, args, say)?;
        hops += 1;
    }
}

/// One request on one connection: connect, TLS when https://, send, then
/// the reply to stdout. Returns where a redirect points, with -L.
fn fetch(
    target: &Target,
    setup: Option<&tls::Setup>,
    args: &HttpGetArgs,
    clock: Deadline,
    say: &Narrator,
) -> Result<Option<redirect::Moved>, SockError> {
    let (mut stream, addr) = client::connect(
        &target.host,
        target.port,
        args.family.family(),
        clock.bound(args.timeout),
        say,
    )
    .map_err(|e| clock.explain(e.asked_by(Asker::HttpGet), 0))?;
    // https://: the same socket, a TLS handshake first.
    let tls = match setup.filter(|_| target.tls) {
        Some(setup) => Some(
            Tls::handshake(
                &mut stream,
                addr,
                &target.host,
                setup,
                clock.bound(args.timeout),
                clock.start + clock.max,
                say,
            )
            .map_err(|e| clock.explain(e, 0))?,
        ),
        None => None,
    };

    let request = if args.tutorial {
        if target.path != "/" {
            say.warn(tr!("http-tutorial-path", path = target.path.as_str()));
        }
        TUTORIAL_REQUEST.to_vec()
    } else {
        request(target)
    };
    // Shown as curl -v shows it, so students see the lines they send.
    for line in String::from_utf8_lossy(&request).split("\r\n") {
        if !line.is_empty() {
            say.info(format!("> {line}"));
        }
    }
    let timeout = Some(clock.bound(args.timeout));
    match &tls {
        Some(tls) => tls.send_all(&mut stream, &request, timeout, say),
        None => client::send_all(&mut stream, addr, &request, timeout, say),
    }
    .map_err(|e| clock.explain(e, 0))?;
    say.step("Message sent successfully");

    let mut receiver = Receiver {
        stream: &mut stream,
        tls: tls.as_ref(),
        addr,
        args,
        clock,
        say,
    };
    let received = if args.tutorial {
        let size = args.recv_size.unwrap_or(TUTORIAL_RECV);
        receiver.once(size).map(|()| None)
    } else {
        let size = args.recv_size.unwrap_or(DEFAULT_RECV);
        receiver.all(size)
    };
    // Closing happens when `stream` is dropped; narrate it in the tutorial's
    // order even when the reply ended in an error.
    crate::sockopt::close(stream, say);
    received
}

/// `--max-time`: one clock for the whole exchange. Each call still gets
/// `--timeout`, but never more than what is left of `--max-time`.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    start: Instant,
    max: Duration,
}

impl Deadline {
    fn left(&self) -> Duration {
        self.max.saturating_sub(self.start.elapsed())
    }

    /// The timeout for the next call: `per_call`, or what is left if less
    /// (at least a millisecond: a socket timeout of 0 means "wait forever").
    fn bound(&self, per_call: Duration) -> Duration {
        per_call.min(self.left()).max(Duration::from_millis(1))
    }

    /// Names a timeout by what ran out: the whole `--max-time`, or one
    /// call's `--timeout` after `got` bytes of reply had come.
    fn explain(&self, e: SockError, got: u64) -> SockError {
        // The kernel's timer may fire a hair before ours says zero.
        let spent = self.start.elapsed() + Duration::from_millis(5) >= self.max;
        match e {
            SockError::Timeout { addr, .. } if spent => SockError::MaxTime {
                addr,
                after: self.max,
                got,
            },
            SockError::Timeout {
                addr,
                after,
                phase: Phase::Read,
            } if got > 0 => SockError::Stalled { addr, after, got },
            e => e,
        }
    }
}

/// The receiving half of the exchange: recv calls under the clock.
struct Receiver<'a> {
    stream: &'a mut TcpStream,
    /// https://: the reply comes out of TLS.
    tls: Option<&'a Tls>,
    addr: SocketAddr,
    args: &'a HttpGetArgs,
    clock: Deadline,
    say: &'a Narrator,
}

impl Receiver<'_> {
    /// One `recv`, bounded by `--timeout` and by what is left of
    /// `--max-time`. `got` is the reply's length so far, for the error.
    fn recv(&mut self, buf: &mut [u8], got: u64) -> Result<usize, SockError> {
        let timeout = Some(self.clock.bound(self.args.timeout));
        match self.tls {
            Some(tls) => tls.recv(self.stream, buf, timeout, None, self.say),
            None => client::recv(self.stream, self.addr, buf, timeout, None, self.say),
        }
        .map_err(|e| self.clock.explain(e, got))
    }

    /// The tutorial's `reply = s.recv(4096)`: one call, whatever it returns.
    fn once(&mut self, recv_size: usize) -> Result<(), SockError> {
        let mut buf = vec![0u8; recv_size];
        let got = self.recv(&mut buf, 0)?;
        let n = cap(got as u64, 0, self.args.max_bytes) as usize;
        self.say.data(&buf[..n])?;
        self.say.info(tr!("http-received", bytes = n, calls = 1));
        // Only whether it is HTTP at all: a cut reply is this mode's lesson.
        let mut reply = Reply::new();
        if let Err(broken) = reply.feed(&buf[..got]) {
            return Err(unreadable(broken, &reply, self.addr));
        }
        self.say.note(tr!("http-one-recv", size = recv_size));
        over_limit(got as u64, self.args.max_bytes)
    }

    /// recv until the server closes (recv returns 0), streaming each piece
    /// to stdout as it arrives so even a huge reply needs only one buffer,
    /// and following its framing to tell a whole reply from a cut one.
    /// With -L, the header is held back until it says whether it is a
    /// redirect; a redirect's body is not printed and not waited for.
    fn all(&mut self, recv_size: usize) -> Result<Option<redirect::Moved>, SockError> {
        let mut buf = vec![0u8; recv_size];
        let mut total: u64 = 0;
        let mut calls: u64 = 0;
        let mut told_short = false;
        let mut reply = Reply::new();
        let mut held: Option<Vec<u8>> = self.args.location.then(Vec::new);
        let progress = self.say.progress();
        loop {
            let n = self.recv(&mut buf, total)?;
            calls += 1;
            if n == 0 {
                break;
            }
            if n < buf.len() && !told_short {
                told_short = true;
                self.say
                    .note(tr!("http-short-recv", size = buf.len(), got = n));
            }
            let keep = cap(n as u64, total, self.args.max_bytes) as usize;
            match &mut held {
                Some(held) => held.extend_from_slice(&buf[..keep]),
                None => self.say.data(&buf[..keep])?,
            }
            progress.advance(keep);
            total += keep as u64;
            if keep < n {
                drop(progress);
                self.say
                    .info(tr!("http-received", bytes = total, calls = calls));
                if let Some(held) = held {
                    self.say.data(&held)?;
                }
                return over_limit(total + (n - keep) as u64, self.args.max_bytes).map(|()| None);
            }
            // What came is on stdout already; a peer that does not speak
            // HTTP is not waited for.
            if let Err(broken) = reply.feed(&buf[..n]) {
                drop(progress);
                if let Some(held) = held {
                    self.say.data(&held)?;
                }
                return Err(unreadable(broken, &reply, self.addr));
            }
            if held.is_some()
                && let Some(status) = reply.status()
            {
                if let Some(location) = reply.location().filter(|_| redirect::follows(status)) {
                    drop(progress);
                    return Ok(Some(redirect::Moved {
                        addr: self.addr,
                        status,
                        location,
                    }));
                }
                // Not a redirect: what was held goes out, the rest streams.
                self.say.data(&held.take().unwrap_or_default())?;
            }
        }
        drop(progress);
        if let Some(held) = held {
            self.say.data(&held)?;
        }
        if let Some(what) = reply.missing() {
            self.say
                .info(tr!("http-received", bytes = total, calls = calls));
            return Err(SockError::Incomplete {
                addr: self.addr,
                what,
            });
        }
        self.say.note(tr!("http-closed"));
        self.say
            .info(tr!("http-received", bytes = total, calls = calls));
        Ok(None)
    }
}

/// The error for a reply that cannot be read as HTTP.
fn unreadable(broken: Broken, reply: &Reply, addr: SocketAddr) -> SockError {
    match broken {
        Broken::NotHttp => SockError::NotHttp {
            addr,
            start: first_line(reply.head_so_far()),
        },
        Broken::Malformed(why) => SockError::BadReply { addr, why },
    }
}

/// `GET path HTTP/1.1` with the headers HTTP/1.1 asks of a client.
fn request(target: &Target) -> Vec<u8> {
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: socktool/{}\r\nConnection: close\r\n\r\n",
        target.path,
        target.host_header(),
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// How many of `n` new bytes fit under `--max-bytes` after `so_far`.
fn cap(n: u64, so_far: u64, max: Option<u64>) -> u64 {
    match max {
        Some(max) => n.min(max.saturating_sub(so_far)),
        None => n,
    }
}

fn over_limit(total: u64, max: Option<u64>) -> Result<(), SockError> {
    match max {
        Some(limit) if total > limit => Err(SockError::TooLarge { limit }),
        _ => Ok(()),
    }
}
