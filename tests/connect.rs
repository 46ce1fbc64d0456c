//! `socktool connect` against small TCP peers the test starts itself on
//! 127.0.0.1 port 0. Each peer binds before socktool runs, so the kernel
//! queues the connection and nothing needs to wait.

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use predicates::prelude::*;
use predicates::str::contains;

/// A peer that greets, reads until EOF (so it only finishes if socktool
/// half-closes), answers `OK...` + everything it read, and closes.
/// Yields the bytes it read.
fn greet_then_answer_at_eof() -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let (l, addr) = listener();
    let handle = thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.write_all(b"Welcome\n").expect("welcome");
        let got = read_to_end(&mut s);
        let mut reply = b"OK...".to_vec();
        reply.extend_from_slice(&got);
        s.write_all(&reply).expect("reply");
        got
    });
    (addr, handle)
}

/// Kills socktool if a test fails half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    fn wait_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.0.try_wait().expect("try_wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "socktool connect did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Everything socktool writes on stdout, chunk by chunk, readable with a
/// timeout (a pipe has none of its own).
fn stdout_chunks(stdout: ChildStdout) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut stdout = stdout;
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

/// Collects stdout until exactly `want` has arrived.
fn expect_output(rx: &Receiver<Vec<u8>>, want: &[u8]) {
    let mut got = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while got.len() < want.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => got.extend(chunk),
            Err(_) => break,
        }
    }
    assert_eq!(text(&got), text(want));
    assert_eq!(got, want);
}

#[test]
fn a_pipe_is_sent_exactly_then_half_closed_and_every_reply_byte_printed() {
    let (addr, peer) = greet_then_answer_at_eof();
    let input: &[u8] = b"hi\n\x00\xffbye\r\n";
    let out = socktool()
        .args(["connect", "127.0.0.1", &addr.port().to_string()])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .clone();
    // The peer's read_to_end returned, so it saw EOF: the half-close.
    assert_eq!(
        peer.join().unwrap(),
        input,
        "the server got stdin byte for byte"
    );
    let mut want = b"Welcome\nOK...".to_vec();
    want.extend_from_slice(input);
    assert_eq!(
        out.stdout, want,
        "stdout is what the server sent, byte for byte"
    );
    let stderr = text(&out.stderr);
    for line in [
        "Socket created",
        "Socket Connected to 127.0.0.1 on ip 127.0.0.1",
        "end of stdin: shutdown(SHUT_WR)",
        "we closed first",
        &format!("Sent {} bytes, received {} bytes", input.len(), want.len()),
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
}

#[test]
fn the_welcome_shows_before_anything_is_typed_and_both_ways_run_at_once() {
    let (l, addr) = listener();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.write_all(b"Welcome to the server. Type something and hit enter\n")
            .unwrap();
        // serve-threaded's loop: answer each recv until the client closes.
        let mut buf = [0u8; 1024];
        loop {
            let n = s.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            let mut reply = b"OK...".to_vec();
            reply.extend_from_slice(&buf[..n]);
            s.write_all(&reply).unwrap();
        }
    });
    let mut child = Running(
        socktool_std()
            .args(["connect", "127.0.0.1", &addr.port().to_string(), "--crlf"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    let out = stdout_chunks(child.0.stdout.take().unwrap());

    // stdin is open and empty: the welcome must still arrive.
    expect_output(
        &out,
        b"Welcome to the server. Type something and hit enter\n",
    );
    stdin.write_all(b"hi\n").unwrap();
    stdin.flush().unwrap();
    // The tutorial's telnet transcript: telnet sends \r\n, the echo keeps it.
    expect_output(&out, b"OK...hi\r\n");
    drop(stdin);
    assert_eq!(child.wait_code(), Some(0));
    peer.join().unwrap();
}

#[test]
fn crlf_turns_each_line_end_into_cr_lf_once() {
    let (addr, peer) = greet_then_answer_at_eof();
    socktool()
        .args(["connect", "127.0.0.1", &addr.port().to_string(), "--crlf"])
        .write_stdin(&b"a\nb\r\nc\n"[..])
        .assert()
        .success();
    assert_eq!(text(&peer.join().unwrap()), "a\r\nb\r\nc\r\n");
}

#[test]
fn when_the_server_closes_first_socktool_ends_without_waiting_for_stdin() {
    let (l, addr) = listener();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        s.write_all(b"bye\n").unwrap();
    });
    let mut child = Running(
        socktool_std()
            .args(["connect", "127.0.0.1", &addr.port().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    // Held open and never written: a user who has not typed yet.
    let _stdin = child.0.stdin.take().unwrap();
    let out = stdout_chunks(child.0.stdout.take().unwrap());
    expect_output(&out, b"bye\n");
    assert_eq!(child.wait_code(), Some(0));
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("the server closed the connection first"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Sent 0 bytes, received 4 bytes"),
        "{stderr}"
    );
    peer.join().unwrap();
}

/// How often the race below is tried: without the fix about one run in
/// four printed `Sent 0 bytes` here, so 40 runs all but never miss it, and
/// they take about a second.
const RACE_RUNS: usize = 40;

#[test]
fn bytes_the_server_read_before_closing_are_counted_in_the_summary() {
    // The server reads the client's line and closes at once. Its close can
    // wake socktool's receiving thread before the sending thread, back from
    // the kernel, has counted the bytes: the summary used to say `Sent 0`.
    let (l, addr) = listener();
    let peer = thread::spawn(move || {
        let mut got = Vec::new();
        for _ in 0..RACE_RUNS {
            let (mut s, _) = l.accept().expect("accept");
            s.set_read_timeout(Some(PATIENCE)).unwrap();
            got.push(read_line(&mut s));
        }
        got
    });
    for run in 0..RACE_RUNS {
        let mut child = Running(
            socktool_std()
                .args(["connect", "127.0.0.1", &addr.port().to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn"),
        );
        // One line typed, and the terminal left open: the sender is not
        // at the end of stdin, so nothing else makes the summary wait.
        let mut stdin = child.0.stdin.take().unwrap();
        stdin.write_all(b"hi\n").unwrap();
        assert_eq!(child.wait_code(), Some(0), "run {run}");
        let mut stderr = String::new();
        let mut pipe = child.0.stderr.take().unwrap();
        pipe.read_to_string(&mut stderr).unwrap();
        assert!(
            stderr.contains("the server closed the connection first"),
            "run {run}: {stderr}"
        );
        assert!(
            stderr.contains("Sent 3 bytes, received 0 bytes"),
            "run {run}: {stderr}"
        );
        drop(stdin);
    }
    let got = peer.join().unwrap();
    assert!(got.iter().all(|l| l == b"hi\n"), "{got:?}");
}

#[test]
fn a_refused_port_exits_69() {
    let port = {
        let (l, addr) = listener();
        drop(l);
        addr.port()
    };
    socktool()
        .args(["connect", "127.0.0.1", &port.to_string()])
        .write_stdin("hi\n")
        .assert()
        .code(69)
        .stderr(contains("Connection refused"))
        .stderr(contains(format!(
            "nothing listens on port {port}: start a server there first, e.g. `socktool serve-threaded --port {port}`"
        )))
        // Loopback: the note for other machines does not apply.
        .stderr(contains("--host 0.0.0.0").not());
}

#[test]
fn a_refused_low_port_suggests_a_server_one_can_start() {
    socktool()
        .args(["connect", "127.0.0.1", "1"])
        .write_stdin("")
        .assert()
        .code(69)
        .stderr(contains("a server there needs root"))
        .stderr(contains("`socktool serve-threaded --port 8888`"));
}

#[test]
fn a_silent_server_times_out_with_75_when_timeout_is_given() {
    // Accepts nothing and sends nothing: the connection completes in the
    // kernel's backlog, then silence.
    let (_l, addr) = listener();
    let started = Instant::now();
    socktool()
        .args([
            "connect",
            "127.0.0.1",
            &addr.port().to_string(),
            "--timeout",
            "0.5",
        ])
        .write_stdin("")
        .assert()
        .code(75)
        .stderr(contains("timed out after 0.5s while reading from"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn ipv6_loopback_works_and_the_family_is_checked() {
    if !has_ipv6_loopback() {
        eprintln!("skipped: no ::1 on this machine");
        return;
    }
    let l = TcpListener::bind("[::1]:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        s.write_all(b"v6\n").unwrap();
    });
    socktool()
        .args(["connect", "::1", &port, "-6"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("v6\n")
        .stderr(contains("Socket Connected to ::1 on ip ::1"));
    peer.join().unwrap();
    socktool()
        .args(["connect", "::1", &port, "-4"])
        .assert()
        .code(68)
        .stderr(contains("has no IPv4 address"));
}

#[test]
fn bad_arguments_are_usage_errors() {
    socktool()
        .args(["connect", "localhost", "0"])
        .assert()
        .code(2)
        .stderr(contains("port 0 is for servers"));
    socktool()
        .args(["connect", "localhost", "8888", "--timeout", "0"])
        .assert()
        .code(2);
    socktool().args(["connect", "localhost"]).assert().code(2);
}

#[test]
fn a_server_that_sends_forever_streams_until_stdout_goes_away() {
    // connect has no byte limit, like nc: it streams what arrives, in
    // 4 KiB pieces (memory stays flat), until the server stops, Ctrl-C, or
    // the reader of stdout leaves (`| head`), which ends it quietly with 0.
    let (addr, server) = peer(send_forever);
    let mut child = Running(
        socktool_std()
            .args(["connect", "127.0.0.1", &addr.port().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    let _stdin = child.0.stdin.take().unwrap();
    let mut stdout = child.0.stdout.take().unwrap();
    let mut first = vec![0u8; 1 << 20];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.iter().all(|&b| b == b'z'));
    drop(stdout);
    assert_eq!(child.wait_code(), Some(0));
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(server.join().unwrap() >= 1 << 20);
}

#[test]
fn a_server_that_resets_exits_74() {
    let (addr, server) = peer(|mut s| {
        let mut buf = [0u8; 3];
        s.read_exact(&mut buf).unwrap();
        s.write_all(b"half a rep").unwrap();
        // Unread bytes and linger 0: close sends RST.
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    });
    let mut child = Running(
        socktool_std()
            .args(["connect", "127.0.0.1", &addr.port().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    stdin.write_all(b"hi\nmore that is never read\n").unwrap();
    server.join().unwrap();
    assert_eq!(child.wait_code(), Some(74));
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("Connection reset by peer"), "{stderr}");
    drop(stdin);
}

/// A listener that accepts and then never reads: what socktool writes
/// fills the buffers and stops moving.
fn accept_and_never_read() -> (SocketAddr, JoinHandle<TcpStream>) {
    peer(|s| s)
}

#[test]
fn a_server_that_never_reads_makes_a_large_stdin_time_out() {
    let (addr, server) = accept_and_never_read();
    let started = Instant::now();
    socktool()
        .args([
            "connect",
            "127.0.0.1",
            &addr.port().to_string(),
            "--timeout",
            "0.5",
        ])
        .write_stdin(vec![b'x'; 64 << 20])
        .assert()
        .code(75)
        // Nothing moves either way, so the idle limit on reading may
        // fire first; both say which limit and end with 75.
        .stderr(contains("timed out after 0.5s while"));
    assert!(started.elapsed() < Duration::from_secs(8));
    drop(server.join().unwrap());
}

#[test]
fn without_timeout_a_stuck_send_still_ends_after_the_default_10s() {
    // An idle session may last forever, a stuck one may not: sending is
    // bounded by the 10 s default even without --timeout.
    let (addr, server) = accept_and_never_read();
    let started = Instant::now();
    socktool()
        .args(["connect", "127.0.0.1", &addr.port().to_string()])
        .write_stdin(vec![b'x'; 64 << 20])
        .timeout(Duration::from_secs(25))
        .assert()
        .code(75)
        .stderr(contains("timed out after 10s while writing to"));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(10) && took < Duration::from_secs(15),
        "{took:?}"
    );
    drop(server.join().unwrap());
}

#[test]
fn a_full_accept_queue_times_out_in_the_connect_phase() {
    // Loopback only: see common::full_accept_queue.
    let (addr, _held) = full_accept_queue();
    socktool()
        .args([
            "connect",
            "127.0.0.1",
            &addr.port().to_string(),
            "--timeout",
            "0.5",
        ])
        .write_stdin("")
        .assert()
        .code(75)
        .stderr(contains("timed out after 0.5s while connecting to"));
}

#[test]
fn host_colon_port_works_in_place_of_host_and_port() {
    let (addr, peer) = greet_then_answer_at_eof();
    let out = socktool()
        .args(["connect", &format!("localhost:{}", addr.port())])
        .write_stdin(&b"hi\n"[..])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(peer.join().unwrap(), b"hi\n");
    assert_eq!(out.stdout, b"Welcome\nOK...hi\n");
    assert!(
        text(&out.stderr).contains("Socket Connected to localhost on ip 127.0.0.1"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn host_colon_port_is_checked_like_host_and_port() {
    socktool()
        .args(["connect", "localhost:0"])
        .assert()
        .code(2)
        .stderr(contains("port 0 is for servers"));
    socktool()
        .args(["connect", "localhost:abc"])
        .assert()
        .code(2)
        .stderr(contains("port 'abc' is not a number"));
}

#[test]
fn a_name_without_the_family_asked_for_says_so_as_resolve_does() {
    // Only where localhost has no IPv6 address in the hosts file; the
    // names a test may use are the hosts file's.
    let resolve = socktool()
        .args(["resolve", "-6", "localhost"])
        .output()
        .unwrap();
    if !text(&resolve.stderr).contains("localhost has no IPv6 address") {
        eprintln!("skipped: localhost has an IPv6 address here");
        return;
    }
    socktool()
        .args(["connect", "localhost", "1", "-6"])
        .assert()
        .code(68)
        .stderr(contains("localhost has no IPv6 address"))
        .stderr(contains("could not be resolved").not());
}
