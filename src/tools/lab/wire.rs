//! The captured frames as the ladder's arrows: one per TCP segment or UDP
//! datagram, from the end that sent it to the end that got it, labelled
//! the way a textbook draws them.
//!
//! ```text
//! SYN seq 0                  the client's first segment: its ISN, counted as 0
//! SYN-ACK seq 0 ack 1        the server's ISN; "I expect your byte 1 next"
//! ACK ack 1                  the handshake is done
//! PSH-ACK seq 1 ack 1 len 6  six bytes of data, the first being byte 1
//! FIN-ACK seq 7 ack 7        no more data from this end (a FIN counts as a byte)
//! RST-ACK ack 1              go away (seq left out: no ISN to count from)
//! ```
//!
//! Each side picks a random initial sequence number (ISN) for its SYN, so
//! the raw numbers (3,123,456,789) say nothing to a reader; like
//! Wireshark's "relative sequence numbers", every seq here counts from the
//! sender's ISN and every ack from the receiver's. A segment that repeats
//! data (or a SYN or FIN) already sent is marked `(retransmitted)`: the
//! sender got no acknowledgement in time and tried again.
//!
//! The frames are taken apart by etherparse: Ethernet, then IPv4 or IPv6,
//! then TCP or UDP. Anything else on the loopback (there is nothing else
//! in the lab's own namespace) is left out.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

use etherparse::{NetSlice, SlicedPacket, TransportSlice};

use super::capture::Frame;
use crate::tools::ladder::{ArrowKind, Ladder, What};

/// One TCP segment or UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// When it arrived, in microseconds since 1970.
    pub t_us: u64,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Tcp {
        seq: u32,
        ack: u32,
        flags: Flags,
        /// Payload bytes.
        len: usize,
    },
    Udp {
        len: usize,
    },
}

/// The TCP flags a ladder names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    pub psh: bool,
}

/// The segments in `frames`, in the order they were captured.
pub fn segments(frames: &[Frame]) -> Vec<Segment> {
    frames.iter().filter_map(segment).collect()
}

fn segment(frame: &Frame) -> Option<Segment> {
    let packet = SlicedPacket::from_ethernet(&frame.data).ok()?;
    let (src, dst): (IpAddr, IpAddr) = match packet.net? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Arp(_) => return None,
    };
    let (from_port, to_port, kind) = match packet.transport? {
        TransportSlice::Tcp(tcp) => (
            tcp.source_port(),
            tcp.destination_port(),
            Kind::Tcp {
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                flags: Flags {
                    syn: tcp.syn(),
                    ack: tcp.ack(),
                    fin: tcp.fin(),
                    rst: tcp.rst(),
                    psh: tcp.psh(),
                },
                len: tcp.payload().len(),
            },
        ),
        TransportSlice::Udp(udp) => (
            udp.source_port(),
            udp.destination_port(),
            Kind::Udp {
                len: udp.payload().len(),
            },
        ),
        _ => return None,
    };
    Some(Segment {
        t_us: frame.t_us,
        from: SocketAddr::new(src, from_port),
        to: SocketAddr::new(dst, to_port),
        kind,
    })
}

/// The labels of `segments`, in order: `SYN-ACK seq 0 ack 1`.
pub fn labels(segments: &[Segment]) -> Vec<String> {
    // Each direction's ISN, from its SYN; and what each direction has
    // already sent (seq, length, SYN, FIN), to spot a repeat.
    let mut isn: HashMap<(SocketAddr, SocketAddr), u32> = HashMap::new();
    let mut sent: HashSet<(SocketAddr, SocketAddr, u32, usize, bool, bool)> = HashSet::new();
    let mut out = Vec::with_capacity(segments.len());
    for s in segments {
        let (seq, ack, flags, len) = match s.kind {
            Kind::Tcp {
                seq,
                ack,
                flags,
                len,
            } => (seq, ack, flags, len),
            Kind::Udp { len } => {
                out.push(format!("UDP len {len}"));
                continue;
            }
        };
        if flags.syn {
            isn.entry((s.from, s.to)).or_insert(seq);
        }
        let mut names = Vec::new();
        for (on, name) in [
            (flags.syn, "SYN"),
            (flags.fin, "FIN"),
            (flags.rst, "RST"),
            (flags.psh, "PSH"),
            (flags.ack, "ACK"),
        ] {
            if on {
                names.push(name);
            }
        }
        let mut label = names.join("-");
        let mine = isn.get(&(s.from, s.to));
        let theirs = isn.get(&(s.to, s.from));
        // A pure ACK's seq says nothing new; everything else's does.
        let shows_seq = flags.syn || flags.fin || flags.rst || len > 0;
        if let (true, Some(isn)) = (shows_seq, mine) {
            label.push_str(&format!(" seq {}", seq.wrapping_sub(*isn)));
        }
        if let (true, Some(isn)) = (flags.ack, theirs) {
            label.push_str(&format!(" ack {}", ack.wrapping_sub(*isn)));
        }
        if len > 0 {
            label.push_str(&format!(" len {len}"));
        }
        let carries = len > 0 || flags.syn || flags.fin;
        if carries && !sent.insert((s.from, s.to, seq, len, flags.syn, flags.fin)) {
            label.push_str(" (retransmitted)");
        }
        out.push(label);
    }
    out
}

/// The ladder's rows for `segments`: an arrow from the column of the end
/// that sent each one to the column of the end that got it (a column is
/// added for an end no call named). Times in microseconds since 1970.
pub fn rows(ladder: &mut Ladder, segments: &[Segment]) -> Vec<(u64, What)> {
    let labels = labels(segments);
    let mut rows = Vec::with_capacity(segments.len());
    for (s, label) in segments.iter().zip(labels) {
        let opens = matches!(s.kind, Kind::Tcp { flags, .. } if flags.syn && !flags.ack);
        let from = column_of(ladder, s.from, false);
        // The end a bare SYN goes to is the server, even one nobody recorded.
        let to = column_of(ladder, s.to, opens);
        let kind = match s.kind {
            Kind::Tcp { flags, .. } if flags.rst => ArrowKind::Reset,
            _ => ArrowKind::Segment,
        };
        rows.push((
            s.t_us,
            What::Arrow {
                from,
                to,
                label,
                kind,
            },
        ));
    }
    rows
}

/// The column of the end at `addr`. A server bound to 0.0.0.0 answers on
/// every address with its port. An end that never learned its own address
/// (a client whose connect was refused) is the one client column with
/// none; anything else gets a column of its own.
pub fn column_of(ladder: &mut Ladder, addr: SocketAddr, server: bool) -> usize {
    if let Some(col) = ladder.column_at(&addr.to_string()) {
        return col;
    }
    let any = ladder.columns.iter().position(|c| {
        c.addr
            .parse::<SocketAddr>()
            .is_ok_and(|a| a.port() == addr.port() && a.ip().is_unspecified())
    });
    if let Some(col) = any {
        return col;
    }
    let nameless: Vec<usize> = (0..ladder.columns.len())
        .filter(|&i| ladder.columns[i].addr == "?" && !ladder.columns[i].server && !server)
        .collect();
    if let [only] = nameless[..] {
        ladder.columns[only].addr = addr.to_string();
        return only;
    }
    ladder.add_column(&addr.to_string(), server)
}

/// When the last FIN reached the end at `local` from `remote`: when a
/// socket that closed first enters TIME_WAIT.
pub fn last_fin_to(segments: &[Segment], local: SocketAddr, remote: SocketAddr) -> Option<u64> {
    segments
        .iter()
        .filter(|s| s.to == local && s.from == remote)
        .filter(|s| matches!(s.kind, Kind::Tcp { flags, .. } if flags.fin))
        .map(|s| s.t_us)
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(from: &str, to: &str, seq: u32, ack: u32, flags: &str, len: usize) -> Segment {
        Segment {
            t_us: 0,
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            kind: Kind::Tcp {
                seq,
                ack,
                flags: Flags {
                    syn: flags.contains('S'),
                    ack: flags.contains('A'),
                    fin: flags.contains('F'),
                    rst: flags.contains('R'),
                    psh: flags.contains('P'),
                },
                len,
            },
        }
    }

    #[test]
    fn numbers_count_from_each_sides_isn_and_repeats_are_marked() {
        let (c, s) = ("127.0.0.1:40000", "127.0.0.1:8888");
        let conversation = [
            tcp(c, s, 1000, 0, "S", 0),
            tcp(s, c, 5000, 1001, "SA", 0),
            tcp(c, s, 1001, 5001, "A", 0),
            tcp(c, s, 1001, 5001, "PA", 6),
            tcp(c, s, 1001, 5001, "PA", 6),
            tcp(s, c, 5001, 1007, "FA", 0),
            tcp(c, s, 1007, 5002, "R", 0),
            tcp("127.0.0.1:40001", s, 77, 0, "S", 0),
            tcp(s, "127.0.0.1:40001", 0, 78, "RA", 0),
        ];
        assert_eq!(
            labels(&conversation),
            [
                "SYN seq 0",
                "SYN-ACK seq 0 ack 1",
                "ACK ack 1",
                "PSH-ACK seq 1 ack 1 len 6",
                "PSH-ACK seq 1 ack 1 len 6 (retransmitted)",
                "FIN-ACK seq 1 ack 7",
                "RST seq 7",
                "SYN seq 0",
                "RST-ACK ack 1",
            ]
        );
    }
}
