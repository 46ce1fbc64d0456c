//! `--record FILE` and `socktool ladder`: both ends of a real conversation
//! on loopback, recorded by their own processes and drawn as one ladder.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;

/// A fresh file name for this test's recordings.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ladder");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn events(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn find<'a>(events: &'a [serde_json::Value], call: &str) -> &'a serde_json::Value {
    events
        .iter()
        .find(|e| e["call"] == call)
        .unwrap_or_else(|| panic!("no {call} in {events:#?}"))
}

/// `socktool ladder ARGS`: its exit code must be `code`; returns what it
/// printed (stdout, stderr).
fn ladder<I, S>(args: I, code: i32) -> (String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = socktool()
        .arg("ladder")
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    (text(&out.stdout), text(&out.stderr))
}

/// `STEP --port 0 --record FILE`, listening.
fn recording_server(step: &str, file: &Path) -> Server {
    start_server(&[step, "--port", "0", "--record", file.to_str().unwrap()])
}

/// The tutorial's conversation, each end recorded: serve-once, and a client
/// that sends `hello\n` and reads the echo.
fn echo_conversation(test: &str) -> (PathBuf, PathBuf) {
    let (server_file, client_file) = (
        scratch(&format!("{test}-server.jsonl")),
        scratch(&format!("{test}-client.jsonl")),
    );
    let mut server = recording_server("serve-once", &server_file);
    let mut client = socktool_std()
        .args(["connect", "127.0.0.1", &server.addr.port().to_string()])
        .arg("--record")
        .arg(&client_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    client.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = client.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"hello\n");
    assert_eq!(server.wait_exit(), Some(0));
    (server_file, client_file)
}

#[test]
fn record_writes_every_call_as_json_with_the_fields_a_ladder_pairs_by() {
    let (server_file, client_file) = echo_conversation("fields");
    let server = events(&server_file);
    let client = events(&client_file);
    for e in server.iter().chain(&client) {
        for field in ["t_us", "pid", "step", "side", "call", "args", "result"] {
            assert!(!e[field].is_null(), "{field} missing in {e}");
        }
    }
    assert!(
        server
            .iter()
            .all(|e| e["side"] == "server" && e["step"] == "serve-once")
    );
    assert!(
        client
            .iter()
            .all(|e| e["side"] == "client" && e["step"] == "connect")
    );
    // One clock for both processes: the server listened before the client
    // connected, and answered after.
    let listen = find(&server, "listen")["t_us"].as_u64().unwrap();
    let connect = find(&client, "connect")["t_us"].as_u64().unwrap();
    let echoed = find(&server, "sendall")["t_us"].as_u64().unwrap();
    assert!(
        listen < connect && connect < echoed,
        "{listen} {connect} {echoed}"
    );

    // The pairing: the address accept returned is the client's own.
    let accepted = find(&server, "accept")["remote"].as_str().unwrap();
    let own = find(&client, "getsockname")["local"].as_str().unwrap();
    assert_eq!(accepted, own);
    assert_eq!(find(&server, "recv")["bytes"], 6);
    assert_eq!(find(&server, "sendall")["bytes"], 6);
    assert_eq!(find(&client, "sendall")["bytes"], 6);
    // The same names --trace uses.
    assert!(
        find(&server, "shutdown")["args"]
            .as_str()
            .unwrap()
            .contains("SHUT_WR")
    );
}

#[test]
fn ladder_draws_both_ends_with_the_handshake_bytes_and_fins_in_order() {
    let (server_file, client_file) = echo_conversation("text");
    let (drawing, _) = ladder([&server_file, &client_file], 0);
    let lines: Vec<&str> = drawing.lines().collect();
    assert!(lines.iter().all(|l| l.chars().count() <= 80), "{drawing}");
    // Clients on the left, servers on the right.
    let header = lines[0];
    assert!(
        header.find("client").unwrap() < header.find("server").unwrap(),
        "{drawing}"
    );
    assert!(lines[2].contains("connect, pid") && lines[2].contains("serve-once, pid"));

    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{drawing}"))
    };
    let rightwards = |label: &str| {
        lines
            .iter()
            .position(|l| l.contains(label) && l.trim_end().ends_with('>'))
            .unwrap_or_else(|| panic!("no {label} arrow to the server in\n{drawing}"))
    };
    let leftwards = |label: &str| {
        lines
            .iter()
            .position(|l| l.contains(label) && l.contains('<'))
            .unwrap_or_else(|| panic!("no {label} arrow to the client in\n{drawing}"))
    };
    assert!(at("listen(128)") < at("connect(127.0.0.1:"), "{drawing}");
    assert!(rightwards(" handshake ") < at("accept -> fd"), "{drawing}");
    assert!(rightwards(" 6 bytes ") < at("recv -> 6 bytes"), "{drawing}");
    assert!(at("recv -> 6 bytes") < leftwards(" 6 bytes "), "{drawing}");
    // Each side's FIN, once: its shutdown(SHUT_WR). The client's close of
    // one of its two descriptors (it dup'ed the socket for its sending
    // thread) sends nothing. Who closes first is a race the tutorial's
    // server does not settle: only the server's FIN must come before the
    // client's recv returns 0.
    assert_eq!(
        lines.iter().filter(|l| l.contains(" FIN ")).count(),
        2,
        "{drawing}"
    );
    assert!(rightwards(" FIN ") > at("shutdown(SHUT_WR)"), "{drawing}");
    assert!(leftwards(" FIN ") < at("recv -> 0 (EOF)"), "{drawing}");
    assert!(
        drawing.contains("... FIN;"),
        "the legend says what dots are:\n{drawing}"
    );
    // Times are relative to the first call.
    assert!(lines[3].starts_with("+0.0 ms"), "{drawing}");
}

#[test]
fn a_servers_recording_alone_gives_its_client_a_column_of_its_own() {
    let server_file = scratch("alone.jsonl");
    let mut server = recording_server("serve-once", &server_file);
    let mut plain = client(server.addr);
    let local = plain.local_addr().unwrap();
    plain.write_all(b"hi\n").unwrap();
    plain.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(read_to_end(&mut plain), b"hi\n");
    assert_eq!(server.wait_exit(), Some(0));

    let (drawing, _) = ladder([&server_file], 0);
    let lines: Vec<&str> = drawing.lines().collect();
    assert!(lines[1].contains(&local.to_string()), "{drawing}");
    assert!(lines[2].contains("not recorded"), "{drawing}");
    assert!(
        drawing
            .lines()
            .any(|l| l.contains(" 3 bytes ") && l.contains('<'))
    );
}

#[test]
fn mermaid_and_svg_draw_the_same_conversation() {
    let (server_file, client_file) = echo_conversation("drawings");
    let svg = scratch("ladder.svg");
    let svg_arg = svg.as_os_str();
    let (mermaid, _) = ladder(
        [
            server_file.as_os_str(),
            client_file.as_os_str(),
            "--mermaid".as_ref(),
            "--svg".as_ref(),
            svg_arg,
        ],
        0,
    );
    let lines: Vec<&str> = mermaid.lines().collect();
    assert_eq!(lines[0], "sequenceDiagram");
    assert!(lines[1].starts_with("    participant E") && lines[1].contains(" as client "));
    // Every statement is one Mermaid knows: a participant, a note, a message.
    for line in &lines[1..] {
        let line = line.trim_start();
        assert!(
            line.starts_with("participant ")
                || line.starts_with("Note over E")
                || (line.starts_with('E') && (line.contains("->>E") || line.contains("--)E"))),
            "not Mermaid: {line}"
        );
    }
    assert!(mermaid.contains("->>E1: 6 bytes") && mermaid.contains("->>E0: 6 bytes"));
    assert_eq!(mermaid.matches("--)").count(), 2, "{mermaid}");

    let svg = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let texts: Vec<&str> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        texts.contains(&"accept -> fd 6") || texts.iter().any(|t| t.starts_with("accept -> fd"))
    );
    assert_eq!(
        texts.iter().filter(|t| **t == "6 bytes").count(),
        2,
        "{texts:?}"
    );
    let arrows = root
        .descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("marker-end").is_some())
        .count();
    // handshake, 6 bytes each way, FIN each way.
    assert_eq!(arrows, 5, "{svg}");
}

// Unix only: the UDP server ends on Ctrl-C (SIGINT here), which a test
// cannot send a Windows console program; scripts/wine-smoke covers it there.
#[cfg(unix)]
#[test]
// udp-serve is stopped with Ctrl-C (SIGINT): Unix only (tests/common/mod.rs).
#[cfg(unix)]
fn udp_draws_datagrams_and_no_handshake_or_fin() {
    let (server_file, client_file) = (scratch("udp-server.jsonl"), scratch("udp-client.jsonl"));
    let mut server = recording_server("udp-serve", &server_file);
    socktool()
        .args([
            "udp-send",
            "127.0.0.1",
            &server.addr.port().to_string(),
            "ping",
        ])
        .arg("--record")
        .arg(&client_file)
        .assert()
        .success();
    server.wait_for("Received a datagram");
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(), Some(0));
    let (drawing, _) = ladder([&server_file, &client_file], 0);
    assert!(
        drawing
            .lines()
            .any(|l| l.contains(" datagram, 4 bytes ") && l.ends_with('>')),
        "{drawing}"
    );
    assert!(
        drawing
            .lines()
            .any(|l| l.contains(" datagram, ") && l.contains('<'))
    );
    assert!(
        !drawing.contains(" handshake ") && !drawing.contains(" FIN "),
        "{drawing}"
    );
}

#[test]
fn a_file_that_is_not_a_recording_is_named_with_its_line() {
    let (server_file, _) = echo_conversation("bad");
    let bad = scratch("bad.jsonl");
    let first = std::fs::read_to_string(&server_file).unwrap();
    let first = first.lines().next().unwrap();
    std::fs::write(&bad, format!("{first}\nGET / HTTP/1.1\n")).unwrap();
    let (drawing, stderr) = ladder([&server_file, &bad], 65);
    assert!(drawing.is_empty());
    let error = stderr.lines().next().unwrap();
    assert!(
        error.starts_with("socktool: error: ")
            && error.contains(&format!(
                "{}, line 2: not a socktool recording",
                bad.display()
            )),
        "{stderr}"
    );

    std::fs::write(&bad, "").unwrap();
    let (_, stderr) = ladder([&bad], 65);
    assert!(stderr.contains("line 1: not a socktool recording (the file holds no calls)"));

    let (_, stderr) = ladder([scratch("never-written.jsonl")], 66);
    assert!(stderr.contains("cannot read "), "{stderr}");
}

#[test]
fn a_ladder_too_wide_for_its_width_says_what_to_give_instead() {
    let (server_file, client_file) = echo_conversation("width");
    let width = ["--width".as_ref(), "30".as_ref()];
    let (_, stderr) = ladder(
        [server_file.as_os_str(), client_file.as_os_str()]
            .into_iter()
            .chain(width),
        2,
    );
    assert!(
        stderr.contains("2 ends do not fit side by side in 30 columns"),
        "{stderr}"
    );
}

#[test]
fn record_into_a_directory_that_does_not_exist_fails_before_any_socket() {
    let out = socktool()
        .args(["serve-once", "--port", "0", "--record"])
        .arg(scratch("no-such-dir").join("x.jsonl"))
        .assert()
        .code(74)
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot write "), "{stderr}");
    assert!(!stderr.contains("Socket created"), "{stderr}");
}
