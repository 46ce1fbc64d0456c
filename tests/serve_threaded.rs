//! `socktool serve-threaded`: many clients at once, each on its own thread,
//! and clients that misbehave costing only themselves. The last two tests
//! talk to it with real telnet and nc (ignored where those are missing;
//! `.ci/run` installs them and runs them).

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::line_server::{self, say_line, welcomed};
use common::*;

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

#[test]
#[cfg(unix)]
fn three_clients_at_once_each_talk_several_times() {
    let mut server = start_server(&["serve-threaded", "--port", "0"]);
    let stdout = server.stdout_in_background();
    let mut clients: Vec<TcpStream> = (0..3).map(|_| welcomed(&server)).collect();
    // Interleaved: every client is served while the others stay connected.
    for round in 0..3 {
        for (i, c) in clients.iter_mut().enumerate() {
            let line = format!("line {round} from client {i}\r\n");
            let mut expected = b"OK...".to_vec();
            expected.extend_from_slice(line.as_bytes());
            assert_eq!(say_line(c, line.as_bytes()), expected);
        }
    }
    let addrs: Vec<_> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
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
    // 9 lines of 22 bytes in; 3 welcomes and 9 replies of 27 bytes out.
    assert!(
        stderr.contains("Server stopped: 3 clients served, 198 bytes in, 399 bytes out"),
        "{stderr}"
    );
    // The console: each chunk on stdout, labelled with its sender.
    let out = text(&stdout.join().unwrap());
    for (i, addr) in addrs.iter().enumerate() {
        for round in 0..3 {
            let record = format!("[{addr}] line {round} from client {i}\r\n");
            assert!(out.contains(&record), "{record:?} not in {out:?}");
        }
    }
    assert_eq!(out.lines().count(), 9);
}

#[test]
#[cfg(unix)]
fn welcome_and_prefix_can_be_changed() {
    let mut server = start_server(&[
        "serve-threaded",
        "--port",
        "0",
        "--welcome",
        "hello, robot",
        "--prefix",
        "got: ",
    ]);
    let mut c = server.connect();
    assert_eq!(read_line(&mut c), b"hello, robot\n");
    assert_eq!(say_line(&mut c, b"\x01\x02\n"), b"got: \x01\x02\n");
    drop(c);
    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(), Some(0));

    // An empty welcome sends nothing: the client speaks first.
    let server = start_server(&["serve-threaded", "--port", "0", "--welcome", ""]);
    let mut c = server.connect();
    assert_eq!(say_line(&mut c, b"first\n"), b"OK...first\n");
}

#[test]
#[cfg(unix)]
fn max_clients_turns_a_newcomer_away_with_one_line() {
    line_server::max_clients_turns_a_newcomer_away_with_one_line("serve-threaded");
}

#[test]
fn idle_timeout_drops_a_silent_client_and_not_a_talking_one() {
    line_server::idle_timeout_drops_a_silent_client_and_not_a_talking_one("serve-threaded");
}

#[test]
fn timeout_drops_a_client_that_does_not_read() {
    // With --send-timeout, a client that stops reading holds its thread only that
    // long: the server gives up sending and closes it.
    let mut server = start_server(&["serve-threaded", "--port", "0", "--send-timeout", "0.5"]);
    let _console = server.stdout_in_background();
    let hog = server.connect();
    let writer = flood(hog.try_clone().unwrap(), 10_000_000);
    server.wait_for(
        "timed out: the client read nothing for 0.5s (--send-timeout), the server closed",
    );
    // Closed with our bytes unread, the server's kernel answers with a
    // reset, so the flood fails and its thread ends.
    let sent = writer.join().unwrap();
    assert!(sent < 10_000_000, "the server closed before taking it all");
    let mut other = welcomed(&server);
    assert_eq!(say_line(&mut other, b"ok?\n"), b"OK...ok?\n");
}

/// Writes up to `total` bytes from a thread until the peer stops taking them
/// (or `PATIENCE` passes); returns how many were written.
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
#[cfg(unix)]
fn a_client_sending_10_mb_without_reading_does_not_stop_the_others() {
    let mut server = start_server(&["serve-threaded", "--port", "0"]);
    let stdout = server.stdout_in_background();
    let hog = server.connect();
    let writer = flood(hog.try_clone().unwrap(), 10_000_000);
    // Wait until the hog's thread is stuck: its replies fill the hog's
    // receive buffer, the server's send waits, and the hog's writes stall.
    server.wait_for("Connected with");
    for i in 0..3 {
        let mut other = welcomed(&server);
        let line = format!("meanwhile {i}\n");
        let mut expected = b"OK...".to_vec();
        expected.extend_from_slice(line.as_bytes());
        assert_eq!(say_line(&mut other, line.as_bytes()), expected);
    }
    // The hog vanishes with data in flight: only its thread notices.
    // (shutdown first wakes our own writer thread, which holds a copy.)
    hog.shutdown(Shutdown::Both).unwrap();
    let _ = writer.join();
    drop(hog);
    server.wait_for("the client reset the connection");
    let mut after = welcomed(&server);
    assert_eq!(say_line(&mut after, b"after\n"), b"OK...after\n");
    drop(after);
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let out = stdout.join().unwrap();
    assert!(out.len() > 1024, "the hog's bytes reached the console");
}

#[test]
fn a_reset_client_costs_only_itself() {
    let mut server = start_server(&["serve-threaded", "--port", "0"]);
    let mut steady = welcomed(&server);
    let mut rude = server.connect();
    rude.write_all(b"hi\r\n").unwrap();
    // SO_LINGER 0: close sends RST instead of FIN.
    socket2::SockRef::from(&rude)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(rude);
    server.wait_for("the client reset the connection");
    assert_eq!(say_line(&mut steady, b"fine\r\n"), b"OK...fine\r\n");
}

#[test]
#[cfg(unix)]
fn ctrl_c_closes_connected_clients_and_prints_the_summary() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let mut server = start_server(&["serve-threaded", "--port", "0"]);
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
            stderr.contains("Server stopped: 2 clients served, 3 bytes in, 174 bytes out"),
            "{stderr}"
        );
    }
}

/// Voluntary context switches of the server's client threads so far: each
/// is one time a thread went to sleep (and so was woken once).
fn client_thread_sleeps(server: &Server) -> (usize, u64) {
    let tasks = format!("/proc/{}/task", server.child.id());
    let mut threads = 0;
    let mut sleeps = 0;
    for task in std::fs::read_dir(tasks).unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.starts_with("client ") {
            continue;
        }
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        if let Some(n) = status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        {
            threads += 1;
            sleeps += n.trim().parse::<u64>().unwrap();
        }
    }
    (threads, sleeps)
}

#[test]
#[cfg(unix)]
fn idle_clients_cost_no_wake_ups_and_ctrl_c_still_ends_them_at_once() {
    // Each thread once woke every 100 ms to look for Ctrl-C: 10,000 idle
    // clients cost half a core. Now an idle thread sleeps in recv until
    // data, --idle-timeout or Ctrl-C's doorbell (it waits in poll on both).
    let mut server = start_server(&["serve-threaded", "--port", "0", "--quiet"]);
    let mut clients: Vec<TcpStream> = (0..20).map(|_| welcomed(&server)).collect();
    for c in &mut clients {
        assert_eq!(say_line(c, b"hi\n"), b"OK...hi\n");
    }
    let (threads, before) = client_thread_sleeps(&server);
    assert_eq!(threads, 20);
    // An observation window, not a wait for readiness: polling threads
    // would sleep and wake 10 times each in it, 200 in all.
    thread::sleep(Duration::from_secs(1));
    let (_, after) = client_thread_sleeps(&server);
    assert!(
        after - before < 20,
        "20 idle client threads slept {} times in 1 s",
        after - before
    );
    // Still served, and Ctrl-C still wakes every sleeping thread at once.
    assert_eq!(say_line(&mut clients[7], b"again\n"), b"OK...again\n");
    let stopped = Instant::now();
    server.signal(libc::SIGINT);
    for c in &mut clients {
        assert_eq!(read_to_end(c), GOODBYE);
    }
    assert_eq!(server.wait_exit(), Some(0));
    assert!(
        stopped.elapsed() < Duration::from_secs(2),
        "took {:?}",
        stopped.elapsed()
    );
}

#[test]
fn ipv6_loopback() {
    if !has_ipv6_loopback() {
        eprintln!("skipped: this machine cannot bind ::1");
        return;
    }
    let server = start_server(&["serve-threaded", "-6", "--port", "0"]);
    assert_eq!(server.addr.ip().to_string(), "::1");
    let mut c = welcomed(&server);
    assert_eq!(say_line(&mut c, b"v6\n"), b"OK...v6\n");
}

#[test]
#[cfg(unix)]
fn raises_the_open_files_limit_so_more_clients_fit() {
    line_server::open_files_limit_is_raised("serve-threaded");
}

#[test]
#[cfg(unix)]
#[ignore = "needs telnet and nc"]
fn telnet_sends_crlf_and_gets_it_back() {
    line_server::telnet_sends_crlf_and_gets_it_back("serve-threaded");
}

#[test]
#[cfg(unix)]
#[ignore = "needs telnet and nc"]
fn nc_gets_the_welcome_and_the_exact_reply() {
    line_server::nc_gets_the_welcome_and_the_exact_reply("serve-threaded");
}

#[test]
#[cfg(unix)]
fn quiet_hides_narration_and_the_display_but_serves_the_same_bytes() {
    let mut server = start_server(&["serve-threaded", "--port", "0", "--quiet"]);
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
