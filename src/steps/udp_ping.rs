//! # Beyond the tutorial: udp-ping
//! Kurose and Ross's UDP pinger: numbered pings, each reply's round-trip
//! time or a timeout, then ping's own summary.
//!
//! ```text
//! socket(AF_INET, SOCK_DGRAM)
//! getaddrinfo(host) -> ip;  connect(ip:port)     (sends nothing: fixes the peer)
//! for seq in 1..=count:
//!     sendto("Ping seq time")                     t0
//!     poll(socket, doorbell, until t0 + timeout)
//!     recvfrom -> "OK...Ping seq time"            RTT = now - t0
//!       (or nothing in time: "Request timed out")
//!     poll(socket, doorbell, until --interval after t0)   (late replies are told apart)
//! close()
//! ```
//!
//! New since udp-send: many datagrams, and what silence means. Each ping
//! carries its number, so a reply is matched to its ping, and a reply that
//! comes after its ping timed out is seen as late, not mistaken for the
//! next one. The summary is ping's: how many were sent and came back, the
//! share lost, and the round-trip times' minimum, mean, maximum and mean
//! deviation (`mdev`, how much they jitter). On one machine nothing is
//! lost and every time is a few microseconds; `socktool udp-serve --loss
//! 30 --delay 10-50` makes the network bad on purpose, as the assignment's
//! server does.
//!
//! The message is the assignment's, `Ping 1 1733120000.123456` (the
//! sequence number, then the time it was sent), padded with `.` to
//! `--size` bytes when asked. Any UDP echo answers it; socktool's
//! udp-serve answers `OK...` + the ping.
//!
//! Ctrl-C ends it early with the summary so far, as ping does. Exit 0 when
//! any reply came, 75 when none did, 69 when the host said nothing listens
//! there (ICMP port unreachable).
//!
//! Try it:
//! ```text
//! socktool udp-serve --loss 30 --delay 10-50 &
//! socktool udp-ping localhost 8888 --count 20 --interval 0.2
//! ```
//!
//! A real pinger (ping(8)) sends ICMP echo requests, which need a raw
//! socket (root, or Linux's unprivileged ping sockets), sends on schedule
//! whether or not replies came, and counts late replies as received.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cli::UdpPingArgs;
use crate::client;
use crate::error::{Asker, SockError};
use crate::narrate::{Dir, Narrator, describe_errno, secs};
use crate::signals::Stop;
use crate::sockopt::{self, Want, Woke};
use crate::tr;

/// Room for any reply.
const REPLY_BUF: usize = 65_536;

pub fn run(args: &UdpPingArgs, say: &Narrator) -> Result<(), SockError> {
    let family = client::choose_family(&args.host, args.family.family());
    let socket = sockopt::udp_socket(family, say)?;
    say.step("Socket created");
    let socket = socket.unbound();
    let addr = client::resolve_addr(&args.host, args.port, family, say)
        .map_err(|e| e.asked_by(Asker::UdpSend))?;
    say.traced(
        "connect",
        format_args!("{addr}"),
        socket.connect(addr),
        |_| "ok".into(),
    )
    .map_err(|source| SockError::Connect {
        addr,
        source,
        asker: Asker::UdpSend,
    })?;
    // Ctrl-C ends the pings early, with the summary so far.
    let stop = Stop::on_ctrl_c().map_err(|source| SockError::Call {
        op: "sigaction",
        source,
    })?;
    let size = args.size.unwrap_or(0);
    let first = message(1, size);
    say.data(
        format!(
            "PING {addr} (UDP): {} of {} bytes, one every {}, each waiting {} for its reply\n",
            crate::narrate::plural(args.count, "ping"),
            first.len(),
            secs(args.interval),
            secs(args.timeout)
        )
        .as_bytes(),
    )?;
    if size > 0 && size < first.len() {
        say.note(tr!("ping-size", size = size, text = first.len()));
    }

    let mut stats = Stats::default();
    let mut buf = vec![0u8; REPLY_BUF];
    let started = Instant::now();
    let mut last_sent: Option<Instant> = None;
    for seq in 1..=args.count {
        // --interval after the last ping (after its wait, when that was
        // longer), as the assignment's loop does.
        let due = last_sent.map_or(started, |t| t + args.interval);
        // Until this ping's time: replies to earlier ones may still come.
        if !listen(&socket, &mut buf, due, None, &stop, &mut stats, say)? {
            break;
        }
        let ping = message(seq, size);
        say.hex(Dir::Sent, &ping);
        let sent = say.traced(
            "sendto",
            format_args!("{} bytes, {addr}", ping.len()),
            socket.send(&ping),
            |n| format!("{n}"),
        );
        let t0 = Instant::now();
        last_sent = Some(t0);
        stats.sent += 1;
        match sent {
            Ok(_) => {}
            // The ICMP answer to an earlier ping, reported on this call.
            Err(e) if refused(&e) => {
                stats.refused += 1;
                say.data(format!("seq={seq}: port unreachable (ICMP)\n").as_bytes())?;
                continue;
            }
            Err(source) => {
                return Err(SockError::Io {
                    op: "sendto",
                    addr,
                    source,
                });
            }
        }
        let waiting = Some((seq, t0));
        if !listen(
            &socket,
            &mut buf,
            t0 + args.timeout,
            waiting,
            &stop,
            &mut stats,
            say,
        )? {
            break;
        }
        if stats.last_answered != Some(seq) && stats.last_refused != Some(seq) {
            say.data(format!("Request timed out: seq={seq}\n").as_bytes())?;
        }
    }
    if stop.requested() {
        say.after_ctrl_c();
    }
    say.data(stats.summary(addr, started.elapsed()).as_bytes())?;
    drop(socket);
    say.trace("close", format_args!(""), "ok");
    match stats.received {
        0 if stats.refused > 0 => Err(SockError::PortUnreachable { addr }),
        0 => Err(SockError::NoPong {
            addr,
            sent: stats.sent,
        }),
        _ => Ok(()),
    }
}

/// `Ping SEQ TIME`, padded with `.` to `size` bytes when that is longer.
fn message(seq: u64, size: usize) -> Vec<u8> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let mut ping = format!("Ping {seq} {now:.6}").into_bytes();
    if ping.len() < size {
        ping.resize(size, b'.');
    }
    ping
}

/// The sequence number in a reply: the number after `Ping `, wherever the
/// reply has it (udp-serve puts `OK...` in front).
fn ping_number(reply: &[u8]) -> Option<u64> {
    let at = reply.windows(5).position(|w| w == b"Ping ")? + 5;
    let digits: &[u8] = &reply[at..];
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    std::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

fn refused(e: &io::Error) -> bool {
    // Linux and macOS say ECONNREFUSED; Windows says WSAECONNRESET.
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
    )
}

/// Takes replies until `until`: the one `waiting` for (its number and when
/// it was sent) ends the wait early; any other is late or a duplicate, and
/// said so. `false` when Ctrl-C asked to stop.
fn listen(
    socket: &UdpSocket,
    buf: &mut [u8],
    until: Instant,
    waiting: Option<(u64, Instant)>,
    stop: &Stop,
    stats: &mut Stats,
    say: &Narrator,
) -> Result<bool, SockError> {
    let quiet = Narrator::silent();
    let failed = |source| SockError::Io {
        op: "poll",
        addr: socket
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
        source,
    };
    loop {
        if stop.requested() {
            return Ok(false);
        }
        if Instant::now() >= until {
            return Ok(true);
        }
        match sockopt::wait(
            socket,
            Want::Readable,
            Some(stop.bell()),
            Some(until),
            &quiet,
        )
        .map_err(failed)?
        {
            Woke::Rung => return Ok(false),
            Woke::TimedOut => return Ok(true),
            Woke::Ready | Woke::Other => {}
        }
        let got = socket.recv(buf);
        let arrived = Instant::now();
        let got = say.traced("recvfrom", format_args!("{}", buf.len()), got, |n| {
            format!("{n} bytes")
        });
        let n = match got {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(e) if refused(&e) => {
                stats.refused += 1;
                if let Some((seq, _)) = waiting {
                    stats.last_refused = Some(seq);
                    let line = format!(
                        "seq={seq}: port unreachable (ICMP: {})\n",
                        describe_errno(&e)
                    );
                    say.data(line.as_bytes())?;
                    return Ok(true);
                }
                continue;
            }
            Err(source) => return Err(failed(source)),
        };
        let reply = &buf[..n];
        say.hex(Dir::Received, reply);
        let peer = socket.peer_addr().ok();
        match (ping_number(reply), waiting) {
            (Some(seq), Some((expected, t0))) if seq == expected => {
                let rtt = arrived - t0;
                stats.answered(seq, rtt);
                let from = peer.map(|p| p.to_string()).unwrap_or_default();
                say.data(
                    format!(
                        "Reply from {from}: seq={seq} bytes={n} time={:.3} ms\n",
                        ms(rtt)
                    )
                    .as_bytes(),
                )?;
                return Ok(true);
            }
            (Some(seq), _) if stats.was_answered(seq) => {
                say.note(tr!("ping-duplicate", seq = seq));
            }
            (Some(seq), _) => say.note(tr!("ping-late", seq = seq)),
            (None, _) => say.warn(tr!("ping-stray", bytes = n)),
        }
    }
}

/// What the summary needs: counts, and the round-trip times as sums, so
/// that any number of pings costs the same memory.
#[derive(Debug, Default)]
struct Stats {
    sent: u64,
    received: u64,
    refused: u64,
    last_answered: Option<u64>,
    last_refused: Option<u64>,
    /// Pings answered, as ranges would cost more than a small bitset; only
    /// needed to tell a duplicate from a late reply.
    answered: Vec<u64>,
    min: f64,
    max: f64,
    sum: f64,
    sum_sq: f64,
}

impl Stats {
    fn answered(&mut self, seq: u64, rtt: Duration) {
        let t = ms(rtt);
        if self.received == 0 || t < self.min {
            self.min = t;
        }
        self.max = self.max.max(t);
        self.sum += t;
        self.sum_sq += t * t;
        self.received += 1;
        self.last_answered = Some(seq);
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if self.answered.len() <= word {
            self.answered.resize(word + 1, 0);
        }
        self.answered[word] |= 1 << bit;
    }

    fn was_answered(&self, seq: u64) -> bool {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        self.answered.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// ping's own summary.
    fn summary(&self, addr: SocketAddr, took: Duration) -> String {
        let lost = self.sent - self.received;
        let mut text = format!(
            "--- {addr} udp-ping statistics ---\n{} packets transmitted, {} received, {} packet loss, time {}ms\n",
            self.sent,
            self.received,
            percent(lost, self.sent),
            took.as_millis()
        );
        if self.received > 0 {
            let n = self.received as f64;
            let avg = self.sum / n;
            let mdev = (self.sum_sq / n - avg * avg).max(0.0).sqrt();
            text.push_str(&format!(
                "rtt min/avg/max/mdev = {:.3}/{avg:.3}/{:.3}/{mdev:.3} ms\n",
                self.min, self.max
            ));
        }
        text
    }
}

/// A duration in milliseconds, with its fraction.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `30%`, `33.3333%` as ping writes them.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    let text = format!("{p:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_matched_by_the_number_in_them() {
        assert_eq!(ping_number(b"OK...Ping 12 1733120000.123456"), Some(12));
        assert_eq!(ping_number(b"PING 3 x"), None);
        assert_eq!(ping_number(b"Ping 7"), Some(7));
        assert_eq!(ping_number(b"Ping x"), None);
        let ping = message(5, 64);
        assert_eq!(ping.len(), 64);
        assert!(ping.starts_with(b"Ping 5 ") && ping.ends_with(b"."));
    }

    #[test]
    fn the_summary_is_pings() {
        let mut stats = Stats {
            sent: 4,
            ..Stats::default()
        };
        for (seq, ms) in [(1, 1), (2, 3), (4, 2)] {
            stats.answered(seq, Duration::from_millis(ms));
        }
        let addr: SocketAddr = "127.0.0.1:8888".parse().unwrap();
        let text = stats.summary(addr, Duration::from_millis(3004));
        assert!(
            text.contains("4 packets transmitted, 3 received, 25% packet loss, time 3004ms"),
            "{text}"
        );
        assert!(
            text.contains("rtt min/avg/max/mdev = 1.000/2.000/3.000/0.816 ms"),
            "{text}"
        );
        assert!(stats.was_answered(4) && !stats.was_answered(3));
        assert_eq!(percent(1, 3), "33.3333%");
        assert_eq!(percent(0, 10), "0%");
    }
}
