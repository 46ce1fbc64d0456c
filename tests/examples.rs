//! The programs in examples/ run against loopback and do what their comments
//! say: the same calls socktool narrates, the same bytes on the wire.
//!
//! `cargo test` builds every example before it runs the tests, into
//! `target/debug/examples/`, next to the `socktool` binary's directory.

mod common;
use common::*;

use std::io::Write;
use std::net::{Shutdown, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::thread;

/// The built example `name`, found beside the socktool binary.
fn example(name: &str) -> Command {
    let dir = PathBuf::from(BIN)
        .parent()
        .expect("the binary's directory")
        .join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the whole `cargo test` (it builds examples) or `cargo build --examples`",
        path.display()
    );
    Command::new(path)
}

/// Runs an example to completion, with the test's patience as a bound.
fn run(mut cmd: Command) -> Output {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn example");
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    rx.recv_timeout(PATIENCE)
        .expect("the example did not finish in time")
        .expect("wait for example")
}

#[test]
fn resolve_prints_each_address_once() {
    let mut cmd = example("01_resolve");
    cmd.arg("localhost");
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l == "Ip address of localhost is 127.0.0.1 (AF_INET)"),
        "{stdout}"
    );
    let mut lines: Vec<&str> = stdout.lines().collect();
    let all = lines.len();
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), all, "an address printed twice:\n{stdout}");
}

#[test]
fn http_get_sends_a_correct_request_and_prints_the_reply_byte_for_byte() {
    // Not UTF-8 and longer than one recv(4096): the example must loop and
    // pass bytes through untouched.
    let mut reply = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    reply.extend((0..=255u8).cycle().take(10_000));
    let (addr, peer) = http_responder(reply.clone());
    let mut cmd = example("02_http_get");
    cmd.arg(addr.to_string());
    let out = run(cmd);
    let request = peer.join().expect("peer");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&request),
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    );
    assert_eq!(out.stdout, reply, "stdout is the reply, byte for byte");
    assert_eq!(
        text(&out.stderr),
        "Socket created\nSocket Connected to 127.0.0.1 on ip 127.0.0.1\nMessage sent successfully\n"
    );
}

#[test]
fn http_get_reports_a_refused_connection() {
    let (l, addr) = listener();
    drop(l);
    let mut cmd = example("02_http_get");
    cmd.arg(addr.to_string());
    let out = run(cmd);
    assert_ne!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("ConnectionRefused"),
        "{}",
        text(&out.stderr)
    );
}

/// An example server, started and waited for like a socktool server: it
/// prints `Socket now listening on ADDR`; dropping the guard kills it.
fn start_example(name: &str, args: &[&str]) -> Server {
    let mut cmd = example(name);
    cmd.args(args);
    start_server_cmd(cmd)
}

#[test]
fn serve_once_echoes_one_recv_byte_for_byte_and_exits() {
    let mut server = start_example("03_serve_once", &[]);
    let mut c = server.connect();
    let me = c.local_addr().unwrap();
    let sent = b"happy\r\n\x00\xff";
    c.write_all(sent).unwrap();
    assert_eq!(read_to_end(&mut c), sent, "the same bytes, then close");
    assert_eq!(server.wait_exit(), Some(0));
    assert_eq!(server.stdout_bytes(), sent, "stdout shows them unchanged");
    let stderr = server.stderr_so_far();
    for line in [
        "Socket created".to_string(),
        "Socket bind complete".to_string(),
        format!("Connected with {me}"),
        format!("Echoed 9 bytes to {me}"),
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line:?} in:\n{stderr}");
    }
}

#[test]
fn serve_loop_answers_in_turn_and_survives_a_client_that_sends_nothing() {
    let mut server = start_example("04_serve_loop", &["3"]);
    let mut a = server.connect();
    a.write_all(b"one\n").unwrap();
    assert_eq!(read_to_end(&mut a), b"OK...one\n");
    // The tutorial's loop would stop here; this one closes the client and goes on.
    let quitter = server.connect();
    let quitter_addr = quitter.local_addr().unwrap();
    quitter.shutdown(Shutdown::Write).unwrap();
    let mut quitter = quitter;
    assert_eq!(read_to_end(&mut quitter), b"", "closed without a reply");
    let mut c = server.connect();
    c.write_all(b"\x00three\xff").unwrap();
    assert_eq!(read_to_end(&mut c), b"OK...\x00three\xff");
    assert_eq!(server.wait_exit(), Some(0), "exits after 3 clients");
    assert!(
        server
            .stderr_so_far()
            .contains(&format!("{quitter_addr} left without sending"))
    );
}

#[test]
fn serve_threaded_welcomes_and_answers_two_clients_at_once() {
    let mut server = start_example("05_serve_threaded", &[]);
    let welcome = b"Welcome to the server. Type something and hit enter\n";
    let mut a = server.connect();
    assert_eq!(read_line(&mut a), welcome);
    // `a` stays connected and silent; `b` is served all the same.
    let mut b = server.connect();
    assert_eq!(read_line(&mut b), welcome);
    b.write_all(b"hi\r\n").unwrap();
    assert_eq!(read_exact(&mut b, 9), b"OK...hi\r\n");
    a.write_all(b"me too\n").unwrap();
    assert_eq!(read_exact(&mut a, 12), b"OK...me too\n");
    let b_addr = b.local_addr().unwrap();
    drop(b);
    server.wait_for(&format!("Disconnected {b_addr}"));
    a.write_all(b"again").unwrap();
    assert_eq!(read_exact(&mut a, 10), b"OK...again");
}

#[test]
fn udp_pair_sends_one_datagram_and_prints_the_reply() {
    let mut server = start_example("06_udp", &["server"]);
    let mut cmd = example("06_udp");
    cmd.args(["client", &server.addr.to_string(), "hello"]);
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"OK...hello");
    assert!(
        text(&out.stderr).contains(&format!("10 bytes from {}", server.addr)),
        "{}",
        text(&out.stderr)
    );
    server.wait_for("5 bytes from 127.0.0.1:");

    // A datagram is a message: binary bytes come back whole, in one reply.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(PATIENCE)).unwrap();
    peer.send_to(b"\x00\xff\r\n", server.addr).unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"OK...\x00\xff\r\n"[..], server.addr));
}

#[test]
fn udp_client_reports_silence_as_an_error() {
    // A bound socket that never answers: the datagram arrives, no reply comes.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut cmd = example("06_udp");
    cmd.args([
        "client",
        &silent.local_addr().unwrap().to_string(),
        "anyone?",
    ]);
    let out = run(cmd);
    assert_ne!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let mut buf = [0u8; 16];
    silent.set_read_timeout(Some(PATIENCE)).unwrap();
    let (n, _) = silent.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"anyone?", "the request itself was sent");
}

#[test]
fn serve_chat_relays_each_line_to_every_other_client() {
    let mut server = start_example("09_serve_chat", &[]);
    let mut a = server.connect();
    let mut b = server.connect();
    let mut c = server.connect();
    let a_addr = a.local_addr().unwrap();
    for peer in [&a, &b, &c] {
        server.wait_for_any_time(&format!("Connected with {}", peer.local_addr().unwrap()));
    }
    a.write_all(b"hello\r\n").unwrap();
    let line = format!("[{a_addr}] hello\r\n");
    assert_eq!(read_line(&mut b), line.as_bytes());
    assert_eq!(read_line(&mut c), line.as_bytes());
    // Not back to its sender: a's next line is b's.
    b.write_all(b"hi a\n").unwrap();
    assert!(read_line(&mut a).ends_with(b"] hi a\n"));
    drop(c);
    server.wait_for("Disconnected ");
}

#[test]
fn udp_ping_loses_what_its_server_drops_and_times_the_rest() {
    let mut server = start_example("10_udp_ping", &["server", "50"]);
    let mut cmd = example("10_udp_ping");
    cmd.args(["client", &server.addr.to_string(), "6"]);
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let answered = stdout.lines().filter(|l| l.contains(" RTT=")).count();
    let timed_out = stdout
        .lines()
        .filter(|l| l.starts_with("Request timed out"))
        .count();
    assert_eq!(answered + timed_out, 6, "{stdout}");
    // Upper-cased, as the assignment's server answers.
    assert!(answered == 0 || stdout.contains("PING "), "{stdout}");
    if timed_out > 0 {
        server.wait_for("lost on purpose: Ping ");
    }
}
