//! `socktool lab`: every scenario run for real, in the private network
//! namespace the lab makes, and checked for what it must show on the wire
//! and in the kernel.
//!
//! The drawings are read as Mermaid (`--mermaid`), whose lines say exactly
//! who sent what to whom (`E0->>E1: SYN seq 0`), and as text where the
//! times matter. Where the lab cannot make a namespace (unprivileged user
//! namespaces switched off, not Linux), it says so in one line and draws
//! the calls only; the tests that need the wire then say why and skip.
//! CI runs as root, where they always run.

mod common;
use common::*;

use std::path::PathBuf;

/// A fresh file name for this test's outputs.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lab");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// `socktool lab ARGS`: its stdout, or `None` (saying why) where the lab
/// could not capture.
fn lab(args: &[&str]) -> Option<String> {
    lab_in("C.UTF-8", args)
}

/// [`lab`] under `LANG=locale`: the drawing's legend is in its language
/// (docs/zh shows the Chinese one), and so are the lines checked here.
fn lab_in(locale: &str, args: &[&str]) -> Option<String> {
    let out = socktool()
        .env("LANG", locale)
        .arg("lab")
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    let no_wire = ["no wire column: ", "没有线路那一列:"];
    if let Some(why) = stderr
        .lines()
        .find(|l| no_wire.iter().any(|w| l.contains(w)))
    {
        eprintln!("skipped: the lab ran without a capture here: {why}");
        return None;
    }
    assert!(
        stderr.contains("captured on its loopback") || stderr.contains("个报文段"),
        "no capture said:\n{stderr}"
    );
    Some(text(&out.stdout))
}

/// One scenario as Mermaid: the participants (`client 127.0.0.1:40000`)
/// and the statements in order.
struct Drawing {
    participants: Vec<(String, String)>,
    lines: Vec<String>,
    all: String,
}

fn mermaid(scenario: &str) -> Option<Drawing> {
    let all = lab(&[scenario, "--mermaid"])?;
    let mut participants = Vec::new();
    let mut lines = Vec::new();
    for line in all.lines().skip(1) {
        let line = line.trim();
        if let Some(p) = line.strip_prefix("participant ") {
            let (id, name) = p.split_once(" as ").unwrap();
            participants.push((id.to_string(), name.to_string()));
        } else {
            lines.push(line.to_string());
        }
    }
    Some(Drawing {
        participants,
        lines,
        all,
    })
}

impl Drawing {
    /// The Mermaid id of the end whose name starts with `name`
    /// (`client`, `client 2`, `server`).
    fn id(&self, name: &str) -> &str {
        let found = self
            .participants
            .iter()
            .find(|(_, n)| n.starts_with(&format!("{name} ")));
        &found
            .unwrap_or_else(|| panic!("no {name} in\n{}", self.all))
            .0
    }

    /// Where the segment `label` (exactly, or followed by more) went from
    /// `from` to `to`; the first at or after `after`.
    fn segment(&self, from: &str, to: &str, label: &str, after: usize) -> usize {
        let (from, to) = (self.id(from), self.id(to));
        let found = self.lines.iter().enumerate().skip(after).find(|(_, l)| {
            let Some((arrow, text)) = l.split_once(": ") else {
                return false;
            };
            let ends = arrow == format!("{from}->>{to}") || arrow == format!("{from}--){to}");
            ends && (text == label || text.starts_with(&format!("{label} ")))
        });
        found
            .unwrap_or_else(|| panic!("no {label:?} from {from} to {to} in\n{}", self.all))
            .0
    }

    /// Where a note over `end` says `text` (a call, or `[a state]`).
    fn note(&self, end: &str, text: &str) -> usize {
        let prefix = format!("Note over {}: ", self.id(end));
        self.lines
            .iter()
            .position(|l| l.starts_with(&prefix) && l.contains(text))
            .unwrap_or_else(|| panic!("no {text:?} over {end} in\n{}", self.all))
    }

    fn count(&self, text: &str) -> usize {
        self.lines.iter().filter(|l| l.contains(text)).count()
    }
}

#[test]
fn list_names_each_scenario_with_its_lesson_in_one_line() {
    let out = socktool()
        .args(["lab", "--list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let list = text(&out.stdout);
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "handshake",
            "echo",
            "half-close",
            "reset",
            "refused",
            "backlog-full",
            "time-wait",
            "nagle",
            "udp"
        ]
    );
    assert!(
        list.lines().all(|l| l.split_whitespace().count() > 5),
        "{list}"
    );
}

#[test]
fn an_unknown_scenario_is_a_usage_error_that_lists_the_known_ones() {
    let out = socktool()
        .args(["lab", "handshak"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("socktool: error: there is no scenario \"handshak\"; the scenarios are: handshake, echo, half-close, reset, refused, backlog-full, time-wait, nagle, udp"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    socktool().arg("lab").assert().code(2);
}

#[test]
fn handshake_shows_syn_syn_ack_ack_before_accept_and_a_normal_close() {
    let Some(d) = mermaid("handshake") else {
        return;
    };
    let syn = d.segment("client", "server", "SYN seq 0", 0);
    let syn_ack = d.segment("server", "client", "SYN-ACK seq 0 ack 1", syn);
    let ack = d.segment("client", "server", "ACK ack 1", syn_ack);
    assert!(syn < syn_ack && syn_ack < ack);
    // The kernel finished the handshake on its own: the connection was
    // queued before accept took it.
    let queued = d.note("server", "[accept queue 1]");
    let accept = d.note("server", "accept -> fd");
    assert!(ack < queued && queued < accept, "{}", d.all);
    assert!(d.note("server", "[accept queue 0]") > accept);
    // The client closes first: its FIN, the server's FIN, the last ACK;
    // and TIME_WAIT stays with the client.
    let fin = d.segment("client", "server", "FIN-ACK seq 1 ack 1", ack);
    let fin_back = d.segment("server", "client", "FIN-ACK seq 1 ack 2", fin);
    d.segment("client", "server", "ACK ack 2", fin_back);
    d.note("client", "[TIME_WAIT for 60 s]");
    assert_eq!(d.count("TIME_WAIT"), 1, "{}", d.all);
    assert_eq!(d.count("RST"), 0, "{}", d.all);
}

#[test]
fn echo_is_the_tutorials_conversation_between_the_real_steps() {
    let Some(d) = mermaid("echo") else {
        return;
    };
    assert!(d.all.contains(" as client 127.0.0.1:") && d.all.contains(" as server 127.0.0.1:"));
    let ack = d.segment("client", "server", "ACK ack 1", 0);
    let data = d.segment("client", "server", "PSH-ACK seq 1 ack 1 len 6", ack);
    let echo = d.segment("server", "client", "PSH-ACK seq 1 ack 7 len 6", data);
    assert!(d.note("server", "recv -> 6 bytes") < echo);
    // serve-once closes first, so the server keeps TIME_WAIT.
    let fin = d.segment("server", "client", "FIN-ACK seq 7 ack 7", echo);
    let fin_back = d.segment("client", "server", "FIN-ACK seq 7 ack 8", fin);
    d.segment("server", "client", "ACK ack 8", fin_back);
    d.note("server", "[TIME_WAIT for 60 s]");
    d.note("client", "recv -> 0 (EOF)");
}

#[test]
fn half_close_the_server_answers_after_the_clients_fin() {
    let Some(d) = mermaid("half-close") else {
        return;
    };
    let shutdown = d.note("client", "shutdown(SHUT_WR)");
    let fin = d.segment("client", "server", "FIN-ACK seq 7 ack 1", 0);
    let eof = d.note("server", "recv -> 0 (EOF)");
    let reply = d.segment("server", "client", "PSH-ACK seq 1 ack 8 len 11", fin);
    assert!(shutdown < fin && fin < eof && eof < reply, "{}", d.all);
    d.note("client", "recv -> 11 bytes");
    d.segment("server", "client", "FIN-ACK seq 12 ack 8", reply);
}

#[test]
fn reset_sends_rst_instead_of_fin_and_the_peer_gets_econnreset() {
    let Some(d) = mermaid("reset") else {
        return;
    };
    let linger = d.note("client", "setsockopt(SO_LINGER, {on, 0 s})");
    let rst = d.segment("client", "server", "RST-ACK seq 7", linger);
    assert!(d.lines[rst].contains("--)"), "a reset is drawn as one");
    assert!(d.note("server", "recv -> ECONNRESET") > rst);
    assert_eq!(d.count("FIN"), 0, "{}", d.all);
    assert_eq!(d.count("TIME_WAIT"), 0, "{}", d.all);
}

#[test]
fn refused_the_syn_is_answered_by_rst_and_connect_fails() {
    let Some(d) = mermaid("refused") else {
        return;
    };
    let syn = d.segment("client", "server", "SYN seq 0", 0);
    d.segment("server", "client", "RST-ACK ack 1", syn);
    d.note("client", "connect -> ECONNREFUSED");
    assert_eq!(d.count("listen("), 0, "{}", d.all);
    assert_eq!(d.count("SYN-ACK"), 0, "{}", d.all);
}

#[test]
fn backlog_full_drops_the_third_syn_and_its_retransmission_a_second_later_gets_in() {
    let Some(drawing) = lab(&["backlog-full", "--width", "160"]) else {
        return;
    };
    let lines: Vec<&str> = drawing.lines().collect();
    assert!(lines[0].contains("client 3") && lines[0].contains("server"));
    assert!(drawing.contains("listen(1)"), "{drawing}");
    // Client 3's SYNs are the rows whose SYN starts after client 2's column.
    let column_3 = lines[0].find("client 3").unwrap();
    let syns: Vec<(f64, &str)> = lines
        .iter()
        .filter(|l| l.contains("SYN seq 0") && l.find("SYN") > Some(column_3))
        .map(|l| (seconds(l), *l))
        .collect();
    assert_eq!(syns.len(), 2, "{drawing}");
    assert!(syns[1].1.contains("SYN seq 0 (retransmitted)"), "{drawing}");
    // Linux's first retransmission timeout is one second.
    let waited = syns[1].0 - syns[0].0;
    assert!((0.9..3.5).contains(&waited), "{waited} s\n{drawing}");
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{drawing}"))
    };
    assert!(at("[accept queue 2]") < at("[SYN dropped]"), "{drawing}");
    assert!(at("[SYN dropped]") < at("(retransmitted)"), "{drawing}");
    assert_eq!(drawing.matches("accept -> fd").count(), 3, "{drawing}");
    assert_eq!(drawing.matches("SYN-ACK").count(), 3, "{drawing}");
}

/// `+1.032 s ...` or `+0.4 ms ...` → seconds.
fn seconds(line: &str) -> f64 {
    let mut words = line.split_whitespace();
    let n: f64 = words
        .next()
        .unwrap()
        .trim_start_matches('+')
        .parse()
        .unwrap();
    match words.next() {
        Some("ms") => n / 1000.0,
        _ => n,
    }
}

#[test]
fn time_wait_stays_with_whoever_closed_first() {
    let Some(d) = mermaid("time-wait") else {
        return;
    };
    // 1: the server's close sends the first FIN; the server keeps TIME_WAIT.
    let fin_1 = d.segment("server", "client 1", "FIN-ACK seq 1 ack 1", 0);
    let tw_server = d.note("server", "[TIME_WAIT for 60 s]");
    // 2: the client's close goes first; client 2 keeps it.
    let fin_2 = d.segment("client 2", "server", "FIN-ACK seq 1 ack 1", fin_1);
    let tw_client = d.note("client 2", "[TIME_WAIT for 60 s]");
    assert!(fin_1 < tw_server && tw_server < fin_2 && fin_2 < tw_client);
    assert_eq!(d.count("TIME_WAIT"), 2, "{}", d.all);
}

#[test]
fn nagle_holds_the_second_write_for_the_delayed_ack_and_nodelay_does_not() {
    let Some(d) = mermaid("nagle") else {
        return;
    };
    let reply_ms = |end: &str| -> f64 {
        let line = &d.lines[d.note(end, "[reply in ")];
        let after = line.split("[reply in ").nth(1).unwrap();
        after.split(" ms").next().unwrap().parse().unwrap()
    };
    let (nagle, nodelay) = (reply_ms("client 1"), reply_ms("client 2"));
    // Linux delays an ACK by at least 40 ms (TCP_DELACK_MIN); a busy
    // machine can only make it longer.
    assert!(nagle >= 30.0, "Nagle: {nagle} ms\n{}", d.all);
    assert!(nodelay < nagle, "TCP_NODELAY: {nodelay} ms\n{}", d.all);
    d.note("client 2", "setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)");
    // With Nagle the second write waits for the ACK of the first...
    let first = d.segment("client 1", "server", "PSH-ACK seq 4 ack 9 len 3", 0);
    let acked = d.segment("server", "client 1", "ACK ack 7", first);
    let second = d.segment("client 1", "server", "PSH-ACK seq 7 ack 9 len 3", acked);
    assert!(first < acked && acked < second);
    // ...and with TCP_NODELAY it leaves before any ACK of the first.
    let first = d.segment("client 2", "server", "PSH-ACK seq 4 ack 9 len 3", second);
    let second = d.segment("client 2", "server", "PSH-ACK seq 7 ack 9 len 3", first);
    let back = format!("{}->>{}", d.id("server"), d.id("client 2"));
    assert!(
        d.lines[first..second].iter().all(|l| !l.starts_with(&back)),
        "{}",
        d.all
    );
}

#[test]
fn udp_has_datagrams_and_no_handshake_ack_or_fin() {
    let Some(d) = mermaid("udp") else {
        return;
    };
    assert!(d.all.contains("udp-send, pid") || d.participants.len() == 2);
    let out = d.segment("client", "server", "UDP len 5", 0);
    d.segment("server", "client", "UDP len 10", out);
    for tcp in ["SYN", "ACK", "FIN", "RST"] {
        assert_eq!(d.count(tcp), 0, "{tcp} in\n{}", d.all);
    }
    d.note("server", "recvfrom -> 5 bytes");
}

#[test]
fn the_text_drawing_fits_80_columns_and_the_svg_is_well_formed() {
    let svg = scratch("echo.svg");
    let out = socktool()
        .args(["lab", "echo", "--svg"])
        .arg(&svg)
        .assert()
        .success()
        .get_output()
        .clone();
    let drawing = text(&out.stdout);
    assert!(
        drawing.lines().all(|l| l.chars().count() <= 80),
        "{drawing}"
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("accept -> fd")),
        "{texts:?}"
    );
    if text(&out.stderr).contains("captured on its loopback") {
        assert!(texts.contains(&"SYN-ACK seq 0 ack 1"), "{texts:?}");
    }
}

#[test]
fn pcap_is_a_classic_pcap_file_that_wireshark_reads() {
    let file = scratch("handshake.pcap");
    let out = socktool()
        .args(["lab", "handshake", "--pcap"])
        .arg(&file)
        .assert()
        .get_output()
        .clone();
    if out.status.code() == Some(69) {
        eprintln!("skipped: {}", text(&out.stderr).trim());
        return;
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&file).unwrap();
    // The global header: magic (either byte order), version 2.4, the
    // snapshot length, link type 1 (Ethernet).
    assert!(bytes.len() >= 24);
    let magic = &bytes[..4];
    let little = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] => false,
        _ => panic!("bad magic {magic:02x?}"),
    };
    let u16_at = |at: usize| {
        let b = [bytes[at], bytes[at + 1]];
        if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_at = |at: usize| {
        let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    assert_eq!((u16_at(4), u16_at(6)), (2, 4), "version");
    let snaplen = u32_at(16);
    assert_eq!(u32_at(20), 1, "link type Ethernet");
    // Each record: seconds, microseconds, captured and original length,
    // then that many bytes; the records fill the file exactly.
    let mut at = 24;
    let mut records = Vec::new();
    while at < bytes.len() {
        assert!(at + 16 <= bytes.len(), "a cut record header at {at}");
        let (secs, micros, incl, orig) =
            (u32_at(at), u32_at(at + 4), u32_at(at + 8), u32_at(at + 12));
        assert!(micros < 1_000_000 && secs > 1_600_000_000);
        assert!(
            incl == orig && incl <= snaplen && incl >= 14 + 20 + 20,
            "{incl} {orig}"
        );
        records.push((u64::from(secs) * 1_000_000 + u64::from(micros), incl));
        at += 16 + incl as usize;
    }
    assert_eq!(at, bytes.len());
    // SYN, SYN-ACK, ACK, FIN, FIN, ACK: each once (the incoming copy only).
    assert_eq!(records.len(), 6, "{records:?}");
    assert!(
        records.windows(2).all(|w| w[0].0 <= w[1].0),
        "in time order"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("wrote 6 frames to "), "{stderr}");
}

#[test]
fn without_a_namespace_the_calls_are_drawn_and_one_line_says_why() {
    let out = socktool()
        .args(["lab", "handshake", "--no-namespace"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    let why: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("no wire column"))
        .collect();
    assert_eq!(why.len(), 1, "{stderr}");
    assert!(why[0].starts_with("warning: no wire column: --no-namespace was given"));
    let drawing = text(&out.stdout);
    // The arrows the calls imply, as `ladder` draws them: no segments.
    assert!(drawing.contains(" handshake "), "{drawing}");
    assert!(drawing.contains("accept -> fd"), "{drawing}");
    assert!(!drawing.contains("SYN"), "{drawing}");

    let out = socktool()
        .args(["lab", "handshake", "--no-namespace", "--pcap"])
        .arg(scratch("never.pcap"))
        .assert()
        .code(69)
        .get_output()
        .clone();
    assert!(text(&out.stderr).starts_with(
        "socktool: error: --pcap needs a capture, and there is none: --no-namespace was given"
    ));
    assert!(!scratch("never.pcap").exists());
}

/// The lessons (docs/0N-*.md, English and Chinese) each show the
/// conversation of their step: a ```` ```text ```` block under a comment
/// naming the command that drew it (`<!-- socktool lab echo -->`). Each is
/// drawn again here and must say the same: the same ends, the same calls in
/// each column in the same order, the same segments in the same order.
/// Times, ports, process ids and descriptor numbers are left out: they
/// differ from run to run. docs/zh's are drawn under a Chinese locale (the
/// legend under the drawing is Chinese; the drawing's calls, segments and
/// states are the same in every language). `LAB_DOCS=overwrite cargo test
/// --test lab lessons` writes the new drawings into the files instead.
#[test]
fn the_lessons_show_the_conversations_lab_draws_now() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let overwrite = std::env::var("LAB_DOCS").is_ok_and(|v| v == "overwrite");
    let (mut checked, mut lessons) = (0, 0);
    for (dir, locale) in [("docs", "C.UTF-8"), ("docs/zh", "zh_CN.UTF-8")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.ends_with(".md") && name.as_bytes()[0].is_ascii_digit()
            })
            .collect();
        files.sort();
        assert!(files.len() >= 8, "{dir}: {files:?}");
        lessons += files.len();
        for file in files {
            let page = std::fs::read_to_string(&file).unwrap();
            let blocks = conversations(&page);
            assert_eq!(
                blocks.len(),
                1,
                "{}: one `<!-- socktool lab ... -->` block expected",
                file.display()
            );
            let (args, shown, range) = &blocks[0];
            let args_now: Vec<&str> = args.iter().map(String::as_str).collect();
            let Some(now) = lab_in(locale, &args_now) else {
                return;
            };
            if overwrite {
                let mut page = page.clone();
                page.replace_range(range.clone(), &now);
                std::fs::write(&file, page).unwrap();
                continue;
            }
            let (want, got) = (says(shown), says(&now));
            assert_eq!(
                want,
                got,
                "{} no longer shows what `socktool lab {}` draws (LAB_DOCS=overwrite rewrites it); now:\n{now}",
                file.display(),
                args.join(" ")
            );
            checked += 1;
        }
    }
    // Every lesson, in both languages: none skipped.
    if !overwrite {
        assert_eq!(checked, lessons);
    }
}

/// Each `<!-- socktool lab ARGS -->` in `page`, with the text block under
/// it and that block's byte range (its lines, without the fences).
fn conversations(page: &str) -> Vec<(Vec<String>, String, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = page[at..].find("<!-- socktool lab ") {
        let start = at + start;
        let end = start + page[start..].find("-->").unwrap();
        let args: Vec<String> = page[start + "<!-- socktool lab ".len()..end]
            .split_whitespace()
            .map(String::from)
            .collect();
        let fence = end + page[end..].find("```text\n").unwrap() + "```text\n".len();
        let close = fence + page[fence..].find("```\n").unwrap();
        found.push((args, page[fence..close].to_string(), fence..close));
        at = close;
    }
    found
}

/// What a drawing says, without what varies: the header; per column, its
/// calls in order, and apart from them its states in order (a state is
/// dated by the kernel, so it may fall either side of a call made at the
/// same moment); the segments in order.
type Says = (Vec<String>, Vec<Vec<String>>, Vec<Vec<String>>, Vec<String>);

fn says(drawing: &str) -> Says {
    let lines: Vec<&str> = drawing.lines().collect();
    // Spaces too: a pid one digit longer moves the next column's text.
    let header: Vec<String> = lines
        .iter()
        .take(3)
        .map(|l| steady(l).split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    // Where each column starts: its name's position in the first line.
    let starts: Vec<usize> = {
        let first = lines[0];
        let mut starts = Vec::new();
        let mut was_space = true;
        for (i, c) in first.char_indices() {
            if c != ' ' && was_space && i > 0 && first[..i].ends_with("  ") {
                starts.push(i);
            }
            was_space = c == ' ';
        }
        starts
    };
    let mut columns = vec![Vec::new(); starts.len()];
    let mut states = vec![Vec::new(); starts.len()];
    let mut segments = Vec::new();
    for line in lines.iter().skip(3).take_while(|l| !l.is_empty()) {
        let body = line.get(10..).unwrap_or("");
        let at = 10 + body.len() - body.trim_start().len();
        let raw = body.trim();
        let text = steady(raw);
        let arrow = raw.contains("-->")
            || raw.contains("<--")
            || raw.contains("#>")
            || raw.contains("<#")
            || raw.contains("==>")
            || raw.contains("<==")
            || raw.contains("..>")
            || raw.contains("<..");
        // Whether an ACK travels alone or rides on the next segment depends
        // on how soon that segment follows (a busy machine sends more alone):
        // timing, so bare ACKs are left out. The scenarios' own tests check
        // the handshake's.
        let bare_ack = text.split_whitespace().any(|w| w == "ACK");
        if arrow && bare_ack {
            continue;
        }
        if arrow {
            segments.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        } else if let Some(col) = starts.iter().position(|&s| s == at) {
            match text.starts_with('[') {
                true => states[col].push(text),
                false => columns[col].push(text),
            }
        } else {
            panic!("a row in no column: {line:?}\n{drawing}");
        }
    }
    (header, columns, states, segments)
}

/// `line` with ports, pids and descriptor numbers replaced by words, and
/// the arrow's dashes counted out.
fn steady(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while !rest.is_empty() {
        let numbered = ["127.0.0.1:", "pid ", "fd "]
            .iter()
            .find(|p| rest.starts_with(**p));
        if let Some(prefix) = numbered {
            out.push_str(prefix);
            out.push('N');
            rest = rest[prefix.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            rest = rest.trim_start_matches('~');
            continue;
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    // The fill before and after a label depends on the columns' widths.
    let mut squeezed = String::new();
    for c in out.chars() {
        if "-=.#".contains(c) && squeezed.ends_with(c) {
            continue;
        }
        squeezed.push(c);
    }
    squeezed
}
