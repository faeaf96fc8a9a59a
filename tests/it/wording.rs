//! The wording people read: plain language (a Flesch–Kincaid grade of 9 or below), one complete
//! list of warning signs reachable in words, the safety net, and no self-care answer for a
//! danger sign (issue 8, sections 3, 5 and 6).

use backleg::domain::readability::{grade, MAX_GRADE};
use backleg::domain::{ReplyKind, Tier};

use crate::support::{answer, engine};

#[test]
fn every_answer_and_message_reads_at_grade_9_or_below() {
    let texts = engine().texts_people_read();
    assert!(
        texts.len() > 60,
        "answers, messages, kinds, check questions and the list: {}",
        texts.len()
    );
    let mut too_hard = Vec::new();
    for text in &texts {
        if let Some(g) = grade(&text.text, &text.explains) {
            if g > MAX_GRADE {
                too_hard.push(format!("{}: grade {g:.1}: {:?}", text.place, text.text));
            }
        }
    }
    assert!(
        too_hard.is_empty(),
        "above grade {MAX_GRADE}:\n{}",
        too_hard.join("\n")
    );
}

#[test]
fn explained_terms_are_in_their_answers() {
    // `explains` exempts a term from the syllable count only where the answer really uses it.
    for topic in &engine().kb().topics {
        let text = format!(
            "{} {}",
            topic.answer,
            topic.glossary.as_deref().unwrap_or("")
        )
        .to_lowercase();
        for term in &topic.explains {
            assert!(
                text.contains(&term.to_lowercase()),
                "topic `{}` explains `{term}` but never says it",
                topic.id
            );
        }
    }
}

#[test]
fn every_flag_that_can_fire_is_on_the_list_people_see() {
    let list = engine()
        .urgent_care_reply()
        .urgent
        .expect("the list")
        .criteria;
    for flag in &engine().kb().red_flags.flags {
        assert!(
            list.contains(&flag.says),
            "flag `{}` can fire but its line {:?} is not on the list:\n{list}",
            flag.id,
            flag.says
        );
    }
    // Every notice carries the same complete list, and says which signs it saw.
    let notice = answer("I have a fever and I wet myself")
        .reply
        .urgent
        .expect("a notice");
    assert_eq!(notice.criteria, list);
    let because = notice.because.expect("a reason");
    for label in ["fever or infection", "bladder or bowel control"] {
        assert!(because.contains(label), "{because}");
    }
}

#[test]
fn asking_for_the_warning_signs_in_words_gives_the_urgent_topic_and_the_whole_list() {
    let list = engine()
        .urgent_care_reply()
        .urgent
        .expect("the list")
        .criteria;
    for question in [
        "what are the red flags",
        "is this serious?",
        "when should I go to hospital",
        "when should I go to A&E with sciatica",
        "shud i go to the ER for back pain",
        "when do I need the emergency room",
        "what are the warning signs",
        "when is back pain an emergency",
        "should I be worried",
        "Should I go to urgent care?",
    ] {
        let answer = answer(question);
        assert_eq!(
            answer.reply.answered.first().map(|t| t.as_str()),
            Some("urgent"),
            "{question:?}"
        );
        let notice = answer
            .reply
            .urgent
            .as_ref()
            .unwrap_or_else(|| panic!("{question:?}: no list"));
        assert_eq!(notice.criteria, list, "{question:?}");
        assert_eq!(
            notice.tier,
            Tier::Check,
            "{question:?}: asked for, it has the conditional headline"
        );
        assert!(notice.because.is_none(), "{question:?}");
    }
}

#[test]
fn the_safety_net_follows_the_article_and_ends_every_answer_one_might_act_on() {
    let kb = engine().kb();
    let net = &kb.messages.safety_net;
    for needle in [
        "doctor or physio",
        "find the cause",
        "bladder",
        "genitals",
        "both legs",
        "fall",
    ] {
        assert!(net.contains(needle), "safety net lacks {needle:?}: {net}");
    }
    for topic in &kb.topics {
        assert_eq!(
            topic.safety_net,
            topic.id.as_str() != "urgent",
            "topic `{}`",
            topic.id
        );
    }
    for question in [
        "why does my back pain go down my leg",
        "what causes sciatica",
        "will it get better",
        "what kind of doctor should I see",
    ] {
        let reply = answer(question).reply;
        assert_eq!(reply.kind, ReplyKind::Answer, "{question:?}");
        assert!(
            reply.to_plain().contains(net.trim()),
            "{question:?} lacks the safety net:\n{}",
            reply.to_plain()
        );
    }
}

#[test]
fn glossary_lines_are_marked_as_such() {
    let reply = answer("what is a slipped disc").reply;
    let plain = reply.to_plain();
    let label = &engine().kb().messages.glossary_label;
    assert!(
        plain.contains(&format!("{label} people also say")),
        "{plain}"
    );
    assert!(
        reply
            .to_html()
            .contains(&format!("<i>{label} people also say")),
        "{}",
        reply.to_html()
    );
}

#[test]
fn danger_signs_are_not_answered_with_self_care() {
    // A hot, swollen, painful calf can be a blood clot: not heat therapy.
    for question in [
        "my calf is hot, swollen and painful, should I use heat",
        "swollen red calf, heat or ice?",
    ] {
        let answer = answer(question);
        assert_eq!(answer.triage.urgency, Some(Tier::Urgent), "{question:?}");
        assert!(
            !answer
                .reply
                .answered
                .iter()
                .any(|t| ["heat-cold", "exercise", "self-care"].contains(&t.as_str())),
            "{question:?}: {:?}",
            answer.reply.answered
        );
    }
    // "My scan was clear" is not the referred-pain reassurance.
    let clear = answer("my scan was clear but my leg still hurts");
    assert_ne!(
        clear.reply.answered.first().map(|t| t.as_str()),
        Some("referred-pain")
    );
    // Claudication is not only spinal stenosis (it can come from the arteries).
    let claudication = answer("I have claudication in my legs when I walk");
    assert_ne!(
        claudication.reply.answered.first().map(|t| t.as_str()),
        Some("spinal-stenosis")
    );
    // "Neurogenic" claudication is the spinal kind.
    assert_eq!(
        answer("what is neurogenic claudication")
            .reply
            .answered
            .first()
            .map(|t| t.as_str()),
        Some("spinal-stenosis")
    );
}
