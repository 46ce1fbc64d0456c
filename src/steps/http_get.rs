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
//! A real client would parse the reply's headers and stop at
//! `Content-Length` instead of waiting for the server to close, reuse the
//! connection for the next request, follow redirects and speak TLS.

use std::net::SocketAddr;
use std::net::TcpStream;

use crate::cli::HttpGetArgs;
use crate::client;
use crate::conn;
use crate::error::SockError;
use crate::narrate::Narrator;

/// The tutorial's request, byte for byte.
pub const TUTORIAL_REQUEST: &[u8] = b"GET / HTTP/1.1\r\n\r\n";

/// The tutorial's `recv(4096)`, kept by `--tutorial`.
const TUTORIAL_RECV: usize = 4096;

/// Each recv of a whole reply: large enough that system calls stop
/// mattering next to the copying (curl reads up to 100 KiB at a time).
const DEFAULT_RECV: usize = 64 * 1024;

pub fn run(args: &HttpGetArgs, say: &Narrator) -> Result<(), SockError> {
    let target = &args.target;
    let (mut stream, addr) = client::connect(
        &target.host,
        target.port,
        args.family.family(),
        args.timeout,
        say,
    )?;

    let request = if args.tutorial {
        if target.path != "/" {
            say.warn(format!(
                "--tutorial sends the tutorial's exact request for /; the path {} is not sent",
                target.path
            ));
        }
        TUTORIAL_REQUEST.to_vec()
    } else {
        request(args)
    };
    // Shown as curl -v shows it, so students see the lines they send.
    for line in String::from_utf8_lossy(&request).split("\r\n") {
        if !line.is_empty() {
            say.info(format!("> {line}"));
        }
    }
    conn::send_all(&mut stream, addr, &request, Some(args.timeout), say)?;
    say.step("Message sent successfully");

    let received = if args.tutorial {
        let size = args.recv_size.unwrap_or(TUTORIAL_RECV);
        receive_once(&mut stream, addr, args, size, say)
    } else {
        let size = args.recv_size.unwrap_or(DEFAULT_RECV);
        receive_all(&mut stream, addr, args, size, say)
    };
    // Closing happens when `stream` is dropped; narrate it in the tutorial's
    // order even when the reply ended in an error.
    drop(stream);
    say.trace("close", format_args!(""), "ok");
    received
}

/// `GET path HTTP/1.1` with the headers HTTP/1.1 asks of a client.
fn request(args: &HttpGetArgs) -> Vec<u8> {
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: socktool/{}\r\nConnection: close\r\n\r\n",
        args.target.path,
        args.target.host_header(),
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// The tutorial's `reply = s.recv(4096)`: one call, whatever it returns.
fn receive_once(
    stream: &mut TcpStream,
    addr: SocketAddr,
    args: &HttpGetArgs,
    recv_size: usize,
    say: &Narrator,
) -> Result<(), SockError> {
    let mut buf = vec![0u8; recv_size];
    let got = conn::recv(stream, addr, &mut buf, Some(args.timeout), say)?;
    let n = cap(got as u64, 0, args.max_bytes) as usize;
    say.data(&buf[..n])?;
    say.info(format!("Received {n} bytes in 1 recv call"));
    say.note(format!(
        "the tutorial makes one recv({}): it returns whatever has arrived, at most {} bytes, \
         so a longer reply is cut here; without Connection: close the server also keeps the \
         connection open, so reading on would wait",
        recv_size, recv_size
    ));
    over_limit(got as u64, args.max_bytes)
}

/// recv until the server closes (recv returns 0), streaming each piece to
/// stdout as it arrives so even a huge reply needs only one buffer.
fn receive_all(
    stream: &mut TcpStream,
    addr: SocketAddr,
    args: &HttpGetArgs,
    recv_size: usize,
    say: &Narrator,
) -> Result<(), SockError> {
    let mut buf = vec![0u8; recv_size];
    let mut total: u64 = 0;
    let mut calls: u64 = 0;
    let mut told_short = false;
    let progress = say.progress();
    loop {
        let n = conn::recv(stream, addr, &mut buf, Some(args.timeout), say)?;
        calls += 1;
        if n == 0 {
            break;
        }
        if n < buf.len() && !told_short {
            told_short = true;
            say.note(format!(
                "recv({}) returned {n} bytes: TCP is a stream, so a reply arrives in pieces of any size; keep calling recv",
                buf.len()
            ));
        }
        let keep = cap(n as u64, total, args.max_bytes) as usize;
        say.data(&buf[..keep])?;
        progress.advance(keep);
        total += keep as u64;
        if keep < n {
            drop(progress);
            say.info(format!("Received {total} bytes in {calls} recv calls"));
            return over_limit(total + (n - keep) as u64, args.max_bytes);
        }
    }
    drop(progress);
    say.note("recv returned 0: the server closed the connection, the reply is complete");
    say.info(format!("Received {total} bytes in {calls} recv calls"));
    Ok(())
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
