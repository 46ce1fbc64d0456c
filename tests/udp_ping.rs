//! `socktool udp-ping` against `socktool udp-serve`: every reply with no
//! loss, and with `--loss 50 --seed N` the pinger's loss is exactly what
//! the server dropped, the same again with the same seed; `--delay` shows
//! as round-trip time; HOST:PORT; bad values.

mod common;
use common::*;

use predicates::str::contains;

/// What a finished udp-ping printed: (exit code, stdout, stderr).
fn ping(args: &[&str]) -> (Option<i32>, String, String) {
    let out = socktool().arg("udp-ping").args(args).output().unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The numbers of ping's summary line: (transmitted, received).
fn counts(stdout: &str) -> (u64, u64) {
    let line = stdout
        .lines()
        .find(|l| l.contains(" packets transmitted, "))
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0], n[1])
}

/// The pings that timed out, by number.
fn timed_out(stdout: &str) -> Vec<u64> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Request timed out: seq="))
        .map(|n| n.parse().unwrap())
        .collect()
}

/// The datagrams the server dropped on purpose, by number (the pinger's
/// are the only datagrams, so its numbers are the pings').
fn dropped(stderr: &str) -> Vec<u64> {
    stderr
        .lines()
        .filter_map(|l| l.split("datagram #").nth(1))
        .filter(|l| l.contains(" lost on purpose (--loss 50)"))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn every_ping_is_answered_on_loopback_and_the_summary_is_pings() {
    let server = start_server(&["udp-serve", "--port", "0"]);
    let port = server.addr.port().to_string();
    let (code, out, _) = ping(&["127.0.0.1", &port, "-c", "5", "-i", "0.02"]);
    assert_eq!(code, Some(0), "{out}");
    for seq in 1..=5 {
        assert!(
            out.contains(&format!("Reply from 127.0.0.1:{port}: seq={seq} bytes=")),
            "{out}"
        );
    }
    assert!(
        out.contains("5 packets transmitted, 5 received, 0% packet loss, time "),
        "{out}"
    );
    assert!(out.contains("rtt min/avg/max/mdev = "), "{out}");
    assert!(timed_out(&out).is_empty());
}

#[test]
fn with_loss_50_the_pinger_reports_exactly_what_the_server_dropped_and_the_seed_repeats_it() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mut server =
            start_server(&["udp-serve", "--port", "0", "--loss", "50", "--seed", "42"]);
        let port = server.addr.port().to_string();
        let target = format!("127.0.0.1:{port}");
        let (code, out, _) = ping(&[&target, "--count", "20", "-i", "0.01", "--timeout", "0.3"]);
        assert_eq!(code, Some(0), "{out}");
        // Every datagram narrated, then what the server dropped.
        server.wait_for_any_time("datagram #20");
        let lost = dropped(&server.stderr_so_far());
        let (sent, received) = counts(&out);
        assert_eq!(sent, 20);
        assert_eq!(sent - received, lost.len() as u64, "{out}");
        assert_eq!(
            timed_out(&out),
            lost,
            "the pings that timed out are the ones dropped"
        );
        assert!(!lost.is_empty() && lost.len() < 20, "{lost:?}");
        runs.push(lost);
    }
    assert_eq!(runs[0], runs[1], "--seed 42 drops the same pings again");
}

#[test]
#[cfg(unix)]
fn the_server_summary_counts_what_it_dropped() {
    let mut server = start_server(&["udp-serve", "--port", "0", "--loss", "100", "--seed", "1"]);
    let port = server.addr.port().to_string();
    let (code, out, err) = ping(&[
        "localhost",
        &port,
        "-c",
        "3",
        "-i",
        "0.01",
        "--timeout",
        "0.1",
    ]);
    assert_eq!(code, Some(75), "{out}{err}");
    assert!(
        out.contains("3 packets transmitted, 0 received, 100% packet loss"),
        "{out}"
    );
    assert!(err.contains("no reply from 127.0.0.1:"), "{err}");
    server.wait_for_any_time("datagram #3");
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    assert!(
        server
            .stderr_so_far()
            .contains("3 lost on purpose, 0 delayed (--loss 100, --seed 1)"),
        "{}",
        server.stderr_so_far()
    );
}

#[test]
fn delay_shows_as_round_trip_time() {
    let server = start_server(&[
        "udp-serve",
        "--port",
        "0",
        "--delay",
        "30-40",
        "--seed",
        "3",
    ]);
    let port = server.addr.port().to_string();
    let (code, out, _) = ping(&["127.0.0.1", &port, "-c", "3", "-i", "0.01"]);
    assert_eq!(code, Some(0), "{out}");
    let rtt = out
        .lines()
        .find_map(|l| l.strip_prefix("rtt min/avg/max/mdev = "))
        .unwrap_or_else(|| panic!("{out}"));
    let min: f64 = rtt.split('/').next().unwrap().parse().unwrap();
    assert!(min >= 30.0, "the replies were held 30-40 ms: {rtt}");
}

#[test]
#[cfg(target_os = "linux")]
fn nothing_listening_is_port_unreachable_exit_69() {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port().to_string();
    drop(sock);
    let (code, out, err) = ping(&["127.0.0.1", &port, "-c", "2", "-i", "0.01"]);
    assert_eq!(code, Some(69), "{out}{err}");
    assert!(out.contains("port unreachable"), "{out}");
}

#[test]
fn bad_values_are_usage_errors() {
    for args in [
        &["udp-ping", "localhost", "8888", "--count", "0"][..],
        &["udp-ping", "localhost", "8888", "--size", "70000"],
        &["udp-ping", "localhost", "8888", "--interval", "0"],
        &["udp-serve", "--loss", "101"],
        &["udp-serve", "--delay", "50-10"],
        &["udp-serve", "--delay", "fast"],
    ] {
        socktool()
            .args(args)
            .assert()
            .code(2)
            .stderr(contains("error:"));
    }
}
