//! # Step 5: serve-loop
//! Serve clients one after another, and watch the others wait.
//!
//! ```text
//! socket → bind → listen(128)
//! loop:
//!     accept()          -> conn                     "Connected with 127.0.0.1:59954"
//!     recv(conn, 1024)  -> data       ← while this waits, nobody calls accept:
//!                                       "2 clients waiting in the backlog (limit 128)"
//!     sendall(conn, "OK..." + data)
//!     close(conn)
//! ```
//!
//! New since serve-once: a loop around `accept`, and the tutorial's lesson
//! about it. One thread does everything in turn, so while it waits in `recv`
//! for a client that types nothing, nobody calls `accept`. Other clients are
//! not refused: the kernel completes their handshakes by itself and queues
//! them in the listen backlog, where they wait, connected, for a reply that
//! cannot come yet. socktool reads that queue from the kernel (TCP_INFO on
//! the listening socket, Linux) and says how many are waiting each time the
//! number changes. When the queue is full, Linux does not refuse newcomers
//! either: it drops their last handshake packet, and they wait longer.
//!
//! The tutorial's loop ends the whole server (`break`) when a client sends
//! nothing and closes, and never closes the client socket itself (CPython
//! does it when `conn` is rebound). socktool closes each client after its
//! reply, treats an empty recv as that client leaving, and keeps serving.
//!
//! Try it (three terminals):
//! ```text
//! socktool serve-loop --port 5000
//! telnet localhost 5000          # connect and type nothing...
//! telnet localhost 5000          # ...this one waits: "1 client waiting in the backlog"
//! ```
//!
//! A real server would not let one slow client hold up the rest: a thread
//! per client (the next step) or one thread watching every socket at once
//! (select, poll, epoll).

use std::collections::VecDeque;
use std::time::Instant;

use crate::cli::ServeLoopArgs;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::serving::{self, Accepted, Ending, Protocol};
use crate::tr;

pub fn run(args: &ServeLoopArgs, say: &Narrator) -> Result<(), SockError> {
    // socket → setsockopt → bind → listen, as in serve-once.
    let listener = serving::listen(&args.serve, None, say)?;
    listener.ready();
    if listener.accept_queue().is_none() {
        say.note(tr!("backlog-unseen"));
    }
    let protocol = Protocol::tutorial();
    let mut buf = vec![0u8; args.serve.recv_size];
    let mut reply = Vec::new();
    let mut served: u64 = 0;
    // When each client now in the backlog was first seen there, oldest
    // first: how long the next one accepted has waited.
    let mut arrivals: VecDeque<Instant> = VecDeque::new();

    loop {
        if args.max_clients.is_some_and(|max| served >= max) {
            say.note(tr!("loop-max-clients", count = served));
            break;
        }
        // conn, addr = s.accept()
        let mut conn = match listener.accept()? {
            Accepted::Conn(conn) => conn,
            Accepted::Stopped => break,
            Accepted::TimedOut(after) => {
                let error = listener.server.accept_timed_out(listener.addr, after);
                listener.finish();
                return Err(error);
            }
        };
        served += 1;
        if let Some(seen) = arrivals.pop_front() {
            let waited = seen.elapsed();
            conn.say().note(tr!(
                "backlog-waited",
                secs = format!("{:.2}", waited.as_secs_f64())
            ));
            conn.waited_in_backlog(waited);
        }

        // The lesson: while this recv waits, look at who is queued behind
        // this client (the kernel says, on Linux), and say so when the
        // number changes.
        let mut last_seen = 0;
        let waiting = || {
            let Some(queue) = listener.accept_queue() else {
                return false;
            };
            // Newcomers join the back of the queue; accept takes the front.
            let now = Instant::now();
            arrivals.resize(queue.waiting as usize, now);
            if queue.waiting != last_seen {
                say.info(tr!(
                    "backlog-waiting",
                    count = queue.waiting,
                    limit = queue.limit
                ));
                if last_seen == 0 {
                    say.note(tr!("backlog-lesson"));
                }
                last_seen = queue.waiting;
            }
            queue.waiting > 0
        };
        let backlog = listener.accept_queue().map(|_| listener.socket());

        // data = conn.recv(1024), then conn.sendall('OK...' + data).
        let ending = match conn.recv_while(&mut buf, backlog, waiting) {
            Ok(n) => {
                let data = &buf[..n];
                conn.show(data, true);
                protocol.answer_into(data, &mut reply);
                match conn.send_all(&reply) {
                    Ok(()) => Ending::Done(tr!("done-next-client")),
                    Err(why) => why,
                }
            }
            Err(why) => why,
        };
        if matches!(ending, Ending::ClientClosed) {
            conn.say().note(tr!("loop-empty-recv"));
        }
        let stopping = matches!(ending, Ending::Stopping);
        if stopping {
            listener.say_closing();
        }
        // conn.close(), which the tutorial leaves to the garbage collector.
        conn.close(&ending);
        if stopping {
            break;
        }
    }
    listener.finish();
    Ok(())
}
