//! The key log: the secrets of each TLS connection, written down so that
//! Wireshark can decrypt a capture of it.
//!
//! Browsers and curl write it when SSLKEYLOGFILE names a file; socktool
//! does too, and `--keylog FILE` says it on the command line. The format
//! is NSS's, one secret a line:
//!
//! ```text
//! CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random, 64 hex> <secret, hex>
//! ```
//!
//! The client random (sent in the clear in the ClientHello) tells
//! Wireshark which connection in the capture the secret belongs to. Lines
//! are appended, as browsers do, so one file serves many runs. Whoever
//! has this file can read those connections: it is a key, not a log.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::SockError;

/// Where this run's secrets go.
#[derive(Debug)]
pub struct KeyLogTo {
    file: Mutex<File>,
    pub path: PathBuf,
    /// Lines written, and lines a failed write lost.
    pub written: AtomicU64,
    pub lost: AtomicU64,
}

impl KeyLogTo {
    /// Opens `path` for appending (created if missing), before any socket
    /// exists, so a bad path is said before the connection is made.
    pub fn open(path: &Path) -> Result<KeyLogTo, SockError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| SockError::WriteFile {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(KeyLogTo {
            file: Mutex::new(file),
            path: path.to_path_buf(),
            written: AtomicU64::new(0),
            lost: AtomicU64::new(0),
        })
    }
}

/// One line of the NSS key log format.
pub fn line(label: &str, client_random: &[u8], secret: &[u8]) -> String {
    let mut out = String::with_capacity(label.len() + 2 * (client_random.len() + secret.len()) + 3);
    out.push_str(label);
    out.push(' ');
    for b in client_random {
        let _ = write!(out, "{b:02x}");
    }
    out.push(' ');
    for b in secret {
        let _ = write!(out, "{b:02x}");
    }
    out.push('\n');
    out
}

impl rustls::KeyLog for KeyLogTo {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        // rustls calls this in the middle of the handshake, which cannot
        // stop for a full disk: a failure is counted and said afterwards.
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        match file.write_all(line(label, client_random, secret).as_bytes()) {
            Ok(()) => self.written.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.lost.fetch_add(1, Ordering::Relaxed),
        };
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nss_format() {
        assert_eq!(
            super::line("CLIENT_RANDOM", &[0xab, 0x01], &[0xff]),
            "CLIENT_RANDOM ab01 ff\n"
        );
    }
}
