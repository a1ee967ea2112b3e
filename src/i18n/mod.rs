//! Messages to people in the reader's language. A [`Message`] is a message id from the Fluent
//! catalogues beside this file (`en.ftl`, `fr.ftl`) and its arguments; it is put into words
//! only when the response is written, once `Accept-Language` has chosen the language.
//! Programs read a problem's `type` and each field's `code`, which never change.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The languages relais answers in; English when the reader asks for none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    English,
    French,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::French];

    /// The tag of `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// The first of ours in a ranked `Accept-Language`, English for `*` or none.
    pub fn preferred<'a>(ranked: impl IntoIterator<Item = Option<&'a str>>) -> Language {
        for primary in ranked {
            match primary {
                None => return Language::English,
                Some(tag) if tag.eq_ignore_ascii_case("fr") => return Language::French,
                Some(tag) if tag.eq_ignore_ascii_case("en") => return Language::English,
                Some(_) => {}
            }
        }
        Language::English
    }

    fn catalogue(self) -> &'static FluentBundle<FluentResource> {
        match self {
            Language::English => &CATALOGUES.0,
            Language::French => &CATALOGUES.1,
        }
    }
}

static CATALOGUES: LazyLock<(FluentBundle<FluentResource>, FluentBundle<FluentResource>)> =
    LazyLock::new(|| {
        (
            catalogue("en", include_str!("en.ftl")),
            catalogue("fr", include_str!("fr.ftl")),
        )
    });

fn catalogue(tag: &str, source: &str) -> FluentBundle<FluentResource> {
    let locale: LanguageIdentifier = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // Unicode isolation marks would show as noise in JSON and in form messages.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
            log::error!("the {tag} catalogue has errors: {errors:?}");
            partial
        });
    bundle.add_resource_overriding(resource);
    bundle
}

/// A message not yet put into words: its id and arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    id: Cow<'static, str>,
    args: Vec<(Cow<'static, str>, FluentValue<'static>)>,
}

impl Message {
    pub fn new(id: impl Into<Cow<'static, str>>) -> Message {
        Message {
            id: id.into(),
            args: Vec::new(),
        }
    }

    pub fn with(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<FluentValue<'static>>,
    ) -> Message {
        self.args.push((name.into(), value.into()));
        self
    }

    /// The message in `language`, or in English when that catalogue lacks it.
    pub fn render(&self, language: Language) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            args.set(name.clone(), value.clone());
        }
        for language in [language, Language::English] {
            let bundle = language.catalogue();
            let Some(pattern) = bundle.get_message(&self.id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            if !errors.is_empty() {
                log::warn!("message {} in {}: {errors:?}", self.id, language.tag());
            }
            return text.into_owned();
        }
        log::error!("no message {} in the catalogues", self.id);
        self.id.to_string()
    }
}

/// `msg!("unknown-parameter", name = name)`: a [`Message`] with named arguments.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Message::new($id)$(.with(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The ids of a catalogue, with the variables each uses (found as the ones missing when it
    /// is formatted with none).
    fn messages(language: Language) -> Vec<(String, BTreeSet<String>)> {
        let source = match language {
            Language::English => include_str!("en.ftl"),
            Language::French => include_str!("fr.ftl"),
        };
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(resource) => resource,
            Err((_, errors)) => panic!("the {} catalogue: {errors:?}", language.tag()),
        };
        let bundle = language.catalogue();
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .map(|id| {
                let pattern = bundle.get_message(&id).and_then(|m| m.value()).expect(&id);
                let mut errors = Vec::new();
                bundle.format_pattern(pattern, None, &mut errors);
                let variables = errors
                    .iter()
                    .filter_map(|e| {
                        let text = e.to_string();
                        text.split_once('$').map(|(_, v)| v.trim().to_string())
                    })
                    .collect();
                (id, variables)
            })
            .collect()
    }

    #[test]
    fn catalogues_say_the_same_things() {
        let english = messages(Language::English);
        let french = messages(Language::French);
        assert!(english.len() > 100, "{} messages", english.len());
        let ids = |messages: &[(String, BTreeSet<String>)]| -> Vec<String> {
            messages.iter().map(|(id, _)| id.clone()).collect()
        };
        assert_eq!(
            ids(&english),
            ids(&french),
            "the same ids, in the same order"
        );
        // The code passes what the English message needs; a translation may say less.
        for ((id, given), (_, used)) in english.iter().zip(&french) {
            assert!(
                used.is_subset(given),
                "{id} in French uses {used:?}, given {given:?}"
            );
        }
    }

    #[test]
    fn every_message_used_is_in_the_catalogues() {
        let known: BTreeSet<String> = messages(Language::English)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut used = BTreeSet::new();
        let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).expect("src/") {
                let path = entry.expect("an entry of src/").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("i18n/mod.rs")
                {
                    let source = std::fs::read_to_string(&path).expect("a source file");
                    // `field_error(field, code, message)` names its message last (the field
                    // may be a variable).
                    for call in source.split("field_error(").skip(1) {
                        let arguments = call.split(')').next().unwrap_or_default();
                        let literals: Vec<&str> = arguments.split('"').skip(1).step_by(2).collect();
                        if let [_, .., id] = literals.as_slice() {
                            used.insert(id.to_string());
                        }
                    }
                    for marker in ["msg!(", "Message::new(", "with_message("] {
                        for (_, rest) in source
                            .match_indices(marker)
                            .map(|(i, _)| source.split_at(i + marker.len()))
                        {
                            let rest = rest.trim_start();
                            if let Some(id) =
                                rest.strip_prefix('"').and_then(|r| r.split('"').next())
                            {
                                used.insert(id.to_string());
                            }
                        }
                    }
                }
            }
        }
        assert!(used.len() > 100, "{} ids found in src/", used.len());
        let missing: Vec<_> = used.difference(&known).collect();
        assert!(missing.is_empty(), "not in the catalogues: {missing:?}");
    }

    #[test]
    fn the_reader_language_is_the_first_of_ours() {
        assert_eq!(
            Language::preferred([Some("de"), Some("fr")]),
            Language::French
        );
        assert_eq!(Language::preferred([Some("FR")]), Language::French);
        assert_eq!(
            Language::preferred([Some("en"), Some("fr")]),
            Language::English
        );
        assert_eq!(Language::preferred([None, Some("fr")]), Language::English);
        assert_eq!(Language::preferred([Some("de")]), Language::English);
    }

    #[test]
    fn arguments_fill_the_message() {
        let text = msg!("unknown-parameter", name = "thème");
        assert_eq!(
            text.render(Language::French),
            "paramètre de requête inconnu : `thème`"
        );
        assert_eq!(
            text.render(Language::English),
            "unknown query parameter `thème`"
        );
    }
}
