//! # lab half-close
//! `shutdown(SHUT_WR)`: "I will send no more", while still listening.
//!
//! ```text
//! connect (the step)                     server (the lab's)
//! sendall(6 bytes)  --- PSH-ACK len 6 -->
//! shutdown(SHUT_WR) ------ FIN-ACK ----> recv -> 6 bytes
//!                                        recv -> 0 (EOF): the request is whole
//! recv -> 11 bytes  <-- PSH-ACK len 11 - sendall("OK..." + the request)
//! recv -> 0 (EOF)   <----- FIN-ACK ----- close
//! ```
//!
//! The client is `socktool connect` fed a line and then the end of its
//! input, which it turns into `shutdown(SHUT_WR)`, as `nc -N` does. The
//! server here answers only once it has read that EOF, as an HTTP/1.0
//! server or a `sort` over the network would: it needs the whole request,
//! and the FIN is how it knows it has it. The reply still travels, on the
//! direction that is still open.

use crate::client;
use crate::error::SockError;
use crate::sockopt;

use super::super::ends::{Lab, PATIENCE, Side};

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let server = lab.end(Side::Server, "lab");
    let (listener, addr) = lab.listen(128, &server)?;

    let port = addr.port().to_string();
    let mut client = lab.socktool("connect", &["127.0.0.1", &port])?;
    client.type_in(b"hello\n")?;
    client.end_input();

    let (mut conn, peer, server) = lab.accept(&listener, addr, &server)?;
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    // Until EOF; a client that never stops sending stops the lab instead.
    for _ in 0..64 {
        let n = client::recv(&mut conn, peer, &mut buf, Some(PATIENCE), None, &server)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let reply = [b"OK...".as_slice(), &request].concat();
    client::send_all(&mut conn, peer, &reply, Some(PATIENCE), &server)?;
    sockopt::close(conn, &server);
    listener.close();
    client.expect_exit(0)
}
