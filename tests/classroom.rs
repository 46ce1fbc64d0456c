//! The classroom across hosts, on one machine: a teacher's server and
//! students' laptops as network namespaces joined by a virtual switch.
//!
//! ```text
//!   teacher 192.0.2.1 ─┐
//!   laptop1 192.0.2.11 ─┤  br0 (in its own namespace: the switch)
//!   laptop2 192.0.2.12 ─┤
//!   laptop3 192.0.2.13 ─┘
//! ```
//!
//! 192.0.2.0/24 is TEST-NET-1 (RFC 5737), reserved for examples; here it
//! exists only inside namespaces this test creates and deletes, so nothing
//! leaves the machine and the machine's own network is never touched. The
//! same recipe is in docs/classroom.md for teachers to rehearse a class,
//! and the teacher's and a laptop's terminals shown there are checked here
//! line by line against what socktool prints.
//!
//! Needs root and iproute2 (`ip`); otherwise every test says why it is
//! skipped and passes without running. `.ci/run` runs as root and installs
//! iproute2.

// Signals, /proc, rlimits and namespaces: Unix only (see tests/common/mod.rs).
#![cfg(unix)]

mod common;
use common::*;

use std::io::Write;
use std::process::{Command, Stdio};

const TEACHER: &str = "192.0.2.1";

/// The namespaces of one classroom; dropping it deletes them all (and with
/// them every veth pair and the bridge).
struct Classroom {
    prefix: String,
    laptops: Vec<String>,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        text(&out.stderr)
    );
}

/// Why the classroom cannot be built here, if it cannot.
fn unavailable() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("needs root to create network namespaces".into());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("needs iproute2 (`ip`): apt-get install iproute2".into());
    }
    None
}

impl Classroom {
    fn build(name: &str, laptops: usize) -> Classroom {
        let prefix = format!("st{}{name}", std::process::id());
        let room = Classroom {
            prefix: prefix.clone(),
            laptops: (1..=laptops).map(|i| format!("{prefix}-l{i}")).collect(),
        };
        let switch = format!("{prefix}-sw");
        ip(&["netns", "add", &switch]);
        ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &switch, "link", "set", "br0", "up"]);
        let mut hosts = vec![(room.teacher(), TEACHER.to_string())];
        for (i, laptop) in room.laptops.iter().enumerate() {
            hosts.push((laptop.clone(), format!("192.0.2.{}", 11 + i)));
        }
        for (i, (ns, addr)) in hosts.iter().enumerate() {
            let port = format!("p{i}");
            ip(&["netns", "add", ns]);
            ip(&[
                "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", &port, "netns",
                &switch,
            ]);
            ip(&["-n", &switch, "link", "set", &port, "master", "br0", "up"]);
            ip(&["-n", ns, "link", "set", "lo", "up"]);
            ip(&[
                "-n",
                ns,
                "addr",
                "add",
                &format!("{addr}/24"),
                "dev",
                "eth0",
            ]);
            ip(&["-n", ns, "link", "set", "eth0", "up"]);
        }
        room
    }

    fn teacher(&self) -> String {
        format!("{}-teacher", self.prefix)
    }

    /// `socktool ARGS` run inside namespace `ns`.
    fn socktool_in(&self, ns: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns, BIN, "--color", "never"])
            .args(args)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        cmd
    }

    /// Starts `socktool connect TEACHER PORT` on a laptop with `input` on
    /// stdin (then end of input, so connect half-closes).
    fn start_connect(&self, laptop: &str, port: u16, input: &[u8]) -> std::process::Child {
        let mut child = self
            .socktool_in(
                laptop,
                &["connect", TEACHER, &port.to_string(), "--timeout", "5"],
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn connect");
        child.stdin.take().unwrap().write_all(input).unwrap();
        child
    }
}

/// Waits for a finished client: (exit code, stdout bytes, stderr text).
fn finish(child: std::process::Child) -> (Option<i32>, Vec<u8>, String) {
    let out = child.wait_with_output().unwrap();
    (out.status.code(), out.stdout, text(&out.stderr))
}

impl Drop for Classroom {
    fn drop(&mut self) {
        let mut all = vec![format!("{}-sw", self.prefix), self.teacher()];
        all.extend(self.laptops.iter().cloned());
        for ns in all {
            let _ = Command::new("ip").args(["netns", "del", &ns]).output();
        }
    }
}

/// serve-threaded or serve-poll on every interface of the teacher's host;
/// every laptop talks to it over the virtual switch.
fn server_on_all_interfaces_serves_every_laptop(step: &str) {
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let room = Classroom::build(&step[6..].chars().take(4).collect::<String>(), 3);
    let mut server = start_server_cmd(
        room.socktool_in(&room.teacher(), &[step, "--host", "0.0.0.0", "--port", "0"]),
    );
    assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
    // Right after the readiness line, before any client is served.
    let warning = server.wait_for_any_time("warning: listening on 0.0.0.0:");
    assert!(
        warning.contains("every network interface, so other machines can reach this server"),
        "no all-interfaces warning: {warning}"
    );
    let port = server.addr.port();
    // Every laptop connects at once, as a class does when told to.
    let clients: Vec<_> = room
        .laptops
        .iter()
        .map(|laptop| (laptop.clone(), room.start_connect(laptop, port, b"hi\n")))
        .collect();
    for (laptop, child) in clients {
        let (code, out, err) = finish(child);
        assert_eq!(code, Some(0), "{laptop}: {err}");
        assert_eq!(
            out, b"Welcome to the server. Type something and hit enter\nOK...hi\n",
            "{laptop}: {err}"
        );
    }
    // The teacher's console names each laptop by its own address.
    // The laptops connected at once, so in any order.
    let mut seen: Vec<String> = (0..room.laptops.len())
        .map(|_| {
            let line = server.wait_for("Connected with 192.0.2.");
            line.split("Connected with ")
                .nth(1)
                .unwrap()
                .split(':')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    seen.sort();
    let want: Vec<String> = (0..room.laptops.len())
        .map(|i| format!("192.0.2.{}", 11 + i))
        .collect();
    assert_eq!(seen, want);
}

#[test]
fn serve_threaded_on_all_interfaces_serves_every_laptop() {
    server_on_all_interfaces_serves_every_laptop("serve-threaded");
}

#[test]
fn serve_poll_on_all_interfaces_serves_every_laptop() {
    server_on_all_interfaces_serves_every_laptop("serve-poll");
}

#[test]
fn serve_chat_on_all_interfaces_names_the_way_in_and_the_laptops_talk() {
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let room = Classroom::build("chat", 2);
    let mut server = start_server_cmd(room.socktool_in(
        &room.teacher(),
        &["serve-chat", "--host", "0.0.0.0", "--port", "0"],
    ));
    let port = server.addr.port();
    // What the teacher reads out to the class, right after the warning.
    server.wait_for_any_time(&format!("students: telnet {TEACHER} {port}  (eth0)"));
    // laptop1 stays in the room (its input stays open) while laptop2
    // says one line and leaves.
    let mut listening = room
        .socktool_in(
            &room.laptops[0],
            &["connect", TEACHER, &port.to_string(), "--timeout", "5"],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connect");
    server.wait_for("Connected with 192.0.2.11:");
    let (code, _, err) = finish(room.start_connect(&room.laptops[1], port, b"hello, class\n"));
    assert_eq!(code, Some(0), "{err}");
    server.wait_for_any_time("Disconnected 192.0.2.12:");
    drop(listening.stdin.take());
    let (code, out, err) = finish(listening);
    assert_eq!(code, Some(0), "{err}");
    let out = text(&out);
    assert!(out.contains("* 192.0.2.12:"), "{out}");
    for line in [" joined (2 here)", "] hello, class", " left (1 here)"] {
        assert!(out.contains(line), "{out}");
    }
}

#[test]
fn the_pinger_across_the_class_loses_what_the_teacher_drops() {
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let room = Classroom::build("ping", 1);
    let mut server = start_server_cmd(room.socktool_in(
        &room.teacher(),
        &[
            "udp-serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--loss",
            "50",
            "--seed",
            "7",
        ],
    ));
    let port = server.addr.port().to_string();
    server.wait_for_any_time(&format!("students: nc -u {TEACHER} {port}  (eth0)"));
    let out = room
        .socktool_in(
            &room.laptops[0],
            &[
                "udp-ping",
                TEACHER,
                &port,
                "--count",
                "10",
                "--interval",
                "0.01",
            ],
        )
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    server.wait_for_any_time("datagram #10");
    let lost = server.stderr_so_far().matches("lost on purpose").count();
    assert!(
        stdout.contains(&format!("10 packets transmitted, {} received, ", 10 - lost)),
        "{lost} lost: {stdout}"
    );
}

#[test]
fn the_default_loopback_server_is_not_reachable_from_a_laptop() {
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let room = Classroom::build("lo", 1);
    let server =
        start_server_cmd(room.socktool_in(&room.teacher(), &["serve-threaded", "--port", "0"]));
    assert_eq!(server.addr.ip().to_string(), "127.0.0.1");
    let (code, out, err) =
        finish(room.start_connect(&room.laptops[0], server.addr.port(), b"hi\n"));
    assert_eq!(
        code,
        Some(69),
        "a loopback-only server must refuse other hosts: {err}"
    );
    assert!(out.is_empty());
    assert!(err.contains("Connection refused"), "{err}");
    // The hint names the likely cause: the server listens on loopback.
    assert!(
        err.contains("listens on 127.0.0.1 (the default), other machines cannot reach it: start it with --host 0.0.0.0"),
        "{err}"
    );
}

#[test]
fn udp_from_a_laptop_reaches_the_teacher() {
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let room = Classroom::build("udp", 1);
    let mut server = start_server_cmd(room.socktool_in(
        &room.teacher(),
        &["udp-serve", "--host", "0.0.0.0", "--port", "0"],
    ));
    let out = room
        .socktool_in(
            &room.laptops[0],
            &[
                "udp-send",
                TEACHER,
                &server.addr.port().to_string(),
                "sensor 42",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"OK...sensor 42");
    server.wait_for("192.0.2.11:");
}

/// The lines of the ```text block of docs/classroom.md that opens with
/// `first`, the opening line left out.
fn doc_block(first: &str) -> Vec<String> {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/classroom.md")).unwrap();
    let start = page
        .find(&format!("```text\n{first}"))
        .unwrap_or_else(|| panic!("no block opening with {first:?}"));
    page[start..]
        .lines()
        .skip(2)
        .take_while(|l| !l.starts_with("```"))
        .map(str::to_string)
        .collect()
}

/// `[..]` in a line of the page stands for any text.
fn line_matches(shown: &str, printed: &str) -> bool {
    let parts: Vec<&str> = shown.split("[..]").collect();
    let mut rest = printed;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    rest.is_empty()
}

/// A terminal shows stdout and stderr as one stream: every line shown must
/// be the next line of one of them, and every line printed must be shown.
fn shows_exactly(shown: &[String], stdout: &[String], stderr: &[String]) -> Result<(), String> {
    let (mut o, mut e) = (0, 0);
    for line in shown {
        if stdout.get(o).is_some_and(|p| line_matches(line, p)) {
            o += 1;
        } else if stderr.get(e).is_some_and(|p| line_matches(line, p)) {
            e += 1;
        } else {
            return Err(format!(
                "the page shows {line:?}; next printed were {:?} (stdout) and {:?} (stderr)",
                stdout.get(o),
                stderr.get(e)
            ));
        }
    }
    if o < stdout.len() || e < stderr.len() {
        return Err(format!(
            "printed but not shown: {:?} (stdout), {:?} (stderr)",
            &stdout[o..],
            &stderr[e..]
        ));
    }
    Ok(())
}

#[test]
fn the_classroom_page_shows_every_line_the_teacher_and_a_laptop_see() {
    let teacher_page = doc_block("# the teacher's terminal");
    let laptop_page = doc_block("# laptop1's terminal");
    // sudo resets PATH: the page gives it socktool's full path.
    assert_eq!(
        teacher_page[0],
        "teacher$ sudo ip netns exec teacher \"$socktool\" serve-threaded --host 0.0.0.0"
    );
    assert_eq!(
        laptop_page[0],
        "laptop1$ sudo ip netns exec laptop1 \"$socktool\" connect 192.0.2.1 8888"
    );
    if let Some(why) = unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let room = Classroom::build("doc", 1);
    let mut server = start_server_cmd(room.socktool_in(
        &room.teacher(),
        &["serve-threaded", "--host", "0.0.0.0", "--port", "0"],
    ));
    let port = server.addr.port();
    let records = {
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = server.stdout.take().expect("stdout piped");
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    };
    let (code, out, err) = finish(room.start_connect(&room.laptops[0], port, b"hi\n"));
    assert_eq!(code, Some(0), "{err}");

    let connected = server.wait_for("Connected with 192.0.2.11:");
    let laptop_port = connected.rsplit(':').next().unwrap().trim().to_string();
    // The ports the kernels chose become the page's.
    let as_on_page = |l: &str| {
        l.replace(&format!("0.0.0.0:{port}"), "0.0.0.0:8888")
            .replace(&format!("{TEACHER} {port}"), &format!("{TEACHER} 8888"))
            .replace(&format!("192.0.2.11:{laptop_port}"), "192.0.2.11:40522")
    };
    let record = records
        .recv_timeout(PATIENCE)
        .expect("the teacher's console record");
    let teacher_err: Vec<String> = server
        .stderr_so_far()
        .lines()
        .map(as_on_page)
        .take_while(|l| !l.starts_with("Disconnected"))
        // The test's --port 0 (a fixed port could be taken) says so; the
        // page's server uses the default port.
        .filter(|l| !l.starts_with("note: port 0 asks the kernel"))
        .collect();
    shows_exactly(&teacher_page[1..], &[as_on_page(&record)], &teacher_err)
        .unwrap_or_else(|e| panic!("the teacher's terminal on the page: {e}"));

    // A piped laptop session prints what a terminal one does, less the
    // note on how to type (a terminal's only) and the typed line's echo.
    let shown: Vec<String> = laptop_page[1..]
        .iter()
        .filter(|l| !l.starts_with("note: connected: ") && l.as_str() != "hi")
        .cloned()
        .collect();
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    shows_exactly(&shown, &lines(&text(&out)), &lines(&err))
        .unwrap_or_else(|e| panic!("the laptop's terminal on the page: {e}"));
}
