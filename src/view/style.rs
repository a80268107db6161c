//! Colours for highlighted runs, and the decision whether to use them at all.

use super::highlight::{Kind, Run};
use nu_ansi_term::{Color, Style};
use std::io::IsTerminal;

/// Paints runs with ANSI colours, or leaves them plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Painter {
    /// Whether to emit colour at all.
    pub color: bool,
}

impl Painter {
    /// Colour only on a terminal, and not when `NO_COLOR` is set or `--no-color` was given.
    pub fn detect(no_color_flag: bool) -> Painter {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Painter {
            color: !no_color_flag && !no_color_env && std::io::stdout().is_terminal(),
        }
    }

    /// The runs as text, coloured when colour is on.
    pub fn paint(&self, runs: &[Run]) -> String {
        runs.iter()
            .map(|r| self.paint_one(r.kind, &r.text))
            .collect()
    }

    /// One piece of text in the colour of its kind.
    pub fn paint_one(&self, kind: Kind, text: &str) -> String {
        let text = visible(text);
        if !self.color || text.is_empty() {
            return text;
        }
        style(kind).paint(text).to_string()
    }
}

/// The text with control characters (other than newlines) shown as escapes, so data can never
/// send commands to the terminal.
fn visible(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn style(kind: Kind) -> Style {
    match kind {
        Kind::Plain => Style::new(),
        Kind::Keyword => Color::Blue.bold(),
        Kind::Collection => Color::Cyan.bold(),
        Kind::Method => Color::Blue.normal(),
        Kind::Text => Color::Green.normal(),
        Kind::Number => Color::Yellow.normal(),
        Kind::Param => Color::Magenta.bold(),
        Kind::Dim => Style::new().dimmed(),
        Kind::Heading => Style::new().bold().dimmed(),
        Kind::Error => Color::Red.bold(),
        Kind::Hint => Color::Yellow.normal(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_colour_means_no_escape_codes() {
        let p = Painter { color: false };
        assert_eq!(p.paint(&[Run::new(Kind::Keyword, "SELECT")]), "SELECT");
    }

    #[test]
    fn colour_wraps_text_in_escape_codes() {
        let p = Painter { color: true };
        let text = p.paint(&[Run::new(Kind::Keyword, "SELECT")]);
        assert!(
            text.starts_with("\u{1b}[") && text.contains("SELECT"),
            "{text:?}"
        );
    }
}
