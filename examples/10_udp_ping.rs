//! Lesson 10 in plain Rust: Kurose and Ross's UDP pinger, and its server
//! that loses a share of the pings on purpose.
//!
//! ```text
//! server: bind → recvfrom -> ping → (lost on purpose?) → sendto(ping upper-cased)
//! client: sendto("Ping N TIME") → recvfrom within 1 s -> RTT, or "Request timed out"
//! ```
//!
//! `cargo run --example 10_udp_ping -- server 30` (30 % lost), then
//! `cargo run --example 10_udp_ping -- client 127.0.0.1:PORT 10`.
//! socktool adds the summary's statistics, late replies, delays, a seed
//! and narration: `socktool udp-serve --loss 30` and `socktool udp-ping`.

use std::io::{self, Write};
use std::net::UdpSocket;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    if arg(0) == "server" {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        eprintln!("Socket now listening on {}", socket.local_addr()?);
        let loss: u64 = arg(1).parse().unwrap_or(30);
        let (mut buf, mut dice) = ([0u8; 1024], 0x9E37_79B9_7F4A_7C15_u64);
        loop {
            let (n, peer) = socket.recv_from(&mut buf)?;
            // A cheap die (xorshift): the assignment's `random.randint(0, 10) < 4`.
            dice ^= dice << 13;
            dice ^= dice >> 7;
            dice ^= dice << 17;
            if dice % 100 < loss {
                eprintln!("lost on purpose: {}", buf[..n].escape_ascii());
                continue;
            }
            socket.send_to(&buf[..n].to_ascii_uppercase(), peer)?;
        }
    }
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    socket.connect(arg(1))?;
    socket.set_read_timeout(Some(Duration::from_secs(1)))?;
    let (count, mut buf) = (arg(2).parse().unwrap_or(10), [0u8; 1024]);
    for seq in 1..=count {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let sent = Instant::now();
        socket.send(format!("Ping {seq} {:.6}", now.as_secs_f64()).as_bytes())?;
        match socket.recv(&mut buf) {
            Ok(n) => {
                let rtt = sent.elapsed().as_secs_f64() * 1000.0;
                let mut out = io::stdout().lock();
                out.write_all(&buf[..n])?; // the reply's bytes as they came
                writeln!(out, " RTT={rtt:.3} ms")?;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                println!("Request timed out: seq={seq}")
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
