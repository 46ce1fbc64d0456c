//! `socktool serve-once`: started on 127.0.0.1 port 0, ready when it prints
//! its listening line, talked to with real client sockets. Also where the
//! set-up every server shares is tested: bind failures, --reuse-address,
//! --trace, --quiet, IPv6, --nonblocking, the all-interfaces warning.

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::io::Write;

use predicates::str::contains;

/// Sends `data` in one write and returns what came back before the server
/// closed, the server's exit code, its stderr and its stdout.
fn echo(args: &[&str], data: &[u8]) -> (Vec<u8>, Option<i32>, String, Vec<u8>) {
    let mut server = start_server(args);
    let mut c = server.connect();
    c.write_all(data).unwrap();
    let back = read_to_end(&mut c);
    let code = server.wait_exit();
    let out = server.stdout_bytes();
    (back, code, server.stderr_so_far(), out)
}

#[test]
fn echoes_text_once_and_narrates_the_tutorial_lines() {
    let (back, code, stderr, out) = echo(&["serve-once", "--port", "0"], b"happy\r\n");
    assert_eq!(back, b"happy\r\n");
    assert_eq!(code, Some(0));
    assert_eq!(out, b"happy\r\n", "stdout is what the client sent");
    let mut at = 0;
    for line in [
        "Socket created",
        "Socket bind complete",
        "Socket now listening on 127.0.0.1:",
        "Connected with 127.0.0.1:",
        "Disconnected 127.0.0.1:",
        "Server stopped: 1 client served, 7 bytes in, 7 bytes out",
    ] {
        let found = stderr[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} missing or out of order in:\n{stderr}"));
        at += found + line.len();
    }
    assert!(
        stderr.contains("7 bytes in, 7 bytes out; the server closed first"),
        "{stderr}"
    );
}

#[test]
fn echoes_binary_byte_for_byte() {
    let data: Vec<u8> = (0..=255u8).rev().chain(0..=255u8).collect();
    let (back, code, _, out) = echo(&["serve-once", "--port", "0"], &data);
    assert_eq!(back, data);
    assert_eq!(out, data);
    assert_eq!(code, Some(0));
}

#[test]
fn recv_size_limits_the_one_recv() {
    let mut server = start_server(&["serve-once", "--port", "0", "--recv-size", "4"]);
    let mut c = server.connect();
    c.write_all(b"abcdefgh").unwrap();
    // The server closes with "efgh" unread, so the kernel resets the
    // connection: the client may see the echo, or only the reset.
    let mut back = Vec::new();
    let _ = std::io::Read::read_to_end(&mut c, &mut back);
    assert!(b"abcd".starts_with(&back), "{back:?}");
    assert_eq!(server.wait_exit(), Some(0));
    assert_eq!(
        server.stdout_bytes(),
        b"abcd",
        "one recv(4) gets at most 4 bytes"
    );
    assert!(server.stderr_so_far().contains("4 bytes in, 4 bytes out"));
}

#[test]
fn trace_shows_every_call_with_its_result() {
    let (_, code, stderr, _) = echo(
        &["serve-once", "--port", "0", "--trace", "--nodelay"],
        b"hi",
    );
    assert_eq!(code, Some(0));
    // The descriptors the kernel gave, from the trace's own lines.
    let listener = fd_after(&stderr, "socket(AF_INET, SOCK_STREAM) -> fd ");
    let conn = fd_after(&stderr, &format!("accept(fd {listener}) -> fd "));
    let mut at = 0;
    for call in [
        format!("socket(AF_INET, SOCK_STREAM) -> fd {listener}"),
        // Windows' SO_REUSEADDR would let another server take the port.
        if cfg!(windows) {
            format!("setsockopt(fd {listener}, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1) -> ok")
        } else {
            format!("setsockopt(fd {listener}, SOL_SOCKET, SO_REUSEADDR, 1) -> ok")
        },
        format!("bind(fd {listener}, 127.0.0.1:0) -> ok"),
        format!("listen(fd {listener}, 128) -> ok"),
        format!("poll(fd {listener} readable, doorbell, no timeout) -> fd {listener} readable"),
        format!("accept(fd {listener}) -> fd {conn}, peer 127.0.0.1:"),
        format!("setsockopt(fd {conn}, IPPROTO_TCP, TCP_NODELAY, 1) -> ok"),
        format!("recv(fd {conn}, 1024) -> 2 bytes"),
        format!("sendall(fd {conn}, 2 bytes) -> ok"),
        format!("shutdown(fd {conn}, SHUT_WR) -> ok"),
        format!("close(fd {conn}) -> ok"),
        format!("close(fd {listener}) -> ok"),
    ] {
        let found = stderr[at..]
            .find(&call)
            .unwrap_or_else(|| panic!("{call:?} missing or out of order in:\n{stderr}"));
        at += found + call.len();
    }
}

/// The number that follows `prefix` in a trace line, e.g. the descriptor
/// in `socket(AF_INET, SOCK_STREAM) -> fd 5`.
fn fd_after(stderr: &str, prefix: &str) -> String {
    let rest = &stderr[stderr
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} not in:\n{stderr}"))
        + prefix.len()..];
    rest.chars().take_while(char::is_ascii_digit).collect()
}

#[test]
fn quiet_prints_only_the_listening_line() {
    let (back, code, stderr, out) = echo(&["serve-once", "--port", "0", "--quiet"], b"x");
    assert_eq!((back.as_slice(), code), (&b"x"[..], Some(0)));
    assert_eq!(out, b"", "--quiet also hides what the client sent");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("Socket now listening on 127.0.0.1:"));
}

#[test]
fn a_client_that_sends_nothing_gets_nothing_and_the_server_exits_0() {
    let mut server = start_server(&["serve-once", "--port", "0"]);
    let c = server.connect();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut c = c;
    assert_eq!(read_to_end(&mut c), b"");
    assert_eq!(server.wait_exit(), Some(0));
    let stderr = server.stderr_so_far();
    assert!(
        stderr.contains("0 bytes in, 0 bytes out; the client closed first (recv returned 0)"),
        "{stderr}"
    );
}

#[test]
fn bind_failure_on_a_taken_port_says_why_and_exits_71() {
    let (_taken, addr) = listener();
    let port = addr.port().to_string();
    // The tutorial's line, with the system's own number (Linux's
    // EADDRINUSE is 98, Windows' WSAEADDRINUSE 10048).
    let code = if cfg!(windows) {
        10048
    } else if cfg!(target_os = "linux") {
        98
    } else {
        48
    };
    socktool()
        .args(["serve-once", "--port", &port])
        .assert()
        .code(71)
        .stderr(contains(format!(
            "socktool: error: Bind failed. Error Code : {code} Message "
        )))
        .stderr(contains(format!("(127.0.0.1:{port})")))
        // SO_REUSEADDR was on: TIME_WAIT cannot be the reason, a server is.
        .stderr(contains(format!(
            "hint: port {port} is taken by another server still running: stop it, or choose another --port"
        )));
}

#[test]
// Windows never keeps a restarted server out for TIME_WAIT (and sets
// SO_EXCLUSIVEADDRUSE instead): nothing to show there.
#[cfg(not(windows))]
fn reuse_address_lets_a_restarted_server_bind_despite_time_wait() {
    // A first server answers one client and closes first, so its side of
    // that connection waits in TIME_WAIT on the port the kernel chose.
    // Linux lets a new socket share the port only if the old connections
    // had SO_REUSEADDR too (they inherit it from their listener), which is
    // why servers set it every time, not only after a restart.
    // SO_REUSEADDR is on by default, as in Python's http.server, nc and
    // ncat; --no-reuse-address shows the tutorial's error.
    let mut first = start_server(&["serve-once", "--port", "0"]);
    let port = first.addr.port().to_string();
    let mut c = first.connect();
    c.write_all(b"hi").unwrap();
    assert_eq!(read_to_end(&mut c), b"hi");
    drop(c);
    assert_eq!(first.wait_exit(), Some(0));

    socktool()
        .args([
            "serve-once",
            "--port",
            &port,
            "--no-reuse-address",
            "--timeout",
            "0.2",
        ])
        .assert()
        .code(71)
        .stderr(contains("Address already in use"));
    let mut again = start_server(&["serve-once", "--port", &port]);
    assert_eq!(again.addr.port().to_string(), port);
    let mut c = again.connect();
    c.write_all(b"again").unwrap();
    assert_eq!(read_to_end(&mut c), b"again");
    assert_eq!(again.wait_exit(), Some(0));
}

#[test]
fn timeout_drops_a_silent_client_and_exits_75() {
    let mut server = start_server(&["serve-once", "--port", "0", "--timeout", "0.3"]);
    let mut c = server.connect();
    assert_eq!(read_to_end(&mut c), b"", "dropped without a reply");
    assert_eq!(server.wait_exit(), Some(75));
    let stderr = server.stderr_so_far();
    assert!(
        stderr
            .contains("timed out: the client sent nothing for 0.3s (--timeout), the server closed"),
        "{stderr}"
    );
    assert!(stderr.contains("socktool: error: timed out after 0.3s while reading from 127.0.0.1:"));
}

#[test]
fn timeout_bounds_the_wait_for_a_client_too() {
    socktool()
        .args(["serve-once", "--port", "0", "--timeout", "0.2"])
        .assert()
        .code(75)
        .stderr(contains(
            "timed out after 0.2s while waiting for a client on 127.0.0.1:",
        ));
}

#[test]
fn nonblocking_narrates_would_blocks_and_still_serves() {
    let mut server = start_server(&["serve-once", "--port", "0", "--nonblocking", "--trace"]);
    server.wait_for("accept() -> EAGAIN (would block #1): no client is waiting");
    server.wait_for("accept() -> EAGAIN (would block #2)");
    let mut c = server.connect();
    c.write_all(b"ping").unwrap();
    assert_eq!(read_to_end(&mut c), b"ping");
    assert_eq!(server.wait_exit(), Some(0));
    let stderr = server.stderr_so_far();
    let listener = fd_after(&stderr, "socket(AF_INET, SOCK_STREAM) -> fd ");
    let nonblocking = if cfg!(windows) {
        format!("ioctlsocket(fd {listener}, FIONBIO, 1) -> ok")
    } else {
        format!("fcntl(fd {listener}, F_SETFL, O_NONBLOCK) -> ok")
    };
    assert!(stderr.contains(&nonblocking), "{stderr}");
    // accept4(SOCK_NONBLOCK): the accepted socket is born non-blocking.
    assert!(
        stderr.contains(&format!("accept(fd {listener}) -> fd ")),
        "{stderr}"
    );
}

#[test]
fn ipv6_loopback() {
    if !has_ipv6_loopback() {
        eprintln!("skipped: this machine cannot bind ::1");
        return;
    }
    let mut server = start_server(&["serve-once", "-6", "--port", "0"]);
    assert!(server.addr.is_ipv6() && server.addr.ip().is_loopback());
    let mut c = server.connect();
    c.write_all(b"six").unwrap();
    assert_eq!(read_to_end(&mut c), b"six");
    assert_eq!(server.wait_exit(), Some(0));
    assert!(server.stderr_so_far().contains("Connected with [::1]:"));
}

#[test]
#[cfg(unix)]
fn every_interface_gets_one_warning_line() {
    let mut server = start_server(&["serve-once", "--host", "", "--port", "0"]);
    assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
    // Printed before the readiness line, so it is there once the server is.
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(), Some(0));
    let warnings: Vec<String> = server
        .stderr_so_far()
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("every network interface, so other machines can reach this server"),
        "{warnings:?}"
    );
}

#[test]
#[cfg(unix)]
fn sigint_and_sigterm_end_it_with_the_summary_and_exit_0() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let mut server = start_server(&["serve-once", "--port", "0"]);
        server.signal(sig);
        assert_eq!(server.wait_exit(), Some(0), "signal {sig}");
        let stderr = server.stderr_so_far();
        assert!(
            stderr.contains("Server stopped: 0 clients served, 0 bytes in, 0 bytes out"),
            "{stderr}"
        );
    }
}

#[test]
fn bad_server_options_are_usage_errors() {
    for args in [
        ["serve-once", "--backlog", "-1"],
        ["serve-once", "--recv-size", "0"],
        ["serve-once", "--timeout", "0"],
        ["serve-once", "--host", "example.com"],
    ] {
        socktool().args(args).assert().code(2);
    }
}
