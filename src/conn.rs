//! The calls every conversation makes once connected, client or server:
//! `sendall` and `recv`, each traced (`--trace`) and dumped (`--hex`) in one
//! place, with timeouts turned into errors that name the phase.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::error::{self, Phase, SockError};
use crate::narrate::{Dir, Narrator};

/// `sendall`: every byte, or an error. Traced and hex-dumped as one call,
/// the way Python's `sendall` is one call that loops inside.
pub fn send_all(
    stream: &mut TcpStream,
    addr: SocketAddr,
    bytes: &[u8],
    timeout: Option<Duration>,
    say: &Narrator,
) -> Result<(), SockError> {
    say.hex(Dir::Sent, bytes);
    say.traced(
        "sendall",
        format_args!("{} bytes", bytes.len()),
        write_all(stream, bytes, timeout),
        |_| "ok".into(),
    )
    .map_err(|e| error::io_failure("sendall", Phase::Write, addr, timeout, e))
}

/// `write_all`, but a stall ends it after `timeout`, not twice that: a
/// write with SO_SNDTIMEO that sends part and then waits out the whole
/// timeout returns the part, and a plain `write_all` would wait once more.
fn write_all(stream: &mut TcpStream, bytes: &[u8], timeout: Option<Duration>) -> io::Result<()> {
    let mut sent = 0;
    while sent < bytes.len() {
        let started = Instant::now();
        match stream.write(&bytes[sent..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                sent += n;
                if sent < bytes.len() && timeout.is_some_and(|t| started.elapsed() >= t) {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One `recv(size)`: returns how many bytes arrived (0 = the peer closed).
/// Interrupted calls are retried, as Python does since PEP 475.
pub fn recv(
    stream: &mut TcpStream,
    addr: SocketAddr,
    buf: &mut [u8],
    timeout: Option<Duration>,
    say: &Narrator,
) -> Result<usize, SockError> {
    loop {
        let result = stream.read(buf);
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
            continue;
        }
        let n = say
            .traced("recv", format_args!("{}", buf.len()), result, |n| {
                format!("{n} bytes")
            })
            .map_err(|e| error::io_failure("recv", Phase::Read, addr, timeout, e))?;
        if n > 0 {
            say.hex(Dir::Received, &buf[..n]);
        }
        return Ok(n);
    }
}
