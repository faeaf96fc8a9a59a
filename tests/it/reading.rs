//! Reading real questions (issue 9): the domain decided apart from the topic, other senses of
//! domain words, intent and subject routed through `knowledge/questions.toml`, follow-ups read
//! with the previous answer, questions about the bot, and compact replies for groups.

use backleg::domain::{Question, ReplyKind, TopicId};

use crate::support::{answer, engine};

fn topic(text: &str) -> Option<String> {
    answer(text).reply.answered.first().map(|t| t.to_string())
}

#[test]
fn about_back_or_leg_pain_but_unspecific_gets_the_orientation_never_the_fallback() {
    for text in [
        "something is not right with my back",
        "my lower back is killing me, any advice?",
        "problem at L4/L5",
        "trouble at C5C6",
        "T12 issue",
        "sore bum and thigh, on and off",
    ] {
        let reply = answer(text).reply;
        assert_ne!(
            reply.kind,
            ReplyKind::Fallback,
            "{text:?} is about back or leg pain: {reply:?}"
        );
        if reply.kind == ReplyKind::Orientation {
            assert!(
                reply.to_plain().contains("What you can do now"),
                "{text:?}: {}",
                reply.to_plain()
            );
            assert!(
                !reply.related.is_empty() && reply.related.len() <= 4,
                "{text:?}: a few buttons, not every topic"
            );
        }
    }
}

#[test]
fn spinal_levels_in_every_spelling_put_a_message_in_the_domain() {
    for level in [
        "L4-L5", "L4/L5", "L5 S1", "L4L5", "L 4-5", "C5C6", "T12", "l5-s1",
    ] {
        let text = format!("issue at {level}");
        assert!(answer(&text).reading.in_domain, "{text:?}");
    }
    for not_a_level in [
        "issue at the L-shaped desk",
        "room 12",
        "I had a T-bone steak",
    ] {
        assert!(!answer(not_a_level).reading.in_domain, "{not_a_level:?}");
    }
}

#[test]
fn no_domain_signal_gets_the_fallback_with_the_list() {
    for text in [
        "asdf qwer zxcv",
        "what time does the shop open",
        "is it worth buying a new kettle",
    ] {
        let reply = answer(text).reply;
        assert_eq!(reply.kind, ReplyKind::Fallback, "{text:?}");
        assert!(reply.answered.is_empty(), "{text:?}");
    }
}

#[test]
fn other_senses_of_domain_words_do_not_match() {
    for text in [
        "back-to-back meetings all week, any tips?",
        "leg of lamb recipe please",
        "best heat pump settings for winter",
        "how do I back up my phone",
        "nerve-racking exam tomorrow, help",
        "how do I calm my nerves before a job interview",
        "my dog's back leg is stiff after a long walk",
    ] {
        let answer = answer(text);
        assert!(
            answer.reply.answered.is_empty(),
            "{text:?} is not about a person's back: {:?}",
            answer.reply.answered
        );
        assert!(!answer.reading.in_domain, "{text:?}");
    }
}

#[test]
fn the_intent_routes_the_question_and_the_subject_still_shows() {
    for (text, want, subject) in [
        (
            "treatment options for piriformis syndrome?",
            "self-care",
            "piriformis",
        ),
        (
            "is a doctor needed for a trapped nerve",
            "diagnosis",
            "pinched-nerve",
        ),
        (
            "how long does disc pain usually last",
            "outlook",
            "herniated-disc",
        ),
        (
            "best stretches for spinal stenosis",
            "exercise",
            "spinal-stenosis",
        ),
        (
            "how do you prevent a bulging disc coming back",
            "posture",
            "herniated-disc",
        ),
    ] {
        let reply = answer(text).reply;
        assert_eq!(
            reply.answered.first().map(|t| t.to_string()).as_deref(),
            Some(want),
            "{text:?}"
        );
        let offered: Vec<String> = reply
            .also
            .iter()
            .chain(&reply.related)
            .map(|t| t.id.to_string())
            .collect();
        assert!(
            offered.iter().any(|t| t == subject),
            "{text:?}: the subject's topic {subject} is offered: {offered:?}"
        );
    }
}

#[test]
fn danger_of_a_named_condition_is_its_own_topic_and_getting_help_is_always_the_signs() {
    assert_eq!(
        topic("dangers of a slipped vertebra").as_deref(),
        Some("spondylolisthesis")
    );
    assert_eq!(
        topic("is a bulged disk serious").as_deref(),
        Some("herniated-disc")
    );
    for text in [
        "when should I go to A&E with sciatica",
        "warning signs with a herniated disc",
        "is this serious?",
    ] {
        assert_eq!(topic(text).as_deref(), Some("urgent"), "{text:?}");
    }
}

#[test]
fn a_short_follow_up_is_read_with_the_previous_answer() {
    let engine = engine();
    let stenosis = TopicId("spinal-stenosis".into());
    let follow_up = engine.answer_in_context(&Question::new("is it serious?"), Some(&stenosis));
    assert_eq!(follow_up.reply.kind, ReplyKind::FollowUp);
    assert_eq!(
        follow_up.reply.answered.first(),
        Some(&stenosis),
        "{:?}",
        follow_up.reply.answered
    );

    // The follow-up's own intent wins, the previous subject stays: "how long does it last?"
    let outlook = engine.answer_in_context(
        &Question::new("and how long does it last?"),
        Some(&stenosis),
    );
    assert_eq!(
        outlook
            .reply
            .answered
            .first()
            .map(|t| t.to_string())
            .as_deref(),
        Some("outlook")
    );

    // A question with a subject of its own is not a follow-up.
    let own = engine.answer_in_context(
        &Question::new("what is piriformis syndrome"),
        Some(&stenosis),
    );
    assert_eq!(
        own.reply.answered.first().map(|t| t.to_string()).as_deref(),
        Some("piriformis")
    );
    assert_ne!(own.reply.kind, ReplyKind::FollowUp);

    // A red flag in a follow-up is never lost to the context.
    let flagged = engine.answer_in_context(
        &Question::new("what if I can't control my bladder?"),
        Some(&stenosis),
    );
    assert!(flagged.reply.urgent.is_some());

    // An unknown previous topic (the knowledge base changed) is no context at all.
    let gone = engine.answer_in_context(
        &Question::new("is it serious?"),
        Some(&TopicId("removed-topic".into())),
    );
    assert_eq!(
        gone.reply
            .answered
            .first()
            .map(|t| t.to_string())
            .as_deref(),
        Some("urgent")
    );
}

#[test]
fn questions_about_the_bot_are_chit_chat_that_says_what_it_does() {
    for text in [
        "who made you?",
        "what are you for?",
        "are you a real doctor",
    ] {
        let reply = answer(text).reply;
        assert_eq!(reply.kind, ReplyKind::AboutBot, "{text:?}");
        assert!(reply.to_plain().contains("not a diagnosis"), "{text:?}");
    }
    assert_eq!(
        topic("what can you actually do about piriformis syndrome at home?").as_deref(),
        Some("self-care")
    );
}

#[test]
fn long_messages_weigh_the_question_over_the_history() {
    let text = "I'm 52 and had a microdiscectomy at L5/S1 in 2019. I was fine for years, then I lifted a \
                heavy box at work last month. My GP says it is probably a disc again and my physio has me \
                doing exercises. WHAT ELSE CAN I DO AT HOME TO EASE IT";
    assert_eq!(
        topic(text).as_deref(),
        Some("self-care"),
        "{:?}",
        answer(text).reply.ranked
    );
}

#[test]
fn in_a_group_the_fallback_is_short_and_everything_else_is_kept() {
    let engine = engine();
    let fallback = answer("asdf qwer zxcv").reply;
    let compact = fallback.compact(engine.kb());
    assert!(
        compact.to_plain().contains("/topics"),
        "{}",
        compact.to_plain()
    );
    assert!(
        compact
            .to_plain()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
            <= 3,
        "{}",
        compact.to_plain()
    );
    assert!(fallback.to_plain().lines().count() > compact.to_plain().lines().count());

    let urgent = answer("I wet myself and my leg is numb").reply;
    assert_eq!(
        urgent.compact(engine.kb()).to_plain(),
        urgent.to_plain(),
        "an answer is never cut, least of all the warning signs"
    );
}
