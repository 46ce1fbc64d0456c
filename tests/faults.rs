//! Faults every server must survive, tried against each server from one
//! table ([`TCP_SERVERS`]). Real sockets
//! on 127.0.0.1 port 0, readiness from the listening line, every loop
//! bounded in count and time.
//!
//! What each design can promise, and so what is tested:
//!
//! | fault | serve-once | serve-loop | serve-threaded (and serve-poll) |
//! |---|---|---|---|
//! | a client resets | it ends with the summary, exit 0 or 74 | the next client is served | only that client's thread notices, mid-reply; the others get every reply |
//! | a client half-closes | it gets its whole echo | it gets its whole reply | it gets every reply, however many recvs its data took |
//! | a client floods and never reads | one recv is echoed, then exit 0 | one recv is answered, then the next client | it stalls only its own thread; Ctrl-C still ends the server |
//! | a client says nothing | `--timeout` ends the server (75) | `--timeout` drops it, the next is served; without it everyone waits (the tutorial's lesson) | it holds only a thread; the others are served |
//! | 10,000 connect/close cycles | (one client only) | no fd, no thread leaked | no fd, no thread leaked |
//! | random binary data | echoed byte for byte | `OK...` + the first recv | `OK...` + each recv, every byte |
//! | SIGINT/SIGTERM mid-reply | (a one-recv reply always fits in the kernel's buffers, so it is already on its way) | same | the reply in flight is finished, then the summary |
//! | stdout and stderr closed | replies intact, exit 0 | same | same |
//! | stdout that nobody reads (`\| less`, unscrolled) | (one small record per client: the console's queue holds it) | same | every reply arrives; records past the console's 1 MiB queue are dropped and counted; Ctrl-C still ends it at once |
//! | the backlog overflows | clients left in the queue are reset when it exits | every client is served (late ones after a SYN retry) | every client is served |
//!
//! udp-serve has no connections, so reset, half-close and backlog do not
//! apply; it is tested for exact bytes, closed stdout/stderr, a stdout
//! nobody reads, a flooding sender and a sender that vanished.

// Signals, /proc, rlimits and namespaces: Unix only (see tests/common/mod.rs).
#![cfg(unix)]

mod common;
use common::*;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::process::{Child, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// How a TCP server talks, and what its design lets it promise.
#[derive(Debug, Clone, Copy)]
struct Design {
    step: &'static str,
    /// The line each client gets first ("" for none).
    welcome: &'static [u8],
    /// What each reply starts with, before the client's own bytes.
    prefix: &'static [u8],
    /// Serves many clients at once and answers every recv; otherwise one
    /// client at a time, one recv and one reply each.
    concurrent: bool,
    /// Stops after its first client.
    once: bool,
}

const WELCOME: &[u8] = b"Welcome to the server. Type something and hit enter\n";

const SERVE_ONCE: Design = Design {
    step: "serve-once",
    welcome: b"",
    prefix: b"",
    concurrent: false,
    once: true,
};
const SERVE_LOOP: Design = Design {
    step: "serve-loop",
    welcome: b"",
    prefix: b"OK...",
    concurrent: false,
    once: false,
};
const SERVE_THREADED: Design = Design {
    step: "serve-threaded",
    welcome: WELCOME,
    prefix: b"OK...",
    concurrent: true,
    once: false,
};

const SERVE_POLL: Design = Design {
    step: "serve-poll",
    ..SERVE_THREADED
};

/// Every TCP server. A new one is one more line here.
const TCP_SERVERS: &[Design] = &[SERVE_ONCE, SERVE_LOOP, SERVE_THREADED, SERVE_POLL];

impl Design {
    /// `socktool STEP --port 0 EXTRA...`, its stdout read on a thread of its
    /// own so a chatty server never blocks on a full pipe.
    fn start(&self, extra: &[&str]) -> Server {
        let mut args = vec![self.step, "--port", "0"];
        args.extend_from_slice(extra);
        let mut server = start_server(&args);
        drop(server.stdout_in_background());
        server
    }

    /// A connected client, past the welcome line.
    fn greet(&self, server: &Server) -> TcpStream {
        let mut c = server.connect();
        if !self.welcome.is_empty() {
            assert_eq!(read_exact(&mut c, self.welcome.len()), self.welcome);
        }
        c
    }

    fn reply(&self, data: &[u8]) -> Vec<u8> {
        [self.prefix, data].concat()
    }

    /// A client that does everything right: connects, sends one line, gets
    /// its whole reply, leaves, and sees the server close after it.
    fn well_behaved(&self, server: &Server, line: &[u8]) {
        let mut c = self.greet(server);
        c.write_all(line).unwrap();
        let reply = if self.concurrent {
            // It answers and waits for more: we leave first.
            let reply = read_exact(&mut c, self.prefix.len() + line.len());
            c.shutdown(Shutdown::Write).unwrap();
            assert_eq!(read_until_closed(&mut c), b"", "{}", self.step);
            reply
        } else {
            read_until_closed(&mut c)
        };
        assert_eq!(reply, self.reply(line), "{}", self.step);
    }
}

/// Everything until the peer closes; a reset fails the test.
fn read_until_closed(c: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("reading (got {} bytes so far): {e}", out.len()),
        }
    }
}

/// Like [`read_until_closed`], but a reset after the data also ends it: a
/// client that still had bytes on their way to a server that stopped
/// reading them is reset on close, after its reply was delivered.
fn read_until_closed_or_reset(c: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return out,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("reading (got {} bytes so far): {e}", out.len()),
        }
    }
}

/// Writes a recognisable pattern until the peer stops taking it for a
/// whole second (it is no longer reading) or `limit` bytes went out.
/// Returns what was written.
fn write_until_stalled(c: &mut TcpStream, limit: usize) -> Vec<u8> {
    c.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
    let chunk: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let mut sent = Vec::new();
    let started = Instant::now();
    while sent.len() < limit && started.elapsed() < PATIENCE {
        match c.write(&chunk) {
            Ok(n) => sent.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                c.set_write_timeout(Some(PATIENCE)).unwrap();
                return sent;
            }
            Err(e) => panic!("flood: {e}"),
        }
    }
    panic!(
        "the server kept reading {} bytes without a stall",
        sent.len()
    );
}

/// Writes on a thread until the server closes or resets the connection
/// (or `PATIENCE` passes); returns how many bytes went out and whether an
/// error ended it.
fn flood(mut c: TcpStream) -> JoinHandle<(usize, bool)> {
    thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            match c.write(&chunk) {
                Ok(n) => sent += n,
                Err(_) => return (sent, true),
            }
        }
        (sent, false)
    })
}

/// Checks that `reply` is `prefix + chunk` repeated, where the chunks,
/// each 1 to `recv_size` bytes, are exactly `data` in order: what a server
/// that answers every recv must send back. Returns the chunk count, or
/// `None` if no such split exists.
fn parse_replies(reply: &[u8], prefix: &[u8], data: &[u8], recv_size: usize) -> Option<usize> {
    if reply.is_empty() {
        return data.is_empty().then_some(0);
    }
    let rest = reply.strip_prefix(prefix)?;
    // A chunk can only be as long as `rest` and `data` agree.
    let agree = rest
        .iter()
        .zip(data)
        .take(recv_size)
        .take_while(|(a, b)| a == b)
        .count();
    // The longest first: one reply per write is the usual case.
    (1..=agree).rev().find_map(|len| {
        let after = &rest[len..];
        if !after.is_empty() && !after.starts_with(prefix) {
            return None;
        }
        parse_replies(after, prefix, &data[len..], recv_size).map(|n| n + 1)
    })
}

/// The server's file descriptors and threads, from /proc.
/// Ctrl-C, then exit 0 within 5 s: a server stops promptly whatever its
/// clients are doing.
fn ctrl_c_ends_it_promptly(server: &mut Server, what: &str) {
    let asked = Instant::now();
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0), "{what}");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{what}: exit took {:?}",
        asked.elapsed()
    );
}

fn fds_and_threads(pid: u32) -> (usize, usize) {
    let count = |what: &str| {
        std::fs::read_dir(format!("/proc/{pid}/{what}"))
            .unwrap_or_else(|e| panic!("/proc/{pid}/{what}: {e}"))
            .count()
    };
    (count("fd"), count("task"))
}

#[test]
fn a_client_that_resets_mid_reply_costs_only_itself() {
    for d in TCP_SERVERS {
        if d.once {
            // The one client resets without reading its echo: the server
            // ends as usual, with a leave line and the summary.
            let mut server = d.start(&[]);
            let mut rude = server.connect();
            rude.write_all(b"bye").unwrap();
            socket2::SockRef::from(&rude)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(rude);
            let code = server.wait_exit();
            let stderr = server.stderr_so_far();
            assert!(matches!(code, Some(0 | 74)), "{code:?}\n{stderr}");
            assert!(stderr.contains("Disconnected 127.0.0.1:"), "{stderr}");
            assert_eq!(summary(&stderr).0, 1, "{stderr}");
            continue;
        }
        let mut server = d.start(&[]);
        let mut rude = d.greet(&server);
        let rude_addr = rude.local_addr().unwrap();
        if d.concurrent {
            let mut steady = d.greet(&server);
            assert_eq!(talk(&mut steady, d, b"before\n"), d.reply(b"before\n"));
            // Its writes stall once the server, blocked sending replies it
            // does not read, stops reading: the server is mid-reply now.
            write_until_stalled(&mut rude, 256 << 20);
            assert_eq!(talk(&mut steady, d, b"during\n"), d.reply(b"during\n"));
            socket2::SockRef::from(&rude)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(rude);
            // serve-threaded names the call sendall, serve-poll send.
            server.wait_for_any_time("the client reset the connection (send");
            assert_eq!(talk(&mut steady, d, b"after\n"), d.reply(b"after\n"));
        } else {
            // One recv and a reply that fits in the kernel's buffers: the
            // reset races the reply, and either way the server goes on.
            rude.write_all(b"hi\n").unwrap();
            socket2::SockRef::from(&rude)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(rude);
            server.wait_for_any_time(&format!("Disconnected {rude_addr}"));
        }
        d.well_behaved(&server, b"next\n");
        server.signal(libc::SIGTERM);
        assert_eq!(server.wait_exit(), Some(0), "{}", d.step);
    }
}

/// One line and its reply on a connection that stays open.
fn talk(c: &mut TcpStream, d: &Design, line: &[u8]) -> Vec<u8> {
    c.write_all(line).unwrap();
    read_exact(c, d.prefix.len() + line.len())
}

#[test]
fn a_client_that_half_closes_gets_its_whole_reply() {
    for d in TCP_SERVERS {
        let mut server = d.start(&["--recv-size", "4096"]);
        // A one-recv server answers what one recv returns: keep it short.
        // The others answer every recv: send many recvs' worth.
        let data: Vec<u8> = if d.concurrent {
            (0..300_000).map(|i| (i % 253) as u8).collect()
        } else {
            b"all of it, then FIN\r\n".to_vec()
        };
        let mut c = d.greet(&server);
        let writer = {
            let (mut w, data) = (c.try_clone().unwrap(), data.clone());
            thread::spawn(move || {
                w.write_all(&data).unwrap();
                w.shutdown(Shutdown::Write).unwrap();
            })
        };
        let reply = read_until_closed(&mut c);
        writer.join().unwrap();
        assert!(
            parse_replies(&reply, d.prefix, &data, 4096).is_some(),
            "{}: {} bytes back for {} sent",
            d.step,
            reply.len(),
            data.len()
        );
        if !d.once {
            d.well_behaved(&server, b"next\n");
            server.signal(libc::SIGINT);
        }
        assert_eq!(server.wait_exit(), Some(0), "{}", d.step);
    }
}

#[test]
fn a_client_that_floods_without_reading_stalls_only_itself() {
    for d in TCP_SERVERS {
        let mut server = d.start(&[]);
        let mut hog = d.greet(&server);
        if d.concurrent {
            write_until_stalled(&mut hog, 256 << 20);
            for i in 0..3 {
                d.well_behaved(&server, format!("meanwhile {i}\n").as_bytes());
            }
            // The hog's thread is blocked sending to it; Ctrl-C still ends
            // the server promptly, with the summary.
            ctrl_c_ends_it_promptly(&mut server, d.step);
            summary(&server.stderr_so_far());
            continue;
        }
        // One recv, one reply, close: the rest of the flood is refused.
        let (sent, closed) = flood(hog.try_clone().unwrap()).join().unwrap();
        assert!(closed, "{}: still taking bytes after {sent}", d.step);
        if d.once {
            assert_eq!(server.wait_exit(), Some(0));
            assert_eq!(summary(&server.stderr_so_far()).0, 1);
        } else {
            d.well_behaved(&server, b"next\n");
            server.signal(libc::SIGTERM);
            assert_eq!(server.wait_exit(), Some(0), "{}", d.step);
        }
    }
}

#[test]
fn a_client_that_says_nothing_holds_only_what_its_design_gives_it() {
    for d in TCP_SERVERS {
        if d.concurrent {
            // Twenty silent clients hold twenty threads, nothing more.
            let mut server = d.start(&[]);
            let silent: Vec<TcpStream> = (0..20).map(|_| d.greet(&server)).collect();
            // One that dribbles a byte at a time is answered byte by byte.
            let mut dribbler = d.greet(&server);
            for b in [b"s", b"l", b"o", b"w"] {
                assert_eq!(talk(&mut dribbler, d, b), d.reply(b));
                d.well_behaved(&server, b"fast\n");
            }
            server.signal(libc::SIGTERM);
            assert_eq!(server.wait_exit(), Some(0));
            assert_eq!(summary(&server.stderr_so_far()).0, 20 + 1 + 4);
            drop(silent);
            continue;
        }
        // One at a time: a silent client holds the server until --timeout.
        let mut server = d.start(&["--timeout", "0.3"]);
        let mut silent = server.connect();
        if d.once {
            assert_eq!(server.wait_exit(), Some(75));
            let stderr = server.stderr_so_far();
            assert!(
                stderr.contains("the client sent nothing for 0.3s"),
                "{stderr}"
            );
            summary(&stderr);
        } else {
            // Queued behind the silent one, served once it is dropped.
            d.well_behaved(&server, b"waited\n");
            assert_eq!(read_until_closed(&mut silent), b"");
            server.signal(libc::SIGTERM);
            assert_eq!(server.wait_exit(), Some(0));
        }
    }
}

#[test]
fn ten_thousand_connect_close_cycles_leak_no_fd_or_thread() {
    const CYCLES: usize = 10_000;
    // At most this many clients not yet seen off by the server, so the
    // backlog never overflows (a dropped SYN costs a second).
    const WINDOW: usize = 256;
    for d in TCP_SERVERS.iter().filter(|d| !d.once) {
        let mut server = d.start(&["--backlog", "1024"]);
        let pid = server.child.id();
        let before = fds_and_threads(pid);

        let started = Instant::now();
        let mut left = 0;
        for i in 0..CYCLES {
            drop(TcpStream::connect_timeout(&server.addr, PATIENCE).expect("connect"));
            while i + 1 - left > WINDOW {
                server.wait_for("Disconnected");
                left += 1;
            }
        }
        while left < CYCLES {
            server.wait_for("Disconnected");
            left += 1;
        }
        // Every client has left by the server's own account; a finished
        // thread may take a moment more to vanish from /proc (longer on a
        // loaded machine, hence the generous bound).
        let deadline = Instant::now() + 3 * PATIENCE;
        let mut after = fds_and_threads(pid);
        while after != before && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
            after = fds_and_threads(pid);
        }
        assert_eq!(
            after, before,
            "{}: (fds, threads) before and after {CYCLES} cycles",
            d.step
        );
        eprintln!("{}: {CYCLES} cycles in {:?}", d.step, started.elapsed());
        d.well_behaved(&server, b"still fine\n");
    }
}

/// Payloads that matter for byte-exactness: NUL, lone `\r`, `\n`, bytes
/// that are never valid UTF-8 or start a sequence that never ends, and any
/// byte at all; lengths around `recv_size` and twice it.
fn payloads(recv_size: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(0u8),
        Just(b'\r'),
        Just(b'\n'),
        Just(0xffu8),
        Just(0xc3u8),
        0x80u8..=0xbf,
        any::<u8>(),
    ];
    let len = prop_oneof![
        0..=4usize,
        recv_size - 2..=recv_size + 2,
        2 * recv_size - 1..=2 * recv_size + 1,
        0..=4 * recv_size,
    ];
    len.prop_flat_map(move |n| proptest::collection::vec(byte.clone(), n))
}

/// A runner with a modest, fixed number of cases and no files written.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Fixed cases run before the random ones.
const EDGE_CASES: &[&[u8]] = &[b"\0", b"\r", b"a\rb", b"\xff\xfe", b"\xc3", b"\r\n\0\r"];

const RECV: usize = 64;

/// Sends `payload`, half-closes, and checks every byte that comes back.
fn check_tcp_bytes(d: &Design, server: &Server, payload: &[u8]) -> Result<(), TestCaseError> {
    let mut c = d.greet(server);
    c.write_all(payload).unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let reply = read_until_closed(&mut c);
    if d.concurrent {
        prop_assert!(
            parse_replies(&reply, d.prefix, payload, RECV).is_some(),
            "{}: {:?} came back as {:?}",
            d.step,
            payload,
            reply
        );
    } else {
        // One write on loopback arrives whole, so one recv takes
        // min(len, RECV) bytes; nothing at all means no reply.
        let want = match payload.len() {
            0 => Vec::new(),
            n => d.reply(&payload[..n.min(RECV)]),
        };
        prop_assert_eq!(reply, want, "{}", d.step);
    }
    Ok(())
}

#[test]
fn random_binary_comes_back_byte_for_byte_from_tcp_servers() {
    let recv = RECV.to_string();
    for d in TCP_SERVERS {
        // serve-once needs a server per case: fewer cases.
        let cases = if d.once { 24 } else { 64 };
        let shared = (!d.once).then(|| d.start(&["--recv-size", &recv]));
        let check = |payload: &[u8]| match &shared {
            Some(server) => check_tcp_bytes(d, server, payload),
            None => {
                let mut server = d.start(&["--recv-size", &recv]);
                check_tcp_bytes(d, &server, payload)?;
                prop_assert_eq!(server.wait_exit(), Some(0));
                Ok(())
            }
        };
        for edge in EDGE_CASES {
            check(edge).unwrap();
        }
        runner(cases)
            .run(&payloads(RECV), |p| check(&p))
            .unwrap_or_else(|e| panic!("{}: {e}", d.step));
    }
}

/// A UDP socket of the test's own, with a read timeout.
fn udp_client() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s
}

/// Sends one datagram and returns the one reply.
fn udp_round_trip(s: &UdpSocket, to: SocketAddr, payload: &[u8]) -> Vec<u8> {
    s.send_to(payload, to).unwrap();
    let mut buf = vec![0u8; 70_000];
    let (n, from) = s.recv_from(&mut buf).expect("a reply within PATIENCE");
    assert_eq!(from, to);
    buf.truncate(n);
    buf
}

#[test]
fn random_binary_comes_back_byte_for_byte_from_udp_serve() {
    let mut server = start_server(&["udp-serve", "--port", "0", "--recv-size", &RECV.to_string()]);
    drop(server.stdout_in_background());
    let s = udp_client();
    let check = |payload: &[u8]| {
        // A datagram longer than the buffer is cut, never split.
        let want = [b"OK...", &payload[..payload.len().min(RECV)]].concat();
        prop_assert_eq!(udp_round_trip(&s, server.addr, payload), want);
        Ok(())
    };
    for edge in EDGE_CASES.iter().chain([&&b""[..]]) {
        check(edge).unwrap();
    }
    runner(64).run(&payloads(RECV), |p| check(&p)).unwrap();
}

#[test]
fn udp_serve_survives_a_flood_and_senders_that_vanish() {
    let mut server = start_server(&["udp-serve", "--port", "0"]);
    drop(server.stdout_in_background());
    // A sender that never reads its replies: they pile up in its own
    // receive buffer and are dropped there, never slowing the server.
    let flooder = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..2_000u32 {
        flooder.send_to(&i.to_be_bytes(), server.addr).unwrap();
    }
    // Senders that are gone before their reply: the kernel answers the
    // reply with ICMP port unreachable, which must not stop the server.
    for _ in 0..20 {
        let gone = UdpSocket::bind("127.0.0.1:0").unwrap();
        gone.send_to(b"gone", server.addr).unwrap();
    }
    // UDP may drop datagrams when the server's buffer is full (the flood
    // may fill it), so a well-behaved client asks again, as a real one
    // would; it must get its answer.
    let s = udp_client();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    let mut buf = [0u8; 64];
    let got = loop {
        assert!(Instant::now() < deadline, "no reply while flooded");
        s.send_to(b"me", server.addr).unwrap();
        if let Ok((n, _)) = s.recv_from(&mut buf) {
            break buf[..n].to_vec();
        }
    };
    assert_eq!(got, b"OK...me");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    assert_eq!(udp_round_trip(&s, server.addr, b"again"), b"OK...again");
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    assert!(server.stderr_so_far().contains("Shutting down: "));
}

#[test]
fn a_signal_mid_reply_never_loses_the_reply() {
    for d in TCP_SERVERS.iter().filter(|d| d.concurrent) {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let mut server = d.start(&["--recv-size", "65536"]);
            let mut c = d.greet(&server);
            // The server is blocked sending replies we do not read yet.
            let sent = write_until_stalled(&mut c, 256 << 20);
            server.signal(sig);
            // Now we read: every byte the server received is answered.
            let reply = read_until_closed_or_reset(&mut c);
            assert_eq!(server.wait_exit(), Some(0), "{} signal {sig}", d.step);
            let stderr = server.stderr_so_far();
            let (_, bytes_in, bytes_out) = summary(&stderr);
            assert_eq!(
                reply.len() as u64 + d.welcome.len() as u64,
                bytes_out,
                "{} signal {sig}: every byte sent reached us\n{stderr}",
                d.step
            );
            let received = &sent[..bytes_in as usize];
            // After the last reply, the goodbye line (unless a reply had
            // to be cut: then nothing follows it).
            let replies = reply.strip_suffix(GOODBYE).unwrap_or(&reply);
            assert!(
                parse_replies(replies, d.prefix, received, 65536).is_some(),
                "{} signal {sig}: the replies are not OK... + the {bytes_in} bytes received ({} sent, {} back)\n{stderr}",
                d.step,
                sent.len(),
                reply.len()
            );
        }
    }
}

/// A server whose stdout and stderr pipes the test closes once it is
/// listening: nobody is watching any more.
struct Unwatched {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Unwatched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_unwatched(args: &[&str]) -> Unwatched {
    let mut child = socktool_std()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn socktool");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads up to the listening line, then drops (closes) the pipe.
    thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stderr);
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut reader, &mut line).is_ok_and(|n| n > 0) {
            if let Some(addr) = line.trim().strip_prefix("Socket now listening on ") {
                let _ = tx.send(addr.parse::<SocketAddr>().unwrap());
                return;
            }
            line.clear();
        }
    });
    let addr = rx.recv_timeout(PATIENCE).expect("listening line");
    drop(child.stdout.take());
    Unwatched { child, addr }
}

impl Unwatched {
    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn closed_stdout_and_stderr_lose_no_reply() {
    for d in TCP_SERVERS {
        let mut server = start_unwatched(&[d.step, "--port", "0"]);
        for i in 0..if d.once { 1 } else { 3 } {
            let line = format!("nobody watches {i}\n");
            let mut c = client(server.addr);
            if !d.welcome.is_empty() {
                assert_eq!(read_exact(&mut c, d.welcome.len()), d.welcome);
            }
            c.write_all(line.as_bytes()).unwrap();
            c.shutdown(Shutdown::Write).unwrap();
            assert_eq!(
                read_until_closed(&mut c),
                d.reply(line.as_bytes()),
                "{}",
                d.step
            );
        }
        if !d.once {
            // SAFETY: kill(2) on our own child.
            assert_eq!(
                unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) },
                0
            );
        }
        assert_eq!(server.exit_code(), Some(0), "{}", d.step);
    }

    // udp-serve: the console write fails, the reply still goes out.
    let mut server = start_unwatched(&["udp-serve", "--port", "0"]);
    let s = udp_client();
    for i in 0..3 {
        let msg = format!("dgram {i}");
        assert_eq!(
            udp_round_trip(&s, server.addr, msg.as_bytes()),
            [b"OK...", msg.as_bytes()].concat()
        );
    }
    // SAFETY: kill(2) on our own child.
    assert_eq!(
        unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) },
        0
    );
    assert_eq!(server.exit_code(), Some(0));
}

#[test]
fn an_overflowing_backlog_delays_clients_but_loses_none() {
    for d in TCP_SERVERS.iter().filter(|d| !d.once) {
        // listen(1): Linux queues 2. A busy server (serve-loop talking to
        // `first`) lets the queue fill; the kernel then drops newcomers'
        // SYNs and they retry a second later.
        let mut server = d.start(&["--backlog", "1"]);
        let mut first = d.greet(&server);
        let clients: Vec<JoinHandle<std::io::Result<Vec<u8>>>> = (0..6)
            .map(|i| {
                let addr = server.addr;
                thread::spawn(move || {
                    let mut c = TcpStream::connect_timeout(&addr, PATIENCE)?;
                    c.set_read_timeout(Some(PATIENCE))?;
                    let mut reply = Vec::new();
                    c.write_all(format!("queued {i}\n").as_bytes())?;
                    c.shutdown(Shutdown::Write)?;
                    c.read_to_end(&mut reply)?;
                    Ok(reply)
                })
            })
            .collect();
        if !d.concurrent {
            // The queue fills: two waiting (listen(1) queues two), or a
            // third that slipped in while the kernel was between counts.
            loop {
                let line = server.wait_for("waiting in the backlog (limit 1)");
                if !line.contains("1 client waiting") {
                    break;
                }
            }
        }
        first.write_all(b"done\n").unwrap();
        first.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_until_closed(&mut first), d.reply(b"done\n"));
        // Each is served exactly, or refused cleanly: when the queue
        // overflows Linux answers with SYN cookies, and a segment it cannot
        // match to a cookie later is answered with a reset. Never a wrong
        // or partial reply, never a hang.
        let mut served = 0;
        for (i, c) in clients.into_iter().enumerate() {
            let want = [d.welcome, &d.reply(format!("queued {i}\n").as_bytes())].concat();
            match c.join().unwrap() {
                Ok(reply) => {
                    assert_eq!(text(&reply), text(&want), "{}", d.step);
                    served += 1;
                }
                Err(e) => assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
                    ),
                    "{}: {e}",
                    d.step
                ),
            }
        }
        // The two the queue held are served at least; so is anyone later.
        assert!(served >= 2, "{}: only {served} served", d.step);
        d.well_behaved(&server, b"after the burst\n");
        server.signal(libc::SIGINT);
        assert_eq!(server.wait_exit(), Some(0));
        let (clients_served, _, _) = summary(&server.stderr_so_far());
        // `first`, the burst's served ones, and the one after it.
        assert!(clients_served >= served + 2, "{}", d.step);
        eprintln!(
            "{}: {served} of 6 in the burst served, the rest reset",
            d.step
        );
    }

    // serve-once exits after one client: those left in its queue are
    // reset when the listening socket closes, not left hanging.
    let mut server = SERVE_ONCE.start(&["--backlog", "1"]);
    let mut served = server.connect();
    server.wait_for("Connected with");
    let mut left = server.connect();
    left.write_all(b"me too").unwrap();
    served.write_all(b"me").unwrap();
    assert_eq!(read_until_closed(&mut served), b"me");
    assert_eq!(server.wait_exit(), Some(0));
    let mut buf = [0u8; 8];
    match left.read(&mut buf) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
        Ok(n) => panic!("read {n} bytes instead of a reset"),
    }
}

/// Client data for the console tests: digits, lowercase letters and
/// spaces, numbered so that a record out of order would show. It holds no
/// byte of `OK...` (so replies split at each prefix without doubt) and no
/// `\n` (so each line on the server's stdout is exactly one record).
fn console_data(len: usize) -> Vec<u8> {
    (0..)
        .flat_map(|i: u32| format!("{i:07} abcdefghijklmnopqrstuvwxyz ").into_bytes())
        .take(len)
        .collect()
}

/// How long a console test's client may take for all its round trips.
/// Measured: well under a second; a server held up by its stdout never
/// gets there.
const CONSOLE_PATIENCE: Duration = Duration::from_secs(20);

/// Sends `data` from a thread of its own while reading every reply here,
/// until all of `data` has been answered; returns every reply byte. Fails
/// the test if that takes longer than [`CONSOLE_PATIENCE`].
fn round_trips(c: &mut TcpStream, d: &Design, data: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + CONSOLE_PATIENCE;
    c.set_read_timeout(Some(CONSOLE_PATIENCE)).unwrap();
    let mut sender = c.try_clone().unwrap();
    let to_send = data.to_vec();
    let sending = thread::spawn(move || sender.write_all(&to_send));
    let mut reply = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut answered = 0;
    while answered < data.len() {
        assert!(
            Instant::now() < deadline,
            "{}: {answered} of {} bytes answered in {CONSOLE_PATIENCE:?}",
            d.step,
            data.len()
        );
        match c.read(&mut buf) {
            Ok(0) => panic!("{}: closed after {answered} bytes answered", d.step),
            Ok(n) => {
                reply.extend_from_slice(&buf[..n]);
                // The data holds no byte of the prefix: every other byte
                // is one of ours, answered.
                answered += buf[..n].iter().filter(|&&b| !d.prefix.contains(&b)).count();
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("{}: {answered} bytes answered, then: {e}", d.step),
        }
    }
    sending.join().unwrap().unwrap();
    reply
}

/// The data in `reply` when it is `prefix + chunk` repeated, each chunk 1
/// to `recv_size` bytes (what a server that answers every recv sends);
/// `None` otherwise. Only for data without a byte of `prefix`.
fn unprefixed(reply: &[u8], prefix: &[u8], recv_size: usize) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut rest = reply;
    while !rest.is_empty() {
        rest = rest.strip_prefix(prefix)?;
        let len = rest
            .iter()
            .position(|&b| b == prefix[0])
            .unwrap_or(rest.len());
        if len == 0 || len > recv_size {
            return None;
        }
        data.extend_from_slice(&rest[..len]);
        rest = &rest[len..];
    }
    Some(data)
}

/// The records on a server's stdout, by client: each line must be
/// `[IP:PORT] ` + one recv's data, for a client in `peers`. Returns each
/// client's data, records joined in order.
fn records_by_peer(stdout: &[u8], peers: &[SocketAddr]) -> Vec<Vec<u8>> {
    let mut by_peer = vec![Vec::new(); peers.len()];
    for line in stdout.split_inclusive(|&b| b == b'\n') {
        let record = line
            .strip_suffix(b"\n")
            .unwrap_or_else(|| panic!("a record cut short: {:?}", text(line)));
        let i = peers
            .iter()
            .position(|p| record.starts_with(format!("[{p}] ").as_bytes()))
            .unwrap_or_else(|| panic!("a line that is no client's record: {:?}", text(line)));
        let label = format!("[{}] ", peers[i]).len();
        by_peer[i].extend_from_slice(&record[label..]);
    }
    by_peer
}

#[test]
fn a_stdout_nobody_reads_holds_up_no_reply_and_no_exit() {
    // 4 MiB of records: more than the pipe (64 KiB), the console's queue
    // (1 MiB) and the batch its writer is blocked in, together.
    let data = console_data(4 << 20);
    for d in TCP_SERVERS.iter().filter(|d| d.concurrent) {
        // start_server keeps the stdout pipe open, and nothing reads it.
        let mut server = start_server(&[d.step, "--port", "0"]);
        let mut c = d.greet(&server);
        let reply = round_trips(&mut c, d, &data);
        assert!(
            unprefixed(&reply, d.prefix, 1024).as_deref() == Some(&data[..]),
            "{}: the replies are not OK... + each recv of the data",
            d.step
        );
        server.wait_for_any_time("warning: stdout is not being read");
        // Another client, after the drops: served at once too.
        d.well_behaved(&server, b"still served\n");
        drop(c);

        ctrl_c_ends_it_promptly(&mut server, d.step);
        let stderr = server.stderr_so_far();
        assert!(
            stderr.contains("records not shown: stdout was not being read"),
            "{}: no count of the records not shown:\n{stderr}",
            d.step
        );
        let (served, bytes_in, _) = summary(&stderr);
        assert_eq!(served, 2, "{}", d.step);
        assert_eq!(bytes_in, (data.len() + "still served\n".len()) as u64);
    }

    // udp-serve shows datagrams through the same console.
    let mut server = start_server(&["udp-serve", "--port", "0"]);
    let s = udp_client();
    let started = Instant::now();
    for (i, piece) in data.chunks(8 * 1024).enumerate() {
        assert!(
            started.elapsed() < CONSOLE_PATIENCE,
            "udp-serve: {i} datagrams answered in {CONSOLE_PATIENCE:?}"
        );
        assert_eq!(
            udp_round_trip(&s, server.addr, piece),
            [b"OK...", piece].concat(),
            "datagram {i}"
        );
    }
    server.wait_for_any_time("warning: stdout is not being read");
    ctrl_c_ends_it_promptly(&mut server, "udp-serve");
    let stderr = server.stderr_so_far();
    assert!(
        stderr.contains("records not shown: stdout was not being read"),
        "{stderr}"
    );
}

#[test]
fn a_stdout_that_is_read_shows_every_record_whole_and_in_order() {
    // Two clients at once, 256 KiB each: four times the pipe, so the
    // console's writer waits for the reader again and again, but less than
    // its queue, so nothing may be dropped however slow the reader is.
    const EACH: usize = 256 << 10;
    for d in TCP_SERVERS.iter().filter(|d| d.concurrent) {
        let mut server = start_server(&[d.step, "--port", "0"]);
        let stdout = server.stdout_in_background();
        let clients: Vec<TcpStream> = (0..2).map(|_| d.greet(&server)).collect();
        let peers: Vec<SocketAddr> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
        let talks: Vec<JoinHandle<Vec<u8>>> = clients
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                let d = *d;
                thread::spawn(move || {
                    // Each client's own data, so mixed records would show.
                    let data: Vec<u8> = console_data(EACH + i).split_off(i);
                    let reply = round_trips(&mut c, &d, &data);
                    assert!(unprefixed(&reply, d.prefix, 1024).as_deref() == Some(&data[..]));
                    data
                })
            })
            .collect();
        let sent: Vec<Vec<u8>> = talks.into_iter().map(|t| t.join().unwrap()).collect();

        server.signal(libc::SIGINT);
        assert_eq!(server.wait_exit(), Some(0), "{}", d.step);
        let stderr = server.stderr_so_far();
        assert!(!stderr.contains("not shown"), "{}:\n{stderr}", d.step);
        let shown = records_by_peer(&stdout.join().unwrap(), &peers);
        for (i, (shown, sent)) in shown.iter().zip(&sent).enumerate() {
            assert!(
                shown == sent,
                "{}: client {i}'s records are not its data",
                d.step
            );
        }
    }
}
