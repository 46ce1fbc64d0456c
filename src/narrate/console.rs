//! A server's console: what its clients send, shown on stdout without ever
//! holding up the serving.
//!
//! Writing to stdout can block. A pipe holds 64 KiB; when nobody reads it
//! (`socktool serve-threaded | less` and nobody scrolls, a program after the
//! `|` that is stuck), the next `write` sleeps until somebody does. If a
//! server wrote there itself, that sleep would come in the middle of
//! serving: serve-threaded's client threads would stop
//! before sending their replies (one of them holding stdout's lock, so every
//! other client stops at its next record too), and serve-poll, one thread
//! for everybody, would stop altogether. The window would freeze the room.
//!
//! So a server never writes to stdout itself. Each record goes, whole, into
//! a bounded queue, and one writer thread, the only one that waits for
//! stdout, empties it:
//!
//! ```text
//! client threads, or the poll loop            the writer thread
//!   show(record) -> lock, append it whole ->  queue (<= 1 MiB) -> take it all, unlock
//!                   (never waits for stdout)                      write(stdout)  <- only this may block
//! ```
//!
//! - Records go in whole, under the lock, and come out in order, so records
//!   of different clients never mix mid-record.
//! - When the queue is full ([`BUDGET`]), a new record is dropped and
//!   counted, never waited for. The first drop is said at once on stderr,
//!   the count comes with the server's summary. A reader that catches up
//!   sees records again, each one whole.
//! - While stdout keeps up, `show` waits (microseconds) until its record
//!   is written, so the screen shows it where it happened: after the
//!   `recv`, before the reply and the goodbye, as the tutorial's `print`
//!   did. A console that has not written a record within [`CATCH_UP`]
//!   (100 ms) is *stalled*: from then on `show` only queues, without
//!   waiting, until the writer has emptied the queue again. The order of
//!   lines is given up before the serving is, and a stuck stdout costs the
//!   server at most 100 ms once.
//! - When the server stops, the queue gets [`LAST_FLUSH`] to drain. A
//!   stdout still not read after that is left behind (what it did not take
//!   is counted as not shown): exit never waits for it.
//!
//! Only the servers' console works this way. http-get, connect and udp-send
//! write what they receive straight to stdout and wait for it: there stdout
//! *is* the result, and dropping bytes of it would be losing data, while
//! waiting only slows that one transfer.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::Narrator;
use crate::error::SockError;

/// How many bytes of records may wait for stdout. A busy classroom sends a
/// few KiB a second, so this is minutes of a console nobody reads; memory
/// stays bounded (the queue, plus the batch the writer is writing, plus at
/// most one record larger than this) however long nobody reads.
pub const BUDGET: usize = 1024 * 1024;

/// How long `show` waits for its record to reach stdout before it takes
/// the console for stalled and stops waiting. A console that keeps up
/// needs microseconds.
pub const CATCH_UP: Duration = Duration::from_millis(100);

/// How long a stopping server lets the queue drain into stdout. A reader
/// that reads gets every record; one that does not cannot hold the exit.
pub const LAST_FLUSH: Duration = Duration::from_millis(500);

/// The server's end of the console: starts the writer thread and, in
/// [`Console::finish`], drains it and says what was not shown.
pub struct Console {
    window: Window,
    writer: Option<JoinHandle<()>>,
}

/// What a client (or the poll loop) holds to show records: cheap to clone,
/// and [`Window::show`] never waits for stdout.
#[derive(Clone)]
pub struct Window {
    /// `None` with `--quiet`: nothing is shown and no thread runs.
    shared: Option<Arc<Shared>>,
}

/// What the showing side and the writer thread share.
struct Shared {
    state: Mutex<State>,
    /// Wakes the writer: records arrived, or the server is stopping.
    wake: Condvar,
    /// Wakes whoever waits for the writer (`show`, `finish`): a batch
    /// was written, or the writer has ended.
    progress: Condvar,
    /// The server's narrator, for the warnings.
    say: Narrator,
}

#[derive(Default)]
struct State {
    /// Whole records, back to back, not yet taken by the writer.
    queue: Vec<u8>,
    /// How many records `queue` holds.
    queued: u64,
    /// How many records the writer is writing right now.
    writing: u64,
    /// Records ever queued, and ever written (or failed to write): `show`
    /// waits until `written` reaches its own record's number.
    queued_ever: u64,
    written: u64,
    /// Records dropped because the queue was full.
    dropped: u64,
    /// A record was not written within [`CATCH_UP`], or was dropped: `show`
    /// does not wait for the writer until it has emptied the queue again.
    stalled: bool,
    /// The server is stopping: write what is queued, then end.
    closing: bool,
    /// The writer thread has ended.
    ended: bool,
    /// stdout's reader went away (`| head`): nothing more can be shown.
    gone: bool,
}

impl Narrator {
    /// A console for a server's records: a writer thread, or nothing at all
    /// with `--quiet` (a busy server's console would otherwise cost more
    /// than the serving itself).
    pub fn console(&self) -> Console {
        let none = Console {
            window: Window { shared: None },
            writer: None,
        };
        if self.is_quiet() {
            return none;
        }
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            wake: Condvar::new(),
            progress: Condvar::new(),
            say: Narrator {
                prefix: String::new(),
                ..self.clone()
            },
        });
        let theirs = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("console".into())
            .spawn(move || write_records(&theirs));
        match spawned {
            Ok(writer) => Console {
                window: Window {
                    shared: Some(shared),
                },
                writer: Some(writer),
            },
            Err(e) => {
                self.warn(format!(
                    "cannot start the console's thread ({e}): what clients send is not shown"
                ));
                none
            }
        }
    }
}

impl Console {
    /// A handle for showing records, for a client or a loop.
    pub fn window(&self) -> Window {
        self.window.clone()
    }

    /// See [`Window::show`].
    pub fn show(&self, peer: Option<SocketAddr>, data: &[u8]) {
        self.window.show(peer, data);
    }

    /// Lets the queue drain for at most [`LAST_FLUSH`], ends the writer,
    /// and says how many records were not shown, if any. Call it before
    /// the summary; calling it again does nothing.
    pub fn finish(&mut self) {
        let Some(shared) = self.window.shared.take() else {
            return;
        };
        let deadline = Instant::now() + LAST_FLUSH;
        let mut s = shared.lock();
        s.closing = true;
        shared.wake.notify_one();
        while !s.ended {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            s = match shared.progress.wait_timeout(s, left) {
                Ok((s, _)) => s,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        let mut unshown = s.dropped;
        if !s.ended {
            // Still blocked in write: what it holds and what waits behind
            // it will not be shown before we exit. The queue is emptied so
            // the writer ends after its batch if stdout ever moves again.
            unshown += s.queued + s.writing;
            s.queue = Vec::new();
            s.queued = 0;
        }
        let gone = s.gone;
        let ended = s.ended;
        drop(s);
        if ended && let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        // A writer still blocked is left behind: the process exit ends it
        // (Rust's exit does not wait for stdout's lock, which it holds).
        if unshown > 0 && !gone {
            shared.say.warn(format!(
                "{} not shown: stdout was not being read, or not fast enough (the clients were still served)",
                records(unshown)
            ));
        }
    }
}

impl Drop for Console {
    /// A server that ends early (an error) still drains its console.
    fn drop(&mut self) {
        self.finish();
    }
}

impl Window {
    /// Shows one record: `[IP:PORT] ` (when `peer` is given) + the bytes
    /// unchanged + `\n` if a labelled record did not end with one, so every
    /// record starts on its own line. Waits for stdout only while it keeps
    /// up, and never longer than [`CATCH_UP`]; when [`BUDGET`] bytes already
    /// wait for stdout, the record is dropped and counted.
    pub fn show(&self, peer: Option<SocketAddr>, data: &[u8]) {
        let Some(shared) = &self.shared else {
            return;
        };
        let mut s = shared.lock();
        if s.gone || s.closing {
            return;
        }
        // A label is at most ~60 bytes; the budget need not be exact.
        let size = data.len() + if peer.is_some() { 64 } else { 0 };
        // An empty queue takes any record, so one larger than the budget is
        // still shown when stdout is read.
        if !s.queue.is_empty() && s.queue.len() + size > BUDGET {
            s.dropped += 1;
            s.stalled = true;
            let first = s.dropped == 1;
            drop(s);
            if first {
                shared.say.warn(
                    "stdout is not being read: records are not shown until it is, and are counted \
                     (the clients are still served)",
                );
            }
            return;
        }
        let was_empty = s.queue.is_empty();
        if let Some(peer) = peer {
            let _ = write!(s.queue, "[{peer}] ");
        }
        s.queue.extend_from_slice(data);
        if peer.is_some() && !data.ends_with(b"\n") {
            s.queue.push(b'\n');
        }
        s.queued += 1;
        s.queued_ever += 1;
        // The writer sleeps only on an empty queue, so only the first
        // record needs to wake it (each wake-up is a system call).
        if was_empty {
            shared.wake.notify_one();
        }
        // Wait until this record is out (not for the whole queue: a busy
        // console need not be empty, only past it), unless stalled.
        let mine = s.queued_ever;
        let deadline = Instant::now() + CATCH_UP;
        while s.written < mine && !s.stalled && !s.ended {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                s.stalled = true;
                return;
            }
            s = match shared.progress.wait_timeout(s, left) {
                Ok((s, _)) => s,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left whole records.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The writer thread: takes everything queued, writes it to stdout (this
/// is where it may block, and only it), and again, until the server stops
/// and the queue is empty, or stdout's reader has gone.
fn write_records(shared: &Shared) {
    let mut batch = Vec::new();
    loop {
        let mut s = shared.lock();
        while s.queue.is_empty() && !s.closing {
            s = shared.wake.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.queue.is_empty() {
            s.ended = true;
            shared.progress.notify_all();
            return;
        }
        // Swap, not copy: the showing side gets an empty queue (with the
        // last batch's memory) at once and never waits for this write.
        std::mem::swap(&mut s.queue, &mut batch);
        s.writing = std::mem::take(&mut s.queued);
        drop(s);

        let written = shared.say.data(&batch);
        batch.clear();
        // One record larger than the budget should not keep its memory.
        if batch.capacity() > 2 * BUDGET {
            batch = Vec::new();
        }

        let mut s = shared.lock();
        s.written += std::mem::take(&mut s.writing);
        if s.queue.is_empty() {
            // Caught up: goodbyes may wait for the console again.
            s.stalled = false;
        }
        shared.progress.notify_all();
        match written {
            Ok(()) => {}
            // `| head` has read enough: the window is closed, the
            // conversations go on, and nobody is told (that is normal).
            Err(SockError::StdoutClosed) => {
                s.gone = true;
                s.queue = Vec::new();
                s.queued = 0;
                s.ended = true;
                shared.progress.notify_all();
                return;
            }
            // A full disk is not a reader that left: records were lost.
            Err(e) => {
                drop(s);
                shared.say.warn(e);
            }
        }
    }
}

/// `1 record`, `2 records`.
fn records(n: u64) -> String {
    if n == 1 {
        "1 record".into()
    } else {
        format!("{n} records")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{ColorChoice, OutputOpts};

    fn quiet() -> Narrator {
        Narrator::new(&OutputOpts {
            color: ColorChoice::Never,
            quiet: true,
            trace: false,
            hex: false,
        })
    }

    /// A window onto a queue with no writer, already stalled (so `show`
    /// does not wait for a writer that will never come): what it appends.
    fn unwritten() -> (Window, Arc<Shared>) {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                stalled: true,
                ..State::default()
            }),
            wake: Condvar::new(),
            progress: Condvar::new(),
            say: quiet(),
        });
        let window = Window {
            shared: Some(Arc::clone(&shared)),
        };
        (window, shared)
    }

    #[test]
    fn records_are_labelled_whole_and_keep_their_bytes() {
        let (window, shared) = unwritten();
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        window.show(Some(peer), b"hi");
        window.show(Some(peer), b"hi\n");
        window.show(Some(peer), &[0, 255]);
        window.show(None, b"as is");
        let s = shared.lock();
        assert_eq!(
            s.queue,
            b"[127.0.0.1:5000] hi\n[127.0.0.1:5000] hi\n[127.0.0.1:5000] \x00\xff\nas is"
        );
        assert_eq!((s.queued, s.dropped), (4, 0));
    }

    #[test]
    fn a_full_queue_drops_and_counts_whole_records() {
        let (window, shared) = unwritten();
        let big = vec![b'x'; BUDGET - 100];
        window.show(None, &big);
        window.show(None, &[b'y'; 200]);
        window.show(None, &[b'z'; 50]);
        let s = shared.lock();
        assert_eq!(
            s.queue.len(),
            BUDGET - 50,
            "the 200 bytes were dropped whole"
        );
        assert!(s.queue.ends_with(&[b'z'; 50]));
        assert_eq!((s.queued, s.dropped), (2, 1));
    }

    #[test]
    fn a_record_not_written_in_time_stalls_the_console() {
        let (window, shared) = unwritten();
        shared.lock().stalled = false;
        let started = Instant::now();
        window.show(None, b"first");
        assert!(started.elapsed() >= CATCH_UP, "waited for the writer");
        assert!(shared.lock().stalled);
        let started = Instant::now();
        window.show(None, b"second");
        assert!(started.elapsed() < CATCH_UP, "stalled: no more waiting");
        assert_eq!(shared.lock().queue, b"firstsecond");
    }

    #[test]
    fn an_empty_queue_takes_a_record_over_the_budget() {
        let (window, shared) = unwritten();
        window.show(None, &vec![b'x'; 2 * BUDGET]);
        assert_eq!(shared.lock().queue.len(), 2 * BUDGET);
    }

    #[test]
    fn quiet_starts_no_thread_and_shows_nothing() {
        let mut console = quiet().console();
        assert!(console.writer.is_none());
        console.show(None, b"nothing");
        console.finish();
    }
}
