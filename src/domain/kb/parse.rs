//! All files at once: each parsed, then validated against the others (topic ids, red-flag
//! ids), every problem gathered in a fixed order so `kb check` lists them all in one run.

use std::collections::HashSet;

use super::problem::parse_toml;
use super::raw::{RawLexiconFile, RawTopicsFile};
use super::{
    emergency, questions, red_flags, synonyms, topics, Kb, KbError, KbFile, KbProblem, Messages,
    Problems, Synonym, WordList, COMMON_WORDS_FILE, EMERGENCY_FILE, LEXICON_FILE, MESSAGES_FILE,
    QUESTIONS_FILE, RED_FLAGS_FILE, REQUIRED_FILES, TOPICS_FILE,
};

/// How the matcher reads words, as validation needs it: keywords that are one term once read
/// this way are one keyword, and synonyms that cannot be compiled are problems. The lexicon
/// implements it; validation takes it as an argument, so `kb` does not depend on the lexicon.
pub trait Terms {
    /// The matcher's terms for folded words (stop words dropped, stemmed, rewritten).
    fn terms<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Vec<String>;
    /// Synonyms that cannot work as written: (index in `synonyms`, what is wrong).
    fn synonym_problems(&self, synonyms: &[Synonym]) -> Vec<(usize, String)>;
}

/// Parses and validates a knowledge base from its files, reading keywords through the terms
/// `build` compiles from the synonyms (the lexicon: see `crate::domain::load::parse`), and
/// returns those terms with the `Kb`, so the engine need not compile them again.
///
/// # Errors
/// Every problem found: a missing file, malformed TOML, unknown fields, duplicate or unknown
/// ids, empty answers, a keyword claimed by two topics with equal weight, empty red-flag terms.
pub fn parse_with<T: Terms>(
    files: &[KbFile],
    build: impl FnOnce(&[Synonym]) -> T,
) -> Result<(Kb, T), KbError> {
    let mut problems = Vec::new();
    let find = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name || f.name.ends_with(&format!("/{name}")))
    };

    for name in REQUIRED_FILES {
        if find(name).is_none() {
            problems.push(KbProblem {
                file: name.to_owned(),
                line: None,
                message: "file is missing".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(KbError { problems });
    }
    // Each `find` succeeds: checked just above.
    let topics_file = find(TOPICS_FILE).expect("checked");
    let lexicon_file = find(LEXICON_FILE).expect("checked");
    let red_flags_file = find(RED_FLAGS_FILE).expect("checked");
    let messages_file = find(MESSAGES_FILE).expect("checked");
    let questions_file = find(QUESTIONS_FILE).expect("checked");

    let raw_topics: Option<RawTopicsFile> = parse_toml(topics_file, &mut problems);
    let raw_lexicon: Option<RawLexiconFile> = parse_toml(lexicon_file, &mut problems);
    let raw_red_flags: Option<red_flags::RawRedFlagsFile> =
        parse_toml(red_flags_file, &mut problems);
    let messages: Option<Messages> = parse_toml(messages_file, &mut problems);
    let raw_questions: Option<questions::RawQuestionsFile> =
        parse_toml(questions_file, &mut problems);

    let lexicon = raw_lexicon.map(|raw| synonyms::validate(lexicon_file, raw, &mut problems));
    // Keywords are compared the way they will be matched: through the lexicon.
    let normalizer = build(lexicon.as_ref().map_or(&[][..], |(synonyms, ..)| synonyms));
    if let Some((synonyms, _, _, lines)) = &lexicon {
        for (synonym, message) in normalizer.synonym_problems(synonyms) {
            let line = lines.get(synonym).copied();
            problems.push(KbProblem {
                file: lexicon_file.name.clone(),
                line,
                message,
            });
        }
    }
    let topics = raw_topics.map(|raw| {
        let matching = raw.matching.clone();
        (
            topics::validate(topics_file, raw, &normalizer, &mut problems),
            matching,
        )
    });
    let red_flags = raw_red_flags.map(|raw| {
        let ids: HashSet<&str> = topics
            .as_ref()
            .map(|(t, _)| t.iter().map(|t| t.id.as_str()).collect())
            .unwrap_or_default();
        red_flags::validate(red_flags_file, raw, &ids, topics.is_some(), &mut problems)
    });
    if let Some(messages) = &messages {
        let mut p = Problems {
            file: messages_file,
            out: &mut problems,
        };
        for (name, text) in [
            ("disclaimer", &messages.disclaimer),
            ("fallback", &messages.fallback),
            ("fallback_short", &messages.fallback_short),
            ("orientation", &messages.orientation),
            ("about_bot", &messages.about_bot),
            ("greeting", &messages.greeting),
            ("thanks", &messages.thanks),
            ("empty", &messages.empty),
        ] {
            if text.trim().is_empty() {
                p.at(None, format!("`{name}` is empty"));
            }
        }
    }

    let lexicon = lexicon.map(|(synonyms, mut scope, kind_flags, _)| {
        if let Some(red_flags) = &red_flags {
            for (kind, flags) in scope.kinds.iter_mut().zip(kind_flags) {
                for (flag, line) in flags {
                    if red_flags.flag(&flag).is_none() {
                        let message =
                            format!("scope kind `{}` names unknown red flag `{flag}`", kind.id);
                        problems.push(KbProblem {
                            file: lexicon_file.name.clone(),
                            line: Some(line),
                            message,
                        });
                    }
                    kind.red_flags.push(flag);
                }
            }
        }
        (synonyms, scope)
    });
    let common_words = find(COMMON_WORDS_FILE)
        .map(|f| WordList::parse(&f.text))
        .unwrap_or_default();

    let questions = raw_questions.map(|raw| {
        let ids: HashSet<&str> = topics
            .as_ref()
            .map(|(t, _)| t.iter().map(|t| t.id.as_str()).collect())
            .unwrap_or_default();
        questions::validate(questions_file, raw, &ids, topics.is_some(), &mut problems)
    });
    // Optional: without the file, no countries (every urgent block says the default text).
    let emergency = find(EMERGENCY_FILE).map(|file| {
        parse_toml::<emergency::RawEmergencyFile>(file, &mut problems)
            .map(|raw| emergency::validate(file, raw, &mut problems))
    });
    let emergency = emergency.unwrap_or_default();
    match (topics, lexicon, red_flags, messages, questions) {
        (
            Some((topics, matching)),
            Some((synonyms, scope)),
            Some(red_flags),
            Some(messages),
            Some(questions),
        ) if problems.is_empty() => Ok((
            Kb {
                topics,
                matching,
                synonyms,
                scope,
                red_flags,
                messages,
                questions,
                common_words,
                emergency: emergency.unwrap_or_default(),
            },
            normalizer,
        )),
        _ => Err(KbError { problems }),
    }
}
