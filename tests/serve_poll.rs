//! `socktool serve-poll`: one thread, every client, the serve-threaded
//! protocol. Many clients at once, clients that misbehave (never read,
//! reset, stay silent) costing only themselves, and the readiness events
//! that `--trace` shows. The last two tests talk to it with real telnet and
//! nc (ignored where those are missing; `.ci/run` installs them and runs
//! them).

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::line_server::{self, WELCOME, say_line, welcomed};
use common::*;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// The names of the server process's threads right now (Linux /proc).
fn threads_of(server: &Server) -> Option<Vec<String>> {
    let tasks = std::fs::read_dir(format!("/proc/{}/task", server.child.id())).ok()?;
    Some(
        tasks
            .flatten()
            .map(|t| {
                let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
                comm.trim().to_string()
            })
            .collect(),
    )
}

#[test]
#[cfg(unix)]
fn two_hundred_clients_at_once_on_one_thread_every_reply_exact() {
    const CLIENTS: usize = 200;
    const ROUNDS: usize = 4;
    let mut server = start_server(&["serve-poll", "--port", "0"]);
    let stdout = server.stdout_in_background();
    let mut clients: Vec<TcpStream> = (0..CLIENTS).map(|_| welcomed(&server)).collect();
    if let Some(mut names) = threads_of(&server) {
        // The other threads only write the terminal (stdout, stderr) and
        // turn Ctrl-C into a doorbell.
        names.sort();
        assert_eq!(
            names,
            ["ctrl-c", "socktool", "stderr writer", "stdout writer"],
            "one thread holds {CLIENTS} clients"
        );
    }
    let line = |round: usize, i: usize| format!("round {round} from client {i:03}\r\n");
    for round in 0..ROUNDS {
        // Every client speaks before any reply is read: the server must
        // answer all of them, none waiting for another.
        for (i, c) in clients.iter_mut().enumerate() {
            c.write_all(line(round, i).as_bytes()).unwrap();
        }
        for (i, c) in clients.iter_mut().enumerate() {
            let mut expected = b"OK...".to_vec();
            expected.extend_from_slice(line(round, i).as_bytes());
            assert_eq!(read_line(c), expected, "client {i}, round {round}");
        }
    }
    let addrs: Vec<SocketAddr> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
    for c in &clients {
        c.shutdown(Shutdown::Write).unwrap();
    }
    for c in &mut clients {
        assert_eq!(read_to_end(c), b"", "closed after the client's EOF");
    }
    for addr in &addrs {
        server.wait_for_any_time(&format!("Disconnected {addr}"));
    }
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let stderr = server.stderr_so_far();
    // Each line is 25 bytes in; each reply 30 bytes out, plus 52 of welcome.
    let (lines, welcome_len) = ((CLIENTS * ROUNDS) as u64, WELCOME.len() as u64);
    let summary = format!(
        "Server stopped: {CLIENTS} clients served, {} bytes in, {} bytes out",
        lines * 25,
        lines * 30 + CLIENTS as u64 * welcome_len
    );
    assert!(stderr.contains(&summary), "{summary:?} not in:\n{stderr}");
    assert_eq!(
        stderr
            .matches("the client closed first (recv returned 0)")
            .count(),
        CLIENTS
    );
    // The console: every line on stdout, labelled with its sender.
    let out = text(&stdout.join().unwrap());
    assert_eq!(out.lines().count(), CLIENTS * ROUNDS);
    for (i, addr) in addrs.iter().enumerate() {
        for round in 0..ROUNDS {
            let record = format!("[{addr}] {}", line(round, i));
            assert!(out.contains(&record), "{record:?} not on stdout");
        }
    }
}

#[test]
#[cfg(unix)]
fn welcome_and_prefix_can_be_changed() {
    let mut server = start_server(&[
        "serve-poll",
        "--port",
        "0",
        "--welcome",
        "hello, robot",
        "--prefix",
        "got: ",
    ]);
    let mut c = server.connect();
    assert_eq!(read_line(&mut c), b"hello, robot\n");
    assert_eq!(say_line(&mut c, b"\x01\x02\xff\n"), b"got: \x01\x02\xff\n");
    drop(c);
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(), Some(0));

    // An empty welcome sends nothing: the client speaks first.
    let server = start_server(&["serve-poll", "--port", "0", "--welcome", ""]);
    let mut c = server.connect();
    assert_eq!(say_line(&mut c, b"first\n"), b"OK...first\n");
}

/// Writes up to `total` bytes of `x` from a thread until the peer stops
/// taking them (a write blocks `PATIENCE`) or fails; returns how many.
fn flood(mut c: TcpStream, total: usize) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        let started = Instant::now();
        while sent < total && started.elapsed() < PATIENCE {
            match c.write(&chunk[..chunk.len().min(total - sent)]) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    })
}

#[test]
fn a_client_sending_megabytes_without_reading_stalls_only_itself_and_loses_nothing() {
    const TOTAL: usize = 16 * 1024 * 1024;
    let mut server = start_server(&["serve-poll", "--port", "0", "--recv-size", "16384"]);
    let _console = server.stdout_in_background();
    let hog = server.connect();
    let hog_addr = hog.local_addr().unwrap();
    let writer = flood(hog.try_clone().unwrap(), TOTAL);
    // Served while the hog floods...
    let mut other = welcomed(&server);
    assert_eq!(say_line(&mut other, b"during\n"), b"OK...during\n");
    // ...and once its replies fill every buffer, the server stops reading
    // from it (so the hog's own send stalls) instead of keeping more.
    server.wait_for("not reading from it until it does (backpressure)");
    for i in 0..3 {
        let mut c = welcomed(&server);
        let line = format!("meanwhile {i}\n");
        assert_eq!(
            say_line(&mut c, line.as_bytes()),
            [b"OK...", line.as_bytes()].concat()
        );
    }
    assert_eq!(say_line(&mut other, b"still\n"), b"OK...still\n");

    // Now the hog reads: the server sends what it kept, reads from it
    // again, and the flood finishes.
    let mut hog_reader = hog.try_clone().unwrap();
    let reader = thread::spawn(move || {
        let mut got = Vec::new();
        hog_reader.read_to_end(&mut got).map(|_| got)
    });
    server.wait_for("the client is reading again");
    assert_eq!(writer.join().unwrap(), TOTAL, "the whole flood was taken");
    // The hog's EOF: the server still sends every reply it owes, then
    // closes. Every byte comes back, in order, after "OK...".
    hog.shutdown(Shutdown::Write).unwrap();
    let got = reader.join().unwrap().expect("the hog reads to the end");
    assert!(got.starts_with(WELCOME));
    let replies = String::from_utf8(got[WELCOME.len()..].to_vec()).expect("only OK... and x");
    assert!(replies.starts_with("OK..."), "{:?}", &replies[..20]);
    let echoed = replies.replace("OK...", "");
    assert_eq!(echoed.len(), TOTAL, "every byte echoed exactly once");
    assert!(echoed.bytes().all(|b| b == b'x'));
    let left = server.wait_for_any_time(&format!("Disconnected {hog_addr}"));
    assert!(
        left.contains(&format!("{TOTAL} bytes in"))
            && left.ends_with("the client closed first (recv returned 0)"),
        "{left}"
    );
    assert_eq!(say_line(&mut other, b"after\n"), b"OK...after\n");
}

#[test]
fn timeout_drops_a_client_that_does_not_read() {
    // With --send-timeout, replies the client does not take wait that long at
    // most: the server closes it, and the others never noticed.
    let mut server = start_server(&["serve-poll", "--port", "0", "--send-timeout", "0.5"]);
    let _console = server.stdout_in_background();
    let hog = server.connect();
    let writer = flood(hog.try_clone().unwrap(), 64 * 1024 * 1024);
    let mut other = welcomed(&server);
    assert_eq!(say_line(&mut other, b"ok?\n"), b"OK...ok?\n");
    server.wait_for(
        "timed out: the client read nothing for 0.5s (--send-timeout), the server closed",
    );
    // Closed with our bytes unread, the server's kernel answers with a
    // reset, so the flood fails and its thread ends.
    let sent = writer.join().unwrap();
    assert!(
        sent < 64 * 1024 * 1024,
        "the server closed before taking it all"
    );
    // `other`, silent since, is still connected: --send-timeout bounds
    // only replies that wait.
    assert_eq!(say_line(&mut other, b"still?\n"), b"OK...still?\n");
    drop(other);
    let mut after = welcomed(&server);
    assert_eq!(say_line(&mut after, b"ok!\n"), b"OK...ok!\n");
}

#[test]
fn timeout_with_nobody_connected_exits_75() {
    socktool()
        .args(["serve-poll", "--port", "0", "--timeout", "0.3"])
        .assert()
        .code(75)
        .stderr(predicates::str::contains(
            "Socket now listening on 127.0.0.1:",
        ));
}

#[test]
fn a_reset_client_costs_only_itself() {
    let mut server = start_server(&["serve-poll", "--port", "0"]);
    let mut steady = welcomed(&server);
    let mut rude = server.connect();
    rude.write_all(b"hi\r\n").unwrap();
    // SO_LINGER 0: close sends RST instead of FIN, with our welcome unread.
    socket2::SockRef::from(&rude)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(rude);
    server.wait_for("the client reset the connection");
    assert_eq!(say_line(&mut steady, b"fine\r\n"), b"OK...fine\r\n");
}

#[test]
#[cfg(unix)]
fn max_clients_turns_a_newcomer_away_with_one_line() {
    line_server::max_clients_turns_a_newcomer_away_with_one_line("serve-poll");
}

#[test]
fn idle_timeout_drops_a_silent_client_and_not_a_talking_one() {
    line_server::idle_timeout_drops_a_silent_client_and_not_a_talking_one("serve-poll");
}

#[test]
#[cfg(unix)]
fn ctrl_c_closes_connected_clients_and_prints_the_summary() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let mut server = start_server(&["serve-poll", "--port", "0"]);
        let mut a = welcomed(&server);
        let mut b = welcomed(&server);
        assert_eq!(say_line(&mut a, b"hi\n"), b"OK...hi\n");
        server.signal(sig);
        // Both are closed by the server, at once, though neither left,
        // and told why first.
        assert_eq!(read_to_end(&mut a), GOODBYE);
        assert_eq!(read_to_end(&mut b), GOODBYE);
        assert_eq!(server.wait_exit(), Some(0), "signal {sig}");
        let stderr = server.stderr_so_far();
        assert_eq!(
            stderr
                .matches("the server closed first (shutting down)")
                .count(),
            2,
            "{stderr}"
        );
        assert!(
            stderr.contains("closing 2 clients still connected"),
            "{stderr}"
        );
        assert!(
            stderr.contains("Server stopped: 2 clients served, 3 bytes in, 174 bytes out"),
            "{stderr}"
        );
        // The leave lines come before the summary.
        let summary = stderr.find("Server stopped").unwrap();
        assert!(stderr.rfind("Disconnected").unwrap() < summary);
    }
}

#[test]
#[cfg(unix)]
fn trace_shows_one_thread_juggling_readiness_events() {
    let mut server = start_server(&["serve-poll", "--port", "0", "--trace"]);
    let mut a = welcomed(&server);
    let mut b = welcomed(&server);
    assert_eq!(say_line(&mut a, b"from a\n"), b"OK...from a\n");
    assert_eq!(say_line(&mut b, b"from b\n"), b"OK...from b\n");
    drop((a, b));
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let log = server.stderr_so_far();
    // The fds the server gave its clients, from its own accept lines.
    let fds: Vec<String> = log
        .lines()
        .filter_map(|l| l.trim().strip_prefix("accept(fd "))
        .filter_map(|rest| rest.split("-> fd ").nth(1))
        .filter_map(|rest| rest.split(',').next())
        .map(str::to_string)
        .collect();
    assert_eq!(fds.len(), 2, "{log}");
    assert!(log.contains("epoll_create1(EPOLL_CLOEXEC) -> fd "), "{log}");
    assert!(log.contains("readable (listening)"), "{log}");
    for fd in &fds {
        assert!(
            log.contains(&format!("epoll_ctl(ADD, fd {fd}, readable) -> ok")),
            "{log}"
        );
        // The wake-up that names this client's socket, then its recv.
        let event = format!("fd {fd} readable");
        let woke = log
            .lines()
            .position(|l| l.contains("epoll_wait(") && l.contains(&event))
            .unwrap_or_else(|| panic!("no {event:?} in:\n{log}"));
        assert!(
            log.lines()
                .skip(woke)
                .any(|l| l.contains(&format!("recv(fd {fd}, 1024) -> 7 bytes"))),
            "{log}"
        );
    }
    // Each readable client is read until the kernel has nothing more.
    assert!(log.contains("1024) -> EAGAIN"), "{log}");
}

#[test]
#[cfg(unix)]
fn quiet_hides_narration_and_the_display_but_serves_the_same_bytes() {
    let mut server = start_server(&["serve-poll", "--port", "0", "--quiet"]);
    let mut c = welcomed(&server);
    assert_eq!(say_line(&mut c, b"hi\r\n"), b"OK...hi\r\n");
    drop(c);
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    assert_eq!(server.stdout_bytes(), b"", "nothing on stdout with --quiet");
    let stderr = server.stderr_so_far();
    assert_eq!(
        stderr.lines().count(),
        1,
        "only the listening line:\n{stderr}"
    );
}

#[test]
#[cfg(unix)]
fn raises_the_open_files_limit_so_more_clients_fit() {
    line_server::open_files_limit_is_raised("serve-poll");
}

#[test]
#[cfg(unix)]
#[ignore = "needs telnet and nc"]
fn telnet_sends_crlf_and_gets_it_back() {
    line_server::telnet_sends_crlf_and_gets_it_back("serve-poll");
}

#[test]
#[cfg(unix)]
#[ignore = "needs telnet and nc"]
fn nc_gets_the_welcome_and_the_exact_reply() {
    line_server::nc_gets_the_welcome_and_the_exact_reply("serve-poll");
}
