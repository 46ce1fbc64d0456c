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
//! the backlog behind a silent client; each client's thread may block in
//! `recv` as long as it likes, and a client that resets, disconnects
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
//!   newcomer over the cap is accepted, gets one line,
//!   `Server full (N clients). Try again later.`, and is closed at once, so
//!   it knows, instead of waiting unanswered in the backlog;
//! - `--idle-timeout` drops a client that has sent nothing for that long;
//!   until then its thread sleeps in `recv` and costs no CPU at all (a
//!   thread that woke every 100 ms to look for Ctrl-C cost 10,000 idle
//!   clients half a core).
//!
//! What clients send reaches stdout through the console's queue and its
//! writer thread (`narrate::Console`): a client thread never waits long
//! for stdout, so a `| less` that nobody scrolls costs records (dropped
//! and counted), never a reply.
//!
//! On Ctrl-C or SIGTERM the main thread stops accepting, calls
//! `shutdown(SHUT_RD)` on every client socket (which wakes each thread
//! blocked in recv at once), waits for the threads to say goodbye, prints
//! the summary and exits 0. A reply already being sent is finished first:
//! bytes the server has received are always answered, unless the client
//! stops reading (then the server gives up after half a second).
//!
//! Try it (three terminals, or more):
//! ```text
//! socktool serve-threaded --port 8888
//! telnet localhost 8888          # type hi, get OK...hi
//! telnet localhost 8888          # both are served; Ctrl-] then close to leave
//! ```
//!
//! A real server would not spend a thread per client: with thousands of
//! mostly idle clients, one thread watching every socket (epoll, or an async
//! runtime built on it) costs far less. It would also limit how fast one
//! client may send, and the total memory all clients may hold.

use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::cli::ServeThreadedArgs;
use crate::error::{Phase, SockError};
use crate::limits;
use crate::narrate::Narrator;
use crate::serving::{self, Accepted, Client, Closer, Protocol, Registry};

/// Each client thread's stack. This loop needs a few KiB; 64 KiB was
/// measured to hold 10,000 clients at about 10 KiB of memory each.
const STACK_SIZE: usize = 64 * 1024;

/// How long, after Ctrl-C, the server waits for client threads to finish
/// their goodbyes before it exits anyway.
const GOODBYE: Duration = Duration::from_secs(2);

pub fn run(args: &ServeThreadedArgs, say: &Narrator) -> Result<(), SockError> {
    // Before the first client: every client needs a file descriptor.
    match limits::raise_open_files() {
        Ok(files) => say.open_files(&files),
        Err(e) => say.warn(format!(
            "cannot raise the open-files limit (RLIMIT_NOFILE): {e}"
        )),
    }

    let server = serving::listen(&args.serve, say)?;
    let registry = Arc::new(Registry::default());
    let protocol = Arc::new(Protocol::new(&args.many.welcome, &args.many.prefix));
    let mut threads: Vec<JoinHandle<()>> = Vec::new();

    let result = loop {
        // Forget the threads whose client has left, once they are half the
        // list: checking all 10,000 handles on every accept made accepting
        // slower the more clients were connected (quadratic in all).
        if threads.len() >= 64 && threads.len() > 2 * server.live() {
            threads.retain(|t| !t.is_finished());
        }
        let client = match server.accept(args.serve.timeout) {
            Ok(Accepted::Client(client)) => client,
            Ok(Accepted::Shutdown) => break Ok(()),
            // --timeout on accept counts only while nobody is connected:
            // a server with clients is not idle.
            Ok(Accepted::TimedOut(_)) if server.live() > 0 => continue,
            Ok(Accepted::TimedOut(after)) => {
                break Err(SockError::Timeout {
                    phase: Phase::Accept,
                    addr: server.addr,
                    after,
                });
            }
            Err(e) => break Err(e),
        };

        // Over --max-clients: turned away with one line.
        let Some(mut client) = server.admit(client, args.many.max_clients) else {
            continue;
        };

        client.set_idle_timeout(args.many.idle_timeout);
        let id = registry.add(&client);
        // In the registry, Ctrl-C wakes the thread: it may sleep in recv.
        client.sleep_in_recv();
        let (registry_of_thread, protocol) = (Arc::clone(&registry), Arc::clone(&protocol));
        let recv_size = args.serve.recv_size;
        let spawned = thread::Builder::new()
            .name(format!("client {}", client.peer))
            .stack_size(STACK_SIZE)
            .spawn(move || {
                let ending = converse(&mut client, &protocol, recv_size);
                // Leave the registry before closing: once closed, the fd
                // number may be reused by the next client's socket.
                registry_of_thread.remove(id);
                client.leave(&ending);
            });
        // The closure (and with it the client) is dropped when the spawn
        // fails, which closes that one connection; the server goes on. Only
        // this thread opens sockets or reads the registry, so removing the
        // closed fd just after is still in time.
        match spawned {
            Ok(thread) => threads.push(thread),
            Err(e) => {
                registry.remove(id);
                say.warn(format!(
                    "cannot start a thread for this client, closed it: {e}"
                ));
            }
        }
    };

    // Whatever ended the loop, wake every client thread now rather than let
    // the process exit under it: a thread asleep in recv wakes only for
    // this. (SHUT_RD, not SHUT_RDWR: a reply being sent right now still goes
    // out whole.)
    server.say_closing();
    registry.shutdown_all(say);
    wait_for(threads, GOODBYE);
    server.finish();
    result
}

/// Waits, at most `within`, for client threads to finish, so their leave
/// lines come before the summary. A thread still stuck after that (a
/// stderr nobody reads, say: narration waits for it) is left to end with
/// the process.
fn wait_for(threads: Vec<JoinHandle<()>>, within: Duration) {
    let deadline = Instant::now() + within;
    while threads.iter().any(|t| !t.is_finished()) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    for t in threads.into_iter().filter(|t| t.is_finished()) {
        // A client thread that panicked has already printed why; the
        // server still ends cleanly.
        let _ = t.join();
    }
}

/// One client's whole conversation, on its own thread: the welcome line,
/// then `prefix + data` for every recv, until someone ends it.
fn converse(client: &mut Client, protocol: &Protocol, recv_size: usize) -> Closer {
    if !protocol.welcome().is_empty()
        && let Err(why) = client.send_all(protocol.welcome())
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
        let n = match client.recv(&mut buf[prefix.len()..]) {
            Ok(n) => n,
            Err(why) => return why,
        };
        let reply = &buf[..prefix.len() + n];
        // The tutorial's purpose: a server that shows what its clients report.
        client.show(&reply[prefix.len()..], true);
        if let Err(why) = client.send_all(reply) {
            return why;
        }
    }
}
