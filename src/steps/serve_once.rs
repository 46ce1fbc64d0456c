//! # Step 4: serve-once
//! Be the server: wait for one client, echo back what it sends once, exit.
//!
//! ```text
//! socket(AF_INET, SOCK_STREAM)                      "Socket created"
//! setsockopt(SO_REUSEADDR)        (--reuse-address)
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
//! The exit code tells how the one conversation went: 0 when the client
//! was answered (or left without sending anything), 75 when `--timeout`
//! passed with no client or a silent one, 74 when the client reset the
//! connection, 71 when the port could not be bound.
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

use crate::cli::ServeOnceArgs;
use crate::error::SockError;
use crate::narrate::Narrator;
use crate::serving::{self, Accepted, Closer};

pub fn run(args: &ServeOnceArgs, say: &Narrator) -> Result<(), SockError> {
    let server = serving::listen(&args.serve, say)?;

    // --timeout bounds the wait for a client too: a forgotten serve-once
    // should not wait forever.
    let mut client = match server.accept(args.serve.timeout)? {
        Accepted::Client(client) => client,
        Accepted::Shutdown => {
            server.finish();
            return Ok(());
        }
        Accepted::TimedOut(after) => {
            let addr = server.addr;
            server.finish();
            return Err(SockError::Timeout {
                phase: crate::error::Phase::Accept,
                addr,
                after,
            });
        }
    };
    let peer = client.peer;

    // The tutorial's `data = conn.recv(1024)`: one call, whatever it returns.
    let mut buf = vec![0u8; args.serve.recv_size];
    let ending = match client.recv(&mut buf) {
        Ok(n) => {
            let data = &buf[..n];
            client.show(data, false);
            // `conn.sendall(data)`: the same bytes, all of them.
            match client.send_all(data) {
                Ok(()) => Closer::Server("echoed, one client served"),
                Err(why) => why,
            }
        }
        Err(why) => why,
    };
    if matches!(ending, Closer::ClientEof) {
        client
            .say()
            .note("the client left without sending anything: there is nothing to echo");
    }
    // conn.close(), then s.close().
    client.leave(&ending);
    server.finish();
    match ending.into_error(peer) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
