//! The ladder as a Mermaid `sequenceDiagram`: paste it into Markdown
//! between ```` ```mermaid ```` fences and GitHub (and most wikis) draw it.
//! Calls are notes over their end, with their time; bytes and FINs are
//! messages from one end to the other.

use std::fmt::Write;

use super::{ArrowKind, Ladder, What, order, since_start};

pub fn draw(ladder: &Ladder) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let id = |col: usize| format!("E{col}");
    for col in order(ladder) {
        let c = &ladder.columns[col];
        let _ = writeln!(
            out,
            "    participant {} as {}",
            id(col),
            clean(&format!("{} {}", c.name, c.addr))
        );
    }
    for row in &ladder.rows {
        let time = since_start(row.t_us);
        let _ = match &row.what {
            What::Call { col, text, .. } => {
                writeln!(out, "    Note over {}: {time} {}", id(*col), clean(text))
            }
            What::State { col, text } => {
                writeln!(out, "    Note over {}: {time} [{}]", id(*col), clean(text))
            }
            What::Arrow {
                from,
                to,
                label,
                kind,
            } => {
                // ->> solid with a head, --) dotted with an open head.
                let line = match kind {
                    ArrowKind::Close | ArrowKind::Reset => "--)",
                    _ => "->>",
                };
                writeln!(out, "    {}{line}{}: {}", id(*from), id(*to), clean(label))
            }
        };
    }
    out
}

/// Mermaid reads `;` and `#` as syntax and a newline ends a statement;
/// what a call printed must not end or break the diagram.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ';' => ',',
            '#' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}
