//! `--record FILE`: `--trace` for machines. Every socket call the narration
//! knows becomes one JSON object a line, so that `socktool ladder` can lay
//! the recordings of both ends of a conversation side by side.
//!
//! ```text
//! {"t_us":1764654000123456,"pid":4242,"step":"serve-once","side":"server","peer":null,
//!  "call":"accept","args":"fd 3","result":"fd 6, peer 127.0.0.1:51234",
//!  "errno":null,"fd":3,"bytes":null,"remote":"127.0.0.1:51234"}
//! ```
//!
//! The clock is the system's wall clock, in microseconds since 1970: the
//! one clock every process on a machine shares, so a server's recording and
//! its clients' can be merged by time. The fields a ladder needs (the
//! descriptor, the bytes, the addresses, the errno's name) are read from
//! the same words `--trace` prints, in one place here, so the two can never
//! disagree.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Microseconds since 1970 (wall clock).
    pub t_us: u64,
    pub pid: u32,
    /// The subcommand that made the call: `serve-once`, `connect`, ...
    pub step: String,
    /// `server` or `client`: which end of the conversations it is.
    pub side: String,
    /// The client a server's call is about (`127.0.0.1:51234`), if any.
    pub peer: Option<String>,
    /// The call as `--trace` names it: `socket`, `connect`, `recv`, ...
    pub call: String,
    /// Its arguments, as `--trace` prints them.
    pub args: String,
    /// How it ended, as `--trace` prints it.
    pub result: String,
    /// The error's name (`ECONNREFUSED`) when it failed.
    pub errno: Option<String>,
    /// The socket it was made on.
    pub fd: Option<i64>,
    /// Bytes it moved (recv, send, sendall, recvfrom, sendto).
    pub bytes: Option<u64>,
    /// The other end's address, where the call names it (connect,
    /// accept, sendto, recvfrom).
    pub remote: Option<String>,
    /// This end's address, where the call names it (getsockname).
    pub local: Option<String>,
    /// Which end, where one process plays several (`socktool lab` runs a
    /// scenario's small ends in one process); absent for a step, which is
    /// one end (a server's threads included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
}

/// Where the events of one process (or one of `lab`'s ends) go. A file
/// gets each line whole, at once (one write, no buffer): a server stopped
/// by a second Ctrl-C, or killed, leaves a recording that ends at its last
/// call, not mid-line.
pub struct Recorder {
    out: Sink,
    pid: u32,
    step: &'static str,
    side: &'static str,
    end: Option<u32>,
}

/// A file (`--record FILE`), or memory: `lab` draws its own ends' calls
/// without a file in between.
enum Sink {
    File(Mutex<File>),
    Memory(Mutex<Vec<Event>>),
}

impl Recorder {
    /// Creates (or truncates) `path` for the events of `step`.
    pub fn create(path: &Path, step: &'static str) -> io::Result<Recorder> {
        Ok(Recorder {
            out: Sink::File(Mutex::new(File::create(path)?)),
            pid: std::process::id(),
            step,
            side: side_of(step),
            end: None,
        })
    }

    /// Keeps the events in memory, for [`Recorder::events`]: one of
    /// `lab`'s in-process ends, `end` telling it from the others.
    pub fn in_memory(step: &'static str, side: &'static str, end: u32) -> Recorder {
        Recorder {
            out: Sink::Memory(Mutex::new(Vec::new())),
            pid: std::process::id(),
            step,
            side,
            end: Some(end),
        }
    }

    /// The events kept so far (none for a file).
    pub fn events(&self) -> Vec<Event> {
        match &self.out {
            Sink::Memory(events) => events.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            Sink::File(_) => Vec::new(),
        }
    }

    /// Records one call that began `ago` (zero: it has just been made);
    /// `peer` is the client a server's narrator is about.
    pub fn call(
        &self,
        ago: Duration,
        peer: Option<&str>,
        call: &str,
        args: &str,
        result: &str,
        errno: Option<&str>,
    ) {
        let event = Event {
            t_us: now_us().saturating_sub(ago.as_micros() as u64),
            pid: self.pid,
            step: self.step.to_string(),
            side: self.side.to_string(),
            peer: peer.map(str::to_string),
            call: call.to_string(),
            args: args.to_string(),
            result: result.to_string(),
            errno: errno
                .map(str::to_string)
                .or_else(|| errno_in(result).map(str::to_string)),
            fd: number_after(args, "fd "),
            bytes: bytes_moved(call, args, result),
            remote: remote_of(call, args, result),
            local: (call == "getsockname").then(|| result.to_string()),
            end: self.end,
        };
        let out = match &self.out {
            Sink::File(out) => out,
            Sink::Memory(events) => {
                events.lock().unwrap_or_else(|e| e.into_inner()).push(event);
                return;
            }
        };
        let mut line = match serde_json::to_vec(&event) {
            Ok(line) => line,
            // An event is plain strings and numbers: this cannot fail.
            Err(_) => return,
        };
        line.push(b'\n');
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        // A recording that cannot be written must not stop the step it
        // records; what was lost shows as a gap in the ladder.
        let _ = out.write_all(&line);
    }
}

/// Servers wait for conversations; everything else starts one.
pub fn side_of(step: &str) -> &'static str {
    if step.starts_with("serve") || step == "udp-serve" {
        "server"
    } else {
        "client"
    }
}

/// Now, on the clock every recording uses: microseconds since 1970.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// The number right after `prefix`: `fd 6` → 6.
fn number_after(text: &str, prefix: &str) -> Option<i64> {
    let at = text.find(prefix)? + prefix.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `ECONNREFUSED (Connection refused)` → `ECONNREFUSED`.
fn errno_in(result: &str) -> Option<&str> {
    let name = result.split([' ', '(']).next()?;
    let looks_like = name.len() > 2
        && name != "EOF"
        && name.starts_with('E')
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    // `EOF` is how a trace says recv returned 0, not an error.
    (looks_like || name.starts_with("WSAE")).then_some(name)
}

/// The bytes a call moved: `4 bytes` in its result (recv, send, recvfrom),
/// or in its arguments when the result is `ok` (sendall, sendto).
fn bytes_moved(call: &str, args: &str, result: &str) -> Option<u64> {
    let moves = matches!(
        call,
        "recv" | "send" | "sendall" | "recvfrom" | "sendto" | "read" | "write"
    );
    if !moves {
        return None;
    }
    let count = |text: &str| {
        let at = text.find(" bytes")?;
        text[..at]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    match call {
        "recv" | "recvfrom" | "read" => count(result),
        _ if result == "ok" => count(args),
        "sendto" => result.parse().ok().or_else(|| count(args)),
        _ => count(result),
    }
}

/// The other end's address where a call names it: `connect(127.0.0.1:8888,
/// ...)`, `accept -> fd 6, peer 127.0.0.1:51234`, `sendto(5 bytes,
/// 127.0.0.1:9)`, `recvfrom -> 5 bytes from 127.0.0.1:9`.
fn remote_of(call: &str, args: &str, result: &str) -> Option<String> {
    let word_after = |text: &str, marker: &str| {
        let at = text.find(marker)? + marker.len();
        text[at..].split([',', ' ']).next().map(str::to_string)
    };
    match call {
        "connect" => args.split(',').next().map(|a| a.trim().to_string()),
        "accept" => word_after(result, "peer "),
        "sendto" => args.rsplit(", ").next().map(str::to_string),
        "recvfrom" => word_after(result, " from "),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_come_from_the_traces_own_words() {
        assert_eq!(number_after("fd 6, 1024", "fd "), Some(6));
        assert_eq!(
            errno_in("ECONNREFUSED (Connection refused)"),
            Some("ECONNREFUSED")
        );
        assert_eq!(errno_in("ok"), None);
        assert_eq!(errno_in("EOF"), None);
        assert_eq!(bytes_moved("recv", "fd 6, 1024", "5 bytes"), Some(5));
        assert_eq!(bytes_moved("recv", "fd 6, 1024", "0 bytes (EOF)"), Some(0));
        assert_eq!(bytes_moved("sendall", "fd 6, 7 bytes", "ok"), Some(7));
        assert_eq!(bytes_moved("sendto", "5 bytes, 127.0.0.1:9", "5"), Some(5));
        assert_eq!(bytes_moved("accept", "fd 3", "fd 6"), None);
        assert_eq!(
            remote_of("accept", "fd 3", "fd 6, peer 127.0.0.1:51234"),
            Some("127.0.0.1:51234".into())
        );
        assert_eq!(
            remote_of("connect", "127.0.0.1:8888, timeout 10s", "ok"),
            Some("127.0.0.1:8888".into())
        );
        assert_eq!(
            remote_of("recvfrom", "65535", "5 bytes from 127.0.0.1:9"),
            Some("127.0.0.1:9".into())
        );
    }
}
