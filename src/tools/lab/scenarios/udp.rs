//! # lab udp
//! The same question and answer as `echo`, over UDP: `socktool udp-send`
//! (the real step) against a server of the lab's.
//!
//! ```text
//! udp-send                               server: socket(DGRAM), bind
//! connect (sends nothing: UDP has no handshake)
//! sendto(5 bytes) ----- UDP len 5 -----> recvfrom -> 5 bytes from 127.0.0.1:PORT
//! recvfrom -> 10  <---- UDP len 10 ----- sendto(10 bytes, 127.0.0.1:PORT)
//! close                                  close   (nothing on the wire: no FIN)
//! ```
//!
//! Compare the TCP ladders: no SYN before, no ACK after each datagram, no
//! FIN at the end. Each `sendto` is exactly one datagram on the wire and
//! one `recvfrom` at the other end, and nothing says whether it arrived:
//! that is the application's business (udp-send waits for the reply, with
//! a timeout). `connect` on a UDP socket only sets a default peer.

use std::net::SocketAddr;

use crate::cli::Family;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{LOOPBACK, Lab, Side};
use crate::tr;

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let say = lab.end(Side::Server, "lab");
    let socket = sockopt::udp_socket(Family::V4, &say)?.bind(SocketAddr::new(LOOPBACK, 0))?;
    let addr = sockopt::getsockname(&socket, &say).map_err(|source| SockError::Call {
        op: "getsockname",
        source,
    })?;

    let port = addr.port().to_string();
    let mut client = lab.socktool("udp-send", &["127.0.0.1", &port, "hello"])?;

    lab.wait(&socket, addr, &tr!("lab-wait-datagram"))?;
    let mut buf = vec![0u8; 65_535];
    let got = sockopt::recvfrom(&socket, &mut buf, &say).map_err(|source| SockError::Io {
        op: "recvfrom",
        addr,
        source,
    })?;
    let reply = [b"OK...".as_slice(), &buf[..got.kept]].concat();
    let peer = say.for_peer(got.from);
    sockopt::sendto(&socket, &reply, got.from, &peer).map_err(|source| SockError::Io {
        op: "sendto",
        addr: got.from,
        source,
    })?;

    client.expect_exit(0)?;
    sockopt::close(socket, &say);
    Ok(())
}
