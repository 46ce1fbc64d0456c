//! The ladder as a standalone SVG file: for slides and web pages, where a
//! terminal's 80 columns do not bind. The same rows as the text drawing, a
//! lifeline per end, arrows with heads, times on the left; no script, no
//! external font, so any browser or slide program shows it as it is.

use std::fmt::Write;

use super::{ArrowKind, Ladder, What, legend, order, since_start};

const LEFT: usize = 90;
const COLUMN: usize = 300;
const ROW: usize = 20;
const TOP: usize = 70;

pub fn draw(ladder: &Ladder) -> String {
    let order = order(ladder);
    let n = order.len().max(1);
    let width = LEFT + COLUMN * n;
    let height = TOP + ROW * (ladder.rows.len() + 2);
    let x = |col: usize| LEFT + 10 + COLUMN * order.iter().position(|&c| c == col).unwrap_or(0);

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">
<title>socktool ladder</title>
<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>"#
    );
    for &col in &order {
        let c = &ladder.columns[col];
        let cx = x(col);
        let _ = writeln!(
            svg,
            r#"<text x="{cx}" y="18" font-weight="bold">{}</text><text x="{cx}" y="34">{}</text><text x="{cx}" y="50" fill="gray">{}</text>"#,
            escape(&c.name),
            escape(&c.addr),
            escape(&c.about)
        );
        let _ = writeln!(
            svg,
            r#"<line x1="{cx}" y1="{}" x2="{cx}" y2="{}" stroke="lightgray"/>"#,
            TOP - 10,
            height - ROW
        );
    }
    for (i, row) in ladder.rows.iter().enumerate() {
        let y = TOP + ROW * i + 14;
        let _ = writeln!(
            svg,
            r#"<text x="4" y="{y}" fill="gray">{}</text>"#,
            escape(&since_start(row.t_us))
        );
        match &row.what {
            What::Call { col, text, failed } => {
                let fill = if *failed { "firebrick" } else { "black" };
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{y}" fill="{fill}">{}</text>"#,
                    x(*col) + 6,
                    escape(text)
                );
            }
            What::State { col, text } => {
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{y}" fill="darkgreen">[{}]</text>"#,
                    x(*col) + 6,
                    escape(text)
                );
            }
            What::Arrow {
                from,
                to,
                label,
                kind,
            } => {
                let (x1, x2) = (x(*from), x(*to));
                let (stroke, dash) = match kind {
                    ArrowKind::Handshake => ("navy", ""),
                    ArrowKind::Data => ("black", ""),
                    ArrowKind::Close => ("black", r#" stroke-dasharray="4 3""#),
                    ArrowKind::Segment => ("teal", ""),
                    ArrowKind::Reset => ("firebrick", ""),
                };
                let _ = writeln!(
                    svg,
                    r#"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{stroke}"{dash} marker-end="url(#head)"/><text x="{}" y="{}" text-anchor="middle" fill="{stroke}">{}</text>"#,
                    (x1 + x2) / 2,
                    y - 3,
                    escape(label)
                );
            }
        }
    }
    let _ = writeln!(
        svg,
        r#"<text x="4" y="{}" fill="gray">{}</text>"#,
        height - 6,
        escape(&legend(ladder, |kind| match kind {
            ArrowKind::Handshake => "navy:",
            ArrowKind::Data => "black:",
            ArrowKind::Close => "dashed:",
            ArrowKind::Segment => "teal:",
            ArrowKind::Reset => "red:",
        }))
    );
    svg.push_str("</svg>\n");
    svg
}

/// Text as XML character data: addresses and errors are plain, but a
/// recording is input, and `<` or `&` in it must not break the file.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
