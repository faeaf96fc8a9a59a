//! Doors for the front ends: what an edge needs from the knowledge base besides
//! `Engine::answer`, as plain data, so no edge reads `Engine::kb` or patches a `Reply` itself.
//!
//! Everything here is pure and in our words, not a chat platform's: the Telegram edge turns
//! these values into HTML and buttons (`src/telegram/endpoints/`).

use super::check::{self, CheckStep, Summary};
use super::quote::{self, Quote};
use super::{EmergencyContact, Engine, Question, Reply, Tier, TopicRef};

/// What `/about` lists: every red flag with its source, then the disclaimer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About<'a> {
    /// `(label, source)` of every red flag, in knowledge-base order.
    pub sources: Vec<(&'a str, &'a str)>,
    /// The knowledge base's disclaimer.
    pub disclaimer: &'a str,
}

/// An urgent-care reply and the tier that called for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The tier found (also the tier of `reply.urgent`).
    pub tier: Tier,
    /// The urgent-care criteria, their block worded for `tier`.
    pub reply: Reply,
}

/// What the red-flag check does after the answers so far.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckNext<'a> {
    /// Ask question `index` (0-based) of `total`.
    Ask {
        /// Position of the question.
        index: usize,
        /// Number of questions.
        total: usize,
        /// The question.
        question: &'a str,
    },
    /// A "yes" ended the check: the urgent-care reply for the highest tier answered (boxed:
    /// a whole `Reply` beside a question).
    Found(Box<Notice>),
    /// Every answer was "no": the signs to look out for, and the disclaimer.
    AllClear {
        /// Every warning sign, under the urgent tier's heading.
        criteria: String,
        /// The knowledge base's disclaimer.
        disclaimer: &'a str,
    },
}

impl CheckNext<'_> {
    /// Whether the check is over (nothing more to ask).
    pub fn is_done(&self) -> bool {
        !matches!(self, Self::Ask { .. })
    }
}

impl Engine {
    /// Every topic, in knowledge-base order: ids and titles, for a list of buttons.
    pub fn topic_list(&self) -> Vec<TopicRef> {
        self.kb()
            .topics
            .iter()
            .map(|t| TopicRef {
                id: t.id.clone(),
                title: t.title.clone(),
            })
            .collect()
    }

    /// Where the answers come from (`/about`).
    pub fn about(&self) -> About<'_> {
        let kb = self.kb();
        About {
            sources: kb
                .red_flags
                .flags
                .iter()
                .map(|f| (f.label.as_str(), f.source.as_str()))
                .collect(),
            disclaimer: &kb.messages.disclaimer,
        }
    }

    /// The red-flag check's next step after `answers` (true = yes), with its reply when the
    /// check is over.
    pub fn check_next(&self, answers: &[bool]) -> CheckNext<'_> {
        self.check_next_for(answers, &EmergencyContact::Default)
    }

    /// `check_next`, its urgent wording saying `contact` (the chat's setting).
    pub fn check_next_for(&self, answers: &[bool], contact: &EmergencyContact) -> CheckNext<'_> {
        match check::step(self.kb(), answers) {
            CheckStep::Ask {
                index,
                total,
                question,
            } => CheckNext::Ask {
                index,
                total,
                question,
            },
            CheckStep::Done(Some(tier)) => CheckNext::Found(Box::new(self.notice(tier, contact))),
            CheckStep::Done(None) => CheckNext::AllClear {
                criteria: self.urgent_notice_for(Tier::Urgent, contact).criteria,
                disclaimer: &self.kb().messages.disclaimer,
            },
        }
    }

    /// The summary that ends a check answered `answers` (true = yes), done at `unix_secs`
    /// (seconds since 1970, from the caller's clock), its "get help" line saying `contact` (the
    /// chat's setting; the deployment's own text with none).
    pub fn check_summary(
        &self,
        answers: &[bool],
        unix_secs: u64,
        contact: &EmergencyContact,
    ) -> Summary<'_> {
        let said = self
            .said(contact)
            .map_or_else(|| self.default_said().to_owned(), |(said, _)| said);
        check::summarize(self.kb(), answers, unix_secs, &said)
    }

    /// The notice a watched, unaddressed message calls for: only what needs a doctor today or
    /// help now (`Tier::Urgent` and above), so a bare or negated mention ("a bit numb", "no
    /// numbness") in a group's chatter stays quiet. Triage only: no topic is matched.
    pub fn watch_notice(&self, question: &Question) -> Option<Notice> {
        let notice = self.red_flag_notice(question, Tier::Urgent)?;
        let mut reply = self.urgent_care_reply();
        let tier = notice.tier;
        reply.urgent = Some(notice);
        Some(Notice { tier, reply })
    }

    /// `notice` saying `contact` (the chat's setting, read once a notice is due): its urgent
    /// block re-worded, without triaging the message again.
    pub fn notice_for(&self, mut notice: Notice, contact: &EmergencyContact) -> Notice {
        if let Some(urgent) = notice.reply.urgent.as_mut() {
            self.localize(urgent, contact);
        }
        notice
    }

    /// The exact words of `question` that raised its loudest red flag, widened to whole words
    /// (`quote::quote`): a group notice quotes them, so the group sees why the bot spoke. `None`
    /// when no flag is raised. Triage only, as `watch_notice`; called once a notice is due.
    pub fn red_flag_quote<'q>(&self, question: &'q Question) -> Option<Quote<'q>> {
        let analysis = self.index.analyze(question.text());
        let triage = self.triage(&analysis);
        quote::quote(question.text(), &analysis.spans, &triage)
    }

    /// `reply` made compact for a group: a short fallback, no list of every topic.
    pub fn compact_reply(&self, reply: &Reply) -> Reply {
        reply.compact(self.kb())
    }

    /// The urgent-care criteria with their block worded for `tier`, saying `contact`.
    fn notice(&self, tier: Tier, contact: &EmergencyContact) -> Notice {
        let mut reply = self.urgent_care_reply();
        reply.urgent = Some(self.urgent_notice_for(tier, contact));
        Notice { tier, reply }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{testing, EngineOptions, ReplyKind};

    fn engine() -> Engine {
        Engine::new(testing::kb(), &EngineOptions::default())
    }

    #[test]
    fn topic_list_follows_the_knowledge_base() {
        let engine = engine();
        let list = engine.topic_list();
        assert_eq!(list.len(), engine.kb().topics.len());
        for (item, topic) in list.iter().zip(&engine.kb().topics) {
            assert_eq!(item.id, topic.id);
            assert_eq!(item.title, topic.title);
        }
    }

    #[test]
    fn about_lists_every_flag_source_and_the_disclaimer() {
        let engine = engine();
        let about = engine.about();
        assert_eq!(about.sources.len(), engine.kb().red_flags.flags.len());
        assert!(about.sources.contains(&("bladder control", "the article")));
        assert_eq!(about.disclaimer, engine.kb().messages.disclaimer);
    }

    #[test]
    fn check_asks_in_order_then_ends_with_the_tier_found() {
        let engine = engine();
        let total = engine.kb().red_flags.check.len();
        match engine.check_next(&[]) {
            CheckNext::Ask {
                index: 0,
                total: t,
                question,
            } => {
                assert_eq!(t, total);
                assert_eq!(question, engine.kb().red_flags.check[0].question);
            }
            other => panic!("expected the first question, got {other:?}"),
        }
        assert!(!engine.check_next(&[]).is_done());
        // An emergency "yes" ends the check at once, with the block worded for it.
        let CheckNext::Found(notice) = engine.check_next(&[true]) else {
            panic!("an emergency yes ends the check");
        };
        assert_eq!(notice.tier, Tier::Emergency);
        assert_eq!(notice.reply.kind, ReplyKind::UrgentCare);
        assert_eq!(
            notice.reply.urgent,
            Some(engine.urgent_notice(Tier::Emergency))
        );
        let CheckNext::Found(notice) = engine.check_next(&[false, true]) else {
            panic!("an urgent yes ends the check");
        };
        assert_eq!(notice.tier, Tier::Urgent);
    }

    #[test]
    fn all_no_gives_the_urgent_criteria_and_the_disclaimer() {
        let engine = engine();
        let answers = vec![false; engine.kb().red_flags.check.len()];
        let next = engine.check_next(&answers);
        assert!(next.is_done());
        assert_eq!(
            next,
            CheckNext::AllClear {
                criteria: engine.urgent_notice(Tier::Urgent).criteria,
                disclaimer: &engine.kb().messages.disclaimer,
            }
        );
    }

    #[test]
    fn notice_for_says_the_contact_as_a_triage_with_it_would() {
        let engine = engine();
        let text = "I have lost control of my bladder";
        let contact = EmergencyContact::Custom("112".to_owned());
        let plain = engine.watch_notice(&Question::new(text)).expect("a flag");
        let said = engine.notice_for(plain.clone(), &contact);
        assert_ne!(said, plain, "the number is said");
        assert_eq!(
            Some(said),
            engine.watch_notice(&Question::new(text).with_contact(contact))
        );
    }

    #[test]
    fn watch_notice_is_quiet_below_urgent_and_carries_its_tier() {
        let engine = engine();
        let quiet = engine.watch_notice(&Question::new("what causes back pain?"));
        assert_eq!(quiet, None);
        let question = Question::new("I have lost control of my bladder");
        let notice = engine
            .watch_notice(&question)
            .expect("a bladder problem is posted unasked");
        let expected = engine
            .red_flag_notice(&question, Tier::Urgent)
            .expect("the same triage");
        assert_eq!(notice.tier, expected.tier);
        assert_eq!(notice.reply.urgent, Some(expected));
        assert_eq!(notice.reply.kind, ReplyKind::UrgentCare);
    }

    #[test]
    fn check_summary_uses_the_deployments_number_with_no_setting() {
        let engine = engine();
        assert_eq!(engine.default_said(), "call the fixture number");
        let numbered = Engine::new(
            testing::kb(),
            &EngineOptions {
                emergency_number: Some("call 112".to_owned()),
            },
        );
        let summary = numbered.check_summary(&[false, true], 0, &EmergencyContact::Default);
        assert_eq!(summary.outcome, Some(Tier::Urgent));
        assert_eq!(summary.get_help, "Fixture get help: call 112.");
        assert_eq!(summary.when, "1970-01-01 00:00 UTC");
    }

    #[test]
    fn compact_reply_is_the_replys_compact_form() {
        let engine = engine();
        let reply = engine.answer(&Question::new("qwerty zxcv")).reply;
        assert_eq!(engine.compact_reply(&reply), reply.compact(engine.kb()));
    }
}
