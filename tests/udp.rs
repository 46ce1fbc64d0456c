//! `socktool udp-serve` and `socktool udp-send`, against each other and
//! against plain UDP sockets the test binds on 127.0.0.1 port 0. The server
//! is ready when it prints its "Socket now listening on" line.

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use predicates::str::contains;

/// `udp-send` to `port` on 127.0.0.1 with extra arguments.
fn udp_send(port: u16, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = socktool();
    cmd.args(["udp-send", "127.0.0.1", &port.to_string()])
        .args(extra);
    cmd
}

/// A UDP socket that receives but never answers.
fn silent_socket() -> (UdpSocket, u16) {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let port = s.local_addr().unwrap().port();
    (s, port)
}

/// The port udp-send's narration says the kernel gave its socket.
fn sender_port(stderr: &str) -> u16 {
    let line = stderr
        .lines()
        .find(|l| l.contains("the kernel bound this socket to "))
        .unwrap_or_else(|| panic!("no bound-to note in:\n{stderr}"));
    line.split("the kernel bound this socket to ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.parse::<std::net::SocketAddr>().ok())
        .map(|a| a.port())
        .unwrap_or_else(|| panic!("no address in {line}"))
}

#[test]
#[cfg(unix)]
fn udp_send_gets_ok_plus_its_message_and_udp_serve_shows_the_sender() {
    let mut server = start_server(&["udp-serve", "--port", "0"]);
    let out = udp_send(server.addr.port(), &["hello"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(out.stdout, b"OK...hello", "the reply, byte for byte");
    let stderr = text(&out.stderr);
    for line in [
        "Socket created",
        "connect() on a UDP socket sends nothing",
        "Message sent successfully",
        "Received 10 bytes from 127.0.0.1:",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
    let from = sender_port(&stderr);

    server.wait_for("Received a datagram of 5 bytes");
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    assert_eq!(
        text(&server.stdout_bytes()),
        format!("[127.0.0.1:{from}] hello\n"),
        "stdout shows the sender, then the data"
    );
    let log = server.stderr_so_far();
    for line in [
        "Socket created",
        "Socket bind complete",
        "no listen and no accept",
        "Shutting down: 1 datagram from 1 sender, 5 bytes in, 10 bytes out",
    ] {
        assert!(log.contains(line), "missing {line:?} in:\n{log}");
    }
}

#[test]
#[cfg(unix)]
fn stdin_is_sent_as_one_datagram_of_raw_bytes() {
    let mut server = start_server(&["udp-serve", "--port", "0"]);
    let message: &[u8] = b"\x00\xff\nline two\r\n";
    let out = udp_send(server.addr.port(), &[])
        .write_stdin(message)
        .assert()
        .success()
        .get_output()
        .clone();
    let mut want = b"OK...".to_vec();
    want.extend_from_slice(message);
    assert_eq!(out.stdout, want);
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(), Some(0));
    let shown = server.stdout_bytes();
    assert!(shown.ends_with(message), "{:?}", text(&shown));
    assert!(
        server
            .stderr_so_far()
            .contains("1 datagram from 1 sender, 13 bytes in, 18 bytes out")
    );
}

#[test]
fn silence_from_a_bound_port_exits_75_and_says_udp_may_lose_datagrams() {
    let (silent, port) = silent_socket();
    let started = Instant::now();
    udp_send(port, &["ping", "--timeout", "0.3"])
        .assert()
        .code(75)
        .stderr(contains("no reply from 127.0.0.1:"))
        .stderr(contains("UDP does not guarantee delivery"));
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut buf = [0u8; 16];
    let (n, _) = silent.recv_from(&mut buf).expect("the datagram arrived");
    assert_eq!(&buf[..n], b"ping");
}

#[test]
fn a_closed_port_is_refused_when_connected_and_silent_when_not() {
    let port = {
        let (s, port) = silent_socket();
        drop(s);
        port
    };
    // Linux and macOS report the ICMP error on the connected socket.
    // Windows does too (WSAECONNRESET), but Wine passes no ICMP errors on,
    // so the Windows build cannot be held to it here.
    if !cfg!(windows) {
        udp_send(port, &["hi"])
            .assert()
            .code(69)
            .stderr(contains("ICMP port unreachable"));
    }
    udp_send(port, &["hi", "--no-connect", "--timeout", "0.3"])
        .assert()
        .code(75)
        .stderr(contains("UDP does not guarantee delivery"));
}

#[test]
fn a_message_over_the_datagram_limit_is_refused_before_sending() {
    let (silent, port) = silent_socket();
    udp_send(port, &[])
        .write_stdin(vec![b'x'; 65_508])
        .assert()
        .code(2)
        .stderr(contains("at most 65507 bytes"))
        .stdout("");
    // Windows' command line holds at most 32,767 characters: too short for
    // a message this long given as an argument.
    if !cfg!(windows) {
        let too_long = "y".repeat(65_508);
        udp_send(port, &[&too_long])
            .assert()
            .code(2)
            .stderr(contains("the message is 65508 bytes"));
    }
    // Nothing went out: the largest datagram is the next thing to arrive.
    udp_send(port, &["--timeout", "0.2"])
        .write_stdin(vec![b'z'; 65_507])
        .assert()
        .code(75);
    let mut buf = vec![0u8; 70_000];
    let (n, _) = silent.recv_from(&mut buf).expect("the largest datagram");
    assert_eq!(n, 65_507);
    assert!(buf[..n].iter().all(|&b| b == b'z'));
}

#[test]
fn udp_over_ipv6_loopback() {
    if !has_ipv6_loopback() {
        eprintln!("skipped: no ::1 on this machine");
        return;
    }
    let server = start_server(&["udp-serve", "-6", "--port", "0"]);
    assert_eq!(server.addr.ip().to_string(), "::1");
    socktool()
        .args(["udp-send", "::1", &server.addr.port().to_string(), "v6"])
        .assert()
        .success()
        .stdout("OK...v6")
        .stderr(contains("Received 7 bytes from [::1]:"));
}

#[test]
fn ipv6_allows_65527_bytes() {
    socktool()
        .args(["udp-send", "::1", "9"])
        .write_stdin(vec![b'x'; 65_528])
        .assert()
        .code(2)
        .stderr(contains(
            "one IPv6 UDP datagram carries at most 65527 bytes",
        ));
}

#[test]
fn a_short_recv_size_cuts_the_datagram_and_says_so() {
    let mut server = start_server(&["udp-serve", "--port", "0", "--recv-size", "4"]);
    udp_send(server.addr.port(), &["abcdefgh"])
        .assert()
        .success()
        .stdout("OK...abcd");
    // Only Linux says how long the datagram was; the others that it was cut.
    if cfg!(target_os = "linux") {
        server.wait_for(
            "the datagram was 8 bytes but recvfrom asked for 4: the kernel discarded the last 4",
        );
    } else {
        server.wait_for("the datagram was longer than the 4 bytes recvfrom asked for");
    }
}

#[test]
fn a_reply_over_the_limit_is_not_sent_and_the_server_keeps_serving() {
    let mut server = start_server(&["udp-serve", "--port", "0"]);
    // The server shows the 64 KiB datagram on stdout, about what a pipe
    // holds: read it, as a terminal would.
    let mut stdout = server.stdout.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    udp_send(server.addr.port(), &["--timeout", "0.3"])
        .write_stdin(vec![b'x'; 65_507])
        .assert()
        .code(75);
    server.wait_for("the reply would be 65512 bytes, over the 65507 limit");
    udp_send(server.addr.port(), &["still here"])
        .assert()
        .success()
        .stdout("OK...still here");
}

#[test]
fn a_taken_port_is_a_bind_failure() {
    let (_taken, port) = silent_socket();
    socktool()
        .args(["udp-serve", "--port", &port.to_string()])
        .assert()
        .code(71)
        .stderr(contains(format!(
            "Bind failed. Error Code : {}",
            if cfg!(windows) {
                10048
            } else if cfg!(target_os = "linux") {
                98
            } else {
                48
            }
        )));
}

#[test]
fn every_interface_gets_a_warning() {
    let mut server = start_server(&["udp-serve", "--host", "", "--port", "0"]);
    assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
    // The warning follows the listening line (it says what listening there
    // means), so it is waited for, not looked for in what came so far.
    server.wait_for_any_time("every network interface");
}

#[test]
#[ignore = "needs nc (netcat-openbsd)"]
fn nc_u_talks_to_udp_serve() {
    let server = start_server(&["udp-serve", "--port", "0"]);
    // `timeout` bounds nc in case it waits for more; -w 1 normally ends it.
    let out = std::process::Command::new("timeout")
        .args([
            "10",
            "nc",
            "-u",
            "-w",
            "1",
            "127.0.0.1",
            &server.addr.port().to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut nc| {
            use std::io::Write;
            nc.stdin.take().unwrap().write_all(b"hi\n")?;
            nc.wait_with_output()
        })
        .expect("run nc");
    assert_eq!(text(&out.stdout), "OK...hi\n");
}

#[test]
fn a_server_that_answers_forever_gives_exactly_one_reply() {
    // Answers every datagram with a burst of 1,000; udp-send prints the
    // first one, whole, and exits: one request, one reply.
    let (s, port) = silent_socket();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (_, from) = s.recv_from(&mut buf).unwrap();
        for i in 0..1_000u32 {
            // Later ones may find the client gone: that is fine.
            let _ = s.send_to(format!("reply {i}\n").as_bytes(), from);
        }
    });
    udp_send(port, &["ask"])
        .assert()
        .success()
        .stdout("reply 0\n");
    server.join().unwrap();
}

#[test]
fn with_no_connect_a_strangers_datagram_is_ignored() {
    // Without connect() anyone may send to our port; udp-send waits for
    // the address it asked, says so, and still prints the right reply.
    let (s, port) = silent_socket();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (_, from) = s.recv_from(&mut buf).unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
        stranger.send_to(b"not me", from).unwrap();
        s.send_to(b"the answer", from).unwrap();
    });
    udp_send(port, &["ask", "--no-connect"])
        .assert()
        .success()
        .stdout("the answer")
        .stderr(contains("ignored a datagram from 127.0.0.1:"));
    server.join().unwrap();
}

#[test]
#[cfg(unix)]
fn the_summary_remembers_at_most_10000_senders_and_then_says_over() {
    // Every datagram may come from a new address; the set of senders kept
    // for the summary must not grow for ever.
    let mut server = start_server(&["udp-serve", "--port", "0"]);
    let shown = server.stdout_in_background();
    let mut buf = [0u8; 64];
    for i in 0..10_001u32 {
        // A new source address each time, so a new sender whatever port the
        // kernel picks (127.0.0.0/8 is all loopback).
        let ip = std::net::Ipv4Addr::new(127, 1, (i / 250) as u8, (i % 250 + 1) as u8);
        let s = UdpSocket::bind((ip, 0)).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.send_to(b"x", server.addr).unwrap();
        assert_eq!(s.recv(&mut buf).unwrap(), 6, "datagram {i}");
        assert_eq!(&buf[..6], b"OK...x");
    }
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    assert_eq!(text(&shown.join().unwrap()).lines().count(), 10_001);
    let log = server.stderr_so_far();
    assert!(
        log.contains(
            "Shutting down: 10001 datagrams from over 10000 senders, 10001 bytes in, 60006 bytes out"
        ),
        "{}",
        &log[log.len().saturating_sub(500)..]
    );
}

#[test]
fn udp_send_takes_host_colon_port_and_then_the_message() {
    let (server, port) = silent_socket();
    let answer = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = server.recv_from(&mut buf).expect("a datagram");
        server.send_to(b"OK", from).unwrap();
        buf[..n].to_vec()
    });
    socktool()
        .args(["udp-send", &format!("localhost:{port}"), "hi"])
        .assert()
        .success()
        .stdout("OK");
    assert_eq!(answer.join().unwrap(), b"hi");
}
