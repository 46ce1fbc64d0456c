//! `socktool http-get` against HTTP peers the test starts on 127.0.0.1 port 0.
//! The peer binds before socktool runs, so the kernel queues the connection
//! and nothing needs to wait.

mod common;
use common::*;

use std::io::{Read, Write};
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use predicates::prelude::*;
use predicates::str::contains;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn reply_of(body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// The number N in the narration's "Received X bytes in N recv calls".
fn recv_calls(stderr: &str) -> usize {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("Received "))
        .unwrap_or_else(|| panic!("no Received line in {stderr}"));
    line.split_whitespace()
        .nth(4)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad line {line}"))
}

#[test]
fn default_request_is_correct_http_1_1_and_reply_goes_to_stdout() {
    let reply = reply_of(b"hello\n");
    let (addr, peer) = http_responder(reply.clone());
    let out = socktool()
        .args(["http-get", &format!("http://{addr}/index.html?x=1")])
        .assert()
        .success()
        .get_output()
        .clone();
    let request = peer.join().unwrap();
    assert_eq!(
        text(&request),
        format!(
            "GET /index.html?x=1 HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: socktool/{VERSION}\r\nConnection: close\r\n\r\n"
        )
    );
    assert_eq!(out.stdout, reply, "stdout is the reply, byte for byte");
    let stderr = text(&out.stderr);
    for line in [
        "Socket created",
        "Socket Connected to 127.0.0.1 on ip 127.0.0.1",
        "> GET /index.html?x=1 HTTP/1.1",
        "Message sent successfully",
        "recv returned 0: the server closed the connection",
        &format!("Received {} bytes in 2 recv calls", reply.len()),
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
}

#[test]
fn a_name_is_resolved_and_narrated_with_the_tutorial_lines() {
    let (addr, peer) = http_responder(reply_of(b"x"));
    let out = socktool()
        .args(["http-get", &format!("localhost:{}", addr.port())])
        .assert()
        .success()
        .get_output()
        .clone();
    let request = text(&peer.join().unwrap());
    assert!(
        request.contains(&format!("Host: localhost:{}\r\n", addr.port())),
        "{request}"
    );
    let stderr = text(&out.stderr);
    let order = [
        "Socket created",
        "Ip address of localhost is 127.0.0.1",
        "Socket Connected to localhost on ip 127.0.0.1",
        "Message sent successfully",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|l| {
            stderr
                .find(l)
                .unwrap_or_else(|| panic!("missing {l:?} in\n{stderr}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "order:\n{stderr}"
    );
}

#[test]
fn tutorial_mode_sends_the_exact_bytes_and_makes_one_recv() {
    let reply = reply_of(&vec![b'a'; 10_000]);
    let (l, addr) = listener();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let request = read_head(&mut s);
        s.write_all(&reply).unwrap();
        // Keep the connection open, as a keep-alive server would: the
        // client must not wait for us to close.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        (request, reply)
    });
    let out = socktool()
        .args(["http-get", &addr.to_string(), "--tutorial", "--trace"])
        .assert()
        .success()
        .get_output()
        .clone();
    let (request, reply) = peer.join().unwrap();
    assert_eq!(request, b"GET / HTTP/1.1\r\n\r\n");
    assert!(!out.stdout.is_empty() && out.stdout.len() <= 4096);
    assert!(
        reply.starts_with(&out.stdout),
        "stdout is the start of the reply"
    );
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.matches("  recv(fd 3, 4096) -> ").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("in 1 recv call"), "{stderr}");
    assert!(stderr.contains("a longer reply is cut"), "{stderr}");
}

#[test]
fn a_long_reply_is_read_whole_64_kib_per_recv_and_recv_size_4096_counts_the_tutorials_calls() {
    let reply = reply_of(&vec![b'z'; 100_000]);
    for (extra, size, at_least) in [
        (None, 65536, 3),
        // 100 kB in recv(4096) pieces takes at least 25 calls, plus the 0.
        (Some("4096"), 4096, 26),
    ] {
        let (addr, peer) = http_responder(reply.clone());
        let mut args = vec!["http-get".to_string(), addr.to_string(), "--trace".into()];
        if let Some(n) = extra {
            args.extend(["--recv-size".into(), n.into()]);
        }
        let out = socktool()
            .args(&args)
            .assert()
            .success()
            .get_output()
            .clone();
        peer.join().unwrap();
        assert_eq!(out.stdout, reply);
        let stderr = text(&out.stderr);
        let calls = stderr.matches(&format!("  recv(fd 3, {size}) -> ")).count();
        assert!(
            calls >= at_least,
            "{calls} calls of recv({size}):\n{stderr}"
        );
        assert_eq!(stderr.matches("  recv(").count(), calls, "{stderr}");
        assert_eq!(recv_calls(&stderr), calls, "{stderr}");
    }
}

#[test]
fn binary_replies_come_through_byte_for_byte() {
    let mut body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    body.extend_from_slice(b"\xff\xfe\x00\r\r\n\x80");
    let reply = reply_of(&body);
    let (addr, peer) = http_responder(reply.clone());
    let out = socktool()
        .args(["http-get", &addr.to_string(), "--recv-size", "1000"])
        .assert()
        .success()
        .get_output()
        .clone();
    peer.join().unwrap();
    assert_eq!(out.stdout, reply);
}

#[test]
fn max_bytes_stops_and_exits_65() {
    let reply = reply_of(&[b'q'; 10_000]);
    let (addr, peer) = http_responder(reply.clone());
    socktool()
        .args(["http-get", &addr.to_string(), "--max-bytes", "100"])
        .assert()
        .code(65)
        .stdout(reply[..100].to_vec())
        .stderr(contains("--max-bytes 100"));
    let _ = peer.join();
}

#[test]
fn a_reply_exactly_max_bytes_long_is_fine() {
    // No Content-Length: the body runs until the close.
    let mut reply = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
    reply.resize(100, b'q');
    let (addr, peer) = http_responder(reply.clone());
    socktool()
        .args(["http-get", &addr.to_string(), "--max-bytes", "100"])
        .assert()
        .success()
        .stdout(reply);
    peer.join().unwrap();
}

#[test]
fn refused_connection_exits_69_with_a_hint() {
    let (l, addr) = listener();
    drop(l);
    socktool()
        .args(["http-get", &addr.to_string()])
        .assert()
        .code(69)
        .stdout("")
        .stderr(contains("Connection refused"))
        // A web server on that port, not the tutorial's line server.
        .stderr(contains(format!(
            "hint: nothing listens on port {}: start a web server there first, e.g. `python3 -m http.server {} --bind 127.0.0.1`",
            addr.port(),
            addr.port()
        )))
        .stderr(contains("serve-threaded").not());
}

#[test]
fn a_refused_low_port_suggests_a_web_server_on_a_high_one() {
    // Port 1 of loopback: nothing listens there, and only root could.
    socktool()
        .args(["http-get", "127.0.0.1:1"])
        .assert()
        .code(69)
        .stderr(contains(
            "`python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then `socktool http-get localhost:8000`",
        ))
        .stderr(contains("--port 1").not());
}

#[test]
fn a_silent_server_times_out_in_the_read_phase_with_75() {
    // Bound and listening but never accepting: the kernel completes the
    // handshake from the backlog, then nobody ever answers.
    let (_l, addr) = listener();
    socktool()
        .args(["http-get", &addr.to_string(), "--timeout", "0.3"])
        .assert()
        .code(75)
        .stderr(contains(format!(
            "timed out after 0.3s while reading from {addr}"
        )));
}

#[test]
fn a_full_accept_queue_times_out_in_the_connect_phase() {
    // Loopback only: see common::full_accept_queue.
    let (addr, _held) = full_accept_queue();
    socktool()
        .args(["http-get", &addr.to_string(), "--timeout", "0.5"])
        .assert()
        .code(75)
        .stderr(contains("while connecting to"));
}

#[test]
fn a_server_that_sends_forever_is_stopped_at_max_bytes() {
    let head = b"HTTP/1.1 200 OK\r\n\r\n";
    let (addr, server) = peer(|mut s| {
        read_head(&mut s);
        s.write_all(head).unwrap();
        send_forever(s)
    });
    let mut want = head.to_vec();
    want.resize(300_000, b'z');
    socktool()
        .args(["http-get", &addr.to_string(), "--max-bytes", "300000"])
        .assert()
        .code(65)
        .stdout(want)
        .stderr(contains("the reply passed --max-bytes 300000"));
    // socktool closed, so the endless sender stopped too.
    assert!(server.join().unwrap() >= 300_000);
}

#[test]
fn a_server_that_closes_without_a_reply_exits_76() {
    let (addr, server) = peer(|mut s| read_head(&mut s));
    socktool()
        .args(["http-get", &addr.to_string()])
        .assert()
        .code(76)
        .stdout("")
        .stderr(contains("Received 0 bytes in 1 recv call"))
        .stderr(contains("1 recv calls").not())
        .stderr(contains("the server closed without sending any reply"));
    assert!(server.join().unwrap().starts_with(b"GET / HTTP/1.1\r\n"));
}

#[test]
fn a_body_shorter_than_its_content_length_is_printed_as_far_as_it_came_and_exits_76() {
    // Content-Length promises 1000 bytes; the server sends 10 and closes.
    let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789".to_vec();
    let (addr, server) = http_responder(cut.clone());
    socktool()
        .args(["http-get", &addr.to_string()])
        .assert()
        .code(76)
        .stdout(cut)
        .stderr(contains(format!(
            "socktool: error: incomplete reply from {addr}: the reply ended 990 bytes short: \
             its header promised a body of 1000 bytes (Content-Length), 10 arrived"
        )))
        .stderr(contains("the reply is complete").not());
    server.join().unwrap();
}

#[test]
fn a_reply_cut_in_its_header_exits_76() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Ty".to_vec();
    let (addr, server) = http_responder(cut.clone());
    socktool()
        .args(["http-get", &addr.to_string()])
        .assert()
        .code(76)
        .stdout(cut)
        .stderr(contains("the reply ended in its header, after 27 bytes"));
    server.join().unwrap();
}

#[test]
fn a_chunked_reply_is_whole_only_with_its_last_chunk() {
    let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let whole = format!("{head}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").into_bytes();
    let (addr, server) = http_responder(whole.clone());
    socktool()
        .args(["http-get", &addr.to_string(), "--recv-size", "3"])
        .assert()
        .success()
        .stdout(whole)
        .stderr(contains("the reply is complete"));
    server.join().unwrap();

    let cut = format!("{head}5\r\nhello\r\n10\r\n world").into_bytes();
    let (addr, server) = http_responder(cut.clone());
    socktool()
        .args(["http-get", &addr.to_string()])
        .assert()
        .code(76)
        .stdout(cut)
        .stderr(contains(
            "the reply ended in the middle of a chunk (Transfer-Encoding: chunked): 10 of its 16 bytes missing",
        ));
    server.join().unwrap();
}

#[test]
fn a_line_server_is_told_apart_at_once_and_shown() {
    // serve-threaded's protocol: a welcome, then an answer to each recv,
    // and the connection stays open.
    let (addr, server) = peer(|mut s| {
        s.write_all(b"Welcome to the server. Type something and hit enter\n")
            .unwrap();
        let mut buf = [0u8; 1024];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 || s.write_all(&[b"OK...", &buf[..n]].concat()).is_err() {
                break;
            }
        }
    });
    socktool()
        .args(["http-get", &addr.to_string(), "--timeout", "60"])
        // Far below --timeout: a client that waited for HTTP would be killed.
        .timeout(Duration::from_secs(10))
        .assert()
        .code(76)
        .stderr(contains(format!(
            "{addr} answered with something that is not HTTP: \"Welcome to the server. Type something and hit enter\\n\""
        )))
        .stderr(contains(format!("socktool connect 127.0.0.1 {}", addr.port())))
        .stderr(contains("sent nothing in time").not());
    server.join().unwrap();
}

#[test]
fn max_time_ends_a_server_that_trickles_forever_with_75() {
    let (addr, server) = peer(|mut s| {
        read_head(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        // One byte at a time, each well inside --timeout, until the client
        // leaves: only a bound on the whole exchange can end this.
        let started = std::time::Instant::now();
        while started.elapsed() < PATIENCE && s.write_all(b".").is_ok() {
            thread::sleep(Duration::from_millis(50));
        }
    });
    let out = socktool()
        .args([
            "http-get",
            &addr.to_string(),
            "--timeout",
            "5",
            "--max-time",
            "0.5",
        ])
        .assert()
        .code(75)
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "socktool: error: gave up after --max-time 0.5s: the exchange with {addr} was not over"
        )),
        "{stderr}"
    );
    assert!(
        out.stdout.starts_with(b"HTTP/1.1 200 OK\r\n\r\n."),
        "{stderr}"
    );
    server.join().unwrap();
}

#[test]
fn a_server_that_stops_mid_reply_says_how_much_came() {
    let (addr, server) = peer(|mut s| {
        read_head(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhalf")
            .unwrap();
        // Holds the connection open, silent, until socktool gives up.
        let _ = s.read(&mut [0u8; 1]);
    });
    socktool()
        .args(["http-get", &addr.to_string(), "--timeout", "0.3"])
        .assert()
        .code(75)
        .stderr(contains(format!(
            "timed out after 0.3s while reading from {addr}: 42 bytes came, then nothing"
        )))
        .stderr(contains("sent nothing in time").not());
    server.join().unwrap();
}

#[test]
fn a_reset_mid_reply_exits_74() {
    let (l, addr) = listener();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        read_head(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\n").unwrap();
        // Unread data in our receive queue plus linger 0: close sends RST.
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    });
    socktool()
        .args(["http-get", &addr.to_string()])
        .assert()
        .code(74)
        .stderr(contains("reset"));
    peer.join().unwrap();
}

#[test]
fn closed_stdout_ends_quietly_with_0() {
    let (addr, peer) = http_responder(reply_of(&vec![b'x'; 4 * 1024 * 1024]));
    let mut child = socktool_std()
        .args(["http-get", &addr.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    let _ = peer.join();
}

#[test]
fn quiet_prints_data_only() {
    let reply = reply_of(b"quiet");
    let (addr, peer) = http_responder(reply.clone());
    socktool()
        .args(["http-get", &addr.to_string(), "-q"])
        .assert()
        .success()
        .stdout(reply)
        .stderr("");
    peer.join().unwrap();
}

#[test]
fn trace_and_hex_show_calls_and_bytes() {
    let (addr, peer) = http_responder(reply_of(b"hi"));
    let out = socktool()
        .args([
            "http-get",
            &addr.to_string(),
            "--trace",
            "--hex",
            "--tutorial",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    peer.join().unwrap();
    let stderr = text(&out.stderr);
    for needle in [
        "socket(AF_INET, SOCK_STREAM) -> fd ",
        &format!("connect({addr}, timeout 10s) -> ok"),
        "sendall(fd 3, 18 bytes) -> ok",
        "recv(fd 3, 4096) -> ",
        "getsockname(fd 3) -> 127.0.0.1:",
        "close(fd 3) -> ok",
        "> sent 18 bytes",
        "0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|",
        "< received ",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in\n{stderr}");
    }
}

#[test]
fn ipv6_literals_connect_over_v6() {
    if !has_ipv6_loopback() {
        eprintln!("skipped: this machine cannot bind ::1");
        return;
    }
    let l = std::net::TcpListener::bind("[::1]:0").unwrap();
    let addr = l.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let req = read_head(&mut s);
        s.write_all(&reply_of(b"six")).unwrap();
        req
    });
    socktool()
        .args(["http-get", &format!("[::1]:{}", addr.port()), "--trace"])
        .assert()
        .success()
        .stdout(reply_of(b"six"))
        .stderr(contains("socket(AF_INET6, SOCK_STREAM)"));
    let req = text(&peer.join().unwrap());
    assert!(
        req.contains(&format!("Host: [::1]:{}\r\n", addr.port())),
        "{req}"
    );
}

#[test]
fn colour_follows_flag_and_environment() {
    let (addr, peer) = http_responder(reply_of(b"c"));
    let esc = predicate::str::contains("\u{1b}[");
    socktool()
        .args(["http-get", &addr.to_string(), "--color", "always"])
        .assert()
        .success()
        .stdout(reply_of(b"c"))
        .stderr(esc.clone());
    peer.join().unwrap();

    // Piped stderr: no colour by default, colour with CLICOLOR_FORCE=1.
    let (addr, peer) = http_responder(reply_of(b"c"));
    assert_cmd::Command::new(BIN)
        .args(["http-get", &addr.to_string()])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .assert()
        .success()
        .stderr(esc.clone().not());
    peer.join().unwrap();
    let (addr, peer) = http_responder(reply_of(b"c"));
    assert_cmd::Command::new(BIN)
        .args(["http-get", &addr.to_string()])
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .success()
        .stderr(esc);
    peer.join().unwrap();
}

#[test]
fn targets_refused_before_any_socket_exit_2() {
    for (target, why) in [
        ("ftp://example.com/", "ftp://"),
        ("localhost:0", "port 0"),
        ("localhost:65536", "out of range"),
        ("http://user@localhost/", "credentials"),
        ("http://localhost/%zz", "percent-escape"),
        // Not [::1:8080]:80, which is what the colons also spell.
        ("::1:8080", "needs brackets, [::1]:8080"),
        (
            "http:/127.0.0.1:1",
            "a slash is missing after http: write http://127.0.0.1:1",
        ),
        ("http:localhost", "two slashes are missing"),
    ] {
        socktool()
            .args(["http-get", target])
            .assert()
            .code(2)
            .stderr(contains(why));
    }
}

#[test]
fn unknown_host_exits_68() {
    socktool()
        .args(["http-get", "http://nosuch.invalid/"])
        .assert()
        .code(68)
        .stderr(contains("Hostname could not be resolved. Exiting"))
        // The tutorial's `http-get www.google.com` on a machine without a
        // network ends here too: the hint offers a page of one's own.
        .stderr(contains("`getent hosts nosuch.invalid`"))
        .stderr(contains(
            "with no network, serve a page yourself: `python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then `socktool http-get localhost:8000`",
        ))
        .stderr(contains("HOST").not());
}

#[test]
fn progress_line_on_a_terminal_when_stdout_is_redirected() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` (util-linux) is not installed, no pty to test with");
        return;
    }
    // A slow server, so the download lasts long enough to draw progress.
    let (l, addr) = listener();
    let peer = thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        read_head(&mut s);
        s.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        for _ in 0..8 {
            s.write_all(&[b'p'; 100_000]).unwrap();
            thread::sleep(Duration::from_millis(80));
        }
    });
    let dir = std::env::temp_dir().join(format!("socktool-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("page");
    let run = |addr: std::net::SocketAddr, extra: &str| {
        // `script` gives the command a pty for stderr; stdout goes to a file.
        std::process::Command::new("script")
            .args(["-qec"])
            .arg(format!(
                "{BIN} --color never {extra} http-get {addr} > {}",
                page.display()
            ))
            .arg("/dev/null")
            .env("TERM", "xterm")
            .output()
            .unwrap()
    };
    let out = run(addr, "");
    peer.join().unwrap();
    let screen = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("received "),
        "no progress line on the terminal:\n{screen}"
    );
    let mut want = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
    want.resize(want.len() + 800_000, b'p');
    assert_eq!(std::fs::read(&page).unwrap(), want, "data only in the file");

    // --quiet: nothing at all on the terminal.
    let (addr2, peer2) = http_responder(reply_of(&vec![b'q'; 500_000]));
    let out = run(addr2, "-q");
    peer2.join().unwrap();
    assert_eq!(text(&out.stdout).trim(), "", "quiet means quiet");
    std::fs::remove_dir_all(&dir).unwrap();
}
