//! # lab echo
//! The tutorial's own conversation: `socktool serve-once` (step 4) and
//! `socktool connect` (telnet's part), both the real steps.
//!
//! ```text
//! connect                                serve-once
//! connect ======= SYN, SYN-ACK, ACK =====> (listen(128): the kernel answers)
//!                                          accept
//! sendall(6 bytes) --- PSH-ACK len 6 ----> recv -> 6 bytes
//!                  <---------- ACK -------
//! recv -> 6 bytes  <-- PSH-ACK len 6 ----- sendall(6 bytes)
//! recv -> 0 (EOF)  <------ FIN-ACK ------- close: the server closes first
//! exit (close)     ------- FIN-ACK ------>
//! ```
//!
//! The typist's stdin stays open, as a telnet user's would: the client
//! ends because the server closed, not because it ran out of input. The
//! server closed first, so it is the server's socket that waits in
//! TIME_WAIT (lesson 3 says what that does to a restart).

use crate::error::SockError;

use super::super::ends::Lab;

pub fn run(lab: &mut Lab) -> Result<(), SockError> {
    let mut server = lab.socktool("serve-once", &["--port", "0", "--host", "127.0.0.1"])?;
    let addr = server.listening()?;

    let port = addr.port().to_string();
    let mut client = lab.socktool("connect", &["127.0.0.1", &port])?;
    client.type_in(b"hello\n")?;

    // serve-once echoes once and closes; connect ends when it sees that.
    server.expect_exit(0)?;
    client.expect_exit(0)
}
