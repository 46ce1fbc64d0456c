//! The chat's own rules, apart from any socket: how bytes become lines,
//! what a line may show on other students' terminals, what a command is,
//! and what a name may be. Pure functions, tested below.

/// The longest line the room takes, in bytes: a longer one is relayed in
/// pieces of this size (a client that never sends `\n` cannot make the
/// server keep its bytes for ever).
pub const MAX_LINE: usize = 2048;

/// The longest name `/nick` takes, in bytes (ten Chinese characters in
/// UTF-8 are 30).
pub const MAX_NAME: usize = 32;

/// Telnet's "interpret as command" byte: what follows it is a command to
/// the telnet program, not text (RFC 854).
const IAC: u8 = 255;
/// Telnet's subnegotiation start and end (IAC SB ... IAC SE).
const SB: u8 = 250;
const SE: u8 = 240;

/// How a client ends its lines, learnt from the last line it sent: telnet
/// sends `\r\n` (the network's own line end), nc and most programs `\n`.
/// Every line the room sends a client ends the way that client's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnd {
    #[default]
    Lf,
    CrLf,
}

impl LineEnd {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnd::Lf => b"\n",
            LineEnd::CrLf => b"\r\n",
        }
    }
}

/// Bytes in, whole lines out: what one client has sent of the line under
/// way, and how it ends its lines.
#[derive(Debug, Default)]
pub struct Lines {
    partial: Vec<u8>,
    pub end: LineEnd,
}

impl Lines {
    /// Adds what one recv returned; calls `line` with each line completed
    /// (its line end removed) or cut at [`MAX_LINE`]. A recv may hold half
    /// a line, or many: TCP keeps bytes in order, not the sender's writes.
    pub fn take(&mut self, data: &[u8], mut line: impl FnMut(&[u8], LineEnd)) {
        let mut rest = data;
        while !rest.is_empty() {
            let room = MAX_LINE - self.partial.len();
            let (piece, ended) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) if i <= room => (&rest[..i], true),
                _ if rest.len() < room => (rest, false),
                _ => (&rest[..room], false),
            };
            self.partial.extend_from_slice(piece);
            rest = &rest[piece.len() + usize::from(ended)..];
            if ended {
                self.end = if self.partial.last() == Some(&b'\r') {
                    self.partial.pop();
                    LineEnd::CrLf
                } else {
                    LineEnd::Lf
                };
            } else if self.partial.len() < MAX_LINE {
                continue;
            }
            line(&self.partial, self.end);
            self.partial.clear();
        }
    }

    /// What is left of a line the client never ended (it closed first).
    pub fn unfinished(&mut self) -> Option<Vec<u8>> {
        (!self.partial.is_empty()).then(|| std::mem::take(&mut self.partial))
    }
}

/// A line as the others may see it. The bytes pass unchanged (UTF-8, GBK,
/// anything), except two kinds that would act on other students' screens
/// instead of showing there:
/// - telnet commands (255 and what follows it) are dropped, so no
///   client's telnet answers another's negotiation; `255 255` is one 255;
/// - control characters (ESC, BEL, backspace, ...) become caret notation
///   (`^[`, `^G`, `^H`), so nobody can clear the room's screens, move
///   their cursors or ring their bells. A tab stays a tab.
pub fn clean(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        i += 1;
        match b {
            IAC => match line.get(i) {
                Some(&IAC) => {
                    out.push(IAC);
                    i += 1;
                }
                // WILL, WONT, DO, DONT: one option byte follows.
                Some(251..=254) => i += 2,
                Some(&SB) => {
                    i = line[i..]
                        .windows(2)
                        .position(|w| w == [IAC, SE])
                        .map_or(line.len(), |at| i + at + 2);
                }
                Some(_) => i += 1,
                None => {}
            },
            b'\t' => out.push(b),
            0..=31 | 127 => out.extend_from_slice(&[b'^', b ^ 0x40]),
            _ => out.push(b),
        }
    }
    out
}

/// What a line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Said<'a> {
    /// Text for the room (`//text` is `/text` said, not a command).
    Text(&'a [u8]),
    /// `/nick NAME`; empty when no name was given.
    Nick(&'a [u8]),
    Who,
    Quit,
    Help,
    Unknown(&'a [u8]),
}

/// Reads a cleaned line: a command if it starts with `/`.
pub fn said(line: &[u8]) -> Said<'_> {
    if line.starts_with(b"//") {
        return Said::Text(&line[1..]);
    }
    let Some(command) = line.strip_prefix(b"/") else {
        return Said::Text(line);
    };
    let (word, rest) = match command.iter().position(|&b| b == b' ' || b == b'\t') {
        Some(i) => (&command[..i], trim(&command[i..])),
        None => (command, &b""[..]),
    };
    match word.to_ascii_lowercase().as_slice() {
        b"nick" | b"name" => Said::Nick(rest),
        b"who" | b"names" => Said::Who,
        b"quit" | b"exit" | b"bye" => Said::Quit,
        b"help" | b"?" => Said::Help,
        _ => Said::Unknown(word),
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// Why a name cannot be taken, if it cannot. Letters, digits, `_`, `-`,
/// `.` and any byte above ASCII (names in Chinese, in any encoding), at
/// most [`MAX_NAME`] bytes. No `:`, `[` or space, so no name can pose as
/// another client's address or as a line's `[name]` label.
pub fn bad_name(name: &[u8]) -> Option<String> {
    if name.is_empty() {
        return Some("give a name: /nick NAME".into());
    }
    if name.len() > MAX_NAME {
        return Some(format!(
            "a name is at most {MAX_NAME} bytes; this one is {}",
            name.len()
        ));
    }
    if let Some(b) = name
        .iter()
        .find(|&&b| !(b.is_ascii_alphanumeric() || b"_-.".contains(&b) || b >= 0x80))
    {
        let shown = if b.is_ascii_graphic() {
            format!("'{}'", char::from(*b))
        } else {
            format!("byte {b:#04x}")
        };
        return Some(format!(
            "{shown} cannot be in a name: use letters, digits, _ - . or any non-ASCII text"
        ));
    }
    None
}

/// Whether two names are the same to a reader (`Alice` and `alice` are).
pub fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, LineEnd) {
        let mut lines = Lines::default();
        let mut got = Vec::new();
        for chunk in chunks {
            lines.take(chunk, |l, _| got.push(l.to_vec()));
        }
        (got, lines.end)
    }

    #[test]
    fn lines_come_whole_whatever_the_recvs() {
        let (got, end) = lines_of(&[b"he", b"llo\r\nwor", b"ld\r\n\r\n"]);
        assert_eq!(got, [b"hello".to_vec(), b"world".to_vec(), Vec::new()]);
        assert_eq!(end, LineEnd::CrLf);
        let (got, end) = lines_of(&[b"a\nb\n"]);
        assert_eq!(got, [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(end, LineEnd::Lf);
    }

    #[test]
    fn a_line_without_end_is_cut_at_the_limit() {
        let long = vec![b'x'; MAX_LINE * 2 + 5];
        let (got, _) = lines_of(&[&long, b"\n"]);
        assert_eq!(
            got.iter().map(Vec::len).collect::<Vec<_>>(),
            [MAX_LINE, MAX_LINE, 5]
        );
        let mut exact = vec![b'y'; MAX_LINE];
        exact.push(b'\n');
        let (got, _) = lines_of(&[&exact]);
        assert_eq!(got.iter().map(Vec::len).collect::<Vec<_>>(), [MAX_LINE]);
        let mut lines = Lines::default();
        lines.take(b"half", |_, _| panic!("not a line yet"));
        assert_eq!(lines.unfinished(), Some(b"half".to_vec()));
        assert_eq!(lines.unfinished(), None);
    }

    #[test]
    fn control_characters_and_telnet_commands_cannot_reach_other_screens() {
        assert_eq!(clean(b"\x1b[2Jgone\x07"), b"^[[2Jgone^G");
        assert_eq!(clean(b"a\tb\x7f"), b"a\tb^?");
        // IAC IP, IAC DO TIMING-MARK (telnet's Ctrl-C), then text.
        assert_eq!(clean(b"\xff\xf4\xff\xfd\x06hi"), b"hi");
        assert_eq!(clean(b"\xff\xfa\x18\x00xterm\xff\xf0ok"), b"ok");
        assert_eq!(clean(b"\xff\xffx"), b"\xffx");
        // Bytes above ASCII pass: UTF-8 and GBK alike.
        let chinese = "你好".as_bytes();
        assert_eq!(clean(chinese), chinese);
        assert_eq!(clean(b"\xc4\xe3\xba\xc3"), b"\xc4\xe3\xba\xc3");
    }

    #[test]
    fn commands_start_with_a_slash() {
        assert_eq!(said(b"hello"), Said::Text(b"hello"));
        assert_eq!(said(b"//etc/hosts"), Said::Text(b"/etc/hosts"));
        assert_eq!(said(b"/nick  alice "), Said::Nick(b"alice"));
        assert_eq!(said(b"/NICK"), Said::Nick(b""));
        assert_eq!(said(b"/who"), Said::Who);
        assert_eq!(said(b"/quit"), Said::Quit);
        assert_eq!(said(b"/dance now"), Said::Unknown(b"dance"));
    }

    #[test]
    fn names_cannot_pose_as_addresses_or_labels() {
        assert_eq!(bad_name(b"alice_2"), None);
        assert_eq!(bad_name("小明".as_bytes()), None);
        for bad in [&b"127.0.0.1:5000"[..], b"[bob]", b"a b", b"", b"\x1b"] {
            assert!(bad_name(bad).is_some(), "{bad:?}");
        }
        assert!(bad_name(&[b'a'; MAX_NAME + 1]).is_some());
        assert!(same_name(b"Alice", b"aLICE"));
    }
}
