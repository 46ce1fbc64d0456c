//! # Beyond the tutorial: udp-serve
//! A UDP server: receive datagrams from anyone, answer each with
//! `OK...` + its data, as serve-threaded answers each line.
//!
//! ```text
//! socket(AF_INET, SOCK_DGRAM)
//! bind(127.0.0.1:8888)
//! recvfrom(65535) -> data, sender    (no listen, no accept)
//! sendto("OK..." + data, sender)
//! ... recvfrom again, until Ctrl-C ...
//! close()
//! ```
//!
//! New since the TCP servers: there is no connection. `listen` and `accept`
//! exist because TCP sets up a connection per client and needs a socket per
//! connection; UDP has one socket for everybody. Each `recvfrom` returns one
//! whole datagram together with the address it came from, and each `sendto`
//! names where its datagram goes. Nothing tells the server that a client
//! came or went, and nothing tells either side that a datagram was lost.
//!
//! A datagram is a message, not a stream: one `sendto` is one `recvfrom`,
//! never split or merged. A buffer that is too small does not leave the rest
//! for later; the kernel discards it (`--recv-size 4` shows this).
//!
//! Display: stdout gets one record per datagram, `[SENDER] ` then the
//! datagram's bytes exactly, then a `\n` if the datagram did not end with
//! one (stderr says how many bytes really came). Narration goes to stderr.
//! As in the TCP servers, everything printed goes through a queue and
//! writer threads (`narrate/output.rs`): a terminal nobody reads drops
//! lines, counted, and never holds up a reply.
//!
//! A bad network on demand (`trouble.rs`): `--loss 30` drops 30 % of the
//! datagrams as if the network had lost them, `--delay 10-50` holds each
//! reply 10 to 50 ms, and `--seed N` makes the same choices again. This is
//! the server of Kurose and Ross's UDP pinger (`socktool udp-ping`): on
//! one machine loopback never loses a datagram, so the server does.
//! Delayed replies wait in a queue; the loop's `poll` wakes for the next
//! one due as well as for datagrams and Ctrl-C.
//!
//! Try it:
//! ```text
//! socktool udp-serve --port 8888 &
//! socktool udp-send localhost 8888 hello      # prints OK...hello
//! nc -u localhost 8888                        # type lines, see OK... replies
//! socktool udp-serve --loss 30 --delay 10-50 &
//! socktool udp-ping localhost 8888 --count 20
//! ```
//!
//! A real UDP server would have to cope with what UDP leaves to it: lost,
//! duplicated and reordered datagrams, senders that forge their address
//! (answering them makes the server an amplifier), and clients that stop
//! without a word.

use std::collections::HashSet;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use crate::cli::{Family, UdpServeArgs};
use crate::error::SockError;
use crate::narrate::{Dir, Narrator, describe_errno, os_error};
use crate::serving::{self, Protocol};
use crate::signals::Stop;
use crate::sockopt::{self, Want, Woke};
use crate::tr;

mod trouble;
use trouble::{Fate, Held, Trouble};

/// Distinct senders remembered for the summary. Every datagram may come
/// from a new address (a port scan, forged sources), so the set is capped:
/// 10,000 addresses cost about 0.5 MiB; an unbounded set grows with every
/// forged address for as long as the server runs.
const SENDERS_COUNTED: usize = 10_000;

/// Counters for the summary printed on Ctrl-C.
#[derive(Debug, Default)]
struct Tally {
    datagrams: u64,
    bytes_in: u64,
    bytes_out: u64,
    senders: HashSet<SocketAddr>,
    /// A sender arrived after the set was full.
    more_senders: bool,
}

impl Tally {
    fn saw(&mut self, peer: SocketAddr) {
        if self.senders.len() < SENDERS_COUNTED {
            self.senders.insert(peer);
        } else if !self.senders.contains(&peer) {
            self.more_senders = true;
        }
    }

    /// `3 senders`, or `over 10000 senders` once the set is full.
    fn senders_text(&self) -> String {
        let n = self.senders.len();
        let over = if self.more_senders { "yes" } else { "no" };
        tr!("udp-senders", count = n, over = over)
    }

    /// The line printed when the server stops.
    fn summary(&self, trouble: &Trouble) -> String {
        let mut line = tr!(
            "udp-summary",
            datagrams = self.datagrams,
            senders = self.senders_text(),
            bytes_in = self.bytes_in,
            bytes_out = self.bytes_out
        );
        if trouble.any() {
            line.push_str(&tr!(
                "udp-summary-trouble",
                lost = trouble.lost,
                delayed = trouble.delayed,
                options = trouble.options(),
                seed = trouble.seed.to_string()
            ));
            if trouble.overflowed > 0 {
                line.push_str(&tr!("udp-summary-overflowed", count = trouble.overflowed));
            }
            if trouble.still_held() > 0 {
                line.push_str(&tr!("udp-summary-held", count = trouble.still_held()));
            }
        }
        line
    }
}

pub fn run(args: &UdpServeArgs, say: &Narrator) -> Result<(), SockError> {
    // Before the first call: output through the queue (a terminal nobody
    // reads must not stop the replies).
    serving::start(say)?;
    let addr = args.bind.addr().map_err(SockError::Usage)?;
    let socket = bind(addr, args.bind.reuse(false), say)?;
    let local = say
        .traced(
            "getsockname",
            format_args!("fd {}", crate::sockopt::fd(&socket)),
            socket.local_addr(),
            ToString::to_string,
        )
        .map_err(|source| SockError::Io {
            op: "getsockname",
            addr,
            source,
        })?;
    // recvfrom never waits: the loop waits in poll, on the socket and the
    // doorbell at once, so Ctrl-C ends it on every system.
    socket
        .set_nonblocking(true)
        .map_err(|source| SockError::Io {
            op: "fcntl",
            addr: local,
            source,
        })?;
    // Ctrl-C rings the doorbell the loop below waits on.
    let stop = Stop::on_ctrl_c().map_err(|source| SockError::Call {
        op: "sigaction",
        source,
    })?;
    say.listening(local);
    say.reachable_warning(local);
    serving::reach::name_the_way_in(local, "nc -u", say);
    say.note(tr!("udp-no-listen"));
    let seed = args.seed.unwrap_or_else(trouble::fresh_seed);
    let trouble = Trouble::new(args.loss, args.delay, seed);
    if trouble.any() {
        say.note(tr!(
            "udp-trouble",
            options = trouble.options(),
            seed = seed.to_string()
        ));
    }
    let tally = std::sync::Arc::new(std::sync::Mutex::new((Tally::default(), trouble)));
    let last_words = std::sync::Arc::clone(&tally);
    stop.set_last_words(move || match last_words.lock() {
        Ok(t) => t.0.summary(&t.1),
        Err(_) => String::new(),
    });

    let mut buf = vec![0u8; args.recv_size];
    loop {
        // Asleep until a datagram comes, the next held reply is due, or
        // Ctrl-C.
        let due = tally.lock().unwrap_or_else(|e| e.into_inner()).1.next_due();
        match sockopt::wait(&socket, Want::Readable, Some(stop.bell()), due, say) {
            Ok(Woke::Ready | Woke::Other) => {}
            Ok(Woke::TimedOut) => {}
            Ok(Woke::Rung) => break,
            Err(source) => {
                return Err(SockError::Io {
                    op: "poll",
                    addr: local,
                    source,
                });
            }
        }
        // Every datagram queued, then back to waiting.
        loop {
            let got = match sockopt::recv_datagram(&socket, &mut buf) {
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // An ICMP error about an earlier reply. Linux keeps these
                // from unconnected sockets, but other systems report them
                // here; it concerns one client, not the server.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
                    ) =>
                {
                    say.warn(tr!("udp-refused", errno = describe_errno(&e)));
                    continue;
                }
                Err(source) => {
                    say.trace(
                        "recvfrom",
                        format_args!("{}", buf.len()),
                        describe_errno(&source),
                    );
                    return Err(SockError::Io {
                        op: "recvfrom",
                        addr: local,
                        source,
                    });
                }
            };
            let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
            let (t, trouble) = &mut *t;
            answer(&socket, &buf, &got, say, t, trouble);
        }
        // The held replies whose time has come.
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        let (t, trouble) = &mut *t;
        while let Some(held) = trouble.due(Instant::now()) {
            let say = say.for_peer(held.peer);
            send_reply(&socket, held.peer, &held.reply, &say, t);
        }
    }

    say.after_ctrl_c();
    // What is still queued for the terminal, before the summary (bounded:
    // a terminal nobody reads cannot hold the exit).
    say.finish_output();
    let t = tally.lock().unwrap_or_else(|e| e.into_inner());
    say.info(t.0.summary(&t.1));
    crate::sockopt::close(socket, say);
    Ok(())
}

/// socket → setsockopt → bind, narrated with the tutorial's lines.
fn bind(addr: SocketAddr, reuse: bool, say: &Narrator) -> Result<UdpSocket, SockError> {
    let socket = sockopt::udp_socket(Family::of(addr.ip()), say)?; // socket(AF_INET, SOCK_DGRAM)
    say.step("Socket created");
    if reuse {
        socket.set_reuse_address(true)?; // setsockopt(SO_REUSEADDR, 1)
    }
    let socket = socket.bind(addr)?; // bind((HOST, PORT))
    say.step("Socket bind complete");
    Ok(socket)
}

/// Shows one datagram and sends `OK...` + its data back to its sender, at
/// once, later (`--delay`) or never (`--loss`).
fn answer(
    socket: &UdpSocket,
    buf: &[u8],
    got: &sockopt::Datagram,
    say: &Narrator,
    tally: &mut Tally,
    trouble: &mut Trouble,
) {
    let peer = got.from;
    let data = &buf[..got.kept];
    let say = say.for_peer(peer);
    let size = match (got.len, got.cut) {
        (Some(len), _) => format!("{len} bytes"),
        (None, true) => format!("over {} bytes (cut)", buf.len()),
        (None, false) => format!("{} bytes", got.kept),
    };
    say.trace(
        "recvfrom",
        format_args!("{}", buf.len()),
        format!("{size} from {peer}"),
    );
    say.hex(Dir::Received, data);
    if tally.datagrams == 0 {
        say.note(tr!("udp-recvfrom"));
    }
    tally.datagrams += 1;
    tally.bytes_in += got.len.unwrap_or(got.kept) as u64;
    tally.saw(peer);

    match (got.cut, got.len) {
        (true, Some(len)) => say.warn(tr!(
            "udp-cut",
            len = len,
            asked = buf.len(),
            lost = len - got.kept
        )),
        (true, None) => say.warn(tr!("udp-cut-unknown", asked = buf.len())),
        (false, _) if got.kept == 0 => say.note(tr!("udp-empty")),
        (false, _) => say.info(tr!("udp-datagram", bytes = got.kept)),
    }
    // The console is only a window onto the conversation: a stdout that is
    // closed (`| head`) or not read (`| less`, unscrolled) must not cost
    // this sender its reply, nor the next senders theirs. `show` never
    // waits for stdout.
    say.record(Some(peer), data);

    let mut reply = Vec::new();
    Protocol::tutorial().answer_into(data, &mut reply);
    let number = tally.datagrams;
    match trouble.fate() {
        Fate::Lost => say.info(tr!(
            "udp-lost",
            number = number,
            option = trouble.loss_option()
        )),
        Fate::Answered(after) if after.is_zero() => {
            if trouble.any() {
                say.info(tr!("udp-at-once", number = number));
            }
            send_reply(socket, peer, &reply, &say, tally);
        }
        Fate::Answered(after) => {
            let held = Held {
                due: Instant::now() + after,
                number,
                peer,
                reply,
            };
            if trouble.hold(held) {
                say.info(tr!(
                    "udp-held",
                    number = number,
                    ms = after.as_millis().to_string(),
                    option = trouble.delay_option()
                ));
            } else {
                say.warn(tr!(
                    "udp-queue-full",
                    number = number,
                    held = trouble.still_held()
                ));
            }
        }
    }
}

/// `sendto`: one reply to its sender. One reply that cannot go out is that
/// client's problem, not the server's: said, and the server goes on.
fn send_reply(
    socket: &UdpSocket,
    peer: SocketAddr,
    reply: &[u8],
    say: &Narrator,
    tally: &mut Tally,
) {
    say.hex(Dir::Sent, reply);
    let sent = say.traced_since(
        // Read before send_to runs (arguments are evaluated in order):
        // --record dates the datagram from when it left.
        Some(std::time::Instant::now()),
        "sendto",
        format_args!("{} bytes, {peer}", reply.len()),
        socket.send_to(reply, peer),
        |n| format!("{n}"),
    );
    match sent {
        Ok(n) => tally.bytes_out += n as u64,
        Err(e) if os_error(&e) == Some("EMSGSIZE") => say.warn(tr!(
            "udp-too-big",
            bytes = reply.len(),
            limit = max_payload(peer)
        )),
        Err(e) => say.warn(tr!("udp-sendto-failed", errno = describe_errno(&e))),
    }
}

fn max_payload(peer: SocketAddr) -> usize {
    sockopt::max_udp_payload(Family::of(peer.ip()))
}
