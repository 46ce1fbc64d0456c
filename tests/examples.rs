//! The programs in examples/ run against loopback and do what their comments
//! say: the same calls socktool narrates, the same bytes on the wire.
//!
//! `cargo test` builds every example before it runs the tests, into
//! `target/debug/examples/`, next to the `socktool` binary's directory.

mod common;
use common::*;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::thread;

/// The built example `name`, found beside the socktool binary.
fn example(name: &str) -> Command {
    let dir = PathBuf::from(BIN)
        .parent()
        .expect("the binary's directory")
        .join("examples");
    let path = dir.join(name);
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
