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
//! the message, no byte more or less. A full server (serve-threaded over
//! `--max-clients`) turns a newcomer away with one line, `Server full (N
//! clients). Try again later.`, and closes: such clients are counted apart,
//! because the cure is the server's `--max-clients`, not a longer run.
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
//! byte), 75 (`--duration` ended first), 74 (closed or reset) or 69 (refused,
//! or turned away), the worst one that happened.
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
//!
//! Read it in this order, from the whole run down to one byte:
//! ```text
//! mod.rs     run: the plan, one thread per share of clients, the progress
//!            bar, then the summary
//! worker.rs  one thread: its clients, started a batch at a time, and the
//!            epoll loop that drives whichever of them the kernel says can move
//! client.rs  one connection: the state machine connect → welcome → send →
//!            receive → ...
//! ending.rs  how a failed client is told: the kind of failure and one
//!            sentence; a full server's refusal told apart from a reply
//! check.rs   what every message is and how each reply byte is checked
//! report.rs  the ways a client can fail, the counts and latencies the
//!            threads add up, the summary and the key=value line
//! ```

mod check;
mod client;
mod ending;
mod report;
mod worker;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV6};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::LoadArgs;
use crate::error::SockError;
use crate::limits;
use crate::lookup;
use crate::narrate::Narrator;
use crate::signals::Stop;
use crate::target::Host;
use crate::tr;

use report::Report;
use worker::Worker;

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

/// `--sources N` binds clients to 127.0.0.1 ... 127.0.0.N. Linux and
/// Windows answer on all of 127.0.0.0/8; macOS's loopback has 127.0.0.1
/// only, until more addresses are added to it. Found out before any client
/// starts, with the command that adds them.
fn check_sources(sources: u32) -> Result<(), SockError> {
    // The second and the last: enough to tell a bare macOS loopback, cheap
    // for --sources 65000.
    for n in [2, sources].into_iter().filter(|&n| n >= 2) {
        let ip = Ipv4Addr::from(u32::from(Ipv4Addr::LOCALHOST) + n - 1);
        if let Err(e) = std::net::UdpSocket::bind((ip, 0)) {
            let add = if cfg!(target_vendor = "apple") {
                tr!("load-sources-macos", sources = sources)
            } else {
                tr!("load-sources-add")
            };
            return Err(SockError::Usage(tr!(
                "load-sources",
                sources = sources,
                ip = ip.to_string(),
                errno = crate::narrate::describe_errno(&e),
                add = add
            )));
        }
    }
    Ok(())
}

pub fn run(args: &LoadArgs, say: &Narrator) -> Result<(), SockError> {
    let addr = target_addr(args, say)?;
    if args.sources > 1 && !matches!(addr.ip(), IpAddr::V4(ip) if ip.is_loopback()) {
        return Err(SockError::Usage(tr!("load-sources-far", ip = addr.ip())));
    }

    // Each client is one file descriptor: raise the soft limit as far as
    // the hard limit allows, then refuse up front rather than fail half
    // way with EMFILE.
    check_sources(args.sources)?;
    let files = match limits::raise_open_files() {
        Ok(files) => Some(files),
        // Windows: no such limit (handles are bounded by memory).
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => None,
        Err(source) => {
            return Err(SockError::Io {
                op: "setrlimit",
                addr,
                source,
            });
        }
    };
    if let Some(files) = files {
        say.open_files(&files);
    }
    if let Some(files) = files
        && args.clients + SPARE_FDS > files.after
    {
        return Err(SockError::Usage(tr!(
            "load-too-many-files",
            clients = args.clients,
            needed = args.clients + SPARE_FDS,
            limit = files.after,
            raise = (args.clients + SPARE_FDS).next_power_of_two()
        )));
    }

    let stop = Stop::on_ctrl_c().map_err(|source| SockError::Io {
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
    say.info(tr!(
        "load-plan",
        addr = addr,
        clients = args.clients,
        messages = if args.hold { 1 } else { args.messages },
        size = args.size,
        hold = if args.hold { "yes" } else { "no" },
        welcome = if args.welcome { "yes" } else { "no" },
        expecting = if plan.prefix.is_empty() {
            tr!("load-pure-echo")
        } else {
            tr!(
                "load-prefixed",
                prefix = plan.prefix.escape_ascii().to_string()
            )
        },
        threads = threads,
        duration = crate::error::secs(args.duration)
    ));

    let shared = Arc::new(Shared::default());
    // Each worker says when it is done, so the watcher wakes at once.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut handles = Vec::new();
    for t in 0..threads {
        let ids: Vec<u64> = (t..args.clients).step_by(threads as usize).collect();
        let (plan, shared, stop) = (Arc::clone(&plan), Arc::clone(&shared), stop.clone());
        let done = done_tx.clone();
        let handle = thread::Builder::new()
            .name(format!("load-{t}"))
            .spawn(move || {
                let report = Worker::new(ids, &plan, &shared, &stop).and_then(|w| w.run());
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
    report::summarise(args, &total, seconds, stop.requested(), say)
}

/// HOST as an address: a literal as it is, a name resolved once.
fn target_addr(args: &LoadArgs, say: &Narrator) -> Result<SocketAddr, SockError> {
    let name = match &args.host {
        Host::Ip { addr, scope_id } => return Ok(literal_addr(*addr, *scope_id, args.port)),
        Host::Name(name) => name,
    };
    let ip = *lookup::lookup(name, None)?
        .first()
        .ok_or_else(|| SockError::NoAddress {
            host: name.clone(),
            family: "IPv4 or IPv6",
        })?;
    say.info(format!("Ip address of {name} is {ip}"));
    Ok(SocketAddr::new(ip, args.port))
}

/// An IP literal and its zone as the address to connect to. A link-local
/// IPv6 address (`fe80::1%eth0`) exists once per interface, so the zone is
/// part of the address: dropped, connect fails with EINVAL (no interface
/// named) or reaches a neighbour on the wrong link.
fn literal_addr(ip: IpAddr, scope_id: u32, port: u16) -> SocketAddr {
    match ip {
        IpAddr::V6(v6) => SocketAddrV6::new(v6, port, 0, scope_id).into(),
        IpAddr::V4(_) => SocketAddr::new(ip, port),
    }
}

/// The main thread's job while the workers run: the progress bar, and the
/// "Holding" line once every client has had its round trip.
fn watch(args: &LoadArgs, plan: &Plan, shared: &Shared, done: &mpsc::Receiver<()>, say: &Narrator) {
    let (total, unit) = if args.hold {
        (args.clients, tr!("load-bar-served"))
    } else {
        (args.clients * args.messages, tr!("load-bar-trips"))
    };
    let bar = say.counter(total, &unit);
    let mut announced = false;
    let mut finished = false;
    loop {
        let settled = shared.settled.load(Ordering::Relaxed);
        if args.hold && !announced && settled >= args.clients && !finished {
            announced = true;
            let held = shared.held.load(Ordering::Relaxed);
            bar.println(
                say,
                tr!(
                    "load-holding",
                    held = held,
                    failed = args.clients - held,
                    secs = format!(
                        "{:.1}",
                        plan.deadline
                            .saturating_duration_since(Instant::now())
                            .as_secs_f64()
                    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_keeps_its_zone() {
        let addr = literal_addr("fe80::1".parse().unwrap(), 1, 8888);
        match addr {
            SocketAddr::V6(v6) => assert_eq!(v6.scope_id(), 1),
            SocketAddr::V4(_) => panic!("{addr} is not IPv6"),
        }
        assert_eq!(addr.to_string(), "[fe80::1%1]:8888");
        // No zone (0) and IPv4 read as they always did.
        assert_eq!(
            literal_addr("::1".parse().unwrap(), 0, 9).to_string(),
            "[::1]:9"
        );
        assert_eq!(
            literal_addr("127.0.0.1".parse().unwrap(), 0, 9).to_string(),
            "127.0.0.1:9"
        );
    }
}
