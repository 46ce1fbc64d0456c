//! Closing gently, and goodbyes that take time.
//!
//! When the server closes first, a plain `close` can lose the end of the
//! conversation. If the client has sent bytes the server never read (a
//! second line, a flood, a newcomer's greeting), the kernel answers the
//! close with a reset (RST) instead of a FIN, and a reset makes the
//! client's kernel throw away whatever of our reply it has not delivered
//! yet: the `Server full` line, the last answer. So a server that closes
//! first says goodbye in three moves:
//!
//! ```text
//! shutdown(SHUT_WR)     the FIN goes out behind the last reply byte
//! recv ... recv         whatever the client still sends is read and thrown away
//! close                 once the client's FIN came, or its kernel has acknowledged
//!                       everything (Linux: SIOCOUTQ 0; macOS: SO_NWRITE 0; Windows
//!                       does not say), or GOODBYE passed
//! ```
//!
//! That can take a while: a client's kernel acknowledges after its delayed
//! ACK (about 40 ms), and a client that never reads or closes is waited for
//! until [`GOODBYE`]. A thread that serves one client can afford it. The
//! accept loop cannot: it would keep every newcomer waiting behind a crowd
//! of goodbyes. So serve-threaded hands the goodbyes its accept loop owes
//! (`Server full`, or no thread to serve a client) to [`Farewells`], one
//! thread that says them all. serve-poll keeps a goodbye as state in its
//! event loop instead (see `polled.rs`).

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{GOODBYE, Server};
use crate::narrate::Narrator;
use crate::sockopt::{self, AsSock, Stream, Want};
use crate::tr;

/// How often a goodbye still waiting for an acknowledgement looks again
/// (the kernel has no event for "acknowledged").
const LOOK_AGAIN: Duration = Duration::from_millis(5);

/// How many reads one look at a goodbye may make.
const READS_PER_LOOK: usize = 8;

/// The most goodbyes [`Farewells`] keeps waiting at once. A flood of
/// newcomers beyond that is closed at once: losing one `Server full` line
/// is better than holding thousands of descriptors.
const MOST_WAITING: usize = 1000;

/// A gentle close under way: the FIN is sent, the client's side awaited.
pub struct Goodbye {
    deadline: Instant,
    /// Bytes the client sent after the server stopped reading: thrown away.
    discarded: u64,
    over: bool,
}

impl Goodbye {
    /// `shutdown(SHUT_WR)`: the FIN goes out behind the last reply byte.
    /// The goodbye is over at once if the client already reset (ENOTCONN).
    pub fn begin(stream: &impl AsSock, say: &Narrator, within: Duration) -> Goodbye {
        let shut = sockopt::shutdown_write(stream, say);
        Goodbye {
            deadline: Instant::now() + within,
            discarded: 0,
            over: shut.is_err(),
        }
    }

    /// Reads (and throws away) what the client sent, then says whether the
    /// goodbye is over: the client closed its side or reset, its kernel
    /// acknowledged everything with nothing left unread here (Linux), or
    /// the time is up.
    pub fn is_over(&mut self, stream: &impl Stream, scrap: &mut [u8]) -> bool {
        let quiet = Narrator::silent();
        // A client that keeps sending must not keep this call (and a loop
        // that serves others) busy: a few reads a look, then the clock.
        for _ in 0..READS_PER_LOOK {
            if self.over {
                break;
            }
            match sockopt::recv(stream, scrap, &quiet) {
                Ok(0) => self.over = true,
                Ok(n) => self.discarded += n as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // A reset: nothing more can reach the client.
                Err(_) => self.over = true,
            }
        }
        if !self.over && matches!(sockopt::unacknowledged(&stream), Ok(0)) {
            self.over = true;
        }
        self.over || Instant::now() >= self.deadline
    }

    /// When to look again: at the deadline, or soon where the kernel tells
    /// acknowledgements (there is no event for them).
    pub fn look_again(&self) -> Instant {
        if cfg!(any(target_os = "linux", target_vendor = "apple")) {
            self.deadline.min(Instant::now() + LOOK_AGAIN)
        } else {
            self.deadline
        }
    }

    /// Says what was thrown away, if anything (with `--trace`).
    pub fn end(&self, stream: &impl AsSock, say: &Narrator) {
        if self.discarded > 0 {
            say.trace(
                "recv",
                format_args!("fd {}, before close", sockopt::fd(stream)),
                tr!("discarded", bytes = self.discarded),
            );
        }
    }
}

/// A whole gentle close on the calling thread: shutdown, then wait in poll
/// until the goodbye is over. For a thread that serves only this client.
pub fn close_gently(stream: &TcpStream, say: &Narrator, within: Duration) {
    let mut goodbye = Goodbye::begin(stream, say, within);
    // On the heap: serve-threaded's client threads have small stacks.
    let mut scrap = vec![0u8; 16 * 1024];
    while !goodbye.is_over(stream, &mut scrap) {
        let quiet = Narrator::silent();
        let until = Some(goodbye.look_again());
        if sockopt::wait(stream, Want::Readable, None, until, &quiet).is_err() {
            break;
        }
    }
    goodbye.end(stream, say);
}

/// One goodbye handed to [`Farewells`].
struct Farewell {
    stream: TcpStream,
    say: Narrator,
    goodbye: Goodbye,
}

/// The thread that says serve-threaded's goodbyes for its accept loop: a
/// newcomer over `--max-clients` is told `Server full` (or that no thread
/// could be started for it) and closed gently, while the accept loop is
/// already taking the next one.
pub struct Farewells {
    tx: Option<mpsc::Sender<Farewell>>,
    thread: Option<JoinHandle<()>>,
}

impl Farewells {
    pub fn start(server: &Server) -> Farewells {
        let (tx, rx) = mpsc::channel();
        let say = server.say.clone();
        let thread = thread::Builder::new()
            .name("farewells".into())
            .spawn(move || say_farewells(&rx))
            .map_err(|e| say.warn(tr!("no-farewell-thread", why = e.to_string())))
            .ok();
        Farewells {
            tx: thread.is_some().then_some(tx),
            thread,
        }
    }

    /// Sends `line` to a client the server turns away (one try: a
    /// newcomer that does not read must not hold anything up), then closes
    /// it gently on the farewell thread.
    pub fn send_off(&self, stream: TcpStream, peer: SocketAddr, line: &[u8], server: &Server) {
        let say = server.say.for_peer(peer);
        let _ = sockopt::send(&stream, line, &say, true);
        let goodbye = Goodbye::begin(&stream, &say, GOODBYE);
        let farewell = Farewell {
            stream,
            say,
            goodbye,
        };
        if let Some(tx) = &self.tx
            && let Err(mpsc::SendError(farewell)) = tx.send(farewell)
        {
            sockopt::close(farewell.stream, &farewell.say);
        }
    }

    /// Lets the goodbyes under way end (each within [`GOODBYE`]), waiting at
    /// most `within`.
    pub fn finish(mut self, within: Duration) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let deadline = Instant::now() + within;
            while !thread.is_finished() && Instant::now() < deadline {
                thread::sleep(LOOK_AGAIN);
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

/// The farewell thread: new goodbyes arrive on `rx`; every [`LOOK_AGAIN`]
/// each one under way is looked at, and closed once over.
fn say_farewells(rx: &mpsc::Receiver<Farewell>) {
    let mut waiting: Vec<Farewell> = Vec::new();
    let mut scrap = vec![0u8; 16 * 1024];
    let mut open = true;
    while open || !waiting.is_empty() {
        let next = if waiting.is_empty() {
            rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            rx.recv_timeout(LOOK_AGAIN)
        };
        match next {
            Ok(f) => waiting.push(f),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => open = false,
        }
        while let Ok(f) = rx.try_recv() {
            waiting.push(f);
        }
        while waiting.len() > MOST_WAITING {
            let f = waiting.remove(0);
            sockopt::close(f.stream, &f.say);
        }
        let mut i = 0;
        while i < waiting.len() {
            let f = &mut waiting[i];
            if f.goodbye.is_over(&f.stream, &mut scrap) {
                let f = waiting.swap_remove(i);
                f.goodbye.end(&f.stream, &f.say);
                sockopt::close(f.stream, &f.say);
            } else {
                i += 1;
            }
        }
    }
}
