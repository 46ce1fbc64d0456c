//! `socktool serve-loop`: clients one after another, and the tutorial's
//! lesson that a silent client makes every other client wait.

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn talk(c: &mut TcpStream, line: &[u8]) -> Vec<u8> {
    c.write_all(line).unwrap();
    read_to_end(c)
}

#[test]
fn two_clients_in_turn_each_get_ok_and_their_bytes() {
    let mut server = start_server(&["serve-loop", "--port", "0", "--max-clients", "2"]);
    let mut a = server.connect();
    let a_addr = a.local_addr().unwrap();
    assert_eq!(talk(&mut a, b"one\r\n"), b"OK...one\r\n");
    let mut b = server.connect();
    let b_addr = b.local_addr().unwrap();
    assert_eq!(talk(&mut b, b"\x00two\xff"), b"OK...\x00two\xff");
    assert_eq!(server.wait_exit(), Some(0), "--max-clients 2 ends it");
    let mut expected = format!("[{a_addr}] one\r\n[{b_addr}] ").into_bytes();
    expected.extend_from_slice(b"\x00two\xff\n");
    assert_eq!(server.stdout_bytes(), expected);
    let stderr = server.stderr_so_far();
    assert!(
        stderr.contains(&format!("Connected with {a_addr}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("Connected with {b_addr}")),
        "{stderr}"
    );
    assert!(stderr.contains("served 2 clients (--max-clients): stopping"));
    assert!(stderr.contains("Server stopped: 2 clients served, 10 bytes in, 20 bytes out"));
}

#[test]
#[cfg(unix)]
fn a_second_client_gets_nothing_until_the_first_is_done() {
    let mut server = start_server(&["serve-loop", "--port", "0", "--backlog", "10"]);
    let mut first = server.connect();
    server.wait_for(&format!("Connected with {}", first.local_addr().unwrap()));

    // Both newcomers connect at once (the kernel's handshake) and send.
    let mut second = server.connect();
    second.write_all(b"second\n").unwrap();
    let mut third = server.connect();
    third.write_all(b"third\n").unwrap();
    // The server reads the queue from the kernel while it waits on `first`.
    server.wait_for("2 clients waiting in the backlog (limit 10)");

    // Proof of absence needs a wait; the line above says they are queued.
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 16];
    let err = second
        .read(&mut buf)
        .expect_err("no reply while first is served");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    second.set_read_timeout(Some(PATIENCE)).unwrap();

    assert_eq!(talk(&mut first, b"first\n"), b"OK...first\n");
    assert_eq!(read_to_end(&mut second), b"OK...second\n");
    assert_eq!(read_to_end(&mut third), b"OK...third\n");
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let stderr = server.stderr_so_far();
    assert!(stderr.contains("Server stopped: 3 clients served, 19 bytes in, 34 bytes out"));
    // The leave line tells the wait in the backlog (at least the 0.3 s
    // above) apart from the time being served.
    let second_left = stderr
        .lines()
        .find(|l| l.starts_with(&format!("Disconnected {}", second.local_addr().unwrap())))
        .unwrap_or_else(|| panic!("no leave line for second:\n{stderr}"));
    let waited: f64 = second_left
        .split(" (after ")
        .nth(1)
        .and_then(|w| w.split("s in the backlog)").next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no wait in {second_left:?}"));
    assert!(waited >= 0.3, "{second_left}");
    assert!(stderr.contains("this client waited "), "{stderr}");
}

#[test]
fn an_empty_recv_closes_that_client_and_the_server_keeps_serving() {
    let mut server = start_server(&["serve-loop", "--port", "0", "--max-clients", "2"]);
    let quitter = server.connect();
    quitter.shutdown(std::net::Shutdown::Write).unwrap();
    let mut quitter = quitter;
    assert_eq!(read_to_end(&mut quitter), b"");
    server.wait_for("this client left without sending");
    server.wait_for("the client closed first (recv returned 0)");
    let mut next = server.connect();
    assert_eq!(talk(&mut next, b"still here"), b"OK...still here");
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
#[cfg(unix)]
fn timeout_drops_a_silent_client_then_serves_the_next() {
    let mut server = start_server(&["serve-loop", "--port", "0", "--timeout", "0.3"]);
    let mut silent = server.connect();
    let mut next = server.connect();
    next.write_all(b"me").unwrap();
    assert_eq!(read_to_end(&mut silent), b"", "dropped without a reply");
    assert_eq!(read_to_end(&mut next), b"OK...me");
    server.wait_for("timed out: the client sent nothing for 0.3s (--timeout), the server closed");
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
fn nonblocking_narrates_would_blocks_and_still_serves() {
    let mut server = start_server(&[
        "serve-loop",
        "--port",
        "0",
        "--nonblocking",
        "--max-clients",
        "1",
    ]);
    server.wait_for("accept() -> EAGAIN (would block #1)");
    let mut c = server.connect();
    // Nothing sent yet: recv on the non-blocking socket returns EAGAIN too.
    server.wait_for("recv() -> EAGAIN (would block");
    assert_eq!(talk(&mut c, b"late"), b"OK...late");
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
#[cfg(unix)]
fn sigint_and_sigterm_end_it_with_the_summary_and_exit_0() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let mut server = start_server(&["serve-loop", "--port", "0"]);
        let mut c = server.connect();
        assert_eq!(talk(&mut c, b"hello"), b"OK...hello");
        // A client in the middle of its turn is closed too, told why.
        let mut waiting = server.connect();
        server.wait_for(&format!("Connected with {}", waiting.local_addr().unwrap()));
        server.signal(sig);
        assert_eq!(read_to_end(&mut waiting), GOODBYE);
        assert_eq!(server.wait_exit(), Some(0), "signal {sig}");
        let stderr = server.stderr_so_far();
        assert!(
            stderr.contains("the server closed first (shutting down)"),
            "{stderr}"
        );
        assert!(
            stderr.contains("Server stopped: 2 clients served, 5 bytes in, 41 bytes out"),
            "{stderr}"
        );
    }
}

#[test]
#[cfg(unix)]
fn clients_that_left_while_queued_cost_nothing_once_the_server_gets_to_them() {
    // 30 clients send a line and leave while a silent one holds the server.
    // Answering each reaches a dead socket (the reply is met with a reset);
    // the server must see that at once instead of waiting to hear its reply
    // acknowledged (0.5 s each: 15 s, past the fresh client's read timeout).
    let mut server = start_server(&["serve-loop", "--port", "0", "--quiet"]);
    let silent = server.connect();
    for _ in 0..30 {
        let mut gone = server.connect();
        gone.write_all(b"x\n").unwrap();
    }
    drop(silent);
    let mut fresh = server.connect();
    assert_eq!(talk(&mut fresh, b"fresh\n"), b"OK...fresh\n");
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(), Some(0));
}
