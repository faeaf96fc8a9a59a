//! `Engine`: the knowledge base compiled once (lexicon, index, red-flag scanner, reader,
//! resolved wording) and `Engine::answer`, the one door every front end goes through.
//!
//! Built at start-up and immutable afterwards, so the bot shares it between tasks as
//! `Arc<Engine>`. Its fields are visible to the rest of `domain`, so other files there can add
//! `impl Engine` blocks (`inspect` here).

use std::collections::HashSet;
use std::sync::Arc;

use super::kb::{self, KbError, KbFile, ANY_SUBJECT};
use super::lexicon::Lexicon;
use super::matcher::{self, Decision, Route};
use super::normalize::fold;
use super::reply::{self, Context, Intent, UrgentWording};
use super::{
    Analysis, Answer, EmergencyContact, Index, IndexStats, Kb, Question, Reader, Reading, Reply,
    Scanner, Tier, TopicId, Triage, UrgentNotice,
};

mod inspect;

/// Options that change wording but not matching.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Replaces `{emergency_number}` in the urgent-care text; `None` keeps the knowledge base's
    /// default ("call your local emergency number (for example 911, 999 or 112)").
    pub emergency_number: Option<String>,
}

/// Size figures of a loaded engine, for `kb check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineStats {
    /// Topics.
    pub n_topics: usize,
    /// Index sizes.
    pub index: IndexStats,
    /// Red flags.
    pub n_red_flags: usize,
    /// Red-flag terms, phrases, near rules and mentions.
    pub n_red_flag_patterns: usize,
}

/// Everything needed to answer a message.
#[derive(Debug)]
pub struct Engine {
    pub(super) kb: Kb,
    pub(super) index: Index,
    pub(super) scanner: Scanner,
    pub(super) wording: UrgentWording,
    pub(super) reader: Reader,
    pub(super) greeting_words: HashSet<String>,
    pub(super) thanks_words: HashSet<String>,
    pub(super) filler_words: HashSet<String>,
}

impl Engine {
    /// Builds the engine: lexicon, index, scanner, resolved wording.
    pub fn new(kb: Kb, options: &EngineOptions) -> Self {
        let lexicon = Lexicon::build(&kb.synonyms);
        Self::with_lexicon(kb, lexicon, options)
    }

    /// Validates a knowledge base's files and builds the engine on it, compiling the lexicon
    /// once: validation reads keywords through the same lexicon the index then uses.
    ///
    /// # Errors
    /// Every problem in the files, as `parse_kb` reports them.
    pub fn from_files(files: &[KbFile], options: &EngineOptions) -> Result<Self, KbError> {
        let (kb, lexicon) = kb::parse_with(files, Lexicon::build)?;
        Ok(Self::with_lexicon(kb, lexicon, options))
    }

    fn with_lexicon(kb: Kb, lexicon: Lexicon, options: &EngineOptions) -> Self {
        let lexicon = Arc::new(lexicon);
        let scanner = Scanner::build(&kb.red_flags);
        let index = Index::build(
            &kb,
            Arc::clone(&lexicon),
            Scanner::vocabulary(&kb.red_flags),
        );
        let wording = UrgentWording::new(&kb, options.emergency_number.as_deref());
        let reader = Reader::build(&kb, &lexicon);
        let fold_all = |list: &[String]| list.iter().map(|w| fold(w)).collect::<HashSet<_>>();
        Self {
            greeting_words: fold_all(&kb.messages.greeting_words),
            thanks_words: fold_all(&kb.messages.thanks_words),
            filler_words: fold_all(&kb.messages.filler_words),
            kb,
            index,
            scanner,
            wording,
            reader,
        }
    }

    /// The knowledge base.
    pub fn kb(&self) -> &Kb {
        &self.kb
    }

    /// Size figures.
    pub fn stats(&self) -> EngineStats {
        let flags = &self.kb.red_flags.flags;
        EngineStats {
            n_topics: self.kb.topics.len(),
            index: self.index.stats(),
            n_red_flags: flags.len(),
            n_red_flag_patterns: flags
                .iter()
                .flat_map(|f| [&f.clear, &f.mentions])
                .map(|p| p.words.len() + p.phrases.len() + p.near.len())
                .sum(),
        }
    }

    /// Answers a message on its own: triage, small talk, reading, topic matching, composition.
    pub fn answer(&self, question: &Question) -> Answer {
        self.answer_in_context(question, None)
    }

    /// Answers a message in a conversation: a short follow-up with no subject of its own ("is it
    /// serious?", "what about stenosis?") is read with `previous`, the topic of the previous
    /// answer. The caller keeps that topic id, and nothing else.
    pub fn answer_in_context(&self, question: &Question, previous: Option<&TopicId>) -> Answer {
        let mut analysis = self.index.analyze(question.text());
        let triage = self.triage(&analysis);
        let reading = self.reader.read(&analysis);
        let q = &self.kb.questions;
        let asks_about_history = reading
            .intent
            .is_none_or(|(i, _)| q.about_history.contains(&q.intents[i].id));
        if reading.refers_back
            && asks_about_history
            && reading.subject.is_none()
            && analysis.scope_kinds.is_empty()
            && !analysis.history_scope_kinds.is_empty()
        {
            // "My MRI report says ... What does that mean?": the question points at the history,
            // and the history is out of scope.
            analysis.scope_kinds = std::mem::take(&mut analysis.history_scope_kinds);
            analysis.n_off_topic += analysis.scope_kinds.len();
        }
        let mut intent = self.intent(&analysis);
        // "What can you do about piriformis?" asks about piriformis, not about the bot.
        if intent == Intent::Question && reading.about_bot && reading.subject.is_none() {
            intent = Intent::AboutBot;
        }
        let (mut route, follow_up) =
            self.route(&reading, previous, !analysis.scope_kinds.is_empty());
        if analysis.two_questions && !follow_up {
            // Two requests ("what is sciatica and what are the symptoms?") are answered each by
            // its own words: one route would push the other out.
            route.topic = None;
        }
        let decision = match intent {
            // About a thing or an animal, and naming no condition: no topic answers it. A red
            // flag still does ("my dog knocked me over and I can't feel my legs").
            Intent::Question
                if analysis.about_a_thing
                    && reading.subject.is_none()
                    && triage.urgency < Some(Tier::Urgent) =>
            {
                Decision::default()
            }
            Intent::Question => {
                let ranked = matcher::rank(&self.kb, &self.index, &analysis, &triage, route);
                let mut decision = matcher::decide(&self.kb, &analysis, ranked, route);
                // Asking whether it is serious, or when to get help, always gets the warning
                // signs, whatever else the message says or leaves out.
                let asks_for_the_signs = reading
                    .intent
                    .filter(|(_, weight)| *weight >= q.intent_min)
                    .and_then(|(i, _)| q.route(&q.intents[i].id, None))
                    .is_some_and(|topic| *topic == self.kb.red_flags.topic);
                let no_domain_signal = !reading.in_domain
                    && !follow_up
                    && reading.subject.is_none()
                    && triage.urgency.is_none()
                    && !asks_for_the_signs;
                let weak = decision
                    .ranked
                    .first()
                    .is_none_or(|top| top.score < self.kb.matching.out_of_domain_min_score);
                if no_domain_signal && weak {
                    decision.answered.clear();
                    decision.also.clear();
                }
                decision
            }
            _ => Decision::default(),
        };
        let context = Context {
            scope_kind: analysis.scope_kinds.first().copied(),
            in_domain: reading.in_domain,
            follow_up,
        };
        let mut reply =
            reply::compose(&self.kb, &self.wording, intent, &decision, &triage, context);
        if let Some(urgent) = reply.urgent.as_mut() {
            self.localize(urgent, question.contact());
        }
        Answer {
            reply,
            triage,
            reading,
        }
    }

    /// Where the reading sends the question: (intent, subject) through the route table, or, for a
    /// follow-up, the previous answer's intent and subject with whatever the follow-up adds.
    /// Returns the route and whether the message was read as a follow-up.
    pub(super) fn route(
        &self,
        reading: &Reading,
        previous: Option<&TopicId>,
        out_of_scope: bool,
    ) -> (Route, bool) {
        let q = &self.kb.questions;
        let topic_idx = |id: &TopicId| self.kb.topics.iter().position(|t| &t.id == id);
        let own_subject = reading.subject.map(|s| &q.subjects[s]);
        let own_intent = reading
            .intent
            .filter(|(_, weight)| *weight >= q.intent_min)
            .map(|(i, _)| q.intents[i].id.as_str());
        // A subject of its own makes a follow-up only when it points back ("what about
        // stenosis?"); "what is piriformis?" stands alone.
        let follows = reading.follow_up && (own_subject.is_none() || reading.refers_back);
        if let Some(previous) = previous.filter(|_| follows) {
            if let Some(prev_idx) = topic_idx(previous) {
                // The previous answer's intent is the one whose "*" route it is ("outlook"), its
                // subject the one it defines ("spinal-stenosis" defines stenosis).
                let prev_intent = q
                    .routes
                    .iter()
                    .find(|(_, s, t)| s == ANY_SUBJECT && t == previous)
                    .map(|(i, _, _)| i.as_str());
                let prev_subject = q.subjects.iter().find(|s| &s.topic == previous);
                let subject = own_subject.or(prev_subject);
                let topic = own_intent
                    .or(prev_intent)
                    .and_then(|i| q.route(i, subject.map(|s| s.id.as_str())))
                    .and_then(topic_idx);
                // A subject of its own and nothing to carry over ("what is piriformis?"): its
                // own topic, not the previous one.
                let topic = topic.or_else(|| own_subject.and_then(|s| topic_idx(&s.topic)));
                let subject_topic = subject.and_then(|s| topic_idx(&s.topic));
                return (
                    Route {
                        topic: Some(topic.unwrap_or(prev_idx)),
                        subject_topic,
                    },
                    true,
                );
            }
        }
        let subject_topic = own_subject.and_then(|s| topic_idx(&s.topic));
        // An intent alone routes only inside the domain: "how do I stop my dog pulling when we
        // walk" asks about walking, but not ours. And no route rescues a question of an
        // out-of-scope kind ("recovery time after laminectomy").
        let topic = own_intent
            .filter(|_| (own_subject.is_some() || reading.in_domain) && !out_of_scope)
            .and_then(|i| q.route(i, own_subject.map(|s| s.id.as_str())))
            .and_then(topic_idx);
        (
            Route {
                topic,
                subject_topic,
            },
            false,
        )
    }

    pub(super) fn triage(&self, analysis: &Analysis) -> Triage {
        self.scanner.scan(&analysis.flag_words, &analysis.breaks)
    }

    /// Analysis of a message (for tests and the eval report).
    pub fn analyze(&self, text: &str) -> Analysis {
        self.index.analyze(text)
    }

    /// The answer to one topic, chosen directly (a button). `None` for an unknown id.
    pub fn topic_reply(&self, id: &str) -> Option<Reply> {
        let idx = self.kb.topics.iter().position(|t| t.id.as_str() == id)?;
        Some(reply::topic_reply(&self.kb, idx, &self.wording))
    }

    /// The urgent-care criteria on their own.
    pub fn urgent_care_reply(&self) -> Reply {
        reply::urgent_care_reply(&self.kb, &self.wording)
    }

    /// The urgent-care criteria on their own, saying `contact` (`/urgent` in a chat with a
    /// setting).
    pub fn urgent_care_reply_for(&self, contact: &EmergencyContact) -> Reply {
        let mut reply = self.urgent_care_reply();
        if let Some(urgent) = reply.urgent.as_mut() {
            self.localize(urgent, contact);
        }
        reply
    }

    /// Triage only: the urgent-care block a message calls for, if it reaches `at_least`. For
    /// messages that are watched but not answered (unaddressed group messages), so no topic is
    /// matched; a group watch asks for `Tier::Urgent`, so a bare or negated mention there stays
    /// quiet.
    pub fn red_flag_notice(&self, question: &Question, at_least: Tier) -> Option<UrgentNotice> {
        let analysis = self.index.analyze(question.text());
        let triage = self.triage(&analysis);
        let mut notice = triage
            .urgency
            .filter(|&tier| tier >= at_least)
            .map(|tier| self.wording.notice(tier, Some(&triage)))?;
        self.localize(&mut notice, question.contact());
        Some(notice)
    }

    /// The urgent-care block for a tier (the Telegram `/check` ends with one).
    pub fn urgent_notice(&self, tier: Tier) -> UrgentNotice {
        self.wording.notice(tier, None)
    }

    /// The urgent-care block for a tier, saying `contact`.
    pub fn urgent_notice_for(&self, tier: Tier, contact: &EmergencyContact) -> UrgentNotice {
        let mut notice = self.urgent_notice(tier);
        self.localize(&mut notice, contact);
        notice
    }

    pub(super) fn intent(&self, analysis: &Analysis) -> Intent {
        let all: Vec<&str> = analysis.words.iter().map(String::as_str).collect();
        if all.is_empty() {
            return Intent::Empty;
        }
        let mut greeting = false;
        let mut thanks = false;
        for word in &all {
            if self.thanks_words.contains(*word) {
                thanks = true;
            } else if self.greeting_words.contains(*word) {
                greeting = true;
            } else if !self.filler_words.contains(*word) {
                return Intent::Question;
            }
        }
        match (thanks, greeting) {
            (true, _) => Intent::Thanks,
            (false, true) => Intent::Greeting,
            // Only filler words ("ok", "so"): nothing to match, the fallback explains.
            (false, false) => Intent::Question,
        }
    }
}
