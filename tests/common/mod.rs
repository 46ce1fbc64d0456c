//! What every integration test shares: running the built binary, starting a
//! server and waiting for its readiness line, small peers on loopback.
//!
//! Tests marked `#[cfg(unix)]` (and whole files: faults.rs, serving.rs,
//! classroom.rs) send signals, read /proc, set rlimits or build network
//! namespaces, which Windows does not have. There the Windows build's
//! servers, clients and Ctrl-C are exercised under Wine instead
//! (`scripts/wine-smoke`, run by `.ci/run`).
//!
//! Rules kept here so no test can forget them: loopback only, port 0 only,
//! readiness from the server's own "Socket now listening on" line (never a
//! sleep), a read timeout on every socket (a bug fails in seconds instead of
//! hanging CI), and a `Drop` guard that kills any server a test started.

#![allow(dead_code)]
#![cfg_attr(not(unix), allow(unused_imports))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

pub mod line_server;

pub const BIN: &str = env!("CARGO_BIN_EXE_socktool");

/// What every TCP server tells each client still connected when it stops.
pub const GOODBYE: &[u8] = b"Server shutting down. Goodbye.\n";

/// The safety net on every blocking call in a test; never synchronisation.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// `socktool` with colour off and a bound on its run time, in English
/// whatever the machine's locale (tests/lang.rs runs it in Chinese).
pub fn socktool() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(BIN);
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        // A browser user's key log must not catch the tests' connections.
        .env_remove("SSLKEYLOGFILE")
        .arg("--color")
        .arg("never")
        .timeout(Duration::from_secs(30));
    cmd
}

/// A std `Command` for the binary, for tests that need pipes of their own.
pub fn socktool_std() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("SSLKEYLOGFILE")
        .arg("--color")
        .arg("never");
    cmd
}

/// A running socktool server. Dropping it kills the process.
pub struct Server {
    pub child: Child,
    /// The address from the server's own "Socket now listening on" line.
    pub addr: SocketAddr,
    /// Every stderr line the server has printed, as it prints them.
    lines: Receiver<String>,
    /// Lines already taken from `lines`, kept for `stderr_so_far`.
    seen: Vec<String>,
    pub stdout: Option<ChildStdout>,
}

/// Starts `socktool ARGS` (a server given `--port 0`) and returns once it
/// has printed its listening line.
pub fn start_server(args: &[&str]) -> Server {
    let mut cmd = socktool_std();
    cmd.args(args);
    start_server_cmd(cmd)
}

/// [`start_server`] for a command the test prepared itself (environment,
/// limits).
pub fn start_server_cmd(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn socktool");
    let stderr = child.stderr.take().expect("stderr piped");
    let (tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take();
    let mut server = Server {
        child,
        addr: "0.0.0.0:0".parse().unwrap(),
        lines,
        seen: Vec::new(),
        stdout,
    };
    let line = server.wait_for("Socket now listening on ");
    let addr = line
        .rsplit("Socket now listening on ")
        .next()
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    server.addr = addr;
    server
}

impl Server {
    /// Waits (at most [`PATIENCE`]) for a stderr line containing `needle`
    /// and returns it. Panics with everything printed so far otherwise.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "server never printed {needle:?}; stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Like [`Server::wait_for`], but also true when the line was already
    /// printed (and skipped by an earlier wait): for lines whose order
    /// between threads is not fixed.
    pub fn wait_for_any_time(&mut self, needle: &str) -> String {
        self.stderr_so_far();
        match self.seen.iter().find(|l| l.contains(needle)) {
            Some(line) => line.clone(),
            None => self.wait_for(needle),
        }
    }

    /// Every stderr line seen so far (including those `wait_for` skipped).
    /// Once the server has exited, this waits for the pipe to close, so
    /// the last lines cannot be missed.
    pub fn stderr_so_far(&mut self) -> String {
        let exited = matches!(self.child.try_wait(), Ok(Some(_)));
        if exited {
            let deadline = Instant::now() + PATIENCE;
            let left = || deadline.saturating_duration_since(Instant::now());
            while let Ok(line) = self.lines.recv_timeout(left()) {
                self.seen.push(line);
            }
        } else {
            while let Ok(line) = self.lines.try_recv() {
                self.seen.push(line);
            }
        }
        self.seen.join("\n")
    }

    /// A client connected to this server, with timeouts set.
    pub fn connect(&self) -> TcpStream {
        client(self.addr)
    }

    /// Sends a signal (SIGINT, SIGTERM) to the server.
    #[cfg(unix)]
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        let rc = unsafe { libc::kill(self.child.id() as i32, sig) };
        assert_eq!(rc, 0, "kill failed");
    }

    /// Waits for the server to exit (at most [`PATIENCE`]); returns its code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Take every line the server printed before it exited: the
                // reader thread ends at EOF, which closes the channel.
                while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
                    self.seen.push(line);
                }
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit; stderr:\n{}",
                self.stderr_so_far()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Reads the server's stdout on a thread of its own, so a server that
    /// prints a lot never blocks on a full pipe; join the handle after the
    /// server exited to get every byte.
    pub fn stdout_in_background(&mut self) -> JoinHandle<Vec<u8>> {
        let mut stdout = self.stdout.take().expect("stdout not taken yet");
        thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.read_to_end(&mut out);
            out
        })
    }

    /// Everything the server wrote on stdout (after it exited).
    pub fn stdout_bytes(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(mut s) = self.stdout.take() {
            s.read_to_end(&mut out).expect("read server stdout");
        }
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The numbers in a server's summary line: (clients served, bytes in,
/// bytes out).
pub fn summary(stderr: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.contains("Server stopped: "))
        .unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0], n[1], n[2])
}

/// A client socket with read and write timeouts.
pub fn client(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads exactly `n` bytes (or fails the test).
pub fn read_exact(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    stream.read_exact(&mut buf).expect("read_exact");
    buf
}

/// Reads one line, up to and including `\n` (or until the peer closes).
pub fn read_line(stream: &mut TcpStream) -> Vec<u8> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") {
        match stream.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => line.push(byte[0]),
            Err(e) => panic!("reading a line (got {:?} so far): {e}", text(&line)),
        }
    }
    line
}

/// Reads until the peer closes.
pub fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).expect("read_to_end");
    buf
}

/// A listener on 127.0.0.1 port 0.
pub fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = l.local_addr().unwrap();
    (l, addr)
}

/// A one-shot HTTP peer: accepts one connection, reads the request head (up
/// to the blank line), answers `reply` and closes. The handle yields the
/// request bytes exactly as received.
pub fn http_responder(reply: Vec<u8>) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let (l, addr) = listener();
    let handle = thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let request = read_head(&mut s);
        s.write_all(&reply).expect("write reply");
        request
    });
    (addr, handle)
}

/// Reads until `\r\n\r\n` (or EOF), byte by byte so nothing past it is taken.
pub fn read_head(s: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) => panic!("reading request: {e}"),
        }
    }
    head
}

/// Whether `localhost` has an IPv6 entry in /etc/hosts (never asks DNS).
pub fn hosts_has_v6_localhost() -> bool {
    std::fs::read_to_string("/etc/hosts").is_ok_and(|h| {
        h.lines().any(|l| {
            let mut f = l.split_whitespace();
            f.next() == Some("::1") && f.any(|n| n == "localhost")
        })
    })
}

/// Whether this machine can bind ::1.
pub fn has_ipv6_loopback() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// Bytes as text for assertions about narration (never for data).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A listener on 127.0.0.1 whose accept queue is full: `listen(0)`, never
/// accepted, filled with connections until one times out. A further
/// connect then waits for a handshake that never completes: a connect
/// timeout without any outside address. Keep the returned sockets alive.
pub fn full_accept_queue() -> (SocketAddr, Vec<socket2::Socket>) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut held = vec![listener];
    for _ in 0..4 {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        if s.connect_timeout(&addr.into(), Duration::from_millis(200))
            .is_err()
        {
            break;
        }
        held.push(s);
    }
    (addr, held)
}

/// A peer that accepts one connection and hands it to `then` on a thread
/// of its own; the handle yields what `then` returns.
pub fn peer<T: Send + 'static>(
    then: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> (SocketAddr, JoinHandle<T>) {
    let (l, addr) = listener();
    let handle = thread::spawn(move || {
        let (s, _) = l.accept().expect("accept");
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.set_write_timeout(Some(PATIENCE)).unwrap();
        then(s)
    });
    (addr, handle)
}

/// Writes until the reader goes away (or `PATIENCE` passes): a server that
/// sends forever. Returns how many bytes went out.
pub fn send_forever(mut s: TcpStream) -> u64 {
    let chunk = vec![b'z'; 64 * 1024];
    let started = Instant::now();
    let mut sent = 0;
    while started.elapsed() < PATIENCE {
        match s.write(&chunk) {
            Ok(n) => sent += n as u64,
            Err(_) => break,
        }
    }
    sent
}

/// The subcommands `socktool --help` lists (without clap's own `help`).
pub fn subcommands() -> Vec<String> {
    let help = text(
        &socktool()
            .arg("--help")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    );
    let names: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .expect("a Commands: section")
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|s| s != "help")
        .collect();
    assert!(
        ["resolve", "http-get", "completions", "man"]
            .iter()
            .all(|s| names.iter().any(|n| n == s)),
        "{help}"
    );
    names
}

/// Reads `reader` on a thread until `needle` has been seen (or it closes);
/// returns everything read, or what arrived within `PATIENCE`. For a
/// child's stdout (telnet, nc), which has no read timeout of its own.
pub fn read_until(mut reader: impl Read + Send + 'static, needle: &'static [u8]) -> Vec<u8> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(needle.len()).any(|w| w == needle) {
                        break;
                    }
                }
            }
        }
        let _ = tx.send(got);
    });
    rx.recv_timeout(PATIENCE).unwrap_or_default()
}
