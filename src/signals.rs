//! Ctrl-C and SIGTERM: how a server is asked to stop, and how every wait
//! inside it hears the request.
//!
//! A flag alone is not enough. A thread asleep in `accept` or `recv` does
//! not look at flags, and a signal does not wake it either (Rust retries a
//! call a signal interrupted). Waking it with a timeout (`SO_RCVTIMEO`)
//! works on Linux only: macOS and Windows let `accept` sleep through it.
//! So socktool's servers never sleep in those calls. They sleep in `poll`,
//! watching two things at once: their socket, and a *doorbell*, the read
//! end of a pipe. Ctrl-C rings the bell (one byte into the pipe), which
//! makes the pipe readable, and every waiting thread wakes at once. Nobody
//! reads that byte, so the bell keeps ringing: every later wait returns at
//! once too, which is exactly what a stopping server wants.
//!
//! The signal handler itself comes from the `ctrlc` crate, which runs it on
//! a thread of its own rather than inside the signal (where almost nothing
//! is safe), on Unix (SIGINT, SIGTERM, SIGHUP) and Windows (Ctrl-C, closing
//! the console) alike. [`Stop`] is handed to whoever needs it: a server can
//! be stopped by a signal, by `--max-clients`, or by a test, the same way.
//!
//! A second Ctrl-C while the first is still being handled ends the process
//! at once with exit code 130, as a shell reports a Ctrl-C, after printing
//! the server's summary so far ([`Stop::set_last_words`]): no server ever
//! needs `kill -9`, whatever its terminal or its clients do.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::tr;

/// Exit code of a second Ctrl-C: 128 + SIGINT, as shells report it.
pub const FORCED_EXIT: i32 = 130;

/// How long a forced exit may spend printing the summary. A terminal that
/// is not being read would otherwise hold it forever.
const LAST_WORDS: Duration = Duration::from_millis(200);

/// A request to stop, and the doorbell that announces it. Clones share one.
#[derive(Clone)]
pub struct Stop {
    inner: Arc<Inner>,
}

type Words = Box<dyn Fn() -> String + Send>;

struct Inner {
    requested: AtomicBool,
    /// When the stop was requested: stopping has a deadline.
    since: OnceLock<Instant>,
    /// Signals received so far: the second one forces the exit.
    signals: AtomicU32,
    bell: Doorbell,
    /// What a forced exit prints: the summary so far.
    last_words: Mutex<Option<Words>>,
}

/// The one `Stop` of a process whose Ctrl-C it answers (ctrlc takes one
/// handler per process).
static ON_CTRL_C: OnceLock<Stop> = OnceLock::new();

impl Stop {
    /// A stop that only the program itself requests ([`Stop::request`]).
    pub fn new() -> io::Result<Stop> {
        Ok(Stop {
            inner: Arc::new(Inner {
                requested: AtomicBool::new(false),
                since: OnceLock::new(),
                signals: AtomicU32::new(0),
                bell: Doorbell::new()?,
                last_words: Mutex::new(None),
            }),
        })
    }

    /// The stop that Ctrl-C, SIGTERM (and on a terminal, SIGHUP) request.
    /// Installed once per process; later calls return the same one.
    pub fn on_ctrl_c() -> io::Result<Stop> {
        if let Some(stop) = ON_CTRL_C.get() {
            return Ok(stop.clone());
        }
        let stop = Stop::new()?;
        let handler = stop.clone();
        ctrlc::set_handler(move || handler.signalled()).map_err(|e| match e {
            ctrlc::Error::System(e) => e,
            other => io::Error::other(other.to_string()),
        })?;
        Ok(ON_CTRL_C.get_or_init(|| stop).clone())
    }

    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }

    /// Whether a signal (Ctrl-C, SIGTERM) asked for the stop, rather than
    /// the program itself.
    pub fn by_signal(&self) -> bool {
        self.inner.signals.load(Ordering::SeqCst) > 0
    }

    /// When the stop was requested, if it was.
    pub fn since(&self) -> Option<Instant> {
        self.inner.since.get().copied()
    }

    /// Asks for a stop from inside the program (`--max-clients` reached, a
    /// fatal error), so every wait ends the same way a signal ends it.
    pub fn request(&self) {
        let _ = self.inner.since.set(Instant::now());
        if !self.inner.requested.swap(true, Ordering::SeqCst) {
            self.inner.bell.ring();
        }
    }

    /// What a second Ctrl-C prints before it exits: the server's summary
    /// as it stands (computed when the signal comes).
    pub fn set_last_words(&self, words: impl Fn() -> String + Send + 'static) {
        *self.lock_words() = Some(Box::new(words));
    }

    /// The doorbell every wait watches beside its socket.
    pub fn bell(&self) -> &Doorbell {
        &self.inner.bell
    }

    /// Registers the doorbell with a readiness loop (serve-poll's epoll),
    /// so that a stop wakes the loop like any other event. Keep the
    /// [`Watch`] as long as the loop runs.
    pub fn watch(&self, registry: &mio::Registry, token: mio::Token) -> io::Result<Watch> {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let fd = self.inner.bell.read.as_raw_fd();
            registry.register(
                &mut mio::unix::SourceFd(&fd),
                token,
                mio::Interest::READABLE,
            )?;
            Ok(Watch {})
        }
        #[cfg(windows)]
        {
            let mut socket = mio::net::UdpSocket::from_std(self.inner.bell.socket.try_clone()?);
            registry.register(&mut socket, token, mio::Interest::READABLE)?;
            Ok(Watch { _socket: socket })
        }
    }

    fn signalled(&self) {
        if self.inner.signals.fetch_add(1, Ordering::SeqCst) == 0 {
            self.request();
        } else {
            self.force_exit();
        }
    }

    /// The second signal: print the summary so far, within [`LAST_WORDS`],
    /// and exit 130 whatever stderr does.
    fn force_exit(&self) -> ! {
        // stderr may be a pipe nobody reads: the write below would wait
        // for ever. This thread makes sure the exit does not.
        let _ = thread::Builder::new().spawn(|| {
            thread::sleep(LAST_WORDS);
            std::process::exit(FORCED_EXIT)
        });
        let words = self.lock_words().as_ref().map(|w| w());
        if let Some(words) = words {
            let fresh_line = if io::stderr().is_terminal() { "\n" } else { "" };
            let text = format!(
                "{fresh_line}{} {}\n{words}\n",
                tr!("label-note"),
                tr!("second-ctrl-c", code = FORCED_EXIT)
            );
            let _ = io::stderr().lock().write_all(text.as_bytes());
        }
        std::process::exit(FORCED_EXIT)
    }

    fn lock_words(&self) -> std::sync::MutexGuard<'_, Option<Words>> {
        self.inner
            .last_words
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// The doorbell: a pipe whose read end every wait watches. Ringing writes
/// one byte that nobody ever reads, so the read end stays readable.
#[cfg(unix)]
pub struct Doorbell {
    read: io::PipeReader,
    write: io::PipeWriter,
}

#[cfg(unix)]
impl Doorbell {
    fn new() -> io::Result<Doorbell> {
        let (read, write) = io::pipe()?;
        Ok(Doorbell { read, write })
    }

    fn ring(&self) {
        // One byte fits in any pipe; a failure could only mean the read
        // end is gone, and then nobody is waiting anyway.
        let _ = (&self.write).write_all(b"!");
    }

    /// What a wait watches (readable once rung).
    pub fn watched(&self) -> &dyn std::os::fd::AsFd {
        &self.read
    }
}

/// Windows waits on sockets only (WSAPoll, and mio's AFD polling), so its
/// doorbell is a UDP socket on loopback, connected to itself: ringing sends
/// it one datagram, which nobody reads, so it stays readable. Being
/// connected, it takes datagrams from itself only.
#[cfg(windows)]
pub struct Doorbell {
    socket: std::net::UdpSocket,
}

#[cfg(windows)]
impl Doorbell {
    fn new() -> io::Result<Doorbell> {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
        socket.connect(socket.local_addr()?)?;
        Ok(Doorbell { socket })
    }

    fn ring(&self) {
        let _ = self.socket.send(b"!");
    }

    /// What a wait watches (readable once rung).
    pub fn watched(&self) -> &dyn std::os::windows::io::AsSocket {
        &self.socket
    }
}

/// What keeps the doorbell registered with a readiness loop: on Windows,
/// mio's own handle on its socket; on Unix, nothing.
pub struct Watch {
    #[cfg(windows)]
    _socket: mio::net::UdpSocket,
}
