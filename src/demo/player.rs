//! Playing a demo: the position in the script, the statements run so far (to go back by
//! replaying them on a fresh School), and what is shown at each pause.

use super::keys::{Key, Keys};
use super::script::Script;
use crate::lessons::text::wrap;
use crate::session::{Options, Session};
use crate::shell::Shell;
use crate::view::highlight::{self, Kind};
use std::io::Write;

/// One input that was run, and which step of the script it was (none for the instructor's
/// own statements).
#[derive(Debug, Clone)]
struct Played {
    input: String,
    step: Option<usize>,
}

/// A demo being played in a shell.
pub struct Player {
    script: Script,
    shell: Shell,
    options: Options,
    title: String,
    position: usize,
    history: Vec<Played>,
    announced: Option<usize>,
}

impl Player {
    /// A player of `script` in `shell`, whose session was opened with `options` (going back
    /// opens a fresh one with the same options); `title` names the demo.
    pub fn new(script: Script, shell: Shell, options: Options, title: &str) -> Player {
        Player {
            script,
            shell,
            options,
            title: title.to_string(),
            position: 0,
            history: Vec::new(),
            announced: None,
        }
    }

    /// The shell statements run in.
    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    /// Plays until the script ends (on Enter after the last statement), `q`, or the keys
    /// run out. `auto` says the keys come from a clock, for the opening words.
    pub fn play(&mut self, keys: &mut dyn Keys, out: &mut dyn Write, auto: Option<f64>) {
        self.intro(out, auto, keys.instructions());
        loop {
            self.announce(out);
            let total = self.script.steps.len();
            let prompt = format!("demo {}/{total}> ", (self.position + 1).min(total));
            match keys.next_key(&prompt) {
                Key::Next if self.position < total => self.run_step(out),
                Key::Next | Key::Quit | Key::End => break,
                Key::Back => self.back(out),
                Key::Restart => self.restart(out),
                Key::Statement(text) => self.run_own(&text, out),
            }
        }
        if self.shell.session.close() {
            self.say(
                out,
                Kind::Dim,
                "note: a transaction was still open: it was rolled back",
            );
        }
    }

    fn intro(&self, out: &mut dyn Write, auto: Option<f64>, keys: &str) {
        let n = self.script.steps.len();
        let plural = if n == 1 { "" } else { "s" };
        self.say(
            out,
            Kind::Heading,
            &format!("ormscope demo — {}: {n} statement{plural}", self.title),
        );
        let how = match auto {
            Some(seconds) => format!(
                "advancing every {seconds} s; type q and Enter to stop, b to go back, or a statement of your own"
            ),
            None => keys.to_string(),
        };
        self.say(out, Kind::Dim, &how);
        let _ = writeln!(out);
    }

    /// Shows the narration and the statement to come, once per arrival at a step.
    fn announce(&mut self, out: &mut dyn Write) {
        if self.announced == Some(self.position) {
            return;
        }
        self.announced = Some(self.position);
        let total = self.script.steps.len();
        let Some(step) = self.script.steps.get(self.position) else {
            for line in &self.script.closing {
                self.say(out, Kind::Plain, line);
            }
            if !self.script.closing.is_empty() {
                if let Err(e) = self.shell.narrate(&self.script.closing.join("\n")) {
                    self.say(out, Kind::Error, &format!("transcript: {e}"));
                }
            }
            self.say(
                out,
                Kind::Dim,
                "end of the demo: Enter or q leaves, b goes back, r starts again",
            );
            return;
        };
        self.say(
            out,
            Kind::Dim,
            &format!("── {} of {total} ──", self.position + 1),
        );
        for line in &step.narration {
            self.say(out, Kind::Plain, line);
        }
        self.next_line(out);
    }

    /// `next: STATEMENT`, highlighted.
    fn next_line(&self, out: &mut dyn Write) {
        let Some(step) = self.script.steps.get(self.position) else {
            return;
        };
        let painter = &self.shell.settings.painter;
        let statement = highlight::orm(&step.statement, self.shell.session.registry());
        let _ = writeln!(
            out,
            "{}{}",
            painter.paint_one(Kind::Dim, "next: "),
            painter.paint(&statement)
        );
    }

    fn run_step(&mut self, out: &mut dyn Write) {
        let Some(step) = self.script.steps.get(self.position).cloned() else {
            return;
        };
        if !step.narration.is_empty() {
            if let Err(e) = self.shell.narrate(&step.narration.join("\n")) {
                self.say(out, Kind::Error, &format!("transcript: {e}"));
            }
        }
        self.show_run(&step.statement, out);
        self.history.push(Played {
            input: step.statement,
            step: Some(self.position),
        });
        self.position += 1;
    }

    fn run_own(&mut self, text: &str, out: &mut dyn Write) {
        self.show_run(text, out);
        self.history.push(Played {
            input: text.to_string(),
            step: None,
        });
        self.next_line(out);
    }

    fn show_run(&mut self, input: &str, out: &mut dyn Write) {
        let response = self.shell.run(input);
        let _ = writeln!(out, "{}", self.shell.show(&response));
    }

    /// Back over the last statement of the script that ran: the database made again from the
    /// inputs before it (the instructor's own ones included).
    fn back(&mut self, out: &mut dyn Write) {
        let last = self
            .history
            .iter()
            .enumerate()
            .rev()
            .find_map(|(at, played)| played.step.map(|step| (at, step)));
        let Some((at, step)) = last else {
            self.say(
                out,
                Kind::Dim,
                "at the start already: nothing to go back over",
            );
            return;
        };
        self.history.truncate(at);
        if self.rebuild(out) {
            self.position = step;
            self.announced = None;
            let words = format!(
                "back before statement {}: the database is as it was then",
                step + 1
            );
            self.say(out, Kind::Dim, &format!("{words}\n"));
            let _ = self.shell.narrate(&format!("({words})"));
        }
    }

    fn restart(&mut self, out: &mut dyn Write) {
        self.history.clear();
        if self.rebuild(out) {
            self.position = 0;
            self.announced = None;
            self.say(out, Kind::Dim, "started again on a fresh School\n");
            let _ = self.shell.narrate("(started again on a fresh School)");
        }
    }

    /// A fresh session with the history replayed into it; false (and said) if it failed.
    fn rebuild(&mut self, out: &mut dyn Write) -> bool {
        match Session::open(self.options.clone()) {
            Ok(mut session) => {
                for played in &self.history {
                    crate::shell::run_in(&mut session, &played.input);
                }
                self.shell.session = session;
                true
            }
            Err(e) => {
                self.say(
                    out,
                    Kind::Error,
                    &format!("could not make the database again: {}", e.message),
                );
                false
            }
        }
    }

    /// Writes a line of the demo's own text, wrapped at spaces to the screen's width.
    fn say(&self, out: &mut dyn Write, kind: Kind, text: &str) {
        let text = wrap(text, self.shell.settings.width);
        let _ = writeln!(
            out,
            "{}",
            self.shell.settings.painter.paint_one(kind, &text)
        );
    }
}
