//! The references socktool's servers and http-get are measured against: the
//! plainest std Rust that does the same job, with nothing to narrate, count
//! or time out. bench/run compiles it with `rustc -O` (std only) and starts
//! it like any other server.
//!
//! ```text
//! plain echo PORT             thread per client, recv(64 KiB) -> sendall: the loopback ceiling for bulk
//! plain threaded PORT         thread per client, welcome line, "OK..." + data, recv(1024): the
//!                             tutorial's step 6 in plain Rust, the ceiling for serve-threaded
//! plain bulk HOST PORT BYTES [--welcome]
//!                             send BYTES of 'x' in 64 KiB writes on one thread while another reads
//!                             the echo (after the welcome line); verifies it (every byte 'x', or part of an "OK..."
//!                             prefix) and prints `bytes=N seconds=S mib_per_sec=R`
//! plain http PORT BYTES       HTTP/1.0-style server: GET /small answers 13 bytes, anything else
//!                             BYTES of 'x' with Content-Length, then closes
//! ```
//! Servers listen on 127.0.0.1 (PORT 0: the kernel chooses) with listen(4096)
//! and print `Socket now listening on 127.0.0.1:PORT`, like socktool's.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::thread;
use std::time::Instant;

const BUF: usize = 64 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let result = match arg(0) {
        "echo" => serve(arg(1), |s| echo(s, BUF, b"", b"")),
        "threaded" => serve(arg(1), |s| echo(s, 1024, b"Welcome to the server. Type something and hit enter\n", b"OK...")),
        "http" => {
            let bytes: u64 = arg(2).parse().unwrap_or(1 << 30);
            serve(arg(1), move |s| http(s, bytes))
        }
        "bulk" => bulk(arg(1), arg(2), arg(3).parse().unwrap_or(1 << 30), arg(4) == "--welcome"),
        _ => Err(io::Error::other("usage: plain echo|threaded|http PORT [BYTES] | plain bulk HOST PORT BYTES")),
    };
    if let Err(e) = result {
        eprintln!("plain: {e}");
        std::process::exit(1);
    }
}

/// listen(4096) (std's bind uses 128), then a thread per client.
fn serve(port: &str, handle: impl Fn(TcpStream) -> io::Result<()> + Send + Copy + 'static) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port.parse().unwrap_or(0)))?;
    // SAFETY: listen() on a socket we own; it only changes the queue length.
    if unsafe { libc_listen(listener.as_raw_fd(), 4096) } != 0 {
        return Err(io::Error::last_os_error());
    }
    eprintln!("Socket now listening on {}", listener.local_addr()?);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let _ = thread::Builder::new().stack_size(64 * 1024).spawn(move || {
            let _ = handle(stream);
        });
    }
    Ok(())
}

extern "C" {
    #[link_name = "listen"]
    fn libc_listen(fd: i32, backlog: i32) -> i32;
}

fn echo(mut s: TcpStream, size: usize, welcome: &[u8], prefix: &[u8]) -> io::Result<()> {
    s.write_all(welcome)?;
    let mut buf = vec![0u8; prefix.len() + size];
    buf[..prefix.len()].copy_from_slice(prefix);
    loop {
        let n = s.read(&mut buf[prefix.len()..])?;
        if n == 0 {
            return Ok(());
        }
        s.write_all(&buf[..prefix.len() + n])?;
    }
}

fn http(mut s: TcpStream, bytes: u64) -> io::Result<()> {
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 || req.len() > 65536 {
            return Ok(());
        }
        req.extend_from_slice(&buf[..n]);
    }
    let small = req.starts_with(b"GET /small ");
    let len = if small { 13 } else { bytes };
    write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")?;
    if small {
        s.write_all(b"Hello, world\n")?;
    } else {
        let chunk = vec![b'x'; BUF];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(BUF as u64) as usize;
            s.write_all(&chunk[..n])?;
            left -= n as u64;
        }
    }
    s.shutdown(Shutdown::Write)?;
    // Drain whatever the client still sends, so close() does not reset.
    while s.read(&mut buf)? > 0 {}
    Ok(())
}

fn bulk(host: &str, port: &str, bytes: u64, welcome: bool) -> io::Result<()> {
    let port: u16 = port.parse().map_err(io::Error::other)?;
    let mut s = TcpStream::connect((host, port))?;
    let mut r = s.try_clone()?;
    let started = Instant::now();
    // The reader on its own thread: sending 1 GiB before reading would fill
    // both sockets' buffers and deadlock against an echo server.
    let reader = thread::spawn(move || -> io::Result<(u64, u64)> {
        let mut buf = vec![0u8; BUF];
        let (mut xs, mut others) = (0u64, 0u64);
        let mut in_welcome = welcome;
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                return Ok((xs, others));
            }
            let mut data = &buf[..n];
            if in_welcome {
                // The welcome line ends at the first '\n'; echoes never hold one.
                match data.iter().position(|&b| b == b'\n') {
                    Some(i) => (data, in_welcome) = (&data[i + 1..], false),
                    None => continue,
                }
            }
            let n = data.len();
            let x = data.iter().filter(|&&b| b == b'x').count() as u64;
            xs += x;
            others += n as u64 - x;
        }
    });
    let chunk = vec![b'x'; BUF];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(BUF as u64) as usize;
        s.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    // EOF to the server; it closes after echoing the rest.
    s.shutdown(Shutdown::Write)?;
    let (xs, others) = reader.join().map_err(|_| io::Error::other("reader panicked"))??;
    let secs = started.elapsed().as_secs_f64();
    // Every byte sent must come back; anything else must be whole "OK..."
    // prefixes (serve-threaded puts one before each recv it echoes).
    if xs != bytes || others % 5 != 0 {
        return Err(io::Error::other(format!("sent {bytes} bytes of 'x', got {xs} back and {others} other bytes")));
    }
    println!("bytes={bytes} seconds={secs:.3} mib_per_sec={:.0} prefix_bytes={others}", bytes as f64 / secs / 1048576.0);
    Ok(())
}
