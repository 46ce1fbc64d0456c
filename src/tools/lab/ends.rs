//! What a scenario is made of: its ends, and what the kernel says about
//! them.
//!
//! Two kinds of end. Where a tutorial step already does what the scenario
//! needs (serve-once, connect, udp-send), the real step runs, as a child
//! process of the lab with `--record FILE`: it is born inside the lab's
//! namespace, and its recording is the same JSON any `--record` writes.
//! Where no step does (a socket that is bound but never listens,
//! `listen(1)`, `SO_LINGER` 0, `TCP_NODELAY` on a client), the scenario
//! plays the end itself, in this process, with the same `sockopt` and
//! `client` calls the steps use; each such end records into memory, and
//! its calls are drawn exactly like a step's.
//!
//! Every wait is for something to happen (a listening line, a socket that
//! turns readable, a child that exits), bounded by [`PATIENCE`]: a lab
//! that goes wrong stops in seconds with a line saying what it waited for.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::Family;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::record::{Event, Recorder, now_us};
use crate::sockopt::{self, Listener, Want, Woke};
use crate::target::Host;
use crate::tr;

/// The longest any one wait of a scenario may take.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Where every scenario talks: loopback, IPv4.
pub const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A scenario under way: its ends, their recordings, what the kernel said.
pub struct Lab {
    pub scenario: &'static str,
    ends: Vec<Arc<Recorder>>,
    recordings: Vec<PathBuf>,
    scratch: Scratch,
    /// Kernel state seen: when (µs since 1970), at which end, what.
    states: Vec<(u64, SocketAddr, String)>,
}

/// Which end of a conversation an in-process end is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Lab {
    pub fn new(scenario: &'static str) -> Result<Lab, SockError> {
        Ok(Lab {
            scenario,
            ends: Vec::new(),
            recordings: Vec::new(),
            scratch: Scratch::new()?,
            states: Vec::new(),
        })
    }

    /// A new in-process end: a narrator that prints nothing and records
    /// every call. `name` is what the ladder says played it (`lab`).
    pub fn end(&mut self, side: Side, name: &'static str) -> Narrator {
        let side = match side {
            Side::Client => "client",
            Side::Server => "server",
        };
        let recorder = Arc::new(Recorder::in_memory(name, side, self.ends.len() as u32));
        self.ends.push(Arc::clone(&recorder));
        Narrator::recording_only(recorder)
    }

    /// socket → bind 127.0.0.1:0 → listen(backlog) → getsockname: a
    /// server's first calls, as every step makes them.
    pub fn listen(
        &self,
        backlog: i32,
        say: &Narrator,
    ) -> Result<(Listener, SocketAddr), SockError> {
        let sock = sockopt::tcp_socket(Family::V4, say)?;
        sock.bind(SocketAddr::new(LOOPBACK, 0))?;
        let listener = sock.listen(backlog)?;
        let addr = listener.local_addr()?;
        Ok((listener, addr))
    }

    /// socket → connect → getsockname, as the client steps do.
    pub fn connect(&self, to: SocketAddr, say: &Narrator) -> Result<TcpStream, SockError> {
        connect(to, say)
    }

    /// Waits for a client in the queue, then `accept`: the connection, its
    /// peer, and a narrator whose calls name that peer (so the ladder knows
    /// which client each of the server's calls is about).
    pub fn accept(
        &self,
        listener: &Listener,
        addr: SocketAddr,
        say: &Narrator,
    ) -> Result<(TcpStream, SocketAddr, Narrator), SockError> {
        self.wait(listener, addr, &tr!("lab-wait-accept"))?;
        let (stream, peer) = listener.accept().map_err(|source| SockError::Io {
            op: "accept",
            addr,
            source,
        })?;
        Ok((stream, peer, say.for_peer(peer)))
    }

    /// Waits (at most [`PATIENCE`]) until `sock` is readable: data, EOF, a
    /// reset, or a client to accept.
    pub fn wait(
        &self,
        sock: &impl sockopt::AsSock,
        addr: SocketAddr,
        what: &str,
    ) -> Result<(), SockError> {
        let deadline = Some(Instant::now() + PATIENCE);
        let quiet = Narrator::silent();
        match sockopt::wait(sock, Want::Readable, None, deadline, &quiet) {
            Ok(Woke::Ready) => Ok(()),
            Ok(_) => Err(self.failed(tr!(
                "lab-waited",
                after = crate::narrate::secs(PATIENCE),
                what = what,
                addr = addr
            ))),
            Err(source) => Err(SockError::Io {
                op: "poll",
                addr,
                source,
            }),
        }
    }

    /// The accept queue of `listener` as the kernel counts it now
    /// (`TCP_INFO`, Linux), drawn in the server's column.
    pub fn note_queue(&mut self, listener: &Listener, addr: SocketAddr) {
        if let Some(q) = listener.accept_queue() {
            // Short: the server's column is often the narrowest. The
            // backlog it is measured against is in the listen call above.
            self.state(addr, format!("accept queue {}", q.waiting));
        }
    }

    /// Waits until the accept queue of `listener` holds `n` connections
    /// (a handshake's last ACK is queued a moment after the client's
    /// connect returns), then draws it. Where the system does not say
    /// (TCP_INFO is Linux's), there is nothing to wait for or draw.
    pub fn note_queue_of(&mut self, listener: &Listener, addr: SocketAddr, n: u32) {
        if listener.accept_queue().is_none() {
            return;
        }
        wait_until(|| listener.accept_queue().is_some_and(|q| q.waiting >= n));
        self.note_queue(listener, addr);
    }

    /// Something the kernel holds about the end at `addr`, seen now.
    pub fn state(&mut self, addr: SocketAddr, text: String) {
        self.states.push((now_us(), addr, text));
    }

    pub fn states(&self) -> &[(u64, SocketAddr, String)] {
        &self.states
    }

    /// `socktool STEP ARGS... --record FILE`, a child process of the lab:
    /// inside its namespace, with its narration kept for errors.
    pub fn socktool(&mut self, step: &str, args: &[&str]) -> Result<Step, SockError> {
        let file = self
            .scratch
            .path
            .join(format!("{}-{step}.jsonl", self.recordings.len()));
        self.recordings.push(file.clone());
        let exe = std::env::current_exe()
            .map_err(|e| self.failed(tr!("lab-no-exe", error = e.to_string())))?;
        let mut child = Command::new(exe)
            .args(["--color", "never", step])
            .args(args)
            .arg("--record")
            .arg(&file)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                self.failed(tr!("lab-cannot-start", step = step, error = e.to_string()))
            })?;
        let (tx, lines) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Step {
            name: step.to_string(),
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            scenario: self.scenario,
        })
    }

    /// Every call every end made, in-process and child alike.
    pub fn events(&self) -> Result<Vec<Event>, SockError> {
        let mut events: Vec<Event> = self.ends.iter().flat_map(|e| e.events()).collect();
        for file in &self.recordings {
            if file.exists() {
                events.extend(crate::tools::ladder::read(file)?);
            }
        }
        Ok(events)
    }

    /// The scenario's own failure, as one line.
    pub fn failed(&self, why: String) -> SockError {
        SockError::Lab {
            scenario: self.scenario,
            why,
        }
    }
}

/// socket → connect → getsockname, as the client steps do (a function of
/// its own, for a client that connects on a thread of its own).
pub fn connect(to: SocketAddr, say: &Narrator) -> Result<TcpStream, SockError> {
    let host = Host::Ip {
        addr: to.ip(),
        scope_id: 0,
    };
    let (stream, _) = crate::client::connect(&host, to.port(), Some(Family::V4), PATIENCE, say)?;
    Ok(stream)
}

/// Checks `ready` every millisecond until it holds or [`PATIENCE`] has
/// passed; whether it held. For what the kernel changes without telling
/// anyone (a queue's length, a counter): no call can wait for those.
pub fn wait_until(mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        thread::sleep(Duration::from_millis(1));
    }
    ready()
}

/// A tutorial step running as a child of the lab. Dropping it kills it.
pub struct Step {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
    scenario: &'static str,
}

impl Step {
    /// Waits for a server's readiness line and returns the address in it.
    pub fn listening(&mut self) -> Result<SocketAddr, SockError> {
        let line = self.wait_for("Socket now listening on ")?;
        line.rsplit("Socket now listening on ")
            .next()
            .and_then(|a| a.trim().parse().ok())
            .ok_or_else(|| self.failed(tr!("lab-no-address", line = format!("{line:?}"))))
    }

    /// Waits (at most [`PATIENCE`]) for a line of narration with `needle`.
    pub fn wait_for(&mut self, needle: &str) -> Result<String, SockError> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return Ok(line);
                    }
                }
                Err(_) => {
                    return Err(self.failed(tr!("lab-never-said", text = format!("{needle:?}"))));
                }
            }
        }
    }

    /// Writes `bytes` to the step's stdin (which stays open).
    pub fn type_in(&mut self, bytes: &[u8]) -> Result<(), SockError> {
        let written = match &mut self.stdin {
            Some(stdin) => stdin.write_all(bytes).and_then(|()| stdin.flush()),
            None => Ok(()),
        };
        written.map_err(|e| self.failed(tr!("lab-cannot-write", error = e.to_string())))
    }

    /// Ends the step's stdin: what Ctrl-D at a terminal does.
    pub fn end_input(&mut self) {
        self.stdin = None;
    }

    /// Waits (at most [`PATIENCE`]) for the step to exit; its exit code.
    /// It has exited once its stderr closes, which the reader thread sees.
    pub fn exit_code(&mut self) -> Result<i32, SockError> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(self.failed(tr!("lab-did-not-exit")));
                }
            }
        }
        self.stdin = None;
        let status = self
            .child
            .wait()
            .map_err(|e| self.failed(tr!("lab-cannot-wait", error = e.to_string())))?;
        Ok(status.code().unwrap_or(-1))
    }

    /// Waits for the step to exit with `want`, or fails with its last line.
    pub fn expect_exit(&mut self, want: i32) -> Result<(), SockError> {
        let code = self.exit_code()?;
        if code == want {
            return Ok(());
        }
        let last = self.seen.last().cloned().unwrap_or_default();
        Err(self.failed(tr!("lab-exited", code = code, want = want, last = last)))
    }

    fn failed(&self, why: String) -> SockError {
        SockError::Lab {
            scenario: self.scenario,
            why: format!("socktool {}: {why}", self.name),
        }
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory for the children's recordings, removed with everything in
/// it when the lab is done.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch, SockError> {
        let path =
            std::env::temp_dir().join(format!("socktool-lab-{}-{}", std::process::id(), now_us()));
        std::fs::create_dir_all(&path).map_err(|source| SockError::WriteFile {
            path: path.clone(),
            source,
        })?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
