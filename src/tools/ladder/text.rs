//! The ladder as plain text, for a terminal or a projector: 80 columns by
//! default, ASCII only (a Windows console with an old code page shows it
//! as a Linux terminal does), no colour (it is data: it goes to stdout and
//! into files).
//!
//! ```text
//!           client                              server
//!           127.0.0.1:53824                     127.0.0.1:8888
//!           connect, pid 4243                   serve-once, pid 4242
//! +0.0 ms                                       socket(STREAM) -> fd 4
//! +0.1 ms                                       listen(128)
//! +690.3 ms socket(STREAM) -> fd 4
//! +690.5 ms connect(127.0.0.1:8888)
//! +690.5 ms ============= handshake ==========>
//! +690.9 ms                                     accept -> fd 7
//! +691.1 ms sendall(6 bytes)
//! +691.1 ms ------------- 6 bytes ------------>
//! ```
//!
//! Each row holds one thing, so a call may run on past its own column into
//! the empty ones on its right; only the last column is cut to its width.

use super::{ArrowKind, Ladder, What, legend, order, since_start};
use crate::tr;

/// The time column: `+690.3 ms ` fits.
const TIME: usize = 10;
/// Narrower than this, a column shows too little of a call to read.
const NARROWEST: usize = 16;

/// The drawing, `width` characters wide; an error line when the ends do
/// not fit side by side in it.
pub fn draw(ladder: &Ladder, width: usize) -> Result<String, String> {
    let n = ladder.columns.len().max(1);
    let cell = width.saturating_sub(TIME) / n;
    if cell < NARROWEST {
        let most = width.saturating_sub(TIME) / NARROWEST;
        return Err(tr!(
            "ladder-too-narrow",
            ends = n,
            width = width,
            most = most,
            need = TIME + n * NARROWEST
        ));
    }
    let order = order(ladder);
    let start = |col: usize| TIME + cell * order.iter().position(|&c| c == col).unwrap_or(0);

    let mut out = String::new();
    for line in [
        |c: &super::Column| c.name.clone(),
        |c: &super::Column| c.addr.clone(),
        |c: &super::Column| c.about.clone(),
    ] {
        let mut row = " ".repeat(TIME);
        for &col in &order {
            put(&mut row, start(col), &line(&ladder.columns[col]), cell - 1);
        }
        push_line(&mut out, &row);
    }
    for row in &ladder.rows {
        let mut line = format!("{:<TIME$}", since_start(row.t_us));
        match &row.what {
            What::Call { col, text, .. } | What::State { col, text } => {
                let at = start(*col);
                let text = match &row.what {
                    What::State { .. } => format!("[{text}]"),
                    _ => text.clone(),
                };
                put(&mut line, at, &text, width - at);
            }
            What::Arrow {
                from,
                to,
                label,
                kind,
            } => {
                let (a, b) = (start(*from), start(*to));
                let (left, right) = (a.min(b), a.max(b));
                let len = right - left - 1;
                // A label longer than its arrow (a segment's, between two
                // neighbouring ends) goes beside the arrow, on the side with
                // more room, rather than being cut.
                let count = label.chars().count();
                let fits = count <= len.saturating_sub(6);
                let inside = if fits { label.as_str() } else { "" };
                let room_left = left.saturating_sub(TIME + 1);
                let room_right = width.saturating_sub(right + 1);
                let before =
                    !fits && (count <= room_left || (count > room_right && room_left > room_right));
                if before {
                    let at = left - 1 - count.min(room_left);
                    put(&mut line, at, label, count.min(room_left));
                }
                put(&mut line, left, &arrow(len, inside, *kind, a < b), right);
                if !fits && !before {
                    let at = line.chars().count() + 1;
                    put(&mut line, at, label, width.saturating_sub(at));
                }
            }
        }
        push_line(&mut out, &line);
    }
    out.push('\n');
    let legend = legend(ladder, |kind| match fill(kind) {
        '=' => "===",
        '.' => "...",
        '#' => "###",
        _ => "---",
    });
    for line in crate::narrate::words::wrap(&legend, width, 0).lines() {
        push_line(&mut out, line);
    }
    Ok(out)
}

/// `===== handshake =====>`, `<---- 6 bytes -----`: `len` characters.
fn arrow(len: usize, label: &str, kind: ArrowKind, rightwards: bool) -> String {
    let fill = fill(kind);
    let label: String = label.chars().take(len.saturating_sub(6)).collect();
    let label = if label.is_empty() {
        String::new()
    } else {
        format!(" {label} ")
    };
    let body = len.saturating_sub(1);
    let before = body.saturating_sub(label.len()) / 2;
    let after = body.saturating_sub(label.len() + before);
    let line = format!(
        "{}{label}{}",
        fill.to_string().repeat(before),
        fill.to_string().repeat(after)
    );
    if rightwards {
        format!("{line}>")
    } else {
        format!("<{line}")
    }
}

fn fill(kind: ArrowKind) -> char {
    match kind {
        ArrowKind::Handshake => '=',
        ArrowKind::Data | ArrowKind::Segment => '-',
        ArrowKind::Close => '.',
        ArrowKind::Reset => '#',
    }
}

/// Writes `text` into `line` from character `at`, at most `room` wide.
fn put(line: &mut String, at: usize, text: &str, room: usize) {
    let mut chars: Vec<char> = line.chars().collect();
    if chars.len() < at {
        chars.resize(at, ' ');
    }
    chars.truncate(at);
    let count = text.chars().count();
    if count > room {
        chars.extend(text.chars().take(room.saturating_sub(1)));
        chars.push('~');
    } else {
        chars.extend(text.chars());
    }
    *line = chars.into_iter().collect();
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::{Column, Ladder, Row};
    use super::*;

    fn column(name: &str, server: bool) -> Column {
        Column {
            name: name.into(),
            addr: "127.0.0.1:1".into(),
            about: "lab".into(),
            server,
        }
    }

    #[test]
    fn a_label_longer_than_its_arrow_is_drawn_whole_beside_it() {
        let arrow = |from, to, label: &str| Row {
            t_us: 0,
            what: What::Arrow {
                from,
                to,
                label: label.into(),
                kind: ArrowKind::Segment,
            },
        };
        let ladder = Ladder {
            columns: vec![
                column("client 1", false),
                column("client 2", false),
                column("client 3", false),
                column("server", true),
            ],
            rows: vec![
                arrow(2, 3, "SYN seq 0 (retransmitted)"),
                arrow(3, 2, "SYN-ACK seq 0 ack 1"),
                arrow(0, 3, "PSH-ACK seq 1 ack 1 len 6"),
            ],
            waits_left_out: false,
            start_us: 0,
        };
        let drawing = draw(&ladder, 80).unwrap();
        let rows: Vec<&str> = drawing.lines().skip(3).take(3).collect();
        // Between neighbours: the label on the left, where there is room.
        assert!(
            rows[0].contains("SYN seq 0 (retransmitted) -------"),
            "{drawing}"
        );
        assert!(rows[0].ends_with("->"), "{drawing}");
        assert!(
            rows[1].contains("SYN-ACK seq 0 ack 1 <-------"),
            "{drawing}"
        );
        // Across the ladder: inside the arrow, as always.
        assert!(
            rows[2].contains("- PSH-ACK seq 1 ack 1 len 6 -"),
            "{drawing}"
        );
        assert!(drawing.lines().all(|l| l.chars().count() <= 80));
    }
}
