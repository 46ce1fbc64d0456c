//! UDP, which the tutorial only names, in plain Rust: a server and a client.
//!
//! ```text
//! server: socket(SOCK_DGRAM) → bind → recvfrom → sendto("OK..." + data, sender) ...
//! client: socket(SOCK_DGRAM) → sendto(message, server) → recvfrom (or nothing)
//! ```
//!
//! `cargo run --example 06_udp -- server` prints its address; then
//! `cargo run --example 06_udp -- client 127.0.0.1:PORT hello` prints
//! `OK...hello`. socktool: `socktool udp-serve` and `socktool udp-send`.

use std::io::{self, Write};
use std::net::UdpSocket;
use std::time::Duration;

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["server"] => server(),
        ["client", addr, message] => client(addr, message.as_bytes()),
        _ => Err(io::Error::other(
            "usage: 06_udp server | 06_udp client ADDR MESSAGE",
        )),
    }
}

fn server() -> io::Result<()> {
    // No listen, no accept: one socket serves everybody.
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    eprintln!("Socket now listening on {}", socket.local_addr()?);
    io::stderr().flush()?;
    // Room for the largest datagram: a shorter buffer would cut it for good.
    let mut buf = [0u8; 65_535];
    loop {
        // One recv_from is one whole datagram, and says who sent it.
        let (n, sender) = socket.recv_from(&mut buf)?;
        eprintln!("{n} bytes from {sender}");
        let mut reply = b"OK...".to_vec();
        reply.extend_from_slice(&buf[..n]);
        socket.send_to(&reply, sender)?;
    }
}

fn client(addr: &str, message: &[u8]) -> io::Result<()> {
    // Any local address, a port the kernel picks: where the reply comes back.
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    // sendto hands the kernel one datagram; nobody says whether it arrives.
    socket.send_to(message, addr)?;
    // So wait a bounded time: silence is the only sign of loss.
    socket.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buf = [0u8; 65_536];
    let (n, from) = socket.recv_from(&mut buf)?;
    eprintln!("{n} bytes from {from}");
    io::stdout().write_all(&buf[..n])
}
