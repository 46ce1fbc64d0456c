//! TLS as bytes on the socket: records, read out.
//!
//! Everything TLS sends is cut into records, each with a five-byte header:
//!
//! ```text
//! 16          content type: 14 change_cipher_spec, 15 alert, 16 handshake, 17 application_data (hex)
//! 03 01       version (a fossil: TLS 1.3 writes 03 03, "1.2", so old middleboxes let it through)
//! 02 00       length of what follows, at most 16 KiB plus a little
//! ```
//!
//! rustls reads and writes the records itself; [`Records`] only follows
//! each direction's stream of bytes to say, under `--hex`, where each
//! record begins and what it carries, and to keep the first bytes the
//! server sent: when the handshake fails they tell what the server offered
//! (its ServerHello) or that it does not speak TLS at all (a plain HTTP
//! server answers `HTTP/1.1 400 Bad Request`).

use std::fmt;

/// The header of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub kind: u8,
    pub version: u16,
    pub len: u16,
    /// For a handshake record that is not encrypted: the type of the
    /// message it starts with (1 ClientHello, 2 ServerHello, ...).
    pub message: Option<u8>,
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:02x})", content_type(self.kind), self.kind)?;
        if let Some(m) = self.message {
            write!(f, " {}", handshake_message(m))?;
        }
        write!(
            f,
            ", version {:02x} {:02x}, {} bytes",
            self.version >> 8,
            self.version & 0xff,
            self.len
        )
    }
}

/// How much of the server's first bytes is kept, to say what it sent.
const KEEP: usize = 512;

/// One direction's byte stream, followed record by record.
#[derive(Debug, Default)]
pub struct Records {
    /// The header being read (up to 5 bytes), and how much of it came.
    head: [u8; 5],
    have: usize,
    /// Bytes of the current record's body still to come.
    left: usize,
    /// The current record, once its header is in.
    current: Option<Head>,
    /// A handshake record whose header came without its first body byte,
    /// which names the message: told once that byte comes.
    waiting: Option<Head>,
    /// A change_cipher_spec went by: handshake records after it are
    /// encrypted (TLS 1.2), so their first byte means nothing.
    encrypted: bool,
    /// The first bytes of the stream, as they came.
    pub first: Vec<u8>,
    /// Whether the stream, from its first byte, is not TLS.
    pub not_tls: bool,
}

impl Records {
    /// Follows `bytes`, the next piece of the stream; returns the headers
    /// of the records that begin in it.
    pub fn follow(&mut self, mut bytes: &[u8]) -> Vec<Head> {
        if self.first.len() < KEEP {
            let take = bytes.len().min(KEEP - self.first.len());
            self.first.extend_from_slice(&bytes[..take]);
            self.not_tls = !looks_like_tls(&self.first);
        }
        let mut heads = Vec::new();
        if let (Some(mut head), Some(&first)) = (self.waiting, bytes.first()) {
            head.message = Some(first);
            heads.push(head);
            self.waiting = None;
        }
        while !bytes.is_empty() && !self.not_tls {
            if self.left > 0 {
                let take = bytes.len().min(self.left);
                if take == self.left && self.current.is_some_and(|h| h.kind == 20) {
                    self.encrypted = true;
                }
                self.left -= take;
                bytes = &bytes[take..];
                continue;
            }
            let take = bytes.len().min(5 - self.have);
            self.head[self.have..self.have + take].copy_from_slice(&bytes[..take]);
            self.have += take;
            bytes = &bytes[take..];
            if self.have < 5 {
                break;
            }
            self.have = 0;
            let [kind, v1, v2, l1, l2] = self.head;
            let len = u16::from_be_bytes([l1, l2]);
            let names_message = kind == 22 && !self.encrypted && len > 0;
            let head = Head {
                kind,
                version: u16::from_be_bytes([v1, v2]),
                len,
                message: bytes.first().copied().filter(|_| names_message),
            };
            self.left = usize::from(len);
            if len == 0 && kind == 20 {
                self.encrypted = true;
            }
            self.current = Some(head);
            if names_message && bytes.is_empty() {
                self.waiting = Some(head);
            } else {
                heads.push(head);
            }
        }
        heads
    }

    /// What the server's ServerHello chose, if its first bytes hold one.
    pub fn server_hello(&self) -> Option<Hello> {
        parse_server_hello(&self.first)
    }
}

/// Whether a stream that begins with `first` can be TLS: a known content
/// type, then major version 3. Judged on what has come so far.
pub fn looks_like_tls(first: &[u8]) -> bool {
    let kind_ok = first.first().is_none_or(|k| (20..=24).contains(k));
    let major_ok = first.get(1).is_none_or(|&v| v == 3);
    kind_ok && major_ok
}

/// What a ServerHello chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    pub version: u16,
    pub suite: u16,
}

impl fmt::Display for Hello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} with cipher suite {} ({:04x})",
            version_name(self.version),
            suite_name(self.suite),
            self.suite
        )
    }
}

/// A cipher suite by its IANA name: rustls knows the ones it speaks; an
/// old server's, which rustls never offers, are named here (the ones a
/// TLS 1.0 server is likely to choose).
pub fn suite_name(suite: u16) -> String {
    let old = match suite {
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        _ => "",
    };
    if !old.is_empty() {
        return old.into();
    }
    let known = format!("{:?}", rustls::CipherSuite::from(suite));
    if known.starts_with("CipherSuite(") || known.starts_with("Unknown") {
        "unknown to rustls".into()
    } else {
        known
    }
}

/// Reads the ServerHello at the start of a server's stream: record header,
/// handshake header (type 2), version, 32 random bytes, session id, cipher
/// suite, compression, then extensions, where `supported_versions` (43)
/// holds the real version from TLS 1.3 on.
fn parse_server_hello(stream: &[u8]) -> Option<Hello> {
    if stream.first() != Some(&22) || stream.get(5) != Some(&2) {
        return None;
    }
    let body = stream.get(9..)?;
    let legacy = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let sid_len = usize::from(*body.get(34)?);
    let at = 35 + sid_len;
    let suite = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]);
    let mut version = legacy;
    // Extensions, if they came whole in what was kept.
    if let Some(ext) = body.get(at + 5..) {
        let mut rest = ext;
        while rest.len() >= 4 {
            let kind = u16::from_be_bytes([rest[0], rest[1]]);
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            let Some(data) = rest.get(4..4 + len) else {
                break;
            };
            if kind == 43 && len == 2 {
                version = u16::from_be_bytes([data[0], data[1]]);
            }
            rest = &rest[4 + len..];
        }
    }
    Some(Hello { version, suite })
}

/// A record's content type by name.
pub fn content_type(kind: u8) -> &'static str {
    match kind {
        20 => "change_cipher_spec",
        21 => "alert",
        22 => "handshake",
        23 => "application_data",
        24 => "heartbeat",
        _ => "unknown",
    }
}

/// A handshake message's type by name (RFC 8446, section 4).
pub fn handshake_message(kind: u8) -> &'static str {
    match kind {
        1 => "ClientHello",
        2 => "ServerHello",
        4 => "NewSessionTicket",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        _ => "message",
    }
}

/// `TLS 1.2`, `SSL 3.0`, or the number.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        v => format!("version {v:04x}"),
    }
}

/// An alert as RFC 8446 spells it: `handshake_failure`, from rustls'
/// `HandshakeFailure`.
pub fn alert_name(alert: rustls::AlertDescription) -> String {
    let camel = format!("{alert:?}");
    let mut snake = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_wherever_recv_cuts() {
        // A ClientHello record, then a change_cipher_spec, in one stream.
        let mut stream = vec![22, 3, 1, 0, 4, 1, 0, 0, 0];
        stream.extend([20, 3, 3, 0, 1, 1]);
        stream.extend([22, 3, 3, 0, 2, 0x99, 0x99]);
        for step in [1, 2, 3, 5, 100] {
            let mut r = Records::default();
            let heads: Vec<Head> = stream.chunks(step).flat_map(|c| r.follow(c)).collect();
            assert_eq!(heads.len(), 3, "step {step}");
            assert_eq!(
                heads[0].to_string(),
                "handshake (16) ClientHello, version 03 01, 4 bytes"
            );
            assert_eq!(heads[1].kind, 20);
            // After change_cipher_spec, a handshake record is encrypted.
            assert_eq!(heads[2].message, None, "step {step}");
        }
    }

    #[test]
    fn plain_http_is_not_tls() {
        let mut r = Records::default();
        r.follow(b"HTTP/1.1 400 Bad Request\r\n");
        assert!(r.not_tls);
        let mut tls = Records::default();
        tls.follow(&[21, 3]);
        assert!(!tls.not_tls);
        assert!(looks_like_tls(&[]));
    }

    #[test]
    fn a_server_hello_says_what_the_server_chose() {
        // TLS 1.0 and TLS_RSA_WITH_AES_128_CBC_SHA, no extensions.
        let mut body = vec![2, 0, 0, 38, 3, 1];
        body.extend([0; 32]);
        body.extend([0, 0x00, 0x2f, 0]);
        let mut stream = vec![22, 3, 1, 0, body.len() as u8];
        stream.extend(&body);
        let mut r = Records::default();
        r.follow(&stream);
        let hello = r.server_hello().unwrap();
        assert_eq!(
            hello,
            Hello {
                version: 0x0301,
                suite: 0x002f
            }
        );
        assert!(
            hello.to_string().starts_with("TLS 1.0 with cipher suite "),
            "{hello}"
        );
        // supported_versions (43) overrides the legacy field.
        let mut v13 = body.clone();
        v13.extend([0, 6, 0, 43, 0, 2, 3, 4]);
        let mut stream = vec![22, 3, 3, 0, v13.len() as u8];
        stream.extend(&v13);
        assert_eq!(parse_server_hello(&stream).unwrap().version, 0x0304);
    }

    #[test]
    fn alerts_by_their_rfc_names() {
        assert_eq!(
            alert_name(rustls::AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(
            alert_name(rustls::AlertDescription::from(40)),
            "handshake_failure"
        );
    }
}
