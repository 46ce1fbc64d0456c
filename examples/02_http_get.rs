//! Step 3 of the tutorial in plain Rust: be an HTTP client on a bare socket.
//!
//! ```text
//! socket(AF_INET, SOCK_STREAM) → connect(ip:port) → sendall(request)
//!   → recv … recv → 0 → close
//! ```
//!
//! Run it against any web server on this machine, e.g.
//! `python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then
//! `cargo run --example 02_http_get -- 127.0.0.1:8000`.
//! socktool does the same, narrated: `socktool http-get localhost:8000`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

fn main() -> io::Result<()> {
    let target = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);

    // gethostbyname: the first IPv4 address of the host (IP literals pass through).
    let addr: SocketAddr = target
        .to_socket_addrs()?
        .find(SocketAddr::is_ipv4)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no IPv4 address"))?;

    // socket.socket(AF_INET, SOCK_STREAM): a socket exists before it goes anywhere.
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    eprintln!("Socket created");

    // s.connect((remote_ip, port)), but never waiting forever for the handshake.
    socket.connect_timeout(&addr.into(), Duration::from_secs(10))?;
    // Without a read timeout, a server that never answers would block recv forever.
    socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    eprintln!("Socket Connected to {host} on ip {}", addr.ip());

    // HTTP/1.1 needs a Host header (the tutorial leaves it out); Connection:
    // close asks the server to close when done, so recv returning 0 ends the reply.
    let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    // sendall: write_all loops over send, which may take only part of the bytes.
    (&socket).write_all(request.as_bytes())?;
    eprintln!("Message sent successfully");

    // recv(4096) until it returns 0: TCP is a stream, a reply arrives in pieces.
    let mut buf = [0u8; 4096];
    let mut stdout = io::stdout().lock();
    loop {
        let n = (&socket).read(&mut buf)?;
        if n == 0 {
            break; // the server closed its end: the reply is complete
        }
        stdout.write_all(&buf[..n])?; // bytes as they came, never decoded
    }
    stdout.flush()?;
    // s.close(): dropping the socket closes it.
    Ok(())
}
