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
//! plain chat HOST PORT CLIENTS LINES WINDOW SECS
//!                             CLIENTS join a chat room (socktool serve-chat), a thread each; each
//!                             says LINES lines of 64 bytes, line r only once it has heard every
//!                             other client's line r - WINDOW (so nothing piles up and nobody is
//!                             dropped); counts every line heard and prints `clients=N lines=L
//!                             deliveries=D seconds=S deliveries_per_sec=R lines_per_sec=R`, or
//!                             `unfinished=...` after SECS
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
        "chat" => chat(
            arg(1),
            arg(2),
            arg(3).parse().unwrap_or(50),
            arg(4).parse().unwrap_or(100),
            arg(5).parse().unwrap_or(2),
            arg(6).parse().unwrap_or(60.0),
        ),
        _ => Err(io::Error::other(
            "usage: plain echo|threaded|http PORT [BYTES] | plain bulk HOST PORT BYTES | plain chat HOST PORT CLIENTS LINES WINDOW SECS",
        )),
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

/// poll(2)'s record, as in <poll.h>.
#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

extern "C" {
    #[link_name = "poll"]
    fn libc_poll(fds: *mut PollFd, nfds: u64, timeout: i32) -> i32;
}

/// One client of the chat load.
struct Talker {
    stream: TcpStream,
    /// Bytes of the line under way.
    partial: Vec<u8>,
    /// Lines before the clock starts: the welcome and who-you-are lines,
    /// and (all but the last to join) the join lines up to the last one.
    settled: bool,
    lines_seen: usize,
    /// Other clients' lines heard, per round.
    heard: Vec<usize>,
    /// The next round this client says.
    next: usize,
    /// Said but not yet taken by the kernel.
    out: Vec<u8>,
}

/// The chat room's load: see the module's doc. One thread and poll(2), so
/// that the load costs the same CPU whatever the room's size (500 blocking
/// threads spent more than the server did). Every wait is bounded and the
/// whole run has a deadline, so a server that drops or stalls ends it.
fn chat(host: &str, port: &str, clients: usize, lines: usize, window: usize, secs: f64) -> io::Result<()> {
    use std::time::Duration;
    let port: u16 = port.parse().map_err(io::Error::other)?;
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut talkers = Vec::with_capacity(clients);
    for _ in 0..clients {
        let stream = TcpStream::connect((host, port))?;
        stream.set_nodelay(true)?;
        stream.set_nonblocking(true)?;
        talkers.push(Talker {
            stream,
            partial: Vec::new(),
            settled: false,
            lines_seen: 0,
            heard: vec![0; lines],
            next: 0,
            out: Vec::new(),
        });
    }
    let joined_all = format!("joined ({clients} here)");
    let need = clients - 1;
    let expected = (clients * need * lines) as u64;
    let mut started: Option<Instant> = None;
    let mut total = 0u64;
    let mut buf = vec![0u8; BUF];
    let mut fds: Vec<PollFd> = Vec::with_capacity(clients);
    while total < expected {
        if Instant::now() > deadline {
            println!("clients={clients} lines={lines} unfinished=1 deliveries={total}");
            return Err(io::Error::other("past the deadline"));
        }
        // Everyone settled: the clock starts, and everyone may talk.
        if started.is_none() && talkers.iter().all(|t| t.settled) {
            started = Some(Instant::now());
        }
        if started.is_some() {
            for (me, t) in talkers.iter_mut().enumerate() {
                while t.next < lines && (t.next < window || t.heard[t.next - window] == need) {
                    let mut text = format!("r{} c{me} ", t.next).into_bytes();
                    text.resize(63, b'x');
                    text.push(b'\n');
                    t.out.extend_from_slice(&text);
                    t.next += 1;
                }
                while !t.out.is_empty() {
                    match t.stream.write(&t.out) {
                        Ok(n) => {
                            t.out.drain(..n);
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        fds.clear();
        for t in &talkers {
            let events = 1 | if t.out.is_empty() { 0 } else { 4 }; // POLLIN, POLLOUT
            fds.push(PollFd { fd: t.stream.as_raw_fd(), events, revents: 0 });
        }
        // SAFETY: fds is a valid slice of pollfd records for the whole call.
        let ready = unsafe { libc_poll(fds.as_mut_ptr(), fds.len() as u64, 1000) };
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for (t, fd) in talkers.iter_mut().zip(&fds) {
            if fd.revents & 1 == 0 && fd.revents & !5 == 0 {
                continue;
            }
            loop {
                let n = match t.stream.read(&mut buf) {
                    Ok(0) => return Err(io::Error::other("the room closed a client")),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                };
                t.partial.extend_from_slice(&buf[..n]);
                let mut from = 0;
                while let Some(i) = t.partial[from..].iter().position(|&b| b == b'\n') {
                    let line = &t.partial[from..from + i];
                    from += i + 1;
                    if !t.settled {
                        t.lines_seen += 1;
                        let last_line = String::from_utf8_lossy(line).contains(&joined_all);
                        // The last to join hears no join line.
                        if t.lines_seen >= 2 && (last_line || t.lines_seen == 2 && need == 0) {
                            t.settled = true;
                        }
                        continue;
                    }
                    // "[127.0.0.1:PORT] r12 c3 ...": the round after "] r".
                    let Some(at) = line.windows(3).position(|w| w == b"] r") else { continue };
                    let digits: Vec<u8> = line[at + 3..].iter().copied().take_while(u8::is_ascii_digit).collect();
                    if let Some(r) = std::str::from_utf8(&digits).ok().and_then(|d| d.parse::<usize>().ok()) {
                        if r < lines {
                            t.heard[r] += 1;
                            total += 1;
                        }
                    }
                }
                t.partial.drain(..from);
            }
        }
        // The last to join: settled after its two first lines.
        if let Some(t) = talkers.last_mut() {
            if !t.settled && t.lines_seen >= 2 {
                t.settled = true;
            }
        }
    }
    let secs = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let said = (clients * lines) as f64;
    println!(
        "clients={clients} lines={lines} deliveries={total} seconds={secs:.3} deliveries_per_sec={:.0} lines_per_sec={:.0}",
        total as f64 / secs,
        said / secs
    );
    Ok(())
}
