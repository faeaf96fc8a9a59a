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

/// The file names a knowledge base is made of.
pub const TOPICS_FILE: &str = "topics.toml";
/// Synonyms, lay terms, spelling variants and out-of-scope markers.
pub const LEXICON_FILE: &str = "lexicon.toml";
/// Red flags and the urgent-care text.
pub const RED_FLAGS_FILE: &str = "redflags.toml";
/// Fixed wording: disclaimer, fallback, greetings, safety net.
pub const MESSAGES_FILE: &str = "messages.toml";
/// Common English words: never spell-corrected (optional file).
pub const COMMON_WORDS_FILE: &str = "common_words.txt";

/// The files `parse` needs, in the order they are reported.
pub const REQUIRED_FILES: [&str; 4] = [TOPICS_FILE, LEXICON_FILE, RED_FLAGS_FILE, MESSAGES_FILE];

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
        write!(f, "invalid knowledge base ({n} problem{})", if n == 1 { "" } else { "s" })?;
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
    /// Whether the answer ends with the safety net (symptoms and self-care topics).
    pub safety_net: bool,
    /// Related topics, offered as "You may also mean" when nothing else competes.
    pub related: Vec<TopicId>,
    /// Single-word keywords with weights, as written (unstemmed).
    pub keywords: BTreeMap<String, f32>,
    /// Multi-word keywords with weights, as written.
    pub phrases: BTreeMap<String, f32>,
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
}

/// Rewrites lay terms and variants to the knowledge base's own words before matching.
#[derive(Debug, Clone)]
pub struct Synonym {
    /// The knowledge base's word(s), e.g. "herniated disc".
    pub canonical: String,
    /// What people type instead, e.g. "slipped disc".
    pub variants: Vec<String>,
}

/// Words that mark a question as outside the article (drug doses, other body parts, surgery).
#[derive(Debug, Clone)]
pub struct Scope {
    /// Folded words or phrases.
    pub off_topic: Vec<String>,
    /// Subtracted from every topic's score per off-topic word found.
    pub penalty: f32,
}

/// The two triage tiers, as clinical guidelines separate them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// See a doctor today.
    Urgent,
    /// Seek help now, call the emergency number.
    Emergency,
}

/// One red flag: a group of words and phrases people use for one warning sign.
#[derive(Debug, Clone)]
pub struct RedFlag {
    /// Stable id, e.g. "bladder-bowel".
    pub id: String,
    /// Which tier it raises.
    pub tier: Tier,
    /// Short label for logs and the eval report.
    pub label: String,
    /// Where this flag comes from (the article, NICE, NHS).
    pub source: String,
    /// How much this flag adds to the urgent topic's score.
    pub topic_boost: f32,
    /// Single folded words; a trailing `*` matches any word starting with the rest.
    pub terms: Vec<String>,
    /// Multi-word phrases, folded.
    pub phrases: Vec<String>,
    /// Groups of alternatives that must all occur within `RedFlags::window` words,
    /// e.g. `["both", "leg|legs"]`.
    pub near: Vec<Vec<Vec<String>>>,
}

/// Fixed text of the urgent-care block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgentText {
    /// First line for the emergency tier; `{emergency_number}` is replaced.
    pub emergency_first_line: String,
    /// First line for the urgent tier; `{emergency_number}` is replaced.
    pub urgent_first_line: String,
    /// The criteria: what to watch for and to seek help immediately.
    pub criteria: String,
    /// Default for `{emergency_number}`.
    pub default_emergency_number: String,
}

/// All red flags and the text that goes with them.
#[derive(Debug, Clone)]
pub struct RedFlags {
    /// Max distance in words between the parts of a `near` rule.
    pub window: usize,
    /// The topic that answers "when is it urgent"; red-flag hits add to its score.
    pub topic: TopicId,
    /// Default of each flag's `topic_boost`.
    pub topic_boost: f32,
    /// Phrases whose words never count as a single-word flag ("fell asleep", "slipped disc").
    pub benign: Vec<String>,
    /// The flags.
    pub flags: Vec<RedFlag>,
    /// The block's wording.
    pub text: UrgentText,
    /// The red-flag check, one yes/no question at a time.
    pub check: Vec<CheckQuestion>,
}

/// One question of the red-flag check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuestion {
    /// The tier a "yes" raises.
    pub tier: Tier,
    /// The question, answerable with yes or no.
    pub question: String,
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
    /// Said when no topic is confident enough; followed by the topic list.
    pub fallback: String,
    /// Said when the question looks medical but is outside the article.
    pub fallback_off_topic: String,
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
        let mut words: Vec<std::borrow::Cow<'_, str>> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                if l.bytes().all(|b| b.is_ascii_lowercase()) {
                    std::borrow::Cow::Borrowed(l)
                } else {
                    std::borrow::Cow::Owned(fold(l))
                }
            })
            .filter(|w| !w.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut list = Self { text: String::with_capacity(text.len()), starts: Vec::with_capacity(words.len()) };
        for word in words {
            // The list is a few hundred kilobytes at most: offsets fit in u32.
            list.starts.push(list.text.len() as u32);
            list.text.push_str(&word);
            list.text.push('\n');
        }
        list
    }

    fn word(&self, i: usize) -> &str {
        let start = self.starts[i] as usize;
        let end = self.starts.get(i + 1).map_or(self.text.len(), |&s| s as usize) - 1;
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
    off_topic: Vec<String>,
    penalty: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedFlagsFile {
    window: usize,
    topic: Spanned<String>,
    topic_boost: f32,
    #[serde(default)]
    benign: Vec<String>,
    text: UrgentText,
    #[serde(rename = "flag")]
    flags: Vec<RawRedFlag>,
    #[serde(default)]
    check: Vec<CheckQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedFlag {
    id: Spanned<String>,
    tier: Tier,
    label: String,
    source: String,
    #[serde(default)]
    topic_boost: Option<f32>,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    near: Vec<Vec<String>>,
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
        self.out.push(KbProblem { file: self.file.name.clone(), line, message: message.into() });
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

fn parse_toml<T: serde::de::DeserializeOwned>(file: &KbFile, out: &mut Vec<KbProblem>) -> Option<T> {
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
    let find = |name: &str| files.iter().find(|f| f.name == name || f.name.ends_with(&format!("/{name}")));

    for name in REQUIRED_FILES {
        if find(name).is_none() {
            problems.push(KbProblem { file: name.to_owned(), line: None, message: "file is missing".into() });
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

    let raw_topics: Option<RawTopicsFile> = parse_toml(topics_file, &mut problems);
    let raw_lexicon: Option<RawLexiconFile> = parse_toml(lexicon_file, &mut problems);
    let raw_red_flags: Option<RawRedFlagsFile> = parse_toml(red_flags_file, &mut problems);
    let messages: Option<Messages> = parse_toml(messages_file, &mut problems);

    let lexicon = raw_lexicon.map(|raw| validate_lexicon(lexicon_file, raw, &mut problems));
    // Keywords are compared the way they will be matched: through the lexicon.
    let normalizer = Arc::new(Lexicon::build(lexicon.as_ref().map_or(&[][..], |(synonyms, _)| synonyms)));
    let topics = raw_topics.map(|raw| {
        let matching = raw.matching.clone();
        (validate_topics(topics_file, raw, &normalizer, &mut problems), matching)
    });
    let red_flags = raw_red_flags.map(|raw| {
        let ids: HashSet<&str> = topics
            .as_ref()
            .map(|(t, _)| t.iter().map(|t| t.id.as_str()).collect())
            .unwrap_or_default();
        validate_red_flags(red_flags_file, raw, &ids, topics.is_some(), &mut problems)
    });
    if let Some(messages) = &messages {
        let mut p = Problems { file: messages_file, out: &mut problems };
        for (name, text) in [
            ("disclaimer", &messages.disclaimer),
            ("fallback", &messages.fallback),
            ("greeting", &messages.greeting),
            ("thanks", &messages.thanks),
            ("empty", &messages.empty),
        ] {
            if text.trim().is_empty() {
                p.at(None, format!("`{name}` is empty"));
            }
        }
    }

    let common_words = find(COMMON_WORDS_FILE).map(|f| WordList::parse(&f.text)).unwrap_or_default();

    match (topics, lexicon, red_flags, messages) {
        (Some((topics, matching)), Some((synonyms, scope)), Some(red_flags), Some(messages))
            if problems.is_empty() =>
        {
            Ok(Kb { topics, matching, synonyms, scope, red_flags, messages, common_words, lexicon: normalizer })
        }
        _ => Err(KbError { problems }),
    }
}

fn validate_topics(file: &KbFile, raw: RawTopicsFile, lexicon: &Lexicon, out: &mut Vec<KbProblem>) -> Vec<Topic> {
    let mut p = Problems { file, out };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for topic in &raw.topics {
        let id = topic.id.get_ref();
        if id.trim().is_empty() {
            p.at(Some(topic.id.span()), "topic id is empty");
        } else if let Some(first) = seen.insert(id.clone(), line_of(&file.text, topic.id.span().start)) {
            p.at(Some(topic.id.span()), format!("duplicate topic id `{id}` (first defined on line {first})"));
        }
    }
    // keyword (stemmed) -> (weight, topic id) first claim, to catch equal-weight claims.
    let mut claims: HashMap<String, Vec<(f32, String)>> = HashMap::new();
    let mut topics = Vec::with_capacity(raw.topics.len());
    for raw_topic in raw.topics {
        let id = raw_topic.id.get_ref().clone();
        let id_span = raw_topic.id.span();
        if raw_topic.answer.get_ref().trim().is_empty() {
            p.at(Some(raw_topic.answer.span()), format!("topic `{id}` has an empty answer"));
        }
        if raw_topic.title.trim().is_empty() {
            p.at(Some(id_span.clone()), format!("topic `{id}` has an empty title"));
        }
        for related in &raw_topic.related {
            if !seen.contains_key(related.get_ref()) {
                p.at(Some(related.span()), format!("topic `{id}` names unknown related topic `{}`", related.get_ref()));
            } else if related.get_ref() == &id {
                p.at(Some(related.span()), format!("topic `{id}` lists itself as related"));
            }
        }
        let mut own_terms: HashMap<String, String> = HashMap::new();
        for (keyword, weight) in &raw_topic.keywords {
            let span = Some(id_span.clone());
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(span.clone(), format!("topic `{id}`: keyword `{keyword}` needs a positive weight"));
            }
            let Some(folded) = folded_nonempty(keyword) else {
                p.at(span, format!("topic `{id}`: keyword `{keyword}` has no letters"));
                continue;
            };
            if folded.contains(' ') {
                p.at(span, format!("topic `{id}`: keyword `{keyword}` has several words: put it under `phrases`"));
                continue;
            }
            if is_stop_word(&folded) {
                p.at(span, format!("topic `{id}`: keyword `{keyword}` is a stop word and can never match"));
                continue;
            }
            let key = lexicon.terms(words(&folded)).join(" ");
            if let Some(other) = own_terms.insert(key.clone(), keyword.clone()) {
                p.at(span, format!("topic `{id}`: keywords `{other}` and `{keyword}` are the same term (`{key}`) once stemmed and rewritten by the lexicon"));
            }
            claims.entry(key).or_default().push((*weight, id.clone()));
        }
        for (phrase, weight) in &raw_topic.phrases {
            let span = Some(id_span.clone());
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(span.clone(), format!("topic `{id}`: phrase `{phrase}` needs a positive weight"));
            }
            let content: Vec<String> = words(&fold(phrase)).filter(|w| !is_stop_word(w)).map(str::to_owned).collect();
            if content.len() < 2 {
                p.at(span, format!("topic `{id}`: phrase `{phrase}` needs two or more words that are not stop words"));
                continue;
            }
            let key = lexicon.terms(content.iter().map(String::as_str)).join(" ");
            if let Some(other) = own_terms.insert(key.clone(), phrase.clone()) {
                p.at(span, format!("topic `{id}`: `{other}` and `{phrase}` are the same term (`{key}`) once stemmed and rewritten by the lexicon"));
            }
            claims.entry(key).or_default().push((*weight, id.clone()));
        }
        topics.push(Topic {
            id: TopicId(id),
            title: raw_topic.title.trim().to_owned(),
            answer: raw_topic.answer.into_inner().trim().to_owned(),
            safety_net: raw_topic.safety_net,
            related: raw_topic.related.into_iter().map(|r| TopicId(r.into_inner())).collect(),
            keywords: raw_topic.keywords,
            phrases: raw_topic.phrases,
        });
    }
    let mut conflicts: Vec<_> = claims
        .into_iter()
        .filter_map(|(term, mut owners)| {
            owners.sort_by(|a, b| b.0.total_cmp(&a.0));
            // Only a tie at the top is ambiguous; a lower weight elsewhere is a deliberate hint.
            owners.dedup_by(|x, y| x.1 == y.1);
            (owners.len() > 1 && owners[0].0 == owners[1].0).then(|| (term, owners[0].1.clone(), owners[1].1.clone(), owners[0].0))
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

fn validate_lexicon(file: &KbFile, raw: RawLexiconFile, out: &mut Vec<KbProblem>) -> (Vec<Synonym>, Scope) {
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
            p.at(span.clone(), format!("synonym `{canonical}` has no variants"));
        }
        let mut variants = Vec::new();
        for variant in raw_synonym.variants {
            let Some(folded) = folded_nonempty(&variant) else {
                p.at(span.clone(), format!("synonym `{canonical}` has an empty variant"));
                continue;
            };
            if let Some(other) = variant_owner.insert(folded.clone(), canonical.clone()) {
                if other != canonical {
                    p.at(span.clone(), format!("variant `{folded}` maps to both `{other}` and `{canonical}`"));
                }
            }
            variants.push(folded);
        }
        lines.push(line_of(&file.text, raw_synonym.canonical.span().start));
        synonyms.push(Synonym { canonical, variants });
    }
    for problem in Lexicon::check(&synonyms) {
        let line = lines.get(problem.synonym).copied();
        p.out.push(KbProblem { file: file.name.clone(), line, message: problem.message });
    }
    let off_topic = raw.scope.off_topic.iter().filter_map(|w| folded_nonempty(w)).collect();
    (synonyms, Scope { off_topic, penalty: raw.scope.penalty })
}

fn validate_red_flags(
    file: &KbFile,
    raw: RawRedFlagsFile,
    topic_ids: &HashSet<&str>,
    topics_known: bool,
    out: &mut Vec<KbProblem>,
) -> RedFlags {
    let mut p = Problems { file, out };
    if topics_known && !topic_ids.contains(raw.topic.get_ref().as_str()) {
        p.at(Some(raw.topic.span()), format!("unknown topic `{}`", raw.topic.get_ref()));
    }
    if raw.window == 0 {
        p.at(None, "`window` must be at least 1");
    }
    for (name, text) in [("criteria", &raw.text.criteria), ("emergency_first_line", &raw.text.emergency_first_line), ("urgent_first_line", &raw.text.urgent_first_line)] {
        if text.trim().is_empty() {
            p.at(None, format!("`text.{name}` is empty"));
        }
    }
    let mut seen = HashSet::new();
    let mut flags = Vec::new();
    for flag in raw.flags {
        let id = flag.id.get_ref().clone();
        let span = Some(flag.id.span());
        if !seen.insert(id.clone()) {
            p.at(span.clone(), format!("duplicate red flag id `{id}`"));
        }
        if flag.source.trim().is_empty() {
            p.at(span.clone(), format!("red flag `{id}` names no source"));
        }
        let mut terms = Vec::new();
        for term in &flag.terms {
            let prefix = term.trim_end().ends_with('*');
            match folded_nonempty(term) {
                Some(folded) if !folded.contains(' ') => {
                    if prefix && folded.len() < 4 {
                        p.at(span.clone(), format!("red flag `{id}`: prefix `{term}` is too short (4 letters at least)"));
                    }
                    terms.push(if prefix { format!("{folded}*") } else { folded });
                }
                Some(_) => p.at(span.clone(), format!("red flag `{id}`: term `{term}` has several words: put it under `phrases`")),
                None => p.at(span.clone(), format!("red flag `{id}`: empty term")),
            }
        }
        let phrases: Vec<String> = flag.phrases.iter().filter_map(|ph| folded_nonempty(ph)).collect();
        if phrases.len() != flag.phrases.len() {
            p.at(span.clone(), format!("red flag `{id}`: empty phrase"));
        }
        let mut near = Vec::new();
        for rule in &flag.near {
            let groups: Vec<Vec<String>> = rule
                .iter()
                .map(|alts| alts.split('|').filter_map(folded_nonempty).collect::<Vec<_>>())
                .collect();
            if groups.len() < 2 || groups.iter().any(Vec::is_empty) {
                p.at(span.clone(), format!("red flag `{id}`: a `near` rule needs two or more non-empty groups"));
                continue;
            }
            near.push(groups);
        }
        if terms.is_empty() && phrases.is_empty() && near.is_empty() {
            p.at(span.clone(), format!("red flag `{id}` has no terms, phrases or near rules"));
        }
        let topic_boost = flag.topic_boost.unwrap_or(raw.topic_boost);
        if !topic_boost.is_finite() || topic_boost < 0.0 {
            p.at(span.clone(), format!("red flag `{id}`: `topic_boost` must be zero or more"));
        }
        flags.push(RedFlag { id, tier: flag.tier, label: flag.label, source: flag.source, topic_boost, terms, phrases, near });
    }
    if flags.is_empty() {
        p.at(None, "no red flags: the urgent-care criteria could never be added");
    }
    if raw.check.iter().any(|q| q.question.trim().is_empty()) {
        p.at(None, "a `check` question is empty");
    }
    let benign = raw.benign.iter().filter_map(|b| folded_nonempty(b)).collect();
    RedFlags {
        window: raw.window,
        topic: TopicId(raw.topic.into_inner()),
        topic_boost: raw.topic_boost,
        benign,
        flags,
        text: raw.text,
        check: raw.check,
    }
}

#[cfg(test)]
mod tests;
