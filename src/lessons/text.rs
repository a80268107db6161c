//! Lesson text laid out for the terminal: paragraphs written over several lines in a lesson file
//! are joined and wrapped again at spaces to the width of the screen, so no word is cut.

use unicode_width::UnicodeWidthStr;

/// `text` with each paragraph's lines joined and wrapped at spaces to `width` columns. Blank lines
/// separate paragraphs; an indented line (an example statement) is kept as it is.
pub fn reflow(text: &str, width: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.push(wrap(&paragraph.join(" "), width));
            paragraph.clear();
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
            out.push(String::new());
        } else if line.starts_with([' ', '\t']) {
            flush(&mut paragraph, &mut out);
            out.push(line.to_string());
        } else if is_bullet(line) {
            // Each item of a list starts a paragraph of its own; the lines under it join it.
            flush(&mut paragraph, &mut out);
            paragraph.push(line.trim());
        } else {
            paragraph.push(line.trim());
        }
    }
    flush(&mut paragraph, &mut out);
    out.join("\n")
}

/// Whether a lesson's line starts an item of a list (`- ` or `• `).
fn is_bullet(line: &str) -> bool {
    line.starts_with("- ") || line.starts_with("• ")
}

/// Each line of `text` wrapped at spaces to `width` columns; a line that starts with spaces or a
/// bullet (`- `) goes on under its first word. A word wider than the screen stays whole.
pub fn wrap(text: &str, width: usize) -> String {
    text.lines()
        .map(|line| wrap_line(line, width.max(20)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_line(line: &str, width: usize) -> String {
    if line.width() <= width {
        return line.to_string();
    }
    let body = line.trim_start();
    let lead = &line[..line.len() - body.len()];
    let bullet = ["- ", "• ", "✗ ", "✓ "]
        .iter()
        .find(|b| body.starts_with(**b))
        .map_or(0, |b| b.width());
    let hang = " ".repeat((lead.width() + bullet).min(width / 2));
    let mut lines: Vec<String> = Vec::new();
    let mut current = lead.to_string();
    let mut empty = true;
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        if !empty && current.width() + 1 + word.width() > width {
            lines.push(std::mem::replace(&mut current, hang.clone()));
            empty = true;
        }
        if !empty {
            current.push(' ');
        }
        current.push_str(word);
        empty = false;
    }
    lines.push(current);
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_joined_and_wrapped_at_spaces() {
        let text = "Whenever the ORM needs data it does not\nhave yet, it sends a query.\n\nNext paragraph.";
        let out = reflow(text, 30);
        assert_eq!(
            out,
            "Whenever the ORM needs data it\ndoes not have yet, it sends a\nquery.\n\nNext paragraph."
        );
    }

    #[test]
    fn each_item_of_a_list_is_a_line_of_its_own_and_its_lines_hang_under_it() {
        let text = "Automap names:\n- a class per table: books → Book;\n- a relationship per foreign key,\nthe column without _id;\n- the way back.";
        let out = reflow(text, 30);
        assert_eq!(
            out,
            "Automap names:\n- a class per table: books →\n  Book;\n- a relationship per foreign\n  key, the column without _id;\n- the way back."
        );
    }

    #[test]
    fn indented_examples_are_kept_as_written() {
        let text = "A loop:\n\n    for s in students.where(year == 2): s.classes\n\nOne query.";
        assert_eq!(reflow(text, 20), text);
    }

    #[test]
    fn no_line_is_wider_than_the_screen_and_no_word_is_cut() {
        let text = "  - 3 rows missing, e.g. (35, 13, 4, 'Chemistry 101', 'CH101', 4, 'B')";
        let out = wrap(text, 24);
        for line in out.lines() {
            assert!(line.width() <= 24, "{out}");
        }
        assert!(out.contains("\n    "), "hangs under the bullet: {out}");
        assert_eq!(
            out.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }
}
