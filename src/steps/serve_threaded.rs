//! # Step 6: serve-threaded
//! A thread per client: everyone is served at once, for as long as they like.
//!
//! ```text
//! socket → bind → listen(128)
//! main thread:  accept() -> conn      "Connected with 127.0.0.1:60730"
//!               spawn thread(conn)    (64 KiB stack) ... accept() again at once
//! each thread:  sendall(conn, "Welcome to the server. Type something and hit enter\n")
//!               recv(conn, 1024) -> data      (shown on stdout as "[IP:PORT] data")
//!               sendall(conn, "OK..." + data)
//!               ... until recv -> 0
//!               close(conn)
//! ```
//!
//! New since serve-loop: the main thread only accepts, so nobody waits in
//! the backlog behind a silent client; each client's thread may wait for
//! its client as long as it likes, and a client that resets, disconnects
//! mid-reply or never reads costs only its own thread. Telnet sends each
//! line with `\r\n`; the reply echoes the bytes as they came: `OK...hi\r\n`.
//!
//! Limits, each narrated when it matters:
//! - every client costs a thread and a file descriptor, so the soft
//!   RLIMIT_NOFILE is raised to the hard limit at start (the usual 1024
//!   would stop accept near client 1,000), and each thread gets a 64 KiB
//!   stack instead of the default 2 MiB (plenty for this loop, and 10,000
//!   clients then reserve 640 MiB of address space instead of 20 GiB);
//! - `--max-clients` (default 1000) caps clients connected at once: a
//!   newcomer over the cap is accepted and told `Server full (N clients).
//!   Try again later.`, so it knows, instead of waiting unanswered in the
//!   backlog. When no thread can be started (the system's limit on
//!   threads), the client is told that too;
//! - `--idle-timeout` (default ten minutes) drops a client that has sent
//!   nothing for that long; until then its thread sleeps in `poll` and
//!   costs no CPU at all.
//!
//! The main thread never waits for a client: telling a newcomer `Server
//! full` and closing it gently can take 40 ms (the newcomer's delayed ACK)
//! or more, so those goodbyes are said by a thread of their own
//! (`serving::Farewells`), and the next newcomer is accepted meanwhile.
//!
//! On Ctrl-C or SIGTERM the doorbell rings: the main thread stops
//! accepting, and every client thread, asleep in `poll`, wakes at once and
//! closes its client, all in parallel. A reply already being sent is
//! finished first, as long as the client takes it: bytes the server has
//! received are always answered, unless the client stops reading. The
//! server then prints the summary and exits 0, within
//! `serving::STOPPING` plus the last goodbye.
//!
//! Try it (four terminals):
//! ```text
//! socktool serve-threaded --port 8888
//! telnet localhost 8888          # in three other terminals, all at once
//! ```
//!
//! A real server would not spend a thread per client: with thousands of
//! mostly idle clients, one thread watching every socket (epoll, or an async
//! runtime built on it) costs far less: serve-poll, the step after this.
//! It would also limit how fast one client may send.

use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::cli::ServeThreadedArgs;
use crate::error::SockError;
use crate::narrate::{Narrator, plural};
use crate::serving::{self, Accepted, Conn, Ending, Farewells, GOODBYE, Protocol, STOPPING};
use crate::tr;

/// Each client thread's stack. This loop needs a few KiB; 64 KiB was
/// measured to hold 10,000 clients at about 10 KiB of memory each.
const STACK_SIZE: usize = 64 * 1024;

pub fn run(args: &ServeThreadedArgs, say: &Narrator) -> Result<(), SockError> {
    // socket → setsockopt → bind → listen, as in serve-once.
    let listener = serving::listen(&args.serve, Some(serving::IDLE_TIMEOUT), say)?;
    listener.ready();
    listener.raise_open_files();
    let server = &listener.server;
    let protocol = Arc::new(Protocol::new(&args.many.welcome, &args.many.prefix));
    let farewells = Farewells::start(server);
    let mut threads: Vec<JoinHandle<()>> = Vec::new();

    let result = loop {
        // Forget the threads whose client has left, once they are half the
        // list: checking all 10,000 handles on every accept made accepting
        // slower the more clients were connected (quadratic in all).
        if threads.len() >= 64 && threads.len() > 2 * server.tally.live() {
            threads.retain(|t| !t.is_finished());
        }
        let conn = match listener.accept() {
            Ok(Accepted::Conn(conn)) => conn,
            Ok(Accepted::Stopped) => break Ok(()),
            Ok(Accepted::TimedOut(after)) => {
                break Err(server.accept_timed_out(listener.addr, after));
            }
            Err(e) => break Err(e),
        };

        // Over --max-clients: turned away with one line, by another thread.
        if listener.full(args.many.max_clients) {
            let max = args.many.max_clients;
            say.warn(tr!("turned-away-full", peer = conn.peer, max = max));
            let line = format!(
                "Server full ({}). Try again later.\n",
                plural(max as u64, "client")
            );
            turn_away(conn, &line, &farewells, server, true);
            continue;
        }

        // The thread takes the client from this slot; if no thread can be
        // started, the client is still here to be told so.
        let name = format!("client {}", conn.peer);
        let slot = Arc::new(Mutex::new(Some(conn)));
        let (theirs, protocol) = (Arc::clone(&slot), Arc::clone(&protocol));
        let recv_size = args.serve.recv_size;
        let spawned = thread::Builder::new()
            .name(name)
            .stack_size(STACK_SIZE)
            .spawn(move || {
                let taken = theirs.lock().map(|mut c| c.take()).ok().flatten();
                if let Some(mut conn) = taken {
                    let ending = converse(&mut conn, &protocol, recv_size);
                    conn.close(&ending);
                }
            });
        match spawned {
            Ok(thread) => threads.push(thread),
            Err(e) => {
                let taken = slot.lock().map(|mut c| c.take()).ok().flatten();
                if let Some(conn) = taken {
                    say.warn(tr!(
                        "turned-away-thread",
                        peer = conn.peer,
                        why = e.to_string()
                    ));
                    let line =
                        "Server busy: no thread could be started for you. Try again later.\n";
                    turn_away(conn, line, &farewells, server, false);
                }
            }
        }
    };

    // Whatever ended the loop, every client thread hears the doorbell now
    // (a fatal error rings it too) and closes its client; the goodbyes
    // happen in parallel, so waiting for all of them takes as long as the
    // slowest, which STOPPING and GOODBYE bound.
    server.stop.request();
    listener.say_closing();
    let deadline = Instant::now() + STOPPING + GOODBYE + GOODBYE;
    farewells.finish(STOPPING);
    wait_for(threads, deadline);
    listener.finish();
    result
}

/// Hands a client the server will not serve to the farewell thread, with
/// the one line that says why; counted apart from the clients served.
fn turn_away(conn: Conn, line: &str, farewells: &Farewells, server: &serving::Server, full: bool) {
    server.tally.add_turned_away(full);
    let peer = conn.peer;
    farewells.send_off(conn.into_stream(), peer, line.as_bytes(), server);
}

/// Waits, until `deadline` at most, for client threads to finish, so their
/// leave lines come before the summary. A thread still busy after that is
/// left to end with the process.
fn wait_for(threads: Vec<JoinHandle<()>>, deadline: Instant) {
    while threads.iter().any(|t| !t.is_finished()) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    for t in threads.into_iter().filter(|t| t.is_finished()) {
        // A client thread that panicked has already printed why; the
        // server still ends cleanly.
        let _ = t.join();
    }
}

/// One client's whole conversation, on its own thread: the welcome line,
/// then `prefix + data` for every recv, until someone ends it.
fn converse(conn: &mut Conn, protocol: &Protocol, recv_size: usize) -> Ending {
    if !protocol.welcome().is_empty()
        && let Err(why) = conn.send_all(protocol.welcome())
    {
        return why;
    }
    let prefix = protocol.prefix();
    // One buffer holds the reply: the prefix once, at the front, and each
    // recv lands right after it. `prefix + data` is then already in place,
    // with no copy and no second buffer per client (10,000 clients: 10 MiB
    // less).
    let mut buf = vec![0u8; prefix.len() + recv_size];
    buf[..prefix.len()].copy_from_slice(prefix);
    loop {
        let n = match conn.recv(&mut buf[prefix.len()..]) {
            Ok(n) => n,
            Err(why) => return why,
        };
        let reply = &buf[..prefix.len() + n];
        // The tutorial's purpose: a server that shows what its clients report.
        conn.show(&reply[prefix.len()..], true);
        if let Err(why) = conn.send_all(reply) {
            return why;
        }
    }
}
