//! # socktool load
//! Many clients at once against a line server, every byte of every reply
//! checked: the tool for measuring the servers the tutorial builds.
//!
//! ```text
//! per client:  socket → [bind 127.0.0.X:0] → connect (non-blocking: EINPROGRESS)
//! per thread:  epoll_wait → for each ready socket, as far as it can go:
//!                connect done?  (SO_ERROR, getpeername)
//!                recv welcome line (--welcome)
//!                send "abc...\n" → recv "OK...abc...\n" → check → send next ...
//!              → close after --messages round trips
//! ```
//!
//! New since the servers: this is the other side of the C10K problem. One
//! thread per client would need 10,000 threads to open 10,000 connections;
//! here a few threads (one per core by default) each ask the kernel, through
//! epoll (the `mio` crate), which of their sockets can make progress, and
//! only touch those. A socket is *non-blocking*: `recv` with nothing to read
//! returns EAGAIN at once instead of waiting, so one slow server connection
//! never holds up the others. Each connection is a small state machine
//! (connecting → welcome → sending → receiving → ...) that remembers where
//! it stopped.
//!
//! Every client sends its own lines (the letters depend on the client and
//! the round trip), so a server that mixes up clients is caught, not only
//! one that garbles bytes. A reply must be exactly `--prefix` followed by
//! the message, no byte more or less.
//!
//! Results: narration on stderr; one `key=value` line on stdout that
//! scripts parse (bench/run does):
//! ```text
//! clients=50 connected=50 failed=0 mismatched=0 unfinished=0 messages=100000
//! seconds=3.210 msgs_per_sec=31152 p50_us=1500 p99_us=8200 max_us=12000 served_s=3.210
//! ```
//! (one line). `served_s` is when the last client finished its round trips
//! (with `--hold`: its one round trip), `-` if some never did. Exit code 0
//! means every client got every reply, verified; otherwise 76 (a wrong
//! byte), 75 (`--duration` ended first), 69 (refused) or 74 (closed or reset),
//! the worst one that happened.
//!
//! Try it:
//! ```text
//! socktool serve-threaded --port 8888 --quiet &
//! socktool load 127.0.0.1 8888 --welcome --clients 50 --messages 2000
//! socktool load 127.0.0.1 8888 --welcome --clients 10000 --hold --duration 10
//! socat TCP-LISTEN:9000,reuseaddr,fork PIPE &
//! socktool load 127.0.0.1 9000 --prefix '' --clients 50
//! ```
//!
//! A real load generator would also be *open-loop*: this one sends the next
//! message only when the previous reply is in (closed loop), so a stalled
//! server also stalls the load and the latency percentiles understate what
//! users arriving at a fixed rate would see ("coordinated omission"). It
//! would also ramp clients up, speak more than one protocol and spread over
//! several machines.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use crate::cli::LoadArgs;
use crate::error::{LoadFailure, SockError};
use crate::limits;
use crate::lookup;
use crate::narrate::Narrator;
use crate::signals::Stop as Shutdown;
use crate::sockopt;
use crate::target::Host;

/// The longest welcome line accepted before giving up on finding its '\n'.
const MAX_WELCOME: usize = 4096;

/// The longest a worker waits in epoll before it looks at the clock and
/// for Ctrl-C again.
const POLL: Duration = Duration::from_millis(100);

/// File descriptors kept aside for stdio, epoll instances and the like.
const SPARE_FDS: u64 = 32;

/// Everything a worker thread needs to know, shared read-only.
struct Plan {
    addr: SocketAddr,
    messages: u64,
    size: usize,
    welcome: bool,
    prefix: Vec<u8>,
    hold: bool,
    sources: u32,
    start: Instant,
    deadline: Instant,
    duration: Duration,
    /// Clients per thread that may wait for the server's first answer.
    batch: usize,
}

impl Plan {
    /// Client `id`'s source address with `--sources N`: 127.0.0.1,
    /// 127.0.0.2, ... round robin; `None` lets the kernel choose.
    fn source_for(&self, id: u64) -> Option<IpAddr> {
        (self.sources > 1).then(|| {
            let first = u32::from(Ipv4Addr::new(127, 0, 0, 1));
            IpAddr::V4(Ipv4Addr::from(first + (id % self.sources as u64) as u32))
        })
    }

    fn round_trips(&self) -> u64 {
        if self.hold { 1 } else { self.messages }
    }
}

/// Counters the threads update and the progress bar reads.
#[derive(Default)]
struct Shared {
    round_trips: AtomicU64,
    /// Clients that are done one way or another: finished, failed, or
    /// holding after their round trip.
    settled: AtomicU64,
    held: AtomicU64,
}

pub fn run(args: &LoadArgs, say: &Narrator) -> Result<(), SockError> {
    let addr = target_addr(args, say)?;
    if args.sources > 1 && !matches!(addr.ip(), IpAddr::V4(ip) if ip.is_loopback()) {
        return Err(SockError::Usage(format!(
            "--sources spreads clients over 127.0.0.X, which can only reach a loopback server; {} is not one",
            addr.ip()
        )));
    }

    // Each client is one file descriptor: raise the soft limit as far as
    // the hard limit allows, then refuse up front rather than fail half
    // way with EMFILE.
    let files = limits::raise_open_files().map_err(|source| SockError::Io {
        op: "setrlimit",
        addr,
        source,
    })?;
    say.open_files(&files);
    if args.clients + SPARE_FDS > files.after {
        return Err(SockError::Usage(format!(
            "--clients {} needs {} open files, but this process may open at most {}: lower --clients, or raise the hard limit (as root: ulimit -Hn {})",
            args.clients,
            args.clients + SPARE_FDS,
            files.after,
            (args.clients + SPARE_FDS).next_power_of_two()
        )));
    }

    let shutdown = Shutdown::on_ctrl_c().map_err(|source| SockError::Io {
        op: "sigaction",
        addr,
        source,
    })?;
    let cores = thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let threads = args
        .threads
        .map_or(cores, u64::from)
        .min(args.clients)
        .max(1);
    let start = Instant::now();
    let plan = Arc::new(Plan {
        addr,
        messages: args.messages,
        size: args.size as usize,
        welcome: args.welcome,
        prefix: args.prefix.clone().into_bytes(),
        hold: args.hold,
        sources: args.sources,
        start,
        deadline: start + args.duration,
        duration: args.duration,
        batch: (args.connect_batch as u64).div_ceil(threads).max(1) as usize,
    });
    say.info(format!(
        "Loading {addr}: {} clients x {} of {} bytes{}{}, expecting {}, {threads} thread{}, at most {}",
        args.clients,
        if args.hold {
            "1 message".to_string()
        } else {
            format!("{} messages", args.messages)
        },
        args.size,
        if args.hold { " then holding" } else { "" },
        if args.welcome { " after a welcome line" } else { "" },
        if plan.prefix.is_empty() {
            "a pure echo".to_string()
        } else {
            format!("\"{}\" + message", plan.prefix.escape_ascii())
        },
        if threads == 1 { "" } else { "s" },
        crate::error::secs(args.duration),
    ));

    let shared = Arc::new(Shared::default());
    // Each worker says when it is done, so the watcher wakes at once.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut handles = Vec::new();
    for t in 0..threads {
        let ids: Vec<u64> = (t..args.clients).step_by(threads as usize).collect();
        let (plan, shared, shutdown) = (Arc::clone(&plan), Arc::clone(&shared), shutdown.clone());
        let done = done_tx.clone();
        let handle = thread::Builder::new()
            .name(format!("load-{t}"))
            .spawn(move || {
                let report = Worker::new(ids, &plan, &shared, &shutdown).and_then(|w| w.run());
                let _ = done.send(());
                report
            })
            .map_err(|source| SockError::Io {
                op: "thread spawn",
                addr,
                source,
            })?;
        handles.push(handle);
    }

    drop(done_tx);
    watch(args, &plan, &shared, &done_rx, say);

    let mut total = Report::new();
    for handle in handles {
        match handle.join() {
            Ok(Ok(report)) => total.merge(report),
            Ok(Err(source)) => {
                return Err(SockError::Io {
                    op: "epoll",
                    addr,
                    source,
                });
            }
            // A worker can only panic on a bug; say so instead of a trace.
            Err(_) => {
                return Err(SockError::Io {
                    op: "load thread",
                    addr,
                    source: io::Error::other("a load thread panicked"),
                });
            }
        }
    }
    let seconds = total.ended;
    summarise(args, &total, seconds, shutdown.requested(), say)
}

/// HOST as an address: a literal as it is, a name resolved once.
fn target_addr(args: &LoadArgs, say: &Narrator) -> Result<SocketAddr, SockError> {
    let ip = match &args.host {
        Host::Ip { addr, .. } => *addr,
        Host::Name(name) => {
            let ip = *lookup::lookup(name, None)?
                .first()
                .ok_or_else(|| SockError::NoAddress {
                    host: name.clone(),
                    family: "IPv4 or IPv6",
                })?;
            say.info(format!("Ip address of {name} is {ip}"));
            ip
        }
    };
    Ok(SocketAddr::new(ip, args.port))
}

/// The main thread's job while the workers run: the progress bar, and the
/// "Holding" line once every client has had its round trip.
fn watch(args: &LoadArgs, plan: &Plan, shared: &Shared, done: &mpsc::Receiver<()>, say: &Narrator) {
    let (total, unit) = if args.hold {
        (args.clients, "clients served")
    } else {
        (args.clients * args.messages, "round trips")
    };
    let bar = say.counter(total, unit);
    let mut announced = false;
    let mut finished = false;
    loop {
        let settled = shared.settled.load(Ordering::Relaxed);
        if args.hold && !announced && settled >= args.clients && !finished {
            announced = true;
            let held = shared.held.load(Ordering::Relaxed);
            bar.println(
                say,
                format!(
                    "Holding {held} connections ({} failed) until --duration ends in {:.1}s",
                    args.clients - held,
                    plan.deadline
                        .saturating_duration_since(Instant::now())
                        .as_secs_f64()
                ),
            );
        }
        let pos = if args.hold {
            settled
        } else {
            shared.round_trips.load(Ordering::Relaxed)
        };
        let held = match args.hold {
            true => format!("({} held)", shared.held.load(Ordering::Relaxed)),
            false => String::new(),
        };
        bar.set(pos, held);
        if finished {
            break;
        }
        // Refresh every 50 ms; a worker that ends (or panics: its sender
        // is dropped) wakes us at once. Disconnected means all are done.
        match done.recv_timeout(Duration::from_millis(50)) {
            Err(mpsc::RecvTimeoutError::Disconnected) => finished = true,
            Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Ways a client can fail, in the order the summary lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fail {
    Refused,
    Connect,
    Closed,
    Io,
    Mismatch,
    Unfinished,
}

const FAILS: [Fail; 6] = [
    Fail::Refused,
    Fail::Connect,
    Fail::Closed,
    Fail::Io,
    Fail::Mismatch,
    Fail::Unfinished,
];

impl Fail {
    fn label(self) -> &'static str {
        match self {
            Fail::Refused => "connection refused",
            Fail::Connect => "could not connect",
            Fail::Closed => "the server closed the connection early",
            Fail::Io => "the connection failed (reset or error)",
            Fail::Mismatch => "a reply was wrong",
            Fail::Unfinished => "not finished when the run ended",
        }
    }

    /// What this failure means for the exit code.
    fn severity(self) -> LoadFailure {
        match self {
            Fail::Refused => LoadFailure::Refused,
            Fail::Connect | Fail::Closed | Fail::Io => LoadFailure::Io,
            Fail::Mismatch => LoadFailure::Mismatch,
            Fail::Unfinished => LoadFailure::Unfinished,
        }
    }
}

/// How many clients failed one way, and the first one's story.
#[derive(Debug, Default, Clone)]
struct Tally {
    count: u64,
    first: Option<String>,
}

/// What one worker (and, merged, the whole run) saw.
struct Report {
    connected: u64,
    completed: u64,
    round_trips: u64,
    /// Round-trip times in microseconds.
    latency: Histogram<u64>,
    fails: [Tally; 6],
    /// When the last client finished its round trips, since the start.
    last_served: Duration,
    /// When the (last) worker stopped, since the start: the run's length,
    /// free of however late the main thread noticed.
    ended: Duration,
}

impl Report {
    fn new() -> Report {
        Report {
            connected: 0,
            completed: 0,
            round_trips: 0,
            // 1 µs to an hour at 3 significant digits: 0.1% precision at
            // any scale in a fixed ~200 KiB, however many samples.
            latency: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("constant histogram bounds are valid"),
            fails: Default::default(),
            last_served: Duration::ZERO,
            ended: Duration::ZERO,
        }
    }

    fn fail(&mut self, kind: Fail, story: String) {
        let tally = &mut self.fails[kind as usize];
        tally.count += 1;
        tally.first.get_or_insert(story);
    }

    fn failed(&self) -> u64 {
        self.fails.iter().map(|t| t.count).sum()
    }

    fn count(&self, kind: Fail) -> u64 {
        self.fails[kind as usize].count
    }

    fn merge(&mut self, other: Report) {
        self.connected += other.connected;
        self.completed += other.completed;
        self.round_trips += other.round_trips;
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        for (mine, theirs) in self.fails.iter_mut().zip(other.fails) {
            mine.count += theirs.count;
            if mine.first.is_none() {
                mine.first = theirs.first;
            }
        }
        self.last_served = self.last_served.max(other.last_served);
        self.ended = self.ended.max(other.ended);
    }
}

/// Where a client is in its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// `connect` returned EINPROGRESS; writable means the handshake ended.
    Connecting,
    /// Reading the welcome line; `got` counts its bytes so far.
    Welcome,
    /// Writing `msg`; `sent` counts its bytes so far.
    Sending,
    /// Reading the reply; `got` counts its bytes so far.
    Receiving,
    /// `--hold`: round trip done, connection kept open.
    Holding,
}

struct Client {
    id: u64,
    stream: TcpStream,
    state: State,
    /// Round trips completed and verified.
    done: u64,
    msg: Vec<u8>,
    sent: usize,
    got: usize,
    /// When the current message's first byte went out.
    sent_at: Instant,
    /// Whether the server has answered this connection once (its welcome
    /// line or first reply): until then it counts against --connect-batch.
    answered: bool,
    /// Whether the socket is registered for writable events too. Only while
    /// connecting or after a send hit a full buffer: otherwise every ACK
    /// would wake us for nothing.
    wants_write: bool,
}

/// What driving a client as far as it can go led to.
enum Outcome {
    /// It is waiting for the kernel (EAGAIN, or a reply not yet in).
    Waiting,
    /// All its round trips are done and verified; close it.
    Finished,
}

/// One thread: a share of the clients and an epoll instance watching them.
struct Worker<'a> {
    plan: &'a Plan,
    shared: &'a Shared,
    shutdown: &'a Shutdown,
    poll: Poll,
    ids: Vec<u64>,
    /// Client `ids[k]` lives in `slots[k]` and is `Token(k)`; `None` before
    /// it starts and after it ends (dropping it closes the socket).
    slots: Vec<Option<Client>>,
    next: usize,
    /// Started clients the server has not answered yet.
    unanswered: usize,
    active: usize,
    buf: Vec<u8>,
    report: Report,
    /// Counts not yet added to `shared` (added once per poll round, so the
    /// threads do not fight over one cache line for every message).
    unflushed_trips: u64,
    unflushed_settled: i64,
}

impl<'a> Worker<'a> {
    fn new(
        ids: Vec<u64>,
        plan: &'a Plan,
        shared: &'a Shared,
        shutdown: &'a Shutdown,
    ) -> io::Result<Worker<'a>> {
        let slots = ids.iter().map(|_| None).collect();
        Ok(Worker {
            plan,
            shared,
            shutdown,
            poll: Poll::new()?,
            ids,
            slots,
            next: 0,
            unanswered: 0,
            active: 0,
            buf: vec![0; 64 * 1024],
            report: Report::new(),
            unflushed_trips: 0,
            unflushed_settled: 0,
        })
    }

    fn run(mut self) -> io::Result<Report> {
        let mut events = Events::with_capacity(1024);
        loop {
            // Start clients while fewer than --connect-batch wait for the
            // server's first answer. A connection the server has not
            // answered may still sit in its accept queue (listen's backlog);
            // a burst beyond that queue gets handshakes dropped, and a
            // client whose final ACK was dropped believes it is connected
            // while the server never sees it.
            while self.unanswered < self.plan.batch && self.next < self.ids.len() {
                self.start(self.next);
                self.next += 1;
            }
            self.flush();
            if self.active == 0 && self.next == self.ids.len() {
                break;
            }
            let now = Instant::now();
            if now >= self.plan.deadline || self.shutdown.requested() {
                break;
            }
            // Wake at least every POLL to notice Ctrl-C and the deadline.
            let wait = (self.plan.deadline - now).min(POLL);
            match self.poll.poll(&mut events, Some(wait)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                self.drive(event.token().0);
            }
        }
        self.finish();
        self.report.ended = self.plan.start.elapsed();
        Ok(self.report)
    }

    /// socket → [bind] → connect, without waiting for the handshake.
    fn start(&mut self, k: usize) {
        let id = self.ids[k];
        let plan = self.plan;
        let started = sockopt::start_connect(plan.addr, plan.source_for(id)).and_then(|std| {
            let mut stream = TcpStream::from_std(std);
            self.poll.registry().register(
                &mut stream,
                Token(k),
                Interest::READABLE | Interest::WRITABLE,
            )?;
            Ok(stream)
        });
        match started {
            Ok(stream) => {
                self.slots[k] = Some(Client {
                    id,
                    stream,
                    state: State::Connecting,
                    done: 0,
                    msg: vec![0; plan.size],
                    sent: 0,
                    got: 0,
                    sent_at: Instant::now(),
                    answered: false,
                    wants_write: true,
                });
                self.unanswered += 1;
                self.active += 1;
            }
            Err(e) => {
                let (kind, story) = connect_failure(id, plan.addr, &e);
                self.report.fail(kind, story);
                self.unflushed_settled += 1;
            }
        }
    }

    /// Takes client `k` as far as it can go on what the kernel has ready.
    fn drive(&mut self, k: usize) {
        let Some(client) = self.slots.get_mut(k).and_then(Option::as_mut) else {
            // An event for a client already closed in this round.
            return;
        };
        let was_unanswered = !client.answered;
        let was_holding = client.state == State::Holding;
        let trips_before = self.report.round_trips;
        let result = advance(
            client,
            self.plan,
            &mut self.buf,
            &self.poll,
            Token(k),
            &mut self.report,
        );
        let now_answered = client.answered;
        let now_holding = client.state == State::Holding;
        self.unflushed_trips += self.report.round_trips - trips_before;
        match result {
            Ok(Outcome::Waiting) => {
                if was_unanswered && now_answered {
                    self.unanswered -= 1;
                }
                if now_holding && !was_holding {
                    self.settled_now();
                    self.shared.held.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(Outcome::Finished) => {
                if was_unanswered {
                    self.unanswered -= 1;
                }
                self.slots[k] = None;
                self.active -= 1;
                self.report.completed += 1;
                self.settled_now();
            }
            Err((kind, story)) => {
                self.slots[k] = None;
                self.active -= 1;
                if was_unanswered {
                    self.unanswered -= 1;
                }
                if was_holding {
                    // It had counted as settled already; now it is a failure.
                    self.shared.held.fetch_sub(1, Ordering::Relaxed);
                    self.unflushed_settled -= 1;
                }
                self.report.fail(kind, story);
                self.unflushed_settled += 1;
            }
        }
    }

    fn settled_now(&mut self) {
        self.unflushed_settled += 1;
        self.report.last_served = self.plan.start.elapsed();
    }

    fn flush(&mut self) {
        if self.unflushed_trips > 0 {
            self.shared
                .round_trips
                .fetch_add(self.unflushed_trips, Ordering::Relaxed);
            self.unflushed_trips = 0;
        }
        if self.unflushed_settled != 0 {
            // A held client that failed takes back its settled count;
            // adding a negative number as u64 wraps to a subtraction.
            self.shared
                .settled
                .fetch_add(self.unflushed_settled as u64, Ordering::Relaxed);
            self.unflushed_settled = 0;
        }
    }

    /// The run is over: held clients succeeded, everyone else still under
    /// way did not finish. Dropping the clients closes their sockets.
    fn finish(&mut self) {
        let reason = if self.shutdown.requested() {
            "when Ctrl-C stopped the run".to_string()
        } else {
            format!(
                "when --duration {} ended",
                crate::error::secs(self.plan.duration)
            )
        };
        for slot in self.slots.iter_mut() {
            let Some(c) = slot.take() else { continue };
            if c.state == State::Holding {
                self.report.completed += 1;
                continue;
            }
            let story = match c.state {
                State::Connecting => format!("client {}: still connecting {reason}", c.id),
                State::Welcome => format!(
                    "client {}: still waiting for the welcome line ({} bytes so far) {reason}",
                    c.id, c.got
                ),
                _ => format!(
                    "client {}: no complete reply to message {} of {} ({} of {} bytes) {reason}",
                    c.id,
                    c.done + 1,
                    self.plan.round_trips(),
                    c.got,
                    self.plan.prefix.len() + c.msg.len()
                ),
            };
            self.report.fail(Fail::Unfinished, story);
        }
        // Clients never started count as unfinished too.
        for &id in &self.ids[self.next..] {
            self.report.fail(
                Fail::Unfinished,
                format!("client {id}: never started {reason}"),
            );
        }
        self.next = self.ids.len();
        self.flush();
    }
}

/// The state machine of one client: runs until the socket would block, the
/// client is finished, or it failed.
fn advance(
    c: &mut Client,
    plan: &Plan,
    buf: &mut [u8],
    poll: &Poll,
    token: Token,
    report: &mut Report,
) -> Result<Outcome, (Fail, String)> {
    let id = c.id;
    let io_fail = |what: &str, e: &io::Error| {
        let kind = match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted => Fail::Closed,
            _ => Fail::Io,
        };
        (kind, format!("client {id}: {what}: {e}"))
    };
    loop {
        match c.state {
            State::Connecting => {
                // Writable after a non-blocking connect: SO_ERROR says how
                // the handshake ended; getpeername fails while it goes on.
                if let Some(e) = c
                    .stream
                    .take_error()
                    .map_err(|e| io_failure_connect(id, plan, &e))?
                {
                    return Err(io_failure_connect(id, plan, &e));
                }
                match c.stream.peer_addr() {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        return Ok(Outcome::Waiting);
                    }
                    Err(e) => return Err(io_failure_connect(id, plan, &e)),
                }
                report.connected += 1;
                set_interest(c, poll, token, false).map_err(|e| io_fail("epoll_ctl", &e))?;
                if plan.welcome {
                    c.state = State::Welcome;
                    c.got = 0;
                } else {
                    begin_message(c);
                }
            }
            State::Welcome => match c.stream.read(buf) {
                Ok(0) => {
                    return Err((
                        Fail::Closed,
                        format!(
                            "client {id}: the server closed the connection before its welcome line ({} bytes of it)",
                            c.got
                        ),
                    ));
                }
                Ok(n) => match buf[..n].iter().position(|&b| b == b'\n') {
                    Some(end) if end + 1 < n => {
                        return Err((
                            Fail::Mismatch,
                            format!(
                                "client {id}: the server sent {} bytes after its welcome line before any message: \"{}\"",
                                n - end - 1,
                                shown(&buf[end + 1..n])
                            ),
                        ));
                    }
                    Some(_) => {
                        c.answered = true;
                        begin_message(c);
                    }
                    None => {
                        c.got += n;
                        if c.got > MAX_WELCOME {
                            return Err((
                                Fail::Mismatch,
                                format!(
                                    "client {id}: no '\\n' in the first {} bytes: not a welcome line (drop --welcome?)",
                                    c.got
                                ),
                            ));
                        }
                    }
                },
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail("recv (welcome line)", &e)),
            },
            State::Sending => match c.stream.write(&c.msg[c.sent..]) {
                Ok(n) => {
                    c.sent += n;
                    if c.sent == c.msg.len() {
                        c.state = State::Receiving;
                        c.got = 0;
                        if c.wants_write {
                            set_interest(c, poll, token, false)
                                .map_err(|e| io_fail("epoll_ctl", &e))?;
                        }
                        // No read now: the reply cannot be here before the
                        // server has read the message, and the next data to
                        // arrive will wake epoll. Saves one EAGAIN per trip.
                        return Ok(Outcome::Waiting);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // The send buffer is full: ask to be told when it drains.
                    if !c.wants_write {
                        set_interest(c, poll, token, true).map_err(|e| io_fail("epoll_ctl", &e))?;
                    }
                    return Ok(Outcome::Waiting);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail("send", &e)),
            },
            State::Receiving => match c.stream.read(buf) {
                Ok(0) => {
                    let during = if c.got > 0 {
                        format!(
                            " in the middle of reply {} ({} of {} bytes)",
                            c.done + 1,
                            c.got,
                            plan.prefix.len() + c.msg.len()
                        )
                    } else {
                        format!(" before reply {}", c.done + 1)
                    };
                    return Err((
                        Fail::Closed,
                        format!(
                            "client {id}: the server closed the connection after {} of {} replies{during}",
                            c.done,
                            plan.round_trips()
                        ),
                    ));
                }
                Ok(n) => {
                    let chunk = &buf[..n];
                    if let Err(at) = verify(&plan.prefix, &c.msg, c.got, chunk) {
                        return Err((Fail::Mismatch, mismatch(c, &plan.prefix, chunk, at)));
                    }
                    c.got += n;
                    if c.got == plan.prefix.len() + c.msg.len() {
                        let rtt = c.sent_at.elapsed();
                        report.latency.saturating_record(rtt.as_micros() as u64);
                        report.round_trips += 1;
                        c.done += 1;
                        c.answered = true;
                        if plan.hold {
                            c.state = State::Holding;
                        } else if c.done == plan.messages {
                            return Ok(Outcome::Finished);
                        } else {
                            begin_message(c);
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail("recv", &e)),
            },
            State::Holding => match c.stream.read(buf) {
                Ok(0) => {
                    return Err((
                        Fail::Closed,
                        format!("client {id}: the server closed a held connection"),
                    ));
                }
                Ok(n) => {
                    return Err((
                        Fail::Mismatch,
                        format!(
                            "client {id}: the server sent {n} unexpected bytes to a held connection: \"{}\"",
                            shown(&buf[..n])
                        ),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Outcome::Waiting),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fail("recv (held)", &e)),
            },
        }
    }
}

/// Readable always; writable only while it matters (see `wants_write`).
fn set_interest(c: &mut Client, poll: &Poll, token: Token, write: bool) -> io::Result<()> {
    let interest = if write {
        Interest::READABLE | Interest::WRITABLE
    } else {
        Interest::READABLE
    };
    poll.registry().reregister(&mut c.stream, token, interest)?;
    c.wants_write = write;
    Ok(())
}

/// Fills in the next message and switches to sending it.
fn begin_message(c: &mut Client) {
    fill_message(&mut c.msg, c.id, c.done);
    c.sent = 0;
    c.got = 0;
    c.state = State::Sending;
    c.sent_at = Instant::now();
}

/// Message `round` of client `id`: lowercase letters whose sequence depends
/// on both, then '\n'. Distinct per client, so crossed replies are caught.
pub fn fill_message(msg: &mut [u8], id: u64, round: u64) {
    let Some((last, body)) = msg.split_last_mut() else {
        return;
    };
    let seed = id.wrapping_mul(7).wrapping_add(round.wrapping_mul(13)) % 26;
    for (j, b) in body.iter_mut().enumerate() {
        *b = b'a' + ((seed + j as u64 % 26) % 26) as u8;
    }
    *last = b'\n';
}

/// Checks `chunk`, which continues a reply at byte `at`, against `prefix`
/// followed by `msg`. `Err(i)`: `chunk[i]` is the first wrong byte (or the
/// first byte past the end of the expected reply).
pub fn verify(prefix: &[u8], msg: &[u8], at: usize, chunk: &[u8]) -> Result<(), usize> {
    let total = prefix.len() + msg.len();
    let mut i = 0;
    while i < chunk.len() {
        let p = at + i;
        if p >= total {
            return Err(i);
        }
        let (src, off) = if p < prefix.len() {
            (prefix, p)
        } else {
            (msg, p - prefix.len())
        };
        let take = (src.len() - off).min(chunk.len() - i);
        if chunk[i..i + take] != src[off..off + take] {
            let j = chunk[i..i + take]
                .iter()
                .zip(&src[off..off + take])
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            return Err(i + j);
        }
        i += take;
    }
    Ok(())
}

/// The one line that says what was wrong with a reply.
fn mismatch(c: &Client, prefix: &[u8], chunk: &[u8], at: usize) -> String {
    let pos = c.got + at;
    let expected: Vec<u8> = prefix.iter().chain(&c.msg).copied().collect();
    let what = match expected.get(pos) {
        Some(&want) => format!(
            "reply byte {pos} is '{}', expected '{}'",
            [chunk[at]].escape_ascii(),
            [want].escape_ascii()
        ),
        None => format!(
            "{} bytes more than the {}-byte reply",
            chunk.len() - at,
            expected.len()
        ),
    };
    format!(
        "client {}, message {}: {what} (expected \"{}\", received from byte {}: \"{}\")",
        c.id,
        c.done + 1,
        shown(&expected),
        c.got,
        shown(chunk)
    )
}

/// Bytes for a message: escaped exactly (never lossy), cut after 48.
fn shown(bytes: &[u8]) -> String {
    let cut = bytes.len().min(48);
    let mut s = bytes[..cut].escape_ascii().to_string();
    if cut < bytes.len() {
        s.push_str("...");
    }
    s
}

fn io_failure_connect(id: u64, plan: &Plan, e: &io::Error) -> (Fail, String) {
    connect_failure(id, plan.addr, e)
}

fn connect_failure(id: u64, addr: SocketAddr, e: &io::Error) -> (Fail, String) {
    let hint = match e.raw_os_error() {
        Some(libc::EADDRNOTAVAIL) => " (out of ephemeral ports: spread clients with --sources N)",
        Some(libc::EMFILE) | Some(libc::ENFILE) => " (out of file descriptors)",
        _ => "",
    };
    let kind = if e.kind() == io::ErrorKind::ConnectionRefused {
        Fail::Refused
    } else {
        Fail::Connect
    };
    (kind, format!("client {id}: connect to {addr}: {e}{hint}"))
}

/// Prints the summary and the result line; the error, if any client failed.
fn summarise(
    args: &LoadArgs,
    r: &Report,
    elapsed: Duration,
    interrupted: bool,
    say: &Narrator,
) -> Result<(), SockError> {
    let failed = r.failed();
    let unfinished = r.count(Fail::Unfinished);
    let mismatched = r.count(Fail::Mismatch);
    // Throughput over the time the work took: with --hold, until the last
    // client was served, not the idle hold that follows.
    let served = (unfinished == 0 && r.completed > 0).then_some(r.last_served);
    let busy = if args.hold {
        served.unwrap_or(elapsed)
    } else {
        elapsed
    };
    let rate = r.round_trips as f64 / busy.as_secs_f64().max(1e-9);
    let pct = |q: f64| {
        if r.latency.is_empty() {
            0
        } else {
            r.latency.value_at_quantile(q)
        }
    };
    let (p50, p99, max) = (
        pct(0.5),
        pct(0.99),
        if r.latency.is_empty() {
            0
        } else {
            r.latency.max()
        },
    );

    say.info(format!(
        "Connected {} of {} clients; {} finished{}",
        r.connected,
        args.clients,
        r.completed,
        if args.hold { " (held to the end)" } else { "" }
    ));
    say.info(format!(
        "{} round trips of {} bytes verified in {:.3}s: {:.0} msgs/s",
        r.round_trips,
        args.size,
        busy.as_secs_f64(),
        rate
    ));
    if !r.latency.is_empty() {
        say.info(format!(
            "Round-trip latency: p50 {}, p99 {}, max {}",
            ms(p50),
            ms(p99),
            ms(max)
        ));
    }
    if let Some(s) = served {
        say.info(format!("Every client served in {:.3}s", s.as_secs_f64()));
    }
    for kind in FAILS {
        let t = &r.fails[kind as usize];
        if let Some(first) = &t.first {
            say.warn(format!(
                "{} client(s): {}; first: {first}",
                t.count,
                kind.label()
            ));
        }
    }
    if interrupted {
        say.note("stopped by Ctrl-C");
    }

    say.result(&format!(
        "clients={} connected={} failed={failed} mismatched={mismatched} unfinished={unfinished} \
         messages={} seconds={:.3} msgs_per_sec={rate:.0} p50_us={p50} p99_us={p99} max_us={max} served_s={}",
        args.clients,
        r.connected,
        r.round_trips,
        busy.as_secs_f64(),
        served.map_or("-".to_string(), |s| format!("{:.3}", s.as_secs_f64()))
    ))?;

    // The worst failure decides the exit code and the error line.
    let worst = FAILS
        .iter()
        .filter(|k| r.fails[**k as usize].count > 0)
        .max_by_key(|k| k.severity());
    match worst {
        None => Ok(()),
        Some(&kind) => Err(SockError::Load {
            clients: args.clients,
            failed,
            kind: if kind == Fail::Refused && failed != r.count(Fail::Refused) {
                // Some refused, others failed otherwise: an I/O failure.
                LoadFailure::Io
            } else {
                kind.severity()
            },
            first: r.fails[kind as usize].first.clone().unwrap_or_default(),
        }),
    }
}

/// Microseconds as milliseconds, for people: `1.50 ms`.
fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lines_that_differ_per_client_and_round() {
        let mut a = vec![0; 8];
        let mut b = vec![0; 8];
        fill_message(&mut a, 1, 0);
        fill_message(&mut b, 2, 0);
        assert_eq!(a.last(), Some(&b'\n'));
        assert!(a[..7].iter().all(u8::is_ascii_lowercase));
        assert_ne!(a, b);
        fill_message(&mut b, 1, 1);
        assert_ne!(a, b);
        let mut one = vec![0; 1];
        fill_message(&mut one, 5, 5);
        assert_eq!(one, b"\n");
    }

    #[test]
    fn verify_finds_the_first_wrong_byte_across_pieces() {
        let (p, m) = (&b"OK..."[..], &b"abc\n"[..]);
        assert_eq!(verify(p, m, 0, b"OK...abc\n"), Ok(()));
        assert_eq!(verify(p, m, 0, b"OK"), Ok(()));
        assert_eq!(verify(p, m, 2, b"...a"), Ok(()));
        assert_eq!(verify(p, m, 5, b"abc\n"), Ok(()));
        assert_eq!(verify(p, m, 0, b"OK..xabc\n"), Err(4));
        assert_eq!(verify(p, m, 6, b"bX"), Err(1));
        assert_eq!(verify(p, m, 0, b"OK...abc\nX"), Err(9), "one byte too many");
        assert_eq!(verify(b"", m, 0, b"abc\n"), Ok(()));
        assert_eq!(verify(b"", m, 0, b"abd\n"), Err(2));
    }
}
