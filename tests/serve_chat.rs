//! `socktool serve-chat`: a room where every line goes to every other
//! client. Three clients and their names, joins and leaves, a client that
//! never reads while the others talk, every client's own line end, the
//! goodbye at Ctrl-C, and real telnet and nc in the room (ignored where
//! those are missing; `.ci/run` installs them and runs them).

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const WELCOME: &str = "Welcome to the chat. Type a line and hit enter: everyone here sees it\n";

/// A client in the room: connected, its two first lines read (the welcome,
/// then who it is and how many are `here`).
fn join(server: &Server, here: usize) -> (TcpStream, SocketAddr) {
    let mut c = server.connect();
    let me = c.local_addr().unwrap();
    assert_eq!(text(&read_line(&mut c)), WELCOME);
    let second = text(&read_line(&mut c));
    assert!(
        second.starts_with(&format!("* you are {me}; {here} here, you included. ")),
        "{second:?}"
    );
    (c, me)
}

/// The next line a client gets, as text (for lines the test knows are text).
fn line(c: &mut TcpStream) -> String {
    text(&read_line(c))
}

#[test]
fn three_clients_hear_each_other_by_name_and_each_in_its_own_line_end() {
    let mut server = start_server(&["serve-chat", "--port", "0"]);
    let console = server.stdout_in_background();
    let (mut a, a_addr) = join(&server, 1);
    let (mut b, b_addr) = join(&server, 2);
    assert_eq!(line(&mut a), format!("* {b_addr} joined (2 here)\n"));
    let (mut c, c_addr) = join(&server, 3);
    assert_eq!(line(&mut a), format!("* {c_addr} joined (3 here)\n"));
    assert_eq!(line(&mut b), format!("* {c_addr} joined (3 here)\n"));

    // a types as telnet does (\r\n); b and c have said nothing yet, so
    // they get \n.
    a.write_all(b"hello from a\r\n").unwrap();
    assert_eq!(line(&mut b), format!("[{a_addr}] hello from a\n"));
    assert_eq!(line(&mut c), format!("[{a_addr}] hello from a\n"));
    // b speaks as nc does (\n); a gets it the way a ends its own lines.
    b.write_all(b"hi a\n").unwrap();
    assert_eq!(line(&mut a), format!("[{b_addr}] hi a\r\n"));
    assert_eq!(line(&mut c), format!("[{b_addr}] hi a\n"));
    // Half a line, then the rest: one line, relayed once it is whole.
    c.write_all(b"in two ").unwrap();
    c.flush().unwrap();
    thread::sleep(Duration::from_millis(50));
    c.write_all(b"pieces\n\xe4\xbd\xa0\xe5\xa5\xbd \x1b[2J\x07\n")
        .unwrap();
    for (who, end) in [(&mut a, "\r\n"), (&mut b, "\n")] {
        assert_eq!(line(who), format!("[{c_addr}] in two pieces{end}"));
        // Bytes above ASCII pass as they are; control characters cannot
        // reach anyone's screen.
        let mut expected = format!("[{c_addr}] ").into_bytes();
        expected.extend_from_slice(b"\xe4\xbd\xa0\xe5\xa5\xbd ^[[2J^G");
        expected.extend_from_slice(end.as_bytes());
        assert_eq!(read_line(who), expected);
    }
    // Nobody hears their own lines: a's next line is b's, not its own.
    a.write_all(b"echo?\r\n").unwrap();
    b.write_all(b"no echo\n").unwrap();
    assert_eq!(line(&mut c), format!("[{a_addr}] echo?\n"));
    assert_eq!(line(&mut c), format!("[{b_addr}] no echo\n"));
    assert_eq!(line(&mut a), format!("[{b_addr}] no echo\r\n"));

    drop((a, b, c));
    for addr in [a_addr, b_addr, c_addr] {
        server.wait_for_any_time(&format!("Disconnected {addr}"));
    }
    #[cfg(unix)]
    {
        server.signal(libc::SIGINT);
        assert_eq!(server.wait_exit(), Some(0));
        // The console shows what each client sent, byte for byte.
        let out = console.join().unwrap();
        let record = format!("[{a_addr}] hello from a\r\n");
        assert!(
            out.windows(record.len()).any(|w| w == record.as_bytes()),
            "{}",
            text(&out)
        );
        let stderr = server.stderr_so_far();
        assert!(
            stderr.contains("The room: 6 lines said, 12 copies delivered"),
            "{stderr}"
        );
    }
    #[cfg(not(unix))]
    drop(console);
}

#[test]
fn nick_names_a_client_for_the_whole_room_and_who_lists_it() {
    let server = start_server(&["serve-chat", "--port", "0"]);
    let (mut a, a_addr) = join(&server, 1);
    let (mut b, b_addr) = join(&server, 2);
    assert_eq!(line(&mut a), format!("* {b_addr} joined (2 here)\n"));

    a.write_all(b"/nick alice\n").unwrap();
    assert_eq!(line(&mut a), format!("* {a_addr} is now alice\n"));
    assert_eq!(line(&mut b), format!("* {a_addr} is now alice\n"));
    a.write_all(b"hi\n").unwrap();
    assert_eq!(line(&mut b), "[alice] hi\n");

    // Taken (whatever the case), or not a name at all: only b hears why.
    b.write_all(b"/nick ALICE\n").unwrap();
    assert_eq!(line(&mut b), "* the name ALICE is taken: choose another\n");
    b.write_all(b"/nick 10.0.0.1:80\n").unwrap();
    assert!(line(&mut b).contains("':' cannot be in a name"));
    b.write_all(b"/nick\n").unwrap();
    assert_eq!(line(&mut b), "* give a name: /nick NAME\n");
    // A name in Chinese is a name.
    b.write_all("/nick 小明\n".as_bytes()).unwrap();
    assert_eq!(line(&mut a), format!("* {b_addr} is now 小明\n"));
    assert_eq!(line(&mut b), format!("* {b_addr} is now 小明\n"));

    b.write_all(b"/who\n").unwrap();
    assert_eq!(line(&mut b), "* 2 here: alice, 小明 (you)\n");
    b.write_all(b"/dance\n").unwrap();
    assert!(line(&mut b).starts_with("* no command /dance: try /nick NAME"));
    // `//` sends a line that starts with a slash.
    b.write_all(b"//etc/hosts\n").unwrap();
    assert_eq!(line(&mut a), "[小明] /etc/hosts\n");
}

#[test]
fn joins_and_leaves_are_announced_to_the_room() {
    let mut server = start_server(&["serve-chat", "--port", "0"]);
    let (mut a, _) = join(&server, 1);
    let (mut b, b_addr) = join(&server, 2);
    assert_eq!(line(&mut a), format!("* {b_addr} joined (2 here)\n"));
    let (mut c, c_addr) = join(&server, 3);
    assert_eq!(line(&mut a), format!("* {c_addr} joined (3 here)\n"));
    assert_eq!(line(&mut b), format!("* {c_addr} joined (3 here)\n"));

    // /quit: told bye, closed by the server, the room told.
    c.write_all(b"/quit\n").unwrap();
    assert_eq!(read_to_end(&mut c), b"* bye\n");
    assert_eq!(line(&mut a), format!("* {c_addr} left (/quit) (2 here)\n"));
    assert_eq!(line(&mut b), format!("* {c_addr} left (/quit) (2 here)\n"));
    server.wait_for(&format!("Disconnected {c_addr} after"));
    // Closing the connection is leaving too; a last line without its line
    // end is still said first.
    b.write_all(b"last words").unwrap();
    b.shutdown(Shutdown::Write).unwrap();
    assert_eq!(line(&mut a), format!("[{b_addr}] last words\n"));
    assert_eq!(line(&mut a), format!("* {b_addr} left (1 here)\n"));
    assert_eq!(read_to_end(&mut b), b"");
    let left = server.wait_for(&format!("Disconnected {b_addr}"));
    assert!(
        left.ends_with("the client closed first (recv returned 0)"),
        "{left}"
    );
}

#[test]
fn a_client_that_never_reads_holds_nobody_up_and_is_dropped_past_its_share() {
    let mut server = start_server(&["serve-chat", "--port", "0"]);
    let _console = server.stdout_in_background();
    let (mut slow, slow_addr) = join(&server, 1);
    let (mut a, _) = join(&server, 2);
    let (mut b, _) = join(&server, 3);
    assert!(line(&mut a).contains("joined (3 here)"));
    // a talks, b reads every line as it comes; the slow one reads nothing,
    // so the room's lines pile up for it: in its kernel's buffers, then in
    // the server, up to its share. Bounded: 64 MiB or 30 seconds.
    let text_of = |i: usize| format!("line {i:06} {}\n", "x".repeat(1000));
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut dropped = None;
    for i in 0..64 * 1024 {
        assert!(started.elapsed() < Duration::from_secs(30), "never dropped");
        let sent = Instant::now();
        a.write_all(text_of(i).as_bytes()).unwrap();
        let got = line(&mut b);
        if got.contains(" was dropped: ") {
            dropped = Some(got);
            // The line b waited for comes right after.
            assert!(line(&mut b).ends_with(&text_of(i)));
            break;
        }
        assert!(got.ends_with(&text_of(i)), "{got:?}");
        slowest = slowest.max(sent.elapsed());
    }
    // Others got every line within a bound while the slow one was behind.
    assert!(slowest < Duration::from_secs(2), "a line took {slowest:?}");
    let dropped = dropped.expect("the slow client was dropped");
    assert!(
        dropped.starts_with(&format!("* {slow_addr} was dropped: "))
            && dropped.ends_with(" bytes behind the room (not reading) (2 here)\n"),
        "{dropped}"
    );
    server.wait_for("past its share of 262144");
    // The slow one reads at last: what its kernel held, then why it was
    // dropped, then the end.
    slow.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut all = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match slow.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
    let all = text(&all);
    assert!(
        all.contains("* you are dropped: ") && all.contains("past your share of 262144"),
        "the slow client was not told ({} bytes read)",
        all.len()
    );
    // And the room goes on.
    a.write_all(b"still here\n").unwrap();
    assert!(line(&mut b).ends_with("] still here\n"));
}

#[test]
fn idle_timeout_drops_a_silent_client_and_tells_the_room() {
    let server = start_server(&["serve-chat", "--port", "0", "--idle-timeout", "0.5"]);
    let (_silent, silent_addr) = join(&server, 1);
    let (mut talker, _) = join(&server, 2);
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(900) {
        talker.write_all(b"still here\n").unwrap();
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        line(&mut talker),
        format!("* {silent_addr} was dropped: silent for 0.5s (--idle-timeout) (1 here)\n")
    );
}

#[test]
fn max_clients_turns_a_newcomer_away_with_one_line() {
    let server = start_server(&["serve-chat", "--port", "0", "--max-clients", "2"]);
    let (mut a, _) = join(&server, 1);
    let (_b, _) = join(&server, 2);
    let mut over = server.connect();
    assert_eq!(
        read_to_end(&mut over),
        b"Server full (2 clients). Try again later.\n"
    );
    // Turned away is not joined: the room heard only b.
    assert!(line(&mut a).contains("joined (2 here)"));
}

#[test]
fn socktool_connect_is_a_client_of_the_room() {
    let mut server = start_server(&["serve-chat", "--port", "0"]);
    let (mut a, _) = join(&server, 1);
    let port = server.addr.port().to_string();
    let out = socktool()
        .args(["connect", "127.0.0.1", &port, "--timeout", "5"])
        .write_stdin("hi from connect\n")
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.starts_with(WELCOME), "{stdout}");
    let joined = line(&mut a);
    let who = joined
        .strip_prefix("* ")
        .and_then(|l| l.strip_suffix(" joined (2 here)\n"))
        .unwrap_or_else(|| panic!("{joined:?}"))
        .to_string();
    assert_eq!(line(&mut a), format!("[{who}] hi from connect\n"));
    assert_eq!(line(&mut a), format!("* {who} left (1 here)\n"));
    server.wait_for(&format!("Disconnected {who}"));
}

#[test]
#[cfg(unix)]
fn ctrl_c_says_goodbye_to_everyone_in_their_own_line_end() {
    let mut server = start_server(&["serve-chat", "--port", "0"]);
    let (mut a, _) = join(&server, 1);
    let (mut b, b_addr) = join(&server, 2);
    assert_eq!(line(&mut a), format!("* {b_addr} joined (2 here)\n"));
    a.write_all(b"/who\r\n").unwrap();
    assert_eq!(
        line(&mut a),
        format!("* 2 here: {} (you), {b_addr}\r\n", a.local_addr().unwrap())
    );
    server.signal(libc::SIGINT);
    let rest_a = text(&read_to_end(&mut a));
    assert!(
        rest_a.ends_with("Server shutting down. Goodbye.\r\n"),
        "{rest_a:?}"
    );
    assert_eq!(read_to_end(&mut b), b"Server shutting down. Goodbye.\n");
    assert_eq!(server.wait_exit(), Some(0));
    let stderr = server.stderr_so_far();
    assert!(
        stderr.contains("closing 2 clients still connected"),
        "{stderr}"
    );
    assert!(stderr.contains("The room: 0 lines said, "), "{stderr}");
}

#[test]
#[cfg(unix)]
#[ignore = "needs telnet and nc"]
fn telnet_and_nc_talk_in_the_room_each_in_its_own_line_end() {
    let mut server = start_server(&["serve-chat", "--port", "0"]);
    let console = server.stdout_in_background();
    let (mut watcher, _) = join(&server, 1);
    let (ip, port) = (server.addr.ip().to_string(), server.addr.port().to_string());
    let mut nc = Command::new("nc")
        .args(["-N", &ip, &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nc is installed");
    assert!(line(&mut watcher).contains(" joined (2 here)"));
    let mut telnet = Command::new("telnet")
        .args([&ip, &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("telnet is installed");
    assert!(line(&mut watcher).contains(" joined (3 here)"));
    let mut nc_in = nc.stdin.take().unwrap();
    let mut telnet_in = telnet.stdin.take().unwrap();
    let (nc_out, telnet_out) = (nc.stdout.take().unwrap(), telnet.stdout.take().unwrap());

    nc_in.write_all(b"from nc\n").unwrap();
    assert!(line(&mut watcher).ends_with("] from nc\n"));
    // Kept open until the line is in: telnet quits when its input ends.
    telnet_in.write_all(b"from telnet\n").unwrap();
    assert!(line(&mut watcher).ends_with("] from telnet\n"));
    // nc spoke before telnet had said anything: telnet got it with \n.
    let telnet_saw = read_until(telnet_out, b"] from nc\n");
    let nc_saw = read_until(nc_out, b"] from telnet\n");
    drop((nc_in, telnet_in));
    let _ = telnet.kill();
    let _ = telnet.wait();
    let deadline = Instant::now() + PATIENCE;
    while nc.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "nc did not exit");
        thread::sleep(Duration::from_millis(20));
    }
    // telnet sent \r\n for its line, but nc, which ends its own with \n,
    // got it with \n.
    let telnet_saw = text(&telnet_saw);
    assert!(
        telnet_saw.contains("Connected to 127.0.0.1."),
        "{telnet_saw:?}"
    );
    assert!(telnet_saw.contains(WELCOME.trim_end()), "{telnet_saw:?}");
    let nc_saw = text(&nc_saw);
    assert!(nc_saw.starts_with(WELCOME), "{nc_saw:?}");
    assert!(
        nc_saw.ends_with("] from telnet\n") && !nc_saw.contains("\r"),
        "{nc_saw:?}"
    );
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let console = console.join().unwrap();
    assert!(
        console
            .split(|&b| b == b'\n')
            .any(|l| l.ends_with(b"] from telnet\r")),
        "{:?}",
        text(&console)
    );
}
