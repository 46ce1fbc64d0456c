//! Step 4 of the tutorial in plain Rust: be the server, echo one client once.
//!
//! ```text
//! socket → setsockopt(SO_REUSEADDR) → bind → listen(10) → accept
//!   → recv(1024) → sendall(same bytes) → close(conn) → close(s)
//! ```
//!
//! `cargo run --example 03_serve_once` then, in another terminal,
//! `telnet 127.0.0.1 PORT` (or `socktool connect 127.0.0.1 PORT`) with the
//! port it prints. socktool narrates the same calls: `socktool serve-once`.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

fn main() -> io::Result<()> {
    // s = socket.socket(AF_INET, SOCK_STREAM)
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    eprintln!("Socket created");
    // Without it, a quick restart fails with "Address already in use" while
    // the last connection sits in TIME_WAIT.
    socket.set_reuse_address(true)?;
    // Port 0: the kernel picks a free port; getsockname tells us which.
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("a valid address");
    socket.bind(&addr.into())?;
    eprintln!("Socket bind complete");
    // From here the kernel answers handshakes for us and queues them.
    socket.listen(10)?;
    let local = socket.local_addr()?.as_socket().expect("an IP address");
    eprintln!("Socket now listening on {local}");
    io::stderr().flush()?; // scripts wait for this line: it must leave now

    // accept() returns a *new* socket for this one client.
    let (conn, peer) = socket.accept()?;
    let peer = peer.as_socket().expect("an IP address");
    eprintln!("Connected with {peer}");
    // A client that never types must not hold the server forever.
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;

    // data = conn.recv(1024): one call, whatever has arrived (maybe half a line).
    let mut buf = [0u8; 1024];
    let n = (&conn).read(&mut buf)?;
    io::stdout().write_all(&buf[..n])?; // the bytes as they came, never decoded
    // conn.sendall(data): write_all repeats send until every byte is gone.
    (&conn).write_all(&buf[..n])?;
    eprintln!("Echoed {n} bytes to {peer}");
    // conn.close(), s.close(): dropping a socket closes it.
    Ok(())
}
