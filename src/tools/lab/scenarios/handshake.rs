//! # lab handshake
//! Who does the three-way handshake: the kernels, not the programs.
//!
//! ```text
//! client                               server: socket, bind, listen(128)
//! connect ---------- SYN ----------->
//!         <-------- SYN-ACK ---------  answered by the kernel: listen is enough
//!         ---------- ACK ----------->  [accept queue 1]
//! connect returns                      accept -> the finished connection
//!                                      [accept queue 0]
//! close   ---------- FIN ----------->  recv -> 0 (EOF)
//!         <--------- FIN ------------  close
//! ```
//!
//! The server makes no call while the handshake happens: `listen` told
//! its kernel to answer SYNs, and the finished connection waits in the
//! accept queue until `accept` takes it. `connect` returns when the
//! client's kernel has the SYN-ACK, before the server has called anything.

use crate::client;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{Lab, PATIENCE, Side};
use crate::tr;

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let (listener, addr) = lab.listen(128, &server)?;

    let client = lab.end(Side::Client, "lab");
    let stream = lab.connect(addr, &client)?;
    // The listener turns readable once a finished connection is queued.
    lab.wait(&listener, addr, &tr!("lab-wait-handshake"))?;
    lab.note_queue(&listener, addr);

    let (mut conn, peer, server) = lab.accept(&listener, addr, &server)?;
    lab.note_queue(&listener, addr);

    // The client leaves first; the server closes once it has read the
    // FIN, so the two FINs never cross.
    sockopt::close(stream, &client);
    client::recv(&mut conn, peer, &mut [0; 64], Some(PATIENCE), None, &server)?;
    sockopt::close(conn, &server);
    listener.close();
    Ok(())
}
