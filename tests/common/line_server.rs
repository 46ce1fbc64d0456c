//! What serve-threaded and serve-poll share in their tests: they speak one
//! protocol (a welcome line, then `OK...` + data for every recv), so the
//! checks that do not depend on the design are written once here and run
//! against each, named by its step.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::*;

pub const WELCOME: &[u8] = b"Welcome to the server. Type something and hit enter\n";

/// A client that has read the welcome line.
pub fn welcomed(server: &Server) -> TcpStream {
    let mut c = server.connect();
    assert_eq!(read_line(&mut c), WELCOME);
    c
}

/// Sends one line and reads the reply line.
pub fn say_line(c: &mut TcpStream, line: &[u8]) -> Vec<u8> {
    c.write_all(line).unwrap();
    read_line(c)
}

/// Over `--max-clients` a newcomer gets one line and a close; when a
/// client leaves there is room again.
#[cfg(unix)]
pub fn max_clients_turns_a_newcomer_away_with_one_line(step: &str) {
    let mut server = start_server(&[step, "--port", "0", "--max-clients", "2"]);
    let mut a = welcomed(&server);
    let _b = welcomed(&server);
    let mut over = server.connect();
    assert_eq!(
        read_to_end(&mut over),
        b"Server full (2 clients). Try again later.\n"
    );
    server.wait_for("turned away: server full (2 connected, --max-clients 2)");

    // When one leaves, there is room again.
    let a_addr = a.local_addr().unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_end(&mut a), b"");
    server.wait_for(&format!("Disconnected {a_addr}"));
    let mut again = welcomed(&server);
    assert_eq!(say_line(&mut again, b"in\n"), b"OK...in\n");

    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let stderr = server.stderr_so_far();
    assert!(stderr.contains(", 1 turned away (server full)"), "{stderr}");
}

/// `--idle-timeout` drops the silent client and keeps the talking one.
pub fn idle_timeout_drops_a_silent_client_and_not_a_talking_one(step: &str) {
    let mut server = start_server(&[step, "--port", "0", "--idle-timeout", "0.5"]);
    let mut silent = welcomed(&server);
    let mut talker = welcomed(&server);
    let started = Instant::now();
    // The talker keeps talking, more often than the idle timeout.
    while started.elapsed() < Duration::from_millis(900) {
        assert_eq!(say_line(&mut talker, b"still here\n"), b"OK...still here\n");
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(read_to_end(&mut silent), b"", "the silent one was dropped");
    server.wait_for(
        "timed out: the client sent nothing for 0.5s (--idle-timeout), the server closed",
    );
    assert_eq!(say_line(&mut talker, b"bye\n"), b"OK...bye\n");
}

/// Started with a soft limit of 64 open files, the server raises it to the
/// hard limit; without that, accept would fail near client 60. 100 clients
/// then each get their reply.
#[cfg(unix)]
pub fn open_files_limit_is_raised(step: &str) {
    use std::os::unix::process::CommandExt;
    let mut cmd = socktool_std();
    cmd.args([step, "--port", "0"]);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the
    // child between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            lim.rlim_cur = 64;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut server = start_server_cmd(cmd);
    // After the tutorial's lines, before the first client is accepted.
    server.wait_for_any_time("raised the open-files limit (RLIMIT_NOFILE) from 64 to ");
    let mut clients: Vec<TcpStream> = (0..100).map(|_| welcomed(&server)).collect();
    for c in &mut clients {
        assert_eq!(say_line(c, b"x\n"), b"OK...x\n", "{step}");
    }
}

/// A real telnet: it sends `hi\r\n` for the line `hi` and gets the reply
/// back as sent (its screen hides the `\r`).
#[cfg(unix)]
pub fn telnet_sends_crlf_and_gets_it_back(step: &str) {
    let mut server = start_server(&[step, "--port", "0"]);
    let stdout = server.stdout_in_background();
    let mut telnet = Command::new("telnet")
        .args([server.addr.ip().to_string(), server.addr.port().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("telnet is installed");
    let mut input = telnet.stdin.take().unwrap();
    let output = telnet.stdout.take().unwrap();
    // Kept open until the reply is in: telnet quits when its input ends.
    input.write_all(b"hi\n").unwrap();
    let seen = read_until(output, b"OK...hi");
    drop(input);
    let _ = telnet.kill();
    let _ = telnet.wait();
    let seen = text(&seen);
    assert!(seen.contains("Connected to 127.0.0.1."), "{step}: {seen:?}");
    assert!(seen.contains(&text(WELCOME)), "{step}: {seen:?}");
    assert!(seen.contains("OK...hi"), "{step}: {seen:?}");
    // telnet is gone once the server has seen its close; a Ctrl-C before
    // that would find it connected and tell it goodbye (more bytes out).
    let left = server.wait_for("Disconnected ");
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    // What telnet really put on the wire: the line with \r\n.
    let console = stdout.join().unwrap();
    assert!(
        console
            .split(|&b| b == b'\n')
            .any(|l| l.ends_with(b"] hi\r")),
        "{step}: {:?}",
        text(&console)
    );
    assert!(left.contains("4 bytes in, 61 bytes out"), "{step}: {left}");
}

/// A real `nc -N`: the welcome, then the exact reply to binary bytes, then
/// the server sees the half-close as the client closing first.
#[cfg(unix)]
pub fn nc_gets_the_welcome_and_the_exact_reply(step: &str) {
    let mut server = start_server(&[step, "--port", "0"]);
    let mut nc = Command::new("nc")
        // -N: shut down the sending side when stdin ends, so the server
        // sees EOF, closes, and nc exits.
        .args([
            "-N",
            &server.addr.ip().to_string(),
            &server.addr.port().to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nc is installed");
    let mut input = nc.stdin.take().unwrap();
    let output = nc.stdout.take().unwrap();
    input.write_all(b"sensor 42\x00\xff\n").unwrap();
    let seen = read_until(output, b"\xff\n");
    drop(input);
    let deadline = Instant::now() + PATIENCE;
    while nc.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{step}: nc did not exit");
        thread::sleep(Duration::from_millis(20));
    }
    let mut expected = WELCOME.to_vec();
    expected.extend_from_slice(b"OK...sensor 42\x00\xff\n");
    assert_eq!(seen, expected, "{step}");
    server.wait_for("the client closed first (recv returned 0)");
}
