//! # Step 4: serve-once
//! Be the server: wait for one client, echo back what it sends once, exit.
//!
//! ```text
//! socket(AF_INET, SOCK_STREAM)                      "Socket created"
//! setsockopt(SO_REUSEADDR, 1)
//! bind(127.0.0.1:8888)                              "Socket bind complete"
//! listen(128)                                       "Socket now listening on 127.0.0.1:8888"
//! accept()            -> conn, (ip, port)           "Connected with 127.0.0.1:59954"
//! recv(conn, 1024)    -> data
//! sendall(conn, data)
//! close(conn), close(s)
//! ```
//!
//! New since http-get: we are the side that waits. `bind` claims an address
//! and port, `listen` tells the kernel to answer handshakes on our behalf,
//! and `accept` hands us each finished connection as a *new* socket, while
//! the listening socket stays ready for the next one. The echo is byte for
//! byte: whatever arrives (text, `\r\n` from telnet, binary) goes back
//! unchanged and is also written to stdout, unchanged.
//!
//! `SO_REUSEADDR` is on, as in Python's http.server and asyncio, nc and ncat: this
//! server closes its connection first, which leaves it in TIME_WAIT for a
//! minute, and without the option a restart within that minute fails with
//! the tutorial's `Address already in use` (`--no-reuse-address` shows it).
//!
//! The calls wait as the tutorial's do, but socktool never sleeps inside
//! `accept` or `recv`: it sleeps in `poll` on the socket and on Ctrl-C at
//! once (`--trace` shows each `poll`), so Ctrl-C and the timeouts end any
//! wait, on every system.
//!
//! The exit code tells how the one conversation went: 0 when the client
//! was answered (or left without sending anything), 75 when
//! `--accept-timeout` passed with no client or `--idle-timeout` with a
//! silent one, 74 when the client reset the connection, 71 when the port
//! could not be bound.
//!
//! Try it (two terminals):
//! ```text
//! socktool serve-once --port 8888
//! telnet localhost 8888          # type happy, get happy back, connection closed
//! ```
//!
//! A real server would loop over `recv` until it has a whole message (one
//! recv returns whatever has arrived, maybe half a line), and would serve
//! more than one client: the next two steps.

use crate::cli::{Family, ServeOnceArgs};
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::serving::{self, Accepted, Ending, Listener};
use crate::sockopt;
use crate::tr;

pub fn run(args: &ServeOnceArgs, say: &Narrator) -> Result<(), SockError> {
    let opts = &args.serve;
    serving::start(say)?;
    let addr = opts.bind.addr().map_err(SockError::Usage)?;

    let socket = sockopt::tcp_socket(Family::of(addr.ip()), say)?; // socket(AF_INET, SOCK_STREAM)
    say.step("Socket created");
    socket.set_reuse_address(opts.bind.reuse(true))?; // setsockopt(SO_REUSEADDR, 1)
    socket.bind(addr)?; // bind((HOST, PORT))
    say.step("Socket bind complete");
    let listener = Listener::new(socket.listen(opts.backlog)?, opts, None, say)?; // listen(10)
    listener.ready();

    // conn, addr = s.accept()
    let mut conn = match listener.accept()? {
        Accepted::Conn(conn) => conn,
        Accepted::Stopped => {
            listener.finish();
            return Ok(());
        }
        Accepted::TimedOut(after) => {
            let error = listener.server.accept_timed_out(listener.addr, after);
            listener.finish();
            return Err(error);
        }
    };
    let peer = conn.peer;

    // data = conn.recv(1024): one call, whatever it returns.
    let mut buf = vec![0u8; opts.recv_size];
    let ending = match conn.recv(&mut buf) {
        Ok(n) => {
            let data = &buf[..n];
            conn.show(data, false);
            // conn.sendall(data): the same bytes, all of them.
            match conn.send_all(data) {
                Ok(()) => Ending::Done(tr!("done-echoed")),
                Err(why) => why,
            }
        }
        Err(why) => why,
    };
    if matches!(ending, Ending::ClientClosed) {
        conn.say().note(tr!("nothing-to-echo"));
    }
    if matches!(ending, Ending::Stopping) {
        listener.say_closing();
    }
    conn.close(&ending); // conn.close()
    listener.finish(); // s.close()
    match ending.into_error(peer) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
