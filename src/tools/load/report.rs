//! What a run adds up to: the ways a client can fail, the counts and
//! round-trip times each thread keeps and the main thread merges, and the
//! two outputs a person and a script read, the summary on stderr and the
//! `key=value` line on stdout (bench/run parses it: its keys never change).
//!
//! Latencies go into an HDR histogram rather than a list: 10,000 clients
//! times 2,000 round trips would be 20 million samples, while the histogram
//! stays a fixed size and still gives p50 and p99 to 0.1%.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::cli::LoadArgs;
use crate::error::{LoadFailure, SockError};
use crate::narrate::Narrator;
use crate::tr;

/// Ways a client can fail, in the order the summary lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fail {
    Refused,
    TurnedAway,
    Connect,
    Closed,
    Io,
    Mismatch,
    Unfinished,
}

const FAILS: [Fail; 7] = [
    Fail::Refused,
    Fail::TurnedAway,
    Fail::Connect,
    Fail::Closed,
    Fail::Io,
    Fail::Mismatch,
    Fail::Unfinished,
];

impl Fail {
    fn label(self) -> String {
        match self {
            Fail::Refused => tr!("fail-refused"),
            Fail::TurnedAway => tr!("fail-turned-away"),
            Fail::Connect => tr!("fail-connect"),
            Fail::Closed => tr!("fail-closed"),
            Fail::Io => tr!("fail-io"),
            Fail::Mismatch => tr!("fail-mismatch"),
            Fail::Unfinished => tr!("fail-unfinished"),
        }
    }

    /// What this failure, `count` times over, means for the exit code.
    fn severity(self, count: u64) -> LoadFailure {
        match self {
            Fail::Refused => LoadFailure::Refused,
            Fail::TurnedAway => LoadFailure::TurnedAway { clients: count },
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
pub(super) struct Report {
    pub(super) connected: u64,
    pub(super) completed: u64,
    pub(super) round_trips: u64,
    /// Round-trip times in microseconds.
    pub(super) latency: Histogram<u64>,
    fails: [Tally; FAILS.len()],
    /// When the last client finished its round trips, since the start.
    pub(super) last_served: Duration,
    /// When the (last) worker stopped, since the start: the run's length,
    /// free of however late the main thread noticed.
    pub(super) ended: Duration,
}

impl Report {
    pub(super) fn new() -> Report {
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

    pub(super) fn fail(&mut self, kind: Fail, story: String) {
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

    pub(super) fn merge(&mut self, other: Report) {
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

/// Prints the summary and the result line; the error, if any client failed.
pub(super) fn summarise(
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

    say.info(tr!(
        "load-connected",
        connected = r.connected,
        clients = args.clients,
        finished = r.completed,
        held = if args.hold { "yes" } else { "no" }
    ));
    say.info(tr!(
        "load-verified",
        trips = r.round_trips,
        size = args.size,
        secs = format!("{:.3}", busy.as_secs_f64()),
        rate = format!("{rate:.0}")
    ));
    if !r.latency.is_empty() {
        say.info(tr!(
            "load-latency",
            p50 = ms(p50),
            p99 = ms(p99),
            max = ms(max)
        ));
    }
    if let Some(s) = served {
        say.info(tr!("load-served", secs = format!("{:.3}", s.as_secs_f64())));
    }
    for kind in FAILS {
        let t = &r.fails[kind as usize];
        if let Some(first) = &t.first {
            let how_many = match kind {
                // The count is the news here: how far past the server's
                // cap the run went.
                Fail::TurnedAway => tr!("load-turned-away", count = t.count),
                _ => tr!("load-failed", count = t.count, label = kind.label()),
            };
            say.warn(tr!("load-first", how_many = how_many, first = first));
        }
    }
    if interrupted {
        say.note(tr!("load-interrupted"));
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
        .max_by_key(|k| k.severity(r.count(**k)));
    match worst {
        None => Ok(()),
        Some(&kind) => Err(SockError::Load {
            clients: args.clients,
            failed,
            kind: if kind == Fail::Refused && failed != r.count(Fail::Refused) {
                // Some refused, others failed otherwise: an I/O failure.
                LoadFailure::Io
            } else {
                kind.severity(r.count(kind))
            },
            first: r.fails[kind as usize].first.clone().unwrap_or_default(),
        }),
    }
}

/// Microseconds as milliseconds, for people: `1.50 ms`.
fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}
