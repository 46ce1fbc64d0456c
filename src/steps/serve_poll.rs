//! # Beyond the tutorial: serve-poll
//! One thread serves every client: it asks the kernel which sockets are
//! ready and only touches those.
//!
//! ```text
//! socket → bind → listen(128) → fcntl(O_NONBLOCK)
//! epoll_create1 → epoll_ctl(ADD, listener, readable), epoll_ctl(ADD, doorbell, readable)
//! loop:
//!   epoll_wait -> "fd 3 readable, fd 7 readable, fd 9 writable"
//!   fd 3 (the listener) readable:  accept ... accept -> EAGAIN
//!                                  each newcomer (non-blocking already): epoll_ctl(ADD, readable),
//!                                  send(welcome)
//!   a client readable:             recv -> data     (shown on stdout as "[IP:PORT] data")
//!                                  send("OK..." + data) -> what the kernel took; the rest is kept
//!                                  ... recv -> EAGAIN (drained: back to epoll), or -> 0 (close)
//!   a client writable:             send(the rest kept) ... until empty
//!   the doorbell readable:         Ctrl-C: every client is closed, all at once
//! ```
//!
//! New since serve-threaded: no thread per client. Every socket is
//! non-blocking, so no call ever waits: `recv` with nothing to read and
//! `send` into a full buffer return EAGAIN at once. Waiting happens in one
//! place, `epoll_wait`, which returns the sockets that can make progress
//! now. Each client is a small record (its socket, its byte counts, and the
//! replies not yet sent), not a thread with a stack, so holding 10,000 idle
//! clients costs a few hundred bytes each. `--trace` prints every
//! `epoll_wait` result and the calls it leads to: one thread, juggling.
//! (The process has two other threads: the writers of stdout and stderr,
//! the only ones that wait for the terminal, `narrate/output.rs`. Were the
//! loop to write there itself, a `| less` nobody scrolls would stop it,
//! and every client with it, after 64 KiB.)
//!
//! What one client can no longer do is stall the others, and that takes care:
//! - **Partial writes.** A `send` may take only part of a reply (the
//!   client's receive window and our send buffer are full). The rest is
//!   kept for that client, epoll is asked to say when its socket is
//!   writable again, and the loop moves on.
//! - **Backpressure.** A client that sends without ever reading would make
//!   those kept replies grow without end. Past `OUT_CAP` (1 MiB) waiting
//!   for one client, or `TOTAL_CAP` (64 MiB) for all of them together, the
//!   server stops reading from it: its bytes wait in the kernel, its TCP
//!   window closes, and its own `send` blocks. Reading resumes when its
//!   replies go out. So a hundred clients that never read cost 64 MiB
//!   here, not a hundred times one.
//! - **Goodbyes are events too.** Turning a newcomer away (`Server full`)
//!   or closing first means waiting for the client's side of the goodbye
//!   (see `serving/farewell.rs`); the loop never waits for it, it watches
//!   it like any other socket. On Ctrl-C every client says goodbye at once,
//!   in parallel, and the server exits within `serving::STOPPING` plus the
//!   last goodbye.
//! - **Fairness.** A client is read at most
//!   [`READS_PER_TURN`](crate::serving::READS_PER_TURN) times in a row; then
//!   every other ready client gets its turn before it is read again.
//!
//! Same protocol, options and narration as serve-threaded: the welcome
//! line, `OK...` + data for every recv (telnet's `\r\n` comes back as sent),
//! `--max-clients` (default 1000) with its `Server full` line, the
//! timeouts, `--welcome`, `--prefix`, the leave lines and the Ctrl-C
//! summary. `--nonblocking` changes nothing: every socket is non-blocking
//! already.
//!
//! Try it:
//! ```text
//! socktool serve-poll --port 8888 --trace
//! telnet localhost 8888          # in two or three other terminals
//! socktool load 127.0.0.1 8888 --welcome --clients 200 --messages 100
//! ```
//!
//! The loop itself (waiting, accepting, turns, clocks, goodbyes, stopping)
//! is `serving/juggler.rs`, shared with serve-chat, the step after this;
//! what is serve-poll's own is what it says: below, [`Echo`].
//!
//! A real server would keep its timers in a heap or a timer wheel (this one
//! looks at every client's clocks every 100 ms while clients are
//! connected), and use more than one core (one such loop per core, as
//! nginx does).

use mio::Token;

use crate::cli::ServePollArgs;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::serving::{self, Ending, Juggler, Protocol, READS_PER_TURN, Talk};
use crate::tr;

pub fn run(args: &ServePollArgs, say: &Narrator) -> Result<(), SockError> {
    if args.serve.nonblocking {
        say.note(tr!("nonblocking-anyway", step = "serve-poll"));
    }
    // socket → setsockopt → bind → listen, as in serve-once; then epoll.
    let juggler = serving::event_loop(
        &args.serve,
        Some(serving::IDLE_TIMEOUT),
        args.many.max_clients,
        say,
    )?;
    let mut echo = Echo {
        protocol: Protocol::new(&args.many.welcome, &args.many.prefix),
        buf: vec![0u8; args.serve.recv_size],
        reply: Vec::new(),
    };
    juggler.serve(&mut echo)
}

/// What serve-poll says: the welcome line, then `OK...` + data for every
/// recv, as serve-threaded does.
struct Echo {
    protocol: Protocol,
    /// One recv buffer for everyone: a client costs no buffer while idle.
    buf: Vec<u8>,
    /// One buffer to build each reply in.
    reply: Vec<u8>,
}

impl Talk for Echo {
    fn welcome(&mut self, juggler: &mut Juggler, token: Token) -> Result<(), Ending> {
        let welcome = self.protocol.welcome();
        match juggler.conn_and_registry(token) {
            Some((conn, registry)) if !welcome.is_empty() => conn.send_or_keep(welcome, registry),
            _ => Ok(()),
        }
    }

    /// A client is readable: recv and answer, until EAGAIN, its turn is
    /// used up, or backpressure stops it.
    fn take_turn(&mut self, juggler: &mut Juggler, token: Token) -> Option<Ending> {
        let say = juggler.say().clone();
        let (conn, registry) = juggler.conn_and_registry(token)?;
        for _ in 0..READS_PER_TURN {
            if conn.check_pressure() {
                return None;
            }
            match conn.try_recv(&mut self.buf) {
                // Drained: epoll says when more arrives.
                Ok(None) => return None,
                Ok(Some(n)) => {
                    let data = &self.buf[..n];
                    // The tutorial's purpose: a server that shows what its
                    // clients report.
                    say.record(Some(conn.peer), data);
                    self.protocol.answer_into(data, &mut self.reply);
                    if let Err(why) = conn.send_or_keep(&self.reply, registry) {
                        return Some(why);
                    }
                }
                // The client is done sending but may still be reading:
                // it gets its waiting replies before the close.
                Err(Ending::ClientClosed) if conn.pending() > 0 => {
                    conn.eof = true;
                    return None;
                }
                Err(why) => return Some(why),
            }
        }
        // Its turn is over, maybe with data still waiting: after the others.
        juggler.again(token);
        None
    }

    /// Out of backpressure: its bytes waited in the kernel all along, and
    /// epoll reports only new arrivals, so look now.
    fn sent(&mut self, juggler: &mut Juggler, token: Token) {
        if let Some(conn) = juggler.conn_mut(token)
            && !conn.readable()
            && !conn.eof
            && !conn.check_pressure()
        {
            juggler.again(token);
        }
    }
}
