//! The tutorial's protocol, in its one home: the welcome line its thread
//! server sends first (step 6), and the `OK...` its loop and thread servers
//! put before every answer (steps 5 and 6). serve-loop, serve-threaded and
//! serve-poll all speak it; serve-once only echoes.

/// The tutorial's welcome line, without its newline (socktool adds it).
pub const WELCOME: &str = "Welcome to the server. Type something and hit enter";

/// What each answer starts with, as in the tutorial: `'OK...' + data`.
pub const PREFIX: &str = "OK...";

/// The line every client still connected gets when the server stops
/// (Ctrl-C), just before the server closes first: without it a student's
/// telnet only says `Connection closed by foreign host`, and nobody knows
/// whether the server crashed, the network broke or the teacher stopped it.
pub const SHUTTING_DOWN: &[u8] = b"Server shutting down. Goodbye.\n";

/// The protocol as a server speaks it: a welcome line when a client
/// connects, then `prefix + data` for every recv, the data exactly as it
/// came (telnet's `\r\n` included).
#[derive(Debug, Clone)]
pub struct Protocol {
    welcome: Vec<u8>,
    prefix: Vec<u8>,
}

impl Protocol {
    /// `welcome` without its line end (`\n` is added; empty sends none).
    pub fn new(welcome: &str, prefix: &str) -> Protocol {
        let welcome = match welcome {
            "" => Vec::new(),
            text => format!("{text}\n").into_bytes(),
        };
        Protocol {
            welcome,
            prefix: prefix.as_bytes().to_vec(),
        }
    }

    /// The tutorial's own: its welcome line and its `OK...`.
    pub fn tutorial() -> Protocol {
        Protocol::new(WELCOME, PREFIX)
    }

    /// What a client gets first; empty when there is no welcome line.
    pub fn welcome(&self) -> &[u8] {
        &self.welcome
    }

    /// What every answer starts with, before the client's own bytes.
    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// The answer to one recv, in `reply` (cleared first, so one buffer
    /// serves every answer).
    pub fn answer_into(&self, data: &[u8], reply: &mut Vec<u8>) {
        reply.clear();
        reply.extend_from_slice(&self.prefix);
        reply.extend_from_slice(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorials_lines() {
        let p = Protocol::tutorial();
        assert_eq!(
            p.welcome(),
            b"Welcome to the server. Type something and hit enter\n"
        );
        let mut reply = Vec::new();
        p.answer_into(b"hi\r\n", &mut reply);
        assert_eq!(reply, b"OK...hi\r\n");
        assert!(Protocol::new("", "").welcome().is_empty());
    }
}
