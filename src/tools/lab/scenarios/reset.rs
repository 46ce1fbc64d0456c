//! # lab reset
//! A close that slams the door: `SO_LINGER` with a zero timeout.
//!
//! ```text
//! client                                 server
//! sendall(6 bytes) --- PSH-ACK len 6 --> recv -> 6 bytes
//! setsockopt(SO_LINGER, {on, 0 s})
//! close            ------- RST --------> recv -> ECONNRESET
//! ```
//!
//! An ordinary close sends a FIN after any data still queued, and the
//! socket lingers (FIN_WAIT, TIME_WAIT) until the goodbye is done. With
//! SO_LINGER {on, 0 s}, close throws away whatever is unsent and sends one
//! RST: the connection is gone at once, on both ends, with no TIME_WAIT.
//! The peer learns it as an error, ECONNRESET, from its next recv or
//! send. The same RST comes from a close with unread data in the receive
//! buffer, or from a process that crashed: that is what "connection reset
//! by peer" usually means.

use std::io;

use crate::client;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{Lab, PATIENCE, Side};
use crate::tr;

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let (listener, addr) = lab.listen(128, &server)?;
    let client = lab.end(Side::Client, "lab");
    let mut stream = lab.connect(addr, &client)?;
    let (mut conn, peer, server) = lab.accept(&listener, addr, &server)?;

    let mut buf = [0u8; 1024];
    client::send_all(&mut stream, addr, b"hello\n", Some(PATIENCE), &client)?;
    client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server)?;

    sockopt::set_linger_zero(&stream, &client).map_err(|source| SockError::Call {
        op: "setsockopt",
        source,
    })?;
    sockopt::close(stream, &client);

    match client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server) {
        Err(SockError::Io { source, .. }) if source.kind() == io::ErrorKind::ConnectionReset => {}
        other => {
            return Err(lab.failed(tr!("lab-reset-missed", got = format!("{other:?}"))));
        }
    }
    sockopt::close(conn, &server);
    listener.close();
    Ok(())
}
