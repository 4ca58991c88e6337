//! [`Text`]: a user-facing sentence not yet in a language, for what is worded before the
//! reader's language is known or read in another language later: an error
//! ([`PageError`](crate::dashboard::PageError)), an operation's title and outcome (worked
//! out in the background, shown to whoever opens its page).

use std::fmt;

use super::{Lang, Msg};

/// A message of the catalogue with its placeholders' values, rendered in a language by
/// [`Text::render`]; [`Display`](fmt::Display) is English (for logs). Whole sentences
/// that follow it ([`Text::then`]) are rendered after it, each from its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    msg: Msg,
    /// The number a plural message's form depends on.
    count: Option<u64>,
    args: Vec<(&'static str, Arg)>,
    then: Vec<Text>,
}

/// The value of a placeholder: words the same in every language (a number, an address,
/// a file name, a code), a text of its own (a field's name, an error's explanation), or
/// words of the catalogue joined by commas (a scope: `read,share`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    Same(String),
    Text(Text),
    Words(Vec<Msg>),
}

impl Text {
    /// Message `msg`, its placeholders still to fill.
    pub fn new(msg: Msg) -> Text {
        Text {
            msg,
            count: None,
            args: Vec::new(),
            then: Vec::new(),
        }
    }

    /// Plural message `msg` ("one|other") for the number `n` (which fills `{n}`).
    pub fn count(msg: Msg, n: u64) -> Text {
        Text {
            count: Some(n),
            ..Text::new(msg)
        }
    }

    /// Fills placeholder `{name}` with `value`, the same in every language.
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Text {
        self.args.push((name, Arg::Same(value.to_string())));
        self
    }

    /// Fills placeholder `{name}` with `value`, rendered in the reader's language.
    pub fn with_text(mut self, name: &'static str, value: impl Into<Text>) -> Text {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    /// Fills placeholder `{name}` with `words`, each in the reader's language, joined by
    /// commas (`read,share` / `lecture,partage`).
    pub fn with_words(mut self, name: &'static str, words: Vec<Msg>) -> Text {
        self.args.push((name, Arg::Words(words)));
        self
    }

    /// This text, then the whole sentence(s) `next` after a space.
    pub fn then(mut self, next: impl Into<Text>) -> Text {
        self.then.push(next.into());
        self
    }

    /// The message it starts with.
    pub fn msg(&self) -> Msg {
        self.msg
    }

    /// The text in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Same(v) => v.clone(),
                    Arg::Text(t) => t.render(lang),
                    Arg::Words(words) => words
                        .iter()
                        .map(|w| lang.t(*w))
                        .collect::<Vec<_>>()
                        .join(","),
                };
                (*name, value)
            })
            .collect();
        let mut out = match self.count {
            Some(n) => lang.nf(self.msg, n, &args),
            None => lang.f(self.msg, &args),
        };
        for next in &self.then {
            out.push(' ');
            out.push_str(&next.render(lang));
        }
        out
    }
}

impl From<Msg> for Text {
    fn from(msg: Msg) -> Text {
        Text::new(msg)
    }
}

/// English, for logs and plain-text answers.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_renders_in_each_language_with_nested_texts_plurals_and_sentences() {
        let t = Text::new(Msg::FieldProblem)
            .with_text("field", Msg::FieldDoctor)
            .with_text(
                "problem",
                Text::new(Msg::NotAnAccount).with("text", "bogus"),
            )
            .then(Text::count(Msg::KeysShared, 2));
        assert_eq!(
            t.render(Lang::En),
            "doctor: `bogus` is neither one of this server's accounts nor a Stacks address (ST...) 2 record keys shared."
        );
        assert_eq!(
            t.render(Lang::Fr),
            "Médecin : `bogus` n'est ni un compte de ce serveur ni une adresse Stacks (ST...) 2 clés de dossiers partagées."
        );
        assert_eq!(t.to_string(), t.render(Lang::En));
        assert_eq!(t.msg(), Msg::FieldProblem);
    }
}
