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
//! same recipe is in docs/classroom.md for teachers to rehearse a class.
//!
//! Needs root and iproute2 (`ip`); otherwise every test says why it is
//! skipped and passes without running. `.ci/run` runs as root and installs
//! iproute2.

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
