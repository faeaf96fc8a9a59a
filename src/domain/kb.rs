//! The knowledge base: schema of the TOML files under `knowledge/`, parsing and validation.
//!
//! Files arrive as `(name, text)` pairs already in memory; reading them from disk or from the
//! binary is the caller's business (`crate::kb_files`). Raw serde structs stay private; `parse`
//! turns them into the validated `Kb` or a `KbError` listing every problem with file and line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::lexicon::Lexicon;
use super::normalize::{fold, is_stop_word, words};

mod questions;
mod red_flags;

pub use questions::{Intent, Questions, Subject, ANY_SUBJECT};

pub use red_flags::{
    AgeRule, CheckQuestion, FlagContext, Measure, NearRule, Negation, Patterns, RedFlag, RedFlags,
    Tier, UrgentText,
};

/// The file names a knowledge base is made of.
pub const TOPICS_FILE: &str = "topics.toml";
/// Synonyms, lay terms, spelling variants and out-of-scope markers.
pub const LEXICON_FILE: &str = "lexicon.toml";
/// Red flags and the urgent-care text.
pub const RED_FLAGS_FILE: &str = "redflags.toml";
/// Fixed wording: disclaimer, fallback, greetings, safety net.
pub const MESSAGES_FILE: &str = "messages.toml";
/// How a question is read: domain, other senses, intents, subjects, routes, follow-ups.
pub const QUESTIONS_FILE: &str = "questions.toml";
/// Common English words: never spell-corrected (optional file).
pub const COMMON_WORDS_FILE: &str = "common_words.txt";

/// The files `parse` needs, in the order they are reported.
pub const REQUIRED_FILES: [&str; 5] = [
    TOPICS_FILE,
    LEXICON_FILE,
    RED_FLAGS_FILE,
    MESSAGES_FILE,
    QUESTIONS_FILE,
];

/// A knowledge-base file's name and its whole text.
#[derive(Clone)]
pub struct KbFile {
    /// The name used in error messages (a path when loaded from disk).
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// One problem found while loading a knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbProblem {
    /// File name as given to `parse`.
    pub file: String,
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    /// What is wrong, lowercase, no final period.
    pub message: String,
}

impl fmt::Display for KbProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why a knowledge base could not be loaded: every problem found, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KbError {
    /// The problems, in file order.
    pub problems: Vec<KbProblem>,
}

impl fmt::Display for KbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid knowledge base ({n} problem{})",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

/// A topic's stable id, as listed in `topics.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicId(pub String);

impl TopicId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One answerable topic.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Stable id.
    pub id: TopicId,
    /// Short title shown above the answer and on buttons.
    pub title: String,
    /// The answer, plain text; lines starting with "• " are list items.
    pub answer: String,
    /// A line that explains a word the article uses but does not define ("people also say
    /// slipped disc"); shown after the answer, marked as a glossary line.
    pub glossary: Option<String>,
    /// Terms the answer needs and explains (a condition's name): the plain-language check
    /// grades the answer with these counted as short words.
    pub explains: Vec<String>,
    /// Whether the answer ends with the safety net (symptoms and self-care topics).
    pub safety_net: bool,
    /// Related topics, offered as "You may also mean" when nothing else competes.
    pub related: Vec<TopicId>,
    /// Single-word keywords with weights, as written (unstemmed).
    pub keywords: BTreeMap<String, f32>,
    /// Multi-word keywords with weights, as written.
    pub phrases: BTreeMap<String, f32>,
    /// The keywords and phrases as the matcher reads them (stemmed, rewritten by the lexicon,
    /// words joined by spaces), with their weights: computed once, by validation.
    pub matched_as: Vec<(String, f32)>,
}

/// Knobs of the matcher, kept with the data they tune.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    /// Below this score no topic is answered: the fallback is.
    pub min_score: f32,
    /// A runner-up scoring at least this share of the top score is offered as "You may also mean".
    pub also_ratio: f32,
    /// How many "You may also mean" topics at most.
    pub max_also: usize,
    /// A runner-up scoring at least this share of the top, matched on different words, in a
    /// message that joins two requests ("and", "also", two question marks), is answered too.
    pub second_answer_ratio: f32,
    /// The bar instead of `min_score` for a message with no sign of back or leg pain (no body
    /// part, condition, level or scan; no subject, no red flag, no context): generic words
    /// alone ("walk", "cause", "garden") are weak evidence of a back-pain question.
    #[serde(default = "default_out_of_domain_min_score")]
    pub out_of_domain_min_score: f32,
}

fn default_out_of_domain_min_score() -> f32 {
    3.0
}

/// Rewrites lay terms and variants to the knowledge base's own words before matching.
#[derive(Debug, Clone)]
pub struct Synonym {
    /// The knowledge base's word(s), e.g. "herniated disc".
    pub canonical: String,
    /// What people type instead, e.g. "slipped disc".
    pub variants: Vec<String>,
}

/// What the article does not cover, by kind, each with its own short reply.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Subtracted from every topic's score per out-of-scope marker found.
    pub penalty: f32,
    /// The kinds, in the order they win when a message holds markers of several.
    pub kinds: Vec<ScopeKind>,
}

/// One kind of question the article does not cover (medicines, surgery, pregnancy ...).
#[derive(Debug, Clone)]
pub struct ScopeKind {
    /// Stable id, e.g. "medicines".
    pub id: String,
    /// The short reply: who can help instead.
    pub reply: String,
    /// Words or phrases that mark the kind, folded.
    pub markers: Vec<String>,
    /// An age under this, said in the message, marks the kind too (children).
    pub under_age: Option<u32>,
    /// Whether the reply ends with the safety net.
    pub safety_net: bool,
    /// Red flags that are this kind's own subject (chest pain for "chest"): when the message names
    /// no topic of its own, they add their block to the kind's reply instead of making the
    /// urgent topic answer.
    pub red_flags: Vec<String>,
}

/// Fixed wording of replies that are not topic answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    /// One line at the end of every reply.
    pub disclaimer: String,
    /// Ends answers to topics with `safety_net = true`.
    pub safety_net: String,
    /// Heading of the runner-up list.
    pub also_label: String,
    /// Starts a glossary line (a word explained beyond the article).
    pub glossary_label: String,
    /// Said when no topic is confident enough; followed by the topic list.
    pub fallback: String,
    /// The fallback where a list would be a wall of text (groups): it points at `/topics`.
    pub fallback_short: String,
    /// A message about back or leg pain that names no topic: a short orientation from the
    /// article (what commonly causes it, what you can do now, when to see a doctor).
    pub orientation: String,
    /// What the bot is, for questions about it ("who made you?").
    pub about_bot: String,
    /// Answer to an empty message (or one with no words at all).
    pub empty: String,
    /// Answer to "hi".
    pub greeting: String,
    /// Answer to "thanks".
    pub thanks: String,
    /// Words that make a message a greeting when it holds nothing else.
    pub greeting_words: Vec<String>,
    /// Words that make a message a thank-you when it holds nothing else.
    pub thanks_words: Vec<String>,
    /// Words allowed around greetings and thanks ("so much", "bot", "mate").
    pub filler_words: Vec<String>,
}

/// A set of folded words kept in one buffer and searched by binary search: the common-words
/// list has ~18,000 entries, and one buffer costs one allocation where a hash set costs 18,000.
#[derive(Debug, Clone, Default)]
pub struct WordList {
    /// The words, sorted, each followed by '\n'.
    text: String,
    /// Byte offset of each word in `text`.
    starts: Vec<u32>,
}

impl WordList {
    /// Parses one word per line; blank lines and lines starting with '#' are skipped.
    pub fn parse(text: &str) -> Self {
        // The shipped list is sorted lowercase ASCII, one word a line: then the file is the
        // buffer as it is, and one pass over its bytes finds the line starts. Anything else (a
        // moderator's edit) is folded and sorted.
        let mut body = text;
        while body.starts_with('#') {
            body = body.split_once('\n').map_or("", |(_, rest)| rest);
        }
        let bytes = body.as_bytes();
        let mut starts: Vec<u32> = Vec::with_capacity(bytes.len() / 6);
        let mut line_start = 0;
        let mut previous = 0..0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                let line = line_start..i;
                if line.is_empty()
                    || bytes[previous.clone()] >= bytes[line.clone()] && !previous.is_empty()
                {
                    return Self::parse_unsorted(text);
                }
                // The list is a few hundred kilobytes at most: offsets fit in u32.
                starts.push(line.start as u32);
                previous = line;
                line_start = i + 1;
            } else if !b.is_ascii_lowercase() {
                return Self::parse_unsorted(text);
            }
        }
        if line_start != bytes.len() {
            return Self::parse_unsorted(text);
        }
        Self {
            text: body.to_owned(),
            starts,
        }
    }

    fn parse_unsorted(text: &str) -> Self {
        let mut words: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut list = Self {
            text: String::with_capacity(text.len()),
            starts: Vec::with_capacity(words.len()),
        };
        for word in words {
            list.starts.push(list.text.len() as u32);
            list.text.push_str(&word);
            list.text.push('\n');
        }
        list
    }

    fn word(&self, i: usize) -> &str {
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&s| s as usize)
            - 1;
        &self.text[start..end]
    }

    /// Whether the list holds `word`.
    pub fn contains(&self, word: &str) -> bool {
        let (mut lo, mut hi) = (0, self.starts.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.word(mid).cmp(word) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// A validated knowledge base.
#[derive(Debug, Clone)]
pub struct Kb {
    /// Topics in file order (the order `/topics` lists them).
    pub topics: Vec<Topic>,
    /// Matcher settings.
    pub matching: MatchSettings,
    /// Synonyms and variants.
    pub synonyms: Vec<Synonym>,
    /// Out-of-scope markers.
    pub scope: Scope,
    /// Red flags.
    pub red_flags: RedFlags,
    /// Fixed wording.
    pub messages: Messages,
    /// How questions are read.
    pub questions: Questions,
    /// Common English words that are never spell-corrected.
    pub common_words: WordList,
    /// The synonyms compiled for matching; built once here (validation needs it) and reused
    /// by the index.
    pub lexicon: Arc<Lexicon>,
}

impl Kb {
    /// Finds a topic by id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id.as_str() == id)
    }
}

// ---------------------------------------------------------------------------------------------
// Raw file shapes. Private: only `parse` sees them.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopicsFile {
    matching: MatchSettings,
    #[serde(rename = "topic")]
    topics: Vec<RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: Spanned<String>,
    title: String,
    answer: Spanned<String>,
    #[serde(default)]
    glossary: Option<String>,
    #[serde(default)]
    explains: Vec<String>,
    #[serde(default)]
    safety_net: bool,
    #[serde(default)]
    related: Vec<Spanned<String>>,
    #[serde(default)]
    keywords: BTreeMap<String, f32>,
    #[serde(default)]
    phrases: BTreeMap<String, f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexiconFile {
    #[serde(rename = "synonym", default)]
    synonyms: Vec<RawSynonym>,
    scope: RawScope,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonym {
    canonical: Spanned<String>,
    variants: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    penalty: f32,
    #[serde(rename = "kind")]
    kinds: Vec<RawScopeKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScopeKind {
    id: Spanned<String>,
    reply: String,
    markers: Vec<String>,
    #[serde(default)]
    under_age: Option<u32>,
    #[serde(default)]
    safety_net: bool,
    #[serde(default)]
    red_flags: Vec<Spanned<String>>,
}

// ---------------------------------------------------------------------------------------------

/// Collects problems against one file, turning byte spans into line numbers.
struct Problems<'a> {
    file: &'a KbFile,
    out: &'a mut Vec<KbProblem>,
}

impl Problems<'_> {
    fn at(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let line = span.map(|s| line_of(&self.file.text, s.start));
        self.out.push(KbProblem {
            file: self.file.name.clone(),
            line,
            message: message.into(),
        });
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &KbFile,
    out: &mut Vec<KbProblem>,
) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(value) => Some(value),
        Err(err) => {
            let message = err.message().trim().to_owned();
            Problems { file, out }.at(err.span(), message);
            None
        }
    }
}

/// Folds a keyword or phrase the way user text is folded; `None` if nothing is left.
fn folded_nonempty(text: &str) -> Option<String> {
    let folded = fold(text);
    (!folded.is_empty()).then_some(folded)
}

/// Parses and validates a knowledge base from its files.
///
/// # Errors
/// Every problem found: a missing file, malformed TOML, unknown fields, duplicate or unknown
/// ids, empty answers, a keyword claimed by two topics with equal weight, empty red-flag terms.
pub fn parse(files: &[KbFile]) -> Result<Kb, KbError> {
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

    let lexicon = raw_lexicon.map(|raw| validate_lexicon(lexicon_file, raw, &mut problems));
    // Keywords are compared the way they will be matched: through the lexicon.
    let normalizer = Arc::new(Lexicon::build(
        lexicon.as_ref().map_or(&[][..], |(synonyms, ..)| synonyms),
    ));
    if let Some((synonyms, _, _, lines)) = &lexicon {
        for problem in normalizer.problems(synonyms) {
            let line = lines.get(problem.synonym).copied();
            problems.push(KbProblem {
                file: lexicon_file.name.clone(),
                line,
                message: problem.message,
            });
        }
    }
    let topics = raw_topics.map(|raw| {
        let matching = raw.matching.clone();
        (
            validate_topics(topics_file, raw, &normalizer, &mut problems),
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
    match (topics, lexicon, red_flags, messages, questions) {
        (
            Some((topics, matching)),
            Some((synonyms, scope)),
            Some(red_flags),
            Some(messages),
            Some(questions),
        ) if problems.is_empty() => Ok(Kb {
            topics,
            matching,
            synonyms,
            scope,
            red_flags,
            messages,
            questions,
            common_words,
            lexicon: normalizer,
        }),
        _ => Err(KbError { problems }),
    }
}

fn validate_topics(
    file: &KbFile,
    raw: RawTopicsFile,
    lexicon: &Lexicon,
    out: &mut Vec<KbProblem>,
) -> Vec<Topic> {
    let mut p = Problems { file, out };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for topic in &raw.topics {
        let id = topic.id.get_ref();
        if id.trim().is_empty() {
            p.at(Some(topic.id.span()), "topic id is empty");
        } else if let Some(first) =
            seen.insert(id.clone(), line_of(&file.text, topic.id.span().start))
        {
            p.at(
                Some(topic.id.span()),
                format!("duplicate topic id `{id}` (first defined on line {first})"),
            );
        }
    }
    // keyword (stemmed) -> (weight, topic id) first claim, to catch equal-weight claims.
    let mut claims: HashMap<String, Vec<(f32, String)>> = HashMap::new();
    let mut topics = Vec::with_capacity(raw.topics.len());
    for raw_topic in raw.topics {
        let id = raw_topic.id.get_ref().clone();
        let id_span = raw_topic.id.span();
        if raw_topic.answer.get_ref().trim().is_empty() {
            p.at(
                Some(raw_topic.answer.span()),
                format!("topic `{id}` has an empty answer"),
            );
        }
        if raw_topic.title.trim().is_empty() {
            p.at(
                Some(id_span.clone()),
                format!("topic `{id}` has an empty title"),
            );
        }
        for related in &raw_topic.related {
            if !seen.contains_key(related.get_ref()) {
                p.at(
                    Some(related.span()),
                    format!(
                        "topic `{id}` names unknown related topic `{}`",
                        related.get_ref()
                    ),
                );
            } else if related.get_ref() == &id {
                p.at(
                    Some(related.span()),
                    format!("topic `{id}` lists itself as related"),
                );
            }
        }
        let mut own_terms: HashMap<String, String> = HashMap::new();
        let mut matched_as = Vec::with_capacity(raw_topic.keywords.len() + raw_topic.phrases.len());
        for (keyword, weight) in &raw_topic.keywords {
            let span = Some(id_span.clone());
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(
                    span.clone(),
                    format!("topic `{id}`: keyword `{keyword}` needs a positive weight"),
                );
            }
            let Some(folded) = folded_nonempty(keyword) else {
                p.at(
                    span,
                    format!("topic `{id}`: keyword `{keyword}` has no letters"),
                );
                continue;
            };
            if folded.contains(' ') {
                p.at(span, format!("topic `{id}`: keyword `{keyword}` has several words: put it under `phrases`"));
                continue;
            }
            if is_stop_word(&folded) {
                p.at(
                    span,
                    format!("topic `{id}`: keyword `{keyword}` is a stop word and can never match"),
                );
                continue;
            }
            let key = lexicon.terms(words(&folded)).join(" ");
            if let Some(other) = own_terms.insert(key.clone(), keyword.clone()) {
                p.at(span, format!("topic `{id}`: keywords `{other}` and `{keyword}` are the same term (`{key}`) once stemmed and rewritten by the lexicon"));
            }
            matched_as.push((key.clone(), *weight));
            claims.entry(key).or_default().push((*weight, id.clone()));
        }
        for (phrase, weight) in &raw_topic.phrases {
            let span = Some(id_span.clone());
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(
                    span.clone(),
                    format!("topic `{id}`: phrase `{phrase}` needs a positive weight"),
                );
            }
            let content: Vec<String> = words(&fold(phrase))
                .filter(|w| !is_stop_word(w))
                .map(str::to_owned)
                .collect();
            if content.len() < 2 {
                p.at(span, format!("topic `{id}`: phrase `{phrase}` needs two or more words that are not stop words"));
                continue;
            }
            let key = lexicon.terms(content.iter().map(String::as_str)).join(" ");
            if let Some(other) = own_terms.insert(key.clone(), phrase.clone()) {
                p.at(span, format!("topic `{id}`: `{other}` and `{phrase}` are the same term (`{key}`) once stemmed and rewritten by the lexicon"));
            }
            matched_as.push((key.clone(), *weight));
            claims.entry(key).or_default().push((*weight, id.clone()));
        }
        topics.push(Topic {
            id: TopicId(id),
            title: raw_topic.title.trim().to_owned(),
            answer: raw_topic.answer.into_inner().trim().to_owned(),
            glossary: raw_topic
                .glossary
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty()),
            explains: raw_topic.explains,
            safety_net: raw_topic.safety_net,
            related: raw_topic
                .related
                .into_iter()
                .map(|r| TopicId(r.into_inner()))
                .collect(),
            keywords: raw_topic.keywords,
            phrases: raw_topic.phrases,
            matched_as,
        });
    }
    let mut conflicts: Vec<_> = claims
        .into_iter()
        .filter_map(|(term, mut owners)| {
            owners.sort_by(|a, b| b.0.total_cmp(&a.0));
            // Only a tie at the top is ambiguous; a lower weight elsewhere is a deliberate hint.
            owners.dedup_by(|x, y| x.1 == y.1);
            (owners.len() > 1 && owners[0].0 == owners[1].0)
                .then(|| (term, owners[0].1.clone(), owners[1].1.clone(), owners[0].0))
        })
        .collect();
    conflicts.sort_by(|x, y| (&x.0, &x.1, &x.2).cmp(&(&y.0, &y.1, &y.2)));
    for (term, a, b, weight) in conflicts {
        let line = seen.get(&b).copied();
        p.out.push(KbProblem {
            file: file.name.clone(),
            line,
            message: format!("keyword `{term}` is claimed by topics `{a}` and `{b}` with equal weight {weight}: give one of them a different weight"),
        });
    }
    topics
}

/// What `validate_lexicon` returns: synonyms, the scope, each kind's red-flag ids with their
/// lines (resolved against redflags.toml by `parse`), and the line of each synonym (for the
/// lexicon's own problems, found once it is built).
type LexiconParts = (Vec<Synonym>, Scope, Vec<Vec<(String, usize)>>, Vec<usize>);

fn validate_lexicon(file: &KbFile, raw: RawLexiconFile, out: &mut Vec<KbProblem>) -> LexiconParts {
    let mut p = Problems { file, out };
    let mut variant_owner: HashMap<String, String> = HashMap::new();
    let mut synonyms = Vec::new();
    // Line of each kept synonym's `canonical`, parallel to `synonyms`, for `Lexicon::check`.
    let mut lines = Vec::new();
    for raw_synonym in raw.synonyms {
        let span = Some(raw_synonym.canonical.span());
        let canonical = fold(raw_synonym.canonical.get_ref());
        if canonical.is_empty() {
            p.at(span, "synonym has an empty `canonical`");
            continue;
        }
        if raw_synonym.variants.is_empty() {
            p.at(
                span.clone(),
                format!("synonym `{canonical}` has no variants"),
            );
        }
        let mut variants = Vec::new();
        for variant in raw_synonym.variants {
            let Some(folded) = folded_nonempty(&variant) else {
                p.at(
                    span.clone(),
                    format!("synonym `{canonical}` has an empty variant"),
                );
                continue;
            };
            if let Some(other) = variant_owner.insert(folded.clone(), canonical.clone()) {
                if other != canonical {
                    p.at(
                        span.clone(),
                        format!("variant `{folded}` maps to both `{other}` and `{canonical}`"),
                    );
                }
            }
            variants.push(folded);
        }
        lines.push(line_of(&file.text, raw_synonym.canonical.span().start));
        synonyms.push(Synonym {
            canonical,
            variants,
        });
    }
    let mut kinds = Vec::new();
    // (flag id, line) named by each kind, checked against redflags.toml once both are read.
    let mut kind_flags: Vec<Vec<(String, usize)>> = Vec::new();
    let mut kind_ids = HashSet::new();
    for kind in raw.scope.kinds {
        let id = kind.id.get_ref().trim().to_owned();
        let span = Some(kind.id.span());
        if id.is_empty() || !kind_ids.insert(id.clone()) {
            p.at(
                span.clone(),
                format!("scope kind id `{id}` is empty or used twice"),
            );
        }
        if kind.reply.trim().is_empty() {
            p.at(
                span.clone(),
                format!("scope kind `{id}` has an empty reply"),
            );
        }
        let markers: Vec<String> = kind
            .markers
            .iter()
            .filter_map(|w| folded_nonempty(w))
            .collect();
        if markers.len() != kind.markers.len() {
            p.at(
                span.clone(),
                format!("scope kind `{id}` has an empty marker"),
            );
        }
        let red_flags = kind
            .red_flags
            .iter()
            .map(|f| (f.get_ref().clone(), line_of(&file.text, f.span().start)))
            .collect();
        kind_flags.push(red_flags);
        kinds.push(ScopeKind {
            id,
            reply: kind.reply.trim().to_owned(),
            markers,
            under_age: kind.under_age,
            safety_net: kind.safety_net,
            red_flags: Vec::new(),
        });
    }
    (
        synonyms,
        Scope {
            penalty: raw.scope.penalty,
            kinds,
        },
        kind_flags,
        lines,
    )
}

#[cfg(test)]
mod tests;
