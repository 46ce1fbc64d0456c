//! A server's two streams, written by threads of their own so that a
//! terminal nobody reads can never stop the serving.
//!
//! Writing to stdout or stderr can block. A pipe holds 64 KiB; when nobody
//! reads it (`2>&1 | less` left unscrolled, a paused terminal) the next
//! write waits until somebody does. A server that wrote its own narration
//! would stop right there: no client served, no reply sent, and not even
//! Ctrl-C could end it with its summary. So once a server starts
//! ([`super::Narrator::start_output`]), everything it prints goes into this
//! queue, and two writer threads, one per stream, do the writing:
//!
//! - **Nothing that serves ever waits.** [`Output::push`] appends under a
//!   lock and returns; the accept loop, the event loop and the client
//!   threads never touch a file descriptor of the terminal.
//! - **Bounded.** Each stream holds at most [`BUDGET`] bytes. Past that,
//!   whole records are dropped and counted: said at once for stdout (on
//!   stderr), and for stderr as soon as it moves again; both counts come
//!   again before the summary ([`Output::finish`]).
//! - **In order.** Lines go out in the order they were made, across both
//!   streams: a client's `[IP:PORT] hi` record on stdout comes between its
//!   `Connected with` and `Disconnected` lines on stderr, as a terminal
//!   showing both expects. A writer waits at most [`CATCH_UP`] for the
//!   other stream to write an older line; a stream that takes longer is
//!   left behind (its lines come out late) until it catches up.
//! - **Failures said once.** A write that fails (stdout on a full disk,
//!   `> /dev/full`) is said once, and what it lost is counted. A reader
//!   that went away (`| head`) closes that stream quietly, as for `cat`.
//! - **Exit never waits.** [`Output::finish`] lets each stream drain for
//!   at most [`LAST_FLUSH`]; what is still waiting then is counted and left
//!   behind with the writer thread.
//!
//! - **A status line on a terminal.** A TCP server whose stderr is a
//!   terminal keeps one line at the bottom (`3 connected now | 12 served |
//!   1.2 KiB in | 5.4 KiB out`): the stderr writer clears it before each
//!   batch and draws it again after, and redraws it once a second
//!   ([`REDRAW`]) when it changed. Only the writer threads touch it, so a
//!   terminal that stops reading holds up the status line, never a client.
//!   Plain `\r` and spaces, no escape codes: every terminal, Windows'
//!   console included, draws it the same. Never when stderr is piped.
//!
//! Client steps (http-get, connect, udp-send) do not use this: their stdout
//! *is* the result, and dropping a byte of it would be losing data, while
//! waiting only slows that one transfer.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How many bytes each stream may hold waiting. A busy classroom prints a
/// few KiB a second, so this is minutes of a terminal nobody reads; memory
/// stays bounded however long nobody reads.
pub const BUDGET: usize = 1024 * 1024;

/// How long a writer waits for the other stream to write an older line
/// before it writes its own anyway. A terminal that keeps up needs
/// microseconds.
pub const CATCH_UP: Duration = Duration::from_millis(100);

/// How long a writer that has caught up waits for more lines before it
/// goes to sleep and must be woken for the next one.
pub const LINGER: Duration = Duration::from_millis(2);

/// How often the status line is looked at, and redrawn if it changed,
/// while no line comes to redraw it.
pub const REDRAW: Duration = Duration::from_secs(1);

/// How long a stopping server lets each stream drain. A reader that reads
/// gets every line; one that does not cannot hold the exit.
pub const LAST_FLUSH: Duration = Duration::from_millis(500);

/// The two streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Records: what clients sent.
    Out = 0,
    /// Narration: the tutorial's lines, notes, warnings, errors.
    Err = 1,
}

impl Stream {
    fn other(self) -> Stream {
        match self {
            Stream::Out => Stream::Err,
            Stream::Err => Stream::Out,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stream::Out => "stdout",
            Stream::Err => "stderr",
        }
    }

    fn write(self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Stream::Out => {
                let mut out = io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()
            }
            Stream::Err => io::stderr().lock().write_all(bytes),
        }
    }
}

/// The queue both writer threads and every producer share.
pub struct Output {
    state: Mutex<State>,
    /// Wakes a writer: lines arrived, or the server is stopping.
    wake: [Condvar; 2],
    /// Wakes whoever waits on a writer: a batch was written.
    progress: Condvar,
    /// The status line, once a server on a terminal asks for one.
    status: OnceLock<Status>,
    /// The status line is over (the summary comes next).
    status_off: AtomicBool,
    /// How many characters of status line the terminal shows now. Taken
    /// by the writer threads only, around each write to the terminal.
    shown: Mutex<usize>,
}

/// What the status line says, and where.
struct Status {
    /// Makes its text (from the server's tallies: atomics, no waiting).
    text: Box<dyn Fn() -> String + Send + Sync>,
    /// The terminal's width: the line stays shorter, or it would wrap.
    width: usize,
    /// stdout is the same terminal: its records must clear the line too.
    stdout_too: bool,
}

#[derive(Default)]
struct State {
    /// The number the next line gets: the order across both streams.
    next: u64,
    lanes: [Lane; 2],
    /// Threads waiting on `progress`: without any, a finished batch wakes
    /// nobody (and costs no system call).
    watching: usize,
}

/// One stream's queue and what happened to it.
#[derive(Default)]
struct Lane {
    /// Whole lines, back to back.
    bytes: Vec<u8>,
    /// Each line's number and where it ends in `bytes`.
    ends: VecDeque<(u64, usize)>,
    /// The number of the first line of the batch being written, if one is.
    writing: Option<u64>,
    /// How many lines that batch holds.
    writing_lines: u64,
    /// The other writer stopped waiting for this stream: its lines may come
    /// out of order until it has caught up.
    behind: bool,
    /// The writer has nothing to do and waits for `wake`.
    asleep: bool,
    /// Lines dropped because the queue was full, and how many of those
    /// have been said.
    dropped: u64,
    dropped_said: u64,
    /// Lines a failed write lost (a full disk), and whether that was said.
    lost: u64,
    failure_said: bool,
    /// The reader went away (`| head`): nothing more is written.
    gone: bool,
    /// The writer thread has ended.
    ended: bool,
}

impl Lane {
    /// The number of the oldest line not yet written, if any.
    fn oldest(&self) -> Option<u64> {
        self.writing.or_else(|| self.ends.front().map(|&(n, _)| n))
    }

    fn idle(&self) -> bool {
        self.writing.is_none() && self.ends.is_empty()
    }
}

/// What [`Output::finish`] found: lines that were never written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unshown {
    /// Records (stdout): dropped, lost to a failed write, or still waiting.
    pub records: u64,
    /// Narration lines (stderr), the same.
    pub lines: u64,
}

impl Output {
    /// The queue and its two writer threads.
    pub fn start() -> io::Result<Arc<Output>> {
        let output = Arc::new(Output {
            state: Mutex::default(),
            wake: [Condvar::new(), Condvar::new()],
            progress: Condvar::new(),
            status: OnceLock::new(),
            status_off: AtomicBool::new(false),
            shown: Mutex::new(0),
        });
        for stream in [Stream::Out, Stream::Err] {
            let theirs = Arc::clone(&output);
            thread::Builder::new()
                .name(format!("{} writer", stream.name()))
                .spawn(move || theirs.write_lane(stream))?;
        }
        Ok(output)
    }

    /// Queues one line (or record) made of `parts`, never waiting for the
    /// terminal. A full queue drops it, counted.
    pub fn push(&self, stream: Stream, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut s = self.lock();
        let lane = &mut s.lanes[stream as usize];
        if lane.gone || lane.ended {
            return;
        }
        // An empty queue takes any line, so one larger than the budget is
        // still written when the stream is read.
        if !lane.ends.is_empty() && lane.bytes.len() + len > BUDGET {
            lane.dropped += 1;
            let first = lane.dropped == 1;
            if first && stream == Stream::Out {
                drop(s);
                let line = format!(
                    "{} {}\n",
                    crate::tr!("label-warning"),
                    crate::tr!("console-stdout-unread")
                );
                self.push(Stream::Err, &[line.as_bytes()]);
            }
            return;
        }
        for part in parts {
            lane.bytes.extend_from_slice(part);
        }
        let n = s.next;
        s.next += 1;
        let lane = &mut s.lanes[stream as usize];
        lane.ends.push_back((n, lane.bytes.len()));
        // The writer sleeps only on an empty queue, so only the line that
        // finds it asleep wakes it (each wake-up is a system call), after
        // the lock is free (woken holding it, the writer would only wait
        // for it again).
        let wake = std::mem::take(&mut lane.asleep);
        drop(s);
        if wake {
            self.wake[stream as usize].notify_one();
        }
    }

    /// Keeps a status line at the bottom of the terminal from now on (see
    /// the module's doc): `text` makes it, `width` is the terminal's, and
    /// `stdout_too` says stdout is that terminal as well. Once per server.
    pub fn keep_status(
        &self,
        text: Box<dyn Fn() -> String + Send + Sync>,
        width: usize,
        stdout_too: bool,
    ) {
        let _ = self.status.set(Status {
            text,
            width,
            stdout_too,
        });
        // The stderr writer may be asleep with nothing to write: it must
        // start its redraw clock.
        self.wake[Stream::Err as usize].notify_one();
    }

    /// The status line to draw now, if one is kept: its text, cut to the
    /// terminal's width.
    fn status_text(&self) -> Option<String> {
        let status = self.status.get()?;
        if self.status_off.load(Ordering::Relaxed) {
            return None;
        }
        let mut text = (status.text)();
        text.truncate(status.width.saturating_sub(1));
        Some(text)
    }

    /// Writes `batch` to `stream` with the status line kept at the bottom:
    /// the line cleared first, drawn again after. Writer threads only.
    fn write_with_status(&self, stream: Stream, batch: &[u8]) -> io::Result<()> {
        let status = self.status.get();
        let touches = match (status, stream) {
            (None, _) => false,
            (Some(_), Stream::Err) => true,
            (Some(s), Stream::Out) => s.stdout_too,
        };
        if !touches {
            return stream.write(batch);
        }
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let clear = cleared(*shown);
        let text = self.status_text();
        match stream {
            Stream::Err => {
                let mut bytes = clear;
                bytes.extend_from_slice(batch);
                if let Some(text) = &text {
                    bytes.extend_from_slice(text.as_bytes());
                }
                Stream::Err.write(&bytes)?;
            }
            Stream::Out => {
                let _ = Stream::Err.write(&clear);
                *shown = 0;
                Stream::Out.write(batch)?;
                if let Some(text) = &text {
                    let _ = Stream::Err.write(text.as_bytes());
                }
            }
        }
        *shown = text.map_or(0, |t| t.len());
        Ok(())
    }

    /// The stderr writer has had nothing to write for [`REDRAW`]: the
    /// status line again, if it changed (a client left, bytes moved).
    fn redraw(&self, last: &mut String) {
        let Some(text) = self.status_text() else {
            return;
        };
        if text == *last {
            return;
        }
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let mut bytes = cleared(*shown);
        bytes.extend_from_slice(text.as_bytes());
        if Stream::Err.write(&bytes).is_ok() {
            *shown = text.len();
            *last = text;
        }
    }

    /// Lets both streams drain, each for at most [`LAST_FLUSH`], and says
    /// what was never written. Lines pushed after this are still queued
    /// (and can be drained again with [`Output::flush`]). The status line
    /// ends here: the next line written clears it, for the summary.
    pub fn finish(&self) -> Unshown {
        self.status_off.store(true, Ordering::Relaxed);
        // stdout first: its count belongs in the narration that follows.
        self.flush_lane(Stream::Out, LAST_FLUSH);
        let mut s = self.lock();
        let out = &mut s.lanes[Stream::Out as usize];
        let records = out.dropped + out.lost + if out.gone { 0 } else { waiting(out) };
        // What stdout still holds will not be written before the exit:
        // cleared, so the order of the narration no longer waits for it.
        out.bytes = Vec::new();
        out.ends.clear();
        out.behind = true;
        let err = &s.lanes[Stream::Err as usize];
        let lines = err.dropped + err.lost;
        drop(s);
        Unshown { records, lines }
    }

    /// Waits, at most `within`, until stderr has written what it holds
    /// (stdout's records were settled by [`Output::finish`]).
    pub fn flush(&self, within: Duration) {
        self.flush_lane(Stream::Err, within);
    }

    fn flush_lane(&self, stream: Stream, within: Duration) {
        let deadline = Instant::now() + within;
        let mut s = self.lock();
        loop {
            let lane = &s.lanes[stream as usize];
            if lane.idle() || lane.gone || lane.ended {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            s = self.await_progress(s, left);
        }
    }

    /// Waits (at most `left`) for a writer to finish a batch.
    fn await_progress<'a>(
        &self,
        mut s: MutexGuard<'a, State>,
        left: Duration,
    ) -> MutexGuard<'a, State> {
        s.watching += 1;
        let mut s = match self.progress.wait_timeout(s, left) {
            Ok((s, _)) => s,
            Err(poisoned) => poisoned.into_inner().0,
        };
        s.watching -= 1;
        s
    }

    /// Tells whoever waits that a batch was written.
    fn announce_progress(&self, s: &State) {
        if s.watching > 0 {
            self.progress.notify_all();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left whole lines.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One writer thread: takes what its stream holds, in order with the
    /// other stream, and writes it (this is where it may block, and only
    /// here), until the stream's reader goes away.
    fn write_lane(&self, stream: Stream) {
        let (me, them) = (stream as usize, stream.other() as usize);
        let mut batch = Vec::new();
        // What the status line said when last drawn by a redraw.
        let mut last_status = String::new();
        loop {
            let mut s = self.lock();
            if s.lanes[me].ends.is_empty() {
                // Caught up. A busy server makes the next line within
                // microseconds: waiting a moment for it, unasked, turns a
                // wake-up per line into one per batch (serve-poll's
                // narration cost 0.55x of --quiet's throughput without).
                s = match self.wake[me].wait_timeout(s, LINGER) {
                    Ok((s, _)) => s,
                    Err(poisoned) => poisoned.into_inner().0,
                };
            }
            while s.lanes[me].ends.is_empty() {
                s.lanes[me].asleep = true;
                if stream == Stream::Err && self.status.get().is_some() {
                    // A status line to keep fresh: wake now and then.
                    let (guard, waited) = self.wake[me]
                        .wait_timeout(s, REDRAW)
                        .unwrap_or_else(|e| e.into_inner());
                    s = guard;
                    if waited.timed_out() && s.lanes[me].ends.is_empty() {
                        drop(s);
                        self.redraw(&mut last_status);
                        s = self.lock();
                    }
                } else {
                    s = self.wake[me].wait(s).unwrap_or_else(|e| e.into_inner());
                }
            }
            // Order: an older line on the other stream goes first, unless
            // that stream is stuck.
            let first = s.lanes[me].ends.front().map_or(0, |&(n, _)| n);
            let deadline = Instant::now() + CATCH_UP;
            while !s.lanes[them].behind && s.lanes[them].oldest().is_some_and(|o| o < first) {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    s.lanes[them].behind = true;
                    break;
                }
                s = self.await_progress(s, left);
            }
            let limit = match (s.lanes[them].behind, s.lanes[them].oldest()) {
                (false, Some(o)) => o,
                _ => u64::MAX,
            };
            let lane = &mut s.lanes[me];
            let lines = lane
                .ends
                .iter()
                .take_while(|&&(n, _)| n < limit)
                .count()
                .max(1);
            let end = lane.ends[lines - 1].1;
            if lines == lane.ends.len() {
                // Swap, not copy: producers get an empty queue (with the
                // last batch's memory) at once.
                std::mem::swap(&mut lane.bytes, &mut batch);
                lane.ends.clear();
            } else {
                batch.extend_from_slice(&lane.bytes[..end]);
                lane.bytes.drain(..end);
                lane.ends.drain(..lines);
                for (_, e) in lane.ends.iter_mut() {
                    *e -= end;
                }
            }
            lane.writing = Some(first);
            lane.writing_lines = lines as u64;
            drop(s);

            let written = self.write_with_status(stream, &batch);
            batch.clear();
            // One line larger than the budget should not keep its memory.
            if batch.capacity() > 2 * BUDGET {
                batch = Vec::new();
            }

            let mut s = self.lock();
            let lane = &mut s.lanes[me];
            lane.writing = None;
            let lines = std::mem::take(&mut lane.writing_lines);
            if lane.ends.is_empty() {
                lane.behind = false;
            }
            let mut say = None;
            match written {
                Ok(()) => {
                    // stderr moves again: say what it could not show.
                    if stream == Stream::Err && lane.dropped > lane.dropped_said {
                        let n = lane.dropped - lane.dropped_said;
                        lane.dropped_said = lane.dropped;
                        say = Some(format!(
                            "{} {}\n",
                            crate::tr!("label-warning"),
                            crate::tr!("console-stderr-dropped", count = n)
                        ));
                    }
                }
                // `| head` has read enough: nobody is told (that is normal).
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                    lane.gone = true;
                    lane.bytes = Vec::new();
                    lane.ends.clear();
                    lane.ended = true;
                    self.announce_progress(&s);
                    return;
                }
                // A full disk is not a reader that left: lines were lost.
                Err(e) => {
                    lane.lost += lines;
                    if !lane.failure_said {
                        lane.failure_said = true;
                        say = Some(format!(
                            "warning: cannot write to {}: {e}; what does not fit is counted \
                             and said before the summary (the clients are still served)\n",
                            stream.name()
                        ));
                    }
                }
            }
            self.announce_progress(&s);
            drop(s);
            if let Some(line) = say {
                // On stderr's own failure there is nowhere else to say it.
                self.push(Stream::Err, &[line.as_bytes()]);
            }
        }
    }
}

/// What erases a status line of `shown` characters and puts the cursor
/// back at the start of its line: `\r`, spaces over it, `\r`.
fn cleared(shown: usize) -> Vec<u8> {
    if shown == 0 {
        return Vec::new();
    }
    let mut bytes = Vec::with_capacity(shown + 2);
    bytes.push(b'\r');
    bytes.resize(shown + 1, b' ');
    bytes.push(b'\r');
    bytes
}

/// Lines still queued or being written.
fn waiting(lane: &Lane) -> u64 {
    lane.ends.len() as u64 + lane.writing_lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queue with no writer threads: what producers do to it.
    fn unwritten() -> Output {
        Output {
            state: Mutex::default(),
            wake: [Condvar::new(), Condvar::new()],
            progress: Condvar::new(),
            status: OnceLock::new(),
            status_off: AtomicBool::new(false),
            shown: Mutex::new(0),
        }
    }

    #[test]
    fn the_status_line_is_cleared_with_spaces_and_cut_to_the_width() {
        assert_eq!(cleared(0), b"");
        assert_eq!(cleared(3), b"\r   \r");
        let q = unwritten();
        assert_eq!(q.status_text(), None, "no status line unless asked");
        q.keep_status(Box::new(|| "0123456789".into()), 6, false);
        assert_eq!(q.status_text().as_deref(), Some("01234"));
        q.status_off.store(true, Ordering::Relaxed);
        assert_eq!(q.status_text(), None, "over once the summary comes");
    }

    #[test]
    fn lines_are_numbered_across_both_streams() {
        let q = unwritten();
        q.push(Stream::Err, &[b"Connected\n"]);
        q.push(Stream::Out, &[b"[peer] ", b"hi\n"]);
        q.push(Stream::Err, &[b"Disconnected\n"]);
        let s = q.lock();
        assert_eq!(s.lanes[1].bytes, b"Connected\nDisconnected\n");
        assert_eq!(s.lanes[0].bytes, b"[peer] hi\n");
        assert_eq!(
            s.lanes[1].ends.iter().map(|e| e.0).collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(s.lanes[0].oldest(), Some(1));
    }

    #[test]
    fn a_full_queue_drops_whole_lines_and_counts_them() {
        let q = unwritten();
        q.push(Stream::Out, &[&vec![b'x'; BUDGET - 100]]);
        q.push(Stream::Out, &[&[b'y'; 200]]);
        q.push(Stream::Out, &[&[b'z'; 50]]);
        let s = q.lock();
        let out = &s.lanes[0];
        assert_eq!(
            out.bytes.len(),
            BUDGET - 50,
            "the 200 bytes were dropped whole"
        );
        assert_eq!((out.ends.len(), out.dropped), (2, 1));
        // Said once, on stderr.
        assert_eq!(s.lanes[1].ends.len(), 1);
    }

    #[test]
    fn an_empty_queue_takes_a_line_over_the_budget() {
        let q = unwritten();
        q.push(Stream::Err, &[&vec![b'x'; 2 * BUDGET]]);
        assert_eq!(q.lock().lanes[1].bytes.len(), 2 * BUDGET);
    }
}
