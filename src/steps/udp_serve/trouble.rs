//! A bad network on one machine: `--loss` drops a share of the datagrams
//! as if the network had lost them, `--delay` holds each reply a while, as
//! a long or busy path would. Kurose and Ross's UDP pinger server does the
//! same (`if rand < 4: continue`) so that the pinger's loss is real on a
//! laptop, where loopback never loses anything.
//!
//! The choices come from a small pseudo-random generator (SplitMix64)
//! started from `--seed`: the same seed and the same datagrams give the
//! same fates, so a lesson (or a test) can be run again exactly.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The most replies held at once for `--delay`; a datagram that finds
/// the queue full is dropped (and said so), so a flood cannot make the
/// server hold unbounded memory.
pub const MOST_HELD: usize = 10_000;

/// The most bytes of replies held at once.
pub const MOST_HELD_BYTES: usize = 16 * 1024 * 1024;

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state, one add and
/// three mixes per number; good enough for dice, and the same on every
/// system.
#[derive(Debug, Clone)]
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What happens to one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Dropped, as if the network had lost it: no reply.
    Lost,
    /// Answered after this long (zero: at once).
    Answered(Duration),
}

/// A reply waiting for its time (`--delay`).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Held {
    pub due: Instant,
    /// The datagram's number, which also keeps equal times in order.
    pub number: u64,
    pub peer: SocketAddr,
    pub reply: Vec<u8>,
}

/// The trouble asked for, the dice, and the replies held.
#[derive(Debug)]
pub struct Trouble {
    /// `--loss`, in percent.
    pub loss: f64,
    /// `--delay`, in milliseconds: from, to (inclusive).
    pub delay: Option<(u64, u64)>,
    pub seed: u64,
    dice: Dice,
    held: BinaryHeap<Reverse<Held>>,
    held_bytes: usize,
    pub lost: u64,
    pub delayed: u64,
    /// Dropped because the queue of held replies was full.
    pub overflowed: u64,
}

impl Trouble {
    pub fn new(loss: f64, delay: Option<(u64, u64)>, seed: u64) -> Trouble {
        Trouble {
            loss,
            delay,
            seed,
            dice: Dice::new(seed),
            held: BinaryHeap::new(),
            held_bytes: 0,
            lost: 0,
            delayed: 0,
            overflowed: 0,
        }
    }

    /// Whether any trouble was asked for at all.
    pub fn any(&self) -> bool {
        self.loss > 0.0 || self.delay.is_some()
    }

    /// The fate of the next datagram: first whether it is lost, then (if
    /// not) how long its reply waits.
    pub fn fate(&mut self) -> Fate {
        if self.loss > 0.0 && self.dice.unit() * 100.0 < self.loss {
            self.lost += 1;
            return Fate::Lost;
        }
        let ms = match self.delay {
            Some((from, to)) if to > from => from + self.dice.next() % (to - from + 1),
            Some((from, _)) => from,
            None => 0,
        };
        Fate::Answered(Duration::from_millis(ms))
    }

    /// Holds a reply until `due`; `false` when the queue is full (the
    /// datagram is then dropped instead).
    pub fn hold(&mut self, held: Held) -> bool {
        if self.held.len() >= MOST_HELD || self.held_bytes + held.reply.len() > MOST_HELD_BYTES {
            self.overflowed += 1;
            return false;
        }
        self.delayed += 1;
        self.held_bytes += held.reply.len();
        self.held.push(Reverse(held));
        true
    }

    /// When the next held reply is due, if any is held.
    pub fn next_due(&self) -> Option<Instant> {
        self.held.peek().map(|Reverse(h)| h.due)
    }

    /// The next reply whose time has come at `now`.
    pub fn due(&mut self, now: Instant) -> Option<Held> {
        if self.next_due()? > now {
            return None;
        }
        let Reverse(held) = self.held.pop()?;
        self.held_bytes -= held.reply.len();
        Some(held)
    }

    /// Replies still held (when the server stops, they are never sent).
    pub fn still_held(&self) -> usize {
        self.held.len()
    }

    /// `--loss 50 --delay 10-50`, as the options were given.
    pub fn options(&self) -> String {
        let mut words = Vec::new();
        if self.loss > 0.0 {
            words.push(self.loss_option());
        }
        if self.delay.is_some() {
            words.push(self.delay_option());
        }
        words.join(" ")
    }

    /// `--loss 50`.
    pub fn loss_option(&self) -> String {
        format!("--loss {}", self.loss)
    }

    /// `--delay 10-50`, or `--delay 30`.
    pub fn delay_option(&self) -> String {
        match self.delay {
            Some((from, to)) if to > from => format!("--delay {from}-{to}"),
            Some((from, _)) => format!("--delay {from}"),
            None => String::new(),
        }
    }
}

/// A seed for a run that was given none: different every run, and said,
/// so that the run can be repeated.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut dice = Dice::new(nanos ^ u64::from(std::process::id()).rotate_left(32));
    // Short, so a student can retype it.
    dice.next() % 100_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_fates() {
        let fates = |seed| {
            let mut t = Trouble::new(50.0, Some((10, 50)), seed);
            (0..100).map(|_| t.fate()).collect::<Vec<_>>()
        };
        assert_eq!(fates(7), fates(7));
        assert_ne!(fates(7), fates(8));
        let lost = fates(7).iter().filter(|f| **f == Fate::Lost).count();
        assert!((30..=70).contains(&lost), "{lost} of 100 lost at 50 %");
        for fate in fates(7) {
            if let Fate::Answered(d) = fate {
                assert!((10..=50).contains(&(d.as_millis() as u64)), "{d:?}");
            }
        }
    }

    #[test]
    fn no_trouble_answers_everything_at_once() {
        let mut t = Trouble::new(0.0, None, 1);
        assert!(!t.any());
        assert!((0..50).all(|_| t.fate() == Fate::Answered(Duration::ZERO)));
        let mut all = Trouble::new(100.0, None, 1);
        assert!((0..50).all(|_| all.fate() == Fate::Lost));
    }

    #[test]
    fn held_replies_come_out_in_time_order_and_are_bounded() {
        let mut t = Trouble::new(0.0, Some((5, 5)), 1);
        let now = Instant::now();
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        for (number, ms) in [(1, 30), (2, 10), (3, 20)] {
            assert!(t.hold(Held {
                due: now + Duration::from_millis(ms),
                number,
                peer,
                reply: vec![b'x'; 8],
            }));
        }
        assert_eq!(t.next_due(), Some(now + Duration::from_millis(10)));
        assert!(t.due(now).is_none());
        let later = now + Duration::from_millis(25);
        let order: Vec<u64> = std::iter::from_fn(|| t.due(later).map(|h| h.number)).collect();
        assert_eq!(order, [2, 3]);
        assert_eq!(t.still_held(), 1);
        let big = Held {
            due: now,
            number: 9,
            peer,
            reply: vec![0; MOST_HELD_BYTES + 1],
        };
        assert!(!t.hold(big));
        assert_eq!(t.overflowed, 1);
    }
}
