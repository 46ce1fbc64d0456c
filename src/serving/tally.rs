//! The server's running totals: who is connected now, how many were
//! served or turned away, and the bytes each way. Every connection adds to
//! them from whichever thread serves it, so they are atomics; the summary
//! line at Ctrl-C reads them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::tr;

#[derive(Debug)]
pub struct Tally {
    served: AtomicU64,
    /// Turned away over `--max-clients`, and for want of a thread.
    full: AtomicU64,
    busy: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    /// `--nonblocking`: EAGAINs so far, for the running count it narrates.
    would_blocks: AtomicU64,
    /// Clients connected right now.
    live: AtomicUsize,
    started: Instant,
    /// When the last client left (milliseconds after `started`): the
    /// accept timeout counts from there, not from the last accept.
    empty_since_ms: AtomicU64,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            served: AtomicU64::new(0),
            full: AtomicU64::new(0),
            busy: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            would_blocks: AtomicU64::new(0),
            live: AtomicUsize::new(0),
            started: Instant::now(),
            empty_since_ms: AtomicU64::new(0),
        }
    }
}

impl Tally {
    pub fn add_in(&self, n: usize) {
        self.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn add_out(&self, n: usize) {
        self.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn add_served(&self) {
        self.served.fetch_add(1, Ordering::Relaxed);
    }

    /// A client turned away: the server was full (`--max-clients`), or
    /// (`full` false) it had no thread to give it.
    pub fn add_turned_away(&self, full: bool) {
        let count = if full { &self.full } else { &self.busy };
        count.fetch_add(1, Ordering::Relaxed);
    }

    /// The next EAGAIN's number, for `--nonblocking`'s narration.
    pub fn next_would_block(&self) -> u64 {
        self.would_blocks.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Clients connected right now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// How long nobody has been connected (zero while somebody is).
    pub fn empty_for(&self) -> Duration {
        if self.live() > 0 {
            return Duration::ZERO;
        }
        let since = Duration::from_millis(self.empty_since_ms.load(Ordering::SeqCst));
        self.started.elapsed().saturating_sub(since)
    }

    /// The status line a server keeps on a terminal:
    /// `3 connected now | 12 served | 1.2 KiB in | 5.4 KiB out`.
    pub fn status(&self) -> String {
        tr!(
            "status-line",
            live = self.live(),
            served = self.served.load(Ordering::Relaxed),
            bytes_in = size(self.bytes_in.load(Ordering::Relaxed)),
            bytes_out = size(self.bytes_out.load(Ordering::Relaxed))
        )
    }

    /// `Server stopped: 3 clients served, 12 bytes in, 180 bytes out`.
    pub fn summary(&self) -> String {
        let mut turned_away = String::new();
        for (count, why) in [(&self.full, "full"), (&self.busy, "thread")] {
            match count.load(Ordering::Relaxed) {
                0 => {}
                n => turned_away.push_str(&tr!("summary-turned-away", count = n, why = why)),
            }
        }
        tr!(
            "summary",
            served = tr!("count-clients", count = self.served.load(Ordering::Relaxed)),
            bytes_in = self.bytes_in.load(Ordering::Relaxed),
            bytes_out = self.bytes_out.load(Ordering::Relaxed),
            turned_away = turned_away
        )
    }
}

/// Bytes for a glance: `512 B`, `1.2 KiB`, `3.4 MiB`, `1.1 GiB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// One connected client in [`Tally::live`], from accept until dropped.
#[derive(Debug)]
pub struct Live(Arc<Tally>);

impl Live {
    pub fn count(tally: &Arc<Tally>) -> Live {
        tally.live.fetch_add(1, Ordering::SeqCst);
        Live(Arc::clone(tally))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // The last one out starts the accept timeout's clock.
        let ms = self.0.started.elapsed().as_millis() as u64;
        self.0.empty_since_ms.store(ms, Ordering::SeqCst);
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_clock_starts_when_the_last_client_leaves() {
        let tally = Arc::new(Tally::default());
        let a = Live::count(&tally);
        let b = Live::count(&tally);
        assert_eq!(tally.empty_for(), Duration::ZERO);
        drop(a);
        assert_eq!(tally.empty_for(), Duration::ZERO, "b is still here");
        drop(b);
        assert!(tally.empty_for() < Duration::from_secs(1));
        assert_eq!(tally.live(), 0);
    }

    #[test]
    fn the_summary_counts_and_says_who_was_turned_away() {
        let tally = Tally::default();
        tally.add_served();
        tally.add_in(3);
        tally.add_out(60);
        assert_eq!(
            tally.summary(),
            "Server stopped: 1 client served, 3 bytes in, 60 bytes out"
        );
        tally.add_turned_away(true);
        assert!(tally.summary().ends_with(", 1 turned away (server full)"));
    }

    #[test]
    fn the_status_line_says_who_is_here_and_bytes_at_a_glance() {
        let tally = Arc::new(Tally::default());
        let _here = Live::count(&tally);
        tally.add_served();
        tally.add_in(300);
        tally.add_out(5 * 1024 + 512);
        assert_eq!(
            tally.status(),
            "1 connected now | 1 served | 300 B in | 5.5 KiB out"
        );
        assert_eq!(size(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
