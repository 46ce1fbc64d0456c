//! Step 5 of the tutorial in plain Rust: serve clients one after another.
//!
//! ```text
//! socket → bind → listen(10)
//! loop: accept → recv(1024) → sendall("OK..." + data) → close(conn)
//! ```
//!
//! `cargo run --example 04_serve_loop -- 3` serves three clients and exits
//! (no number: until Ctrl-C). Connect two telnets and type nothing in the
//! first: the second waits, connected, in the listen backlog.
//! socktool narrates the same loop: `socktool serve-loop`.

use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

fn main() -> io::Result<()> {
    let clients: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    // socket + bind + listen in one std call (backlog 128); port 0: any free port.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    eprintln!("Socket now listening on {}", listener.local_addr()?);
    io::stderr().flush()?;

    for _ in 0..clients {
        // While this one thread waits in recv below, nobody calls accept:
        // every other client waits in the kernel's queue.
        let (mut conn, peer) = listener.accept()?;
        eprintln!("Connected with {peer}");
        conn.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut buf = [0u8; 1024];
        let n = match conn.read(&mut buf) {
            Ok(n) => n,
            // One client's timeout or reset is that client's problem only.
            Err(e) => {
                eprintln!("{peer}: {e}");
                continue;
            }
        };
        if n == 0 {
            // The tutorial `break`s here and stops the whole server; one
            // client leaving without a word should not do that.
            eprintln!("{peer} left without sending");
            continue;
        }
        let mut reply = b"OK...".to_vec();
        reply.extend_from_slice(&buf[..n]);
        if let Err(e) = conn.write_all(&reply) {
            eprintln!("{peer}: {e}");
        }
        // conn.close(), which the tutorial leaves to the garbage collector.
        drop(conn);
    }
    Ok(())
}
