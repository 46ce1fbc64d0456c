//! What every message is, and how each reply byte is checked against it.
//!
//! A server that garbles bytes is easy to catch; one that sends client A's
//! reply to client B is not, unless the clients send different things. So
//! each message's letters depend on the client and the round trip, and a
//! reply must be exactly `--prefix` followed by that message: no byte more
//! or less. TCP delivers a reply in however many pieces it likes, so the
//! check takes one piece at a time and remembers where it is.

/// Message `round` of client `id`: lowercase letters whose sequence depends
/// on both, then '\n'. Distinct per client, so crossed replies are caught.
pub(super) fn fill_message(msg: &mut [u8], id: u64, round: u64) {
    let Some((last, body)) = msg.split_last_mut() else {
        return;
    };
    let seed = id.wrapping_mul(7).wrapping_add(round.wrapping_mul(13)) % 26;
    for (j, b) in body.iter_mut().enumerate() {
        *b = b'a' + ((seed + j as u64 % 26) % 26) as u8;
    }
    *last = b'\n';
}

/// Checks `chunk`, which continues a reply at byte `at`, against `prefix`
/// followed by `msg`. `Err(i)`: `chunk[i]` is the first wrong byte (or the
/// first byte past the end of the expected reply).
pub(super) fn verify(prefix: &[u8], msg: &[u8], at: usize, chunk: &[u8]) -> Result<(), usize> {
    let total = prefix.len() + msg.len();
    let mut i = 0;
    while i < chunk.len() {
        let p = at + i;
        if p >= total {
            return Err(i);
        }
        let (src, off) = if p < prefix.len() {
            (prefix, p)
        } else {
            (msg, p - prefix.len())
        };
        let take = (src.len() - off).min(chunk.len() - i);
        if chunk[i..i + take] != src[off..off + take] {
            let j = chunk[i..i + take]
                .iter()
                .zip(&src[off..off + take])
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            return Err(i + j);
        }
        i += take;
    }
    Ok(())
}

/// Bytes for a message: escaped exactly (never lossy), cut after 48.
pub(super) fn shown(bytes: &[u8]) -> String {
    let cut = bytes.len().min(48);
    let mut s = bytes[..cut].escape_ascii().to_string();
    if cut < bytes.len() {
        s.push_str("...");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lines_that_differ_per_client_and_round() {
        let mut a = vec![0; 8];
        let mut b = vec![0; 8];
        fill_message(&mut a, 1, 0);
        fill_message(&mut b, 2, 0);
        assert_eq!(a.last(), Some(&b'\n'));
        assert!(a[..7].iter().all(u8::is_ascii_lowercase));
        assert_ne!(a, b);
        fill_message(&mut b, 1, 1);
        assert_ne!(a, b);
        let mut one = vec![0; 1];
        fill_message(&mut one, 5, 5);
        assert_eq!(one, b"\n");
    }

    #[test]
    fn verify_finds_the_first_wrong_byte_across_pieces() {
        let (p, m) = (&b"OK..."[..], &b"abc\n"[..]);
        assert_eq!(verify(p, m, 0, b"OK...abc\n"), Ok(()));
        assert_eq!(verify(p, m, 0, b"OK"), Ok(()));
        assert_eq!(verify(p, m, 2, b"...a"), Ok(()));
        assert_eq!(verify(p, m, 5, b"abc\n"), Ok(()));
        assert_eq!(verify(p, m, 0, b"OK..xabc\n"), Err(4));
        assert_eq!(verify(p, m, 6, b"bX"), Err(1));
        assert_eq!(verify(p, m, 0, b"OK...abc\nX"), Err(9), "one byte too many");
        assert_eq!(verify(b"", m, 0, b"abc\n"), Ok(()));
        assert_eq!(verify(b"", m, 0, b"abd\n"), Err(2));
    }
}
