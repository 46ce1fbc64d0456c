//! `socktool load` against small line servers the test starts on 127.0.0.1
//! port 0: a pure echo, an `OK...` server with a welcome line (the tutorial's
//! protocol), one that answers wrongly, one that hangs up early, one that
//! never answers, one that is full and turns clients away, and the
//! tutorial's own Python server when python3 exists.
//! Counts are asserted exactly; times never are.

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;

use predicates::prelude::*;
use predicates::str::contains;

const WELCOME: &[u8] = b"Welcome to the server. Type something and hit enter\n";

/// How a test server answers each line it reads.
#[derive(Clone, Copy)]
enum Behaviour {
    /// The line back, unchanged.
    Echo,
    /// "OK..." + the line, after a welcome line (the tutorial's step 6).
    Tutorial,
    /// Like Tutorial, but the 3rd byte of every message is changed.
    Garble,
    /// Like Tutorial, but hangs up after this many replies.
    CloseAfter(usize),
    /// Reads and never answers.
    Silent,
}

/// A thread-per-client line server for exactly `clients` connections.
fn line_server(clients: usize, how: Behaviour) -> SocketAddr {
    let (listener, addr) = listener();
    thread::spawn(move || {
        for _ in 0..clients {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            thread::spawn(move || serve(stream, how));
        }
    });
    addr
}

fn serve(stream: TcpStream, how: Behaviour) {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    let mut out = stream.try_clone().unwrap();
    if !matches!(how, Behaviour::Echo) {
        out.write_all(WELCOME).unwrap();
    }
    let mut lines = BufReader::new(stream);
    let mut replies = 0;
    loop {
        let mut line = Vec::new();
        match lines.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = match how {
            Behaviour::Echo => line,
            Behaviour::Tutorial => [b"OK...".as_slice(), &line].concat(),
            Behaviour::Garble => {
                if line.len() > 2 {
                    line[2] = b'#';
                }
                [b"OK...".as_slice(), &line].concat()
            }
            Behaviour::CloseAfter(n) => {
                if replies == n {
                    return;
                }
                [b"OK...".as_slice(), &line].concat()
            }
            Behaviour::Silent => continue,
        };
        if out.write_all(&reply).is_err() {
            return;
        }
        replies += 1;
    }
}

/// What serve-threaded and serve-poll send a newcomer over --max-clients.
const FULL: &[u8] = b"Server full (1 client). Try again later.\n";

/// A server with room for one client, for exactly `clients` connections:
/// the first is served as `how` says, every later one is turned away the
/// way serve-threaded does it, whether or not the first is still there (so
/// the counts do not depend on timing).
fn full_server(clients: usize, how: Behaviour) -> SocketAddr {
    let (listener, addr) = listener();
    thread::spawn(move || {
        for i in 0..clients {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            if i == 0 {
                thread::spawn(move || serve(stream, how));
            } else {
                thread::spawn(move || turn_away(stream));
            }
        }
    });
    addr
}

/// One line, the FIN right behind it, then whatever the client sends is
/// read and dropped until it closes: no unread byte turns the close into a
/// reset (serve-threaded's close_gently does the same).
fn turn_away(mut stream: TcpStream) {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    let _ = stream.write_all(FULL);
    let _ = stream.shutdown(Shutdown::Write);
    let _ = io::copy(&mut stream, &mut io::sink());
}

/// The `key=value` result line on stdout, as a map.
fn result_of(stdout: &[u8]) -> HashMap<String, String> {
    let out = text(stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "one result line on stdout: {out:?}");
    lines[0]
        .split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn load(addr: SocketAddr, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = socktool();
    cmd.args(["load", &addr.ip().to_string(), &addr.port().to_string()])
        .args(extra);
    cmd
}

#[test]
fn every_round_trip_against_an_echo_server_is_counted_exactly() {
    let addr = line_server(7, Behaviour::Echo);
    let out = load(
        addr,
        &[
            "--prefix",
            "",
            "-c",
            "7",
            "-m",
            "13",
            "-s",
            "100",
            "--threads",
            "3",
        ],
    )
    .assert()
    .success()
    .get_output()
    .clone();
    let r = result_of(&out.stdout);
    for (k, v) in [
        ("clients", "7"),
        ("connected", "7"),
        ("failed", "0"),
        ("mismatched", "0"),
        ("unfinished", "0"),
        ("messages", "91"),
    ] {
        assert_eq!(r[k], v, "{k} in {r:?}");
    }
    for k in [
        "seconds",
        "msgs_per_sec",
        "p50_us",
        "p99_us",
        "max_us",
        "served_s",
    ] {
        assert!(r[k].parse::<f64>().is_ok(), "{k} is a number: {r:?}");
    }
    let stderr = text(&out.stderr);
    assert!(stderr.contains("expecting a pure echo"), "{stderr}");
    assert!(
        stderr.contains("91 round trips of 100 bytes verified"),
        "{stderr}"
    );
    // Windows has no open-files limit to raise.
    assert!(
        stderr.contains("RLIMIT_NOFILE") || cfg!(windows),
        "says what it did to the limit: {stderr}"
    );
}

#[test]
fn the_tutorial_protocol_with_welcome_line_and_ok_prefix() {
    let addr = line_server(5, Behaviour::Tutorial);
    let out = load(addr, &["--welcome", "-c", "5", "-m", "20", "-s", "1"])
        .assert()
        .success()
        .get_output()
        .clone();
    let r = result_of(&out.stdout);
    assert_eq!(
        (r["connected"].as_str(), r["messages"].as_str()),
        ("5", "100")
    );
}

#[test]
fn without_welcome_the_welcome_line_is_a_wrong_reply() {
    let addr = line_server(1, Behaviour::Tutorial);
    load(addr, &["-c", "1", "-m", "1"])
        .assert()
        .code(76)
        .stderr(contains("reply byte 0 is 'W', expected 'O'"));
}

#[test]
fn a_server_that_answers_wrongly_is_caught() {
    let addr = line_server(3, Behaviour::Garble);
    let out = load(addr, &["--welcome", "-c", "3", "-m", "4"])
        .assert()
        .code(76)
        .get_output()
        .clone();
    let r = result_of(&out.stdout);
    assert_eq!((r["failed"].as_str(), r["mismatched"].as_str()), ("3", "3"));
    assert_eq!(r["messages"], "0");
    let stderr = text(&out.stderr);
    // "OK..." is 5 bytes, so the message's 3rd byte is reply byte 7.
    assert!(
        stderr.contains("socktool: error: 3 of 3 clients failed: client ")
            && stderr.contains(", message 1: reply byte 7 is '#', expected '"),
        "{stderr}"
    );
}

#[test]
fn a_server_that_closes_early_counts_as_failed() {
    let addr = line_server(4, Behaviour::CloseAfter(2));
    let out = load(addr, &["--welcome", "-c", "4", "-m", "5"])
        .assert()
        .code(74)
        .get_output()
        .clone();
    let r = result_of(&out.stdout);
    assert_eq!(r["connected"], "4");
    assert_eq!(r["failed"], "4");
    assert_eq!(r["messages"], "8", "2 verified replies from each client");
    assert!(
        text(&out.stderr)
            .contains("the server closed the connection after 2 of 5 replies before reply 3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn duration_bounds_a_run_against_a_server_that_never_answers() {
    let addr = line_server(2, Behaviour::Silent);
    let out = load(
        addr,
        &["--welcome", "-c", "2", "-m", "3", "--duration", "0.3"],
    )
    .assert()
    .code(75)
    .get_output()
    .clone();
    let r = result_of(&out.stdout);
    assert_eq!(
        (r["unfinished"].as_str(), r["messages"].as_str()),
        ("2", "0")
    );
    assert_eq!(r["served_s"], "-");
    assert!(
        text(&out.stderr).contains(
            "no complete reply to message 1 of 3 (0 of 69 bytes) when --duration 0.3s ended"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn duration_also_bounds_a_server_that_never_accepts() {
    // Bound but never accepting: the kernel completes the handshakes and
    // queues them; nobody ever sends the welcome line.
    let (_listener, addr) = listener();
    load(addr, &["--welcome", "-c", "3", "--duration", "0.3"])
        .assert()
        .code(75)
        .stderr(contains(
            "still waiting for the welcome line (0 bytes so far)",
        ));
}

#[test]
fn hold_keeps_every_client_open_until_the_bound() {
    let addr = line_server(20, Behaviour::Tutorial);
    let out = load(
        addr,
        &["--welcome", "--hold", "-c", "20", "--duration", "0.5"],
    )
    .assert()
    .success()
    .get_output()
    .clone();
    let r = result_of(&out.stdout);
    assert_eq!(
        (r["connected"].as_str(), r["messages"].as_str()),
        ("20", "20")
    );
    assert!(
        text(&out.stderr).contains("Holding 20 connections (0 failed)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_full_server_turning_clients_away_is_said_so() {
    // With --welcome the refusal line arrives where the welcome line should;
    // without, where the first reply should. Either way: one line, then the
    // end of the stream.
    let cases: [(Behaviour, &[&str]); 2] = [
        (Behaviour::Tutorial, &["--welcome"]),
        (Behaviour::Echo, &["--prefix", ""]),
    ];
    for (how, args) in cases {
        let addr = full_server(4, how);
        // --duration: a run that misses the end of a stream stops in time.
        let out = load(addr, &[args, &["-c", "4", "-m", "5", "-d", "10"]].concat())
            .assert()
            .code(69)
            .get_output()
            .clone();
        let r = result_of(&out.stdout);
        for (k, v) in [
            ("connected", "4"),
            ("failed", "3"),
            ("mismatched", "0"),
            ("unfinished", "0"),
            ("messages", "5"),
        ] {
            assert_eq!(r[k], v, "{k} in {r:?} ({args:?})");
        }
        let stderr = text(&out.stderr);
        for said in [
            "3 clients turned away by the server",
            r#"the server sent one line, "Server full (1 client). Try again later.\n", and closed the connection"#,
            "raise the server's --max-clients, or lower --clients",
        ] {
            assert!(stderr.contains(said), "{args:?} says {said:?}:\n{stderr}");
        }
        assert!(!stderr.contains("raise --duration"), "{stderr}");
    }
}

#[test]
fn a_wrong_first_line_the_server_keeps_open_is_a_wrong_reply() {
    // Without --welcome the silent server's welcome line looks like a
    // refusal until the connection stays open past the grace period.
    let addr = line_server(2, Behaviour::Silent);
    let out = load(addr, &["-c", "2", "-m", "3", "-d", "10"])
        .assert()
        .code(76)
        .stderr(contains("reply byte 0 is 'W', expected 'O'"))
        .get_output()
        .clone();
    let r = result_of(&out.stdout);
    assert_eq!(
        (r["mismatched"].as_str(), r["unfinished"].as_str()),
        ("2", "0")
    );
}

#[test]
fn nothing_listening_is_refused() {
    let (l, addr) = listener();
    drop(l);
    load(addr, &["-c", "2"])
        .assert()
        .code(69)
        .stderr(contains("2 of 2 clients failed").and(contains("Connection refused")));
}

#[test]
fn sources_spread_clients_over_loopback_addresses() {
    // The server sees each client's source address: 127.0.0.1, .2, .3.
    let (listener, addr) = listener();
    let peers = thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..6 {
            let (stream, peer) = listener.accept().unwrap();
            seen.push(peer.ip().to_string());
            thread::spawn(move || serve(stream, Behaviour::Echo));
        }
        seen.sort();
        seen
    });
    load(
        addr,
        &["--prefix", "", "-c", "6", "-m", "2", "--sources", "3"],
    )
    .assert()
    .success();
    assert_eq!(
        peers.join().unwrap(),
        [
            "127.0.0.1",
            "127.0.0.1",
            "127.0.0.2",
            "127.0.0.2",
            "127.0.0.3",
            "127.0.0.3"
        ]
    );
}

#[test]
#[cfg(unix)]
fn impossible_combinations_are_usage_errors() {
    socktool()
        .args(["load", "::1", "9", "--sources", "2"])
        .assert()
        .code(2)
        .stderr(contains("--sources spreads clients over 127.0.0.X"));
    socktool()
        .args(["load", "127.0.0.1", "9", "--size", "0"])
        .assert()
        .code(2);
    // More clients than file descriptors: refused before any socket exists.
    // Only where the hard limit is below a million, or it would really try.
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    if lim.rlim_max < 1_000_000 {
        socktool()
            .args(["load", "127.0.0.1", "9", "--clients", "1000000"])
            .assert()
            .code(2)
            .stderr(contains("--clients 1000000 needs 1000032 open files"));
    }
}

/// The tutorial's own server, bench/tutorial_server.py, killed on drop.
struct Python(Child);

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_tutorials_python_server_passes_when_python3_is_there() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/tutorial_server.py");
    let Ok(child) = Command::new("python3")
        .args([script, "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        eprintln!("python3 not found: skipping the tutorial server test");
        return;
    };
    let mut python = Python(child);
    let stdout = python.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads every line, so the server never blocks on a full pipe.
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let addr: SocketAddr = loop {
        let line = rx.recv_timeout(PATIENCE).expect("python's listening line");
        if let Some(a) = line.strip_prefix("Socket now listening on ") {
            break a.parse().unwrap();
        }
    };
    let out = load(addr, &["--welcome", "-c", "5", "-m", "20"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(result_of(&out.stdout)["messages"], "100");
}
