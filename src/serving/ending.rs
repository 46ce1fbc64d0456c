//! How a conversation ends, as a value: who closed first, and why. Every
//! leave line (`Disconnected IP:PORT after 2.1s: ...; the client closed
//! first (recv returned 0)`) ends with one, a one-client server turns one
//! into its exit code, and a server decides from it whether to close
//! gently (it closes first) or simply close (the client already did).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::error::{Phase, SockError};
use crate::narrate::{describe_errno, secs};
use crate::tr;

#[derive(Debug)]
pub enum Ending {
    /// recv returned 0: the client closed its end first.
    ClientClosed,
    /// The client vanished with data in flight (ECONNRESET, EPIPE).
    Reset {
        call: &'static str,
        source: io::Error,
    },
    /// The client sent nothing for `after`; `option` is the flag that set it.
    Silent {
        after: Duration,
        option: &'static str,
    },
    /// The client took none of a reply for `after`: it stopped reading.
    NotReading {
        after: Duration,
        option: &'static str,
    },
    /// The step is done with this client and closes first; the words say
    /// what was done ("one recv, one reply: next client").
    Done(String),
    /// The client fell too far behind what others sent it (serve-chat's
    /// relay): `waiting` bytes were kept for it, past its share, `limit`.
    Behind { waiting: usize, limit: usize },
    /// Ctrl-C or SIGTERM (or the step's own stop): the server is stopping.
    Stopping,
    /// Any other failing call.
    Failed {
        call: &'static str,
        source: io::Error,
    },
}

impl Ending {
    /// What a failed `call` means: a client that vanished, or a failure.
    pub fn from_error(call: &'static str, source: io::Error) -> Ending {
        match source.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted => Ending::Reset { call, source },
            _ => Ending::Failed { call, source },
        }
    }

    /// Whether the server closes gently: it closes first while the client
    /// may still be sending and reading (the step is done with it, or the
    /// server is stopping), so the client must get every reply byte before
    /// the FIN, and what it still sends is read and thrown away, or the
    /// close would turn into a reset. A client dropped for silence sent
    /// nothing to throw away, and one dropped for not reading would take
    /// nothing: those are simply closed.
    pub fn says_goodbye(&self) -> bool {
        // One left behind is told why, in case it reads again in time.
        matches!(
            self,
            Ending::Done(_) | Ending::Stopping | Ending::Behind { .. }
        )
    }

    /// The error a one-client server exits with, if this ending is one.
    pub fn into_error(self, peer: SocketAddr) -> Option<SockError> {
        match self {
            Ending::ClientClosed | Ending::Done(_) | Ending::Stopping | Ending::Behind { .. } => {
                None
            }
            Ending::Silent { after, option } => Some(SockError::ServerTimeout {
                phase: Phase::Read,
                addr: peer,
                after,
                option,
            }),
            Ending::NotReading { after, option } => Some(SockError::ServerTimeout {
                phase: Phase::Write,
                addr: peer,
                after,
                option,
            }),
            Ending::Reset { call, source } | Ending::Failed { call, source } => {
                Some(SockError::Io {
                    op: call,
                    addr: peer,
                    source,
                })
            }
        }
    }
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Ending::ClientClosed => tr!("ending-client-closed"),
            Ending::Reset { call, source } => {
                tr!("ending-reset", call = *call, errno = describe_errno(source))
            }
            Ending::Silent { after, option } => {
                tr!("ending-silent", after = secs(*after), option = *option)
            }
            Ending::NotReading { after, option } => {
                tr!("ending-not-reading", after = secs(*after), option = *option)
            }
            Ending::Done(why) => tr!("ending-done", why = why),
            Ending::Behind { waiting, limit } => tr!(
                "ending-behind",
                waiting = waiting,
                limit = limit.to_string()
            ),
            Ending::Stopping => tr!("ending-stopping"),
            Ending::Failed { call, source } => {
                tr!("err-call", op = *call, errno = describe_errno(source))
            }
        };
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_say_who_closed_first() {
        assert_eq!(
            Ending::ClientClosed.to_string(),
            "the client closed first (recv returned 0)"
        );
        let reset = Ending::from_error("recv", io::ErrorKind::ConnectionReset.into());
        assert!(
            reset
                .to_string()
                .starts_with("the client reset the connection")
        );
        assert!(!reset.says_goodbye());
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(reset.into_error(peer).map(|e| e.exit_code()), Some(74));
        let silent = Ending::Silent {
            after: Duration::from_millis(500),
            option: "--idle-timeout",
        };
        assert_eq!(
            silent.to_string(),
            "timed out: the client sent nothing for 0.5s (--idle-timeout), the server closed"
        );
        assert!(!silent.says_goodbye());
        assert!(Ending::Stopping.says_goodbye());
        assert_eq!(silent.into_error(peer).map(|e| e.exit_code()), Some(75));
        assert!(Ending::Stopping.into_error(peer).is_none());
        assert_eq!(
            Ending::Stopping.to_string(),
            "the server closed first (shutting down)"
        );
    }
}
