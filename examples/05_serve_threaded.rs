//! Step 6 of the tutorial in plain Rust: a thread per client.
//!
//! ```text
//! main:       socket → bind → listen → accept → spawn(thread) → accept ...
//! per client: sendall(welcome) → recv → sendall("OK..." + data) ... recv → 0 → close
//! ```
//!
//! `cargo run --example 05_serve_threaded`, then several
//! `telnet 127.0.0.1 PORT` at once: all are served. socktool adds limits,
//! Ctrl-C handling and narration: `socktool serve-threaded`.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    eprintln!("Socket now listening on {}", listener.local_addr()?);
    io::stderr().flush()?;
    for conn in listener.incoming() {
        // A failed accept (a client that gave up in the queue) is not fatal.
        let Ok(conn) = conn else { continue };
        let Ok(peer) = conn.peer_addr() else { continue };
        eprintln!("Connected with {peer}");
        // The main thread goes straight back to accept: nobody waits behind
        // a silent client. A small stack: this loop needs a few KiB, not 2 MiB.
        thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || match client_thread(conn) {
                Ok(()) => eprintln!("Disconnected {peer}"),
                Err(e) => eprintln!("Disconnected {peer}: {e}"),
            })?;
    }
    Ok(())
}

/// The tutorial's `clientthread(conn)`.
fn client_thread(mut conn: TcpStream) -> io::Result<()> {
    conn.write_all(b"Welcome to the server. Type something and hit enter\n")?;
    let mut buf = [0u8; 1024];
    loop {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(()); // the client closed: this thread is done
        }
        let mut reply = b"OK...".to_vec();
        reply.extend_from_slice(&buf[..n]); // telnet's \r\n comes back as sent
        conn.write_all(&reply)?;
    }
}
