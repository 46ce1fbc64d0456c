//! # lab nagle
//! Two small writes and a reply, twice: with Nagle's algorithm (the
//! default), then with `TCP_NODELAY`.
//!
//! ```text
//! client 1 (Nagle)                       server
//! sendall("hel") ---- PSH-ACK len 3 ---> recv -> 3 bytes: not a whole line yet
//! sendall("lo\n")   (held: "hel" is not acknowledged)
//!                 <------- ACK --------- ~40 ms later: the delayed ACK
//!                ---- PSH-ACK len 3 ---> recv -> 3 bytes, sendall(reply)
//! client 2 (TCP_NODELAY)
//! sendall("hel") ---- PSH-ACK len 3 --->
//! sendall("lo\n") --- PSH-ACK len 3 ---> at once
//! ```
//!
//! Nagle's algorithm (RFC 896) keeps a small write back while earlier
//! data is unacknowledged, to send fewer tiny segments. Delayed ACK
//! (RFC 1122) keeps an ACK back, up to 40 ms on Linux, hoping to ride on
//! a reply. Together they deadlock for the length of the delayed-ACK
//! timer: the server will not reply before it has the whole line, so its
//! ACK waits; the client will not send the rest before the ACK. A first
//! question and answer comes before, because Linux acknowledges at once
//! at the start of a connection and delays only once the conversation
//! looks interactive. TCP_NODELAY (the servers' `--nodelay`) switches
//! Nagle off; writing the message in one call avoids the problem too.

use std::time::Instant;

use crate::client;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{Lab, PATIENCE, Side};

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let (listener, addr) = lab.listen(128, &server)?;
    let mut buf = [0u8; 1024];

    for nodelay in [false, true] {
        let name = if nodelay {
            "lab, TCP_NODELAY"
        } else {
            "lab, Nagle"
        };
        let say = lab.end(Side::Client, name);
        let mut stream = lab.connect(addr, &say)?;
        if nodelay {
            sockopt::set_nodelay(&stream, &say).map_err(|source| SockError::Call {
                op: "setsockopt",
                source,
            })?;
        }
        let (mut conn, peer, server) = lab.accept(&listener, addr, &server)?;

        // One question and answer: now the server's kernel delays its ACKs.
        client::send_all(&mut stream, addr, b"hi\n", Some(PATIENCE), &say)?;
        client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server)?;
        client::send_all(&mut conn, peer, b"OK...hi\n", Some(PATIENCE), &server)?;
        client::recv(&mut stream, addr, &mut buf, Some(PATIENCE), None, &say)?;

        // The message in two writes; the server answers the whole line.
        let started = Instant::now();
        client::send_all(&mut stream, addr, b"hel", Some(PATIENCE), &say)?;
        client::send_all(&mut stream, addr, b"lo\n", Some(PATIENCE), &say)?;
        let mut line = Vec::new();
        for _ in 0..16 {
            let n = client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server)?;
            line.extend_from_slice(&buf[..n]);
            if n == 0 || line.ends_with(b"\n") {
                break;
            }
        }
        let reply = [b"OK...".as_slice(), &line].concat();
        client::send_all(&mut conn, peer, &reply, Some(PATIENCE), &server)?;
        client::recv(&mut stream, addr, &mut buf, Some(PATIENCE), None, &say)?;
        if let Ok(me) = stream.local_addr() {
            lab.state(
                me,
                format!(
                    "reply in {:.1} ms",
                    started.elapsed().as_secs_f64() * 1000.0
                ),
            );
        }

        sockopt::close(stream, &say);
        client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server)?;
        sockopt::close(conn, &server);
    }
    listener.close();
    Ok(())
}
