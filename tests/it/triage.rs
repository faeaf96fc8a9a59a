//! Red-flag triage through `Engine::answer`, one line per case: the ways people write the
//! warning signs (plain words, misspellings, negations, capitals, emoji, a flag buried in a long
//! message), the look-alikes that must stay quiet, and the urgent block in every kind of reply.

use backleg::domain::{Engine, EngineOptions, Question, ReplyKind, Tier};

use crate::support::{answer, assert_only_telegram_markup, engine};

/// The first line of the list of warning signs, as every urgent block shows it.
fn first_criteria_line() -> String {
    engine()
        .urgent_notice(Tier::Emergency)
        .criteria
        .trim()
        .lines()
        .next()
        .expect("criteria text")
        .to_owned()
}

/// `want`: "emergency", "urgent", "check" or `None` (no urgent block). Also checks that the
/// urgent block is rendered exactly when triage fired, in plain text and in HTML.
#[track_caller]
fn check(question: &str, want: Option<&str>) {
    let answer = answer(question);
    let got = answer.triage.urgency.map(Tier::as_str);
    assert_eq!(
        got, want,
        "urgency of {question:?} (flags: {:?})",
        answer.triage.hits
    );
    let plain = answer.reply.to_plain();
    if want.is_some() {
        assert!(
            plain.contains(&first_criteria_line()),
            "urgent block in the reply to {question:?}:\n{plain}"
        );
        assert_eq!(
            answer.reply.urgent.as_ref().map(|u| u.tier.as_str()),
            want,
            "Reply::urgent for {question:?}"
        );
    } else if !answer.reply.answered.iter().any(|t| t.as_str() == "urgent") {
        assert!(
            answer.reply.urgent.is_none(),
            "Reply::urgent for {question:?}:\n{plain}"
        );
    }
}

#[test]
fn bladder_and_bowel_in_plain_words() {
    check("I can't hold my pee anymore", Some("emergency"));
    check("I wet myself this morning", Some("emergency"));
    check("I peed myself", Some("emergency"));
    check("I can't hold my wee", Some("emergency"));
    check("pooped myself and my back hurts", Some("emergency"));
    check("I soiled myself", Some("emergency"));
    check("I am incontinent since yesterday", Some("emergency"));
    check("I can't control my bladder", Some("emergency"));
    check("lost control of my bowels", Some("emergency"));
    check("I have trouble peeing", Some("emergency"));
    check(
        "I haven't been able to pee since yesterday",
        Some("emergency"),
    );
    check("I keep leaking when I cough", Some("emergency"));
    check("had to use a nappy", Some("emergency"));
    // A bare mention of the area is a check: the list, without the banner.
    check("does sciatica affect the bladder", Some("check"));
}

#[test]
fn saddle_numbness() {
    check("saddle numbness", Some("emergency"));
    check("numbness between my legs", Some("emergency"));
    check("numb around my bum when I sit", Some("emergency"));
    check("numb down there", Some("emergency"));
    check("my privates are numb", Some("emergency"));
    check(
        "I can't feel the toilet paper when I wipe",
        Some("emergency"),
    );
    check("tingling in my groin", Some("emergency"));
    check("pain in my groin", Some("check"));
}

#[test]
fn both_legs() {
    check("pain in both legs", Some("emergency"));
    check("both my legs are weak", Some("emergency"));
    check("I have sciatica on both sides", Some("emergency"));
    check("my legs feel weak", Some("emergency"));
    check("both feet are numb", Some("emergency"));
    check("pins and needles in both legs", Some("emergency"));
}

#[test]
fn foot_drop_and_severe_weakness() {
    check("I have foot drop", Some("emergency"));
    check("I can't lift my foot", Some("emergency"));
    check("I keep tripping over my toes", Some("emergency"));
    check("my leg gave way", Some("emergency"));
    check("my leg is getting weaker", Some("emergency"));
    check("my leg is paralysed", Some("emergency"));
    check("I can't feel my leg", Some("emergency"));
    check("the numbness is getting worse", Some("emergency"));
    check("my whole leg is numb", Some("emergency"));
    // A bare or slight mention: ordinary sciatica symptoms, a check.
    check("my foot is a bit numb sometimes", Some("check"));
    check("slight weakness in my leg", Some("check"));
}

#[test]
fn sexual_dysfunction() {
    check(
        "can't get an erection since the back pain started",
        Some("emergency"),
    );
    check(
        "erectile dysfunction since the back pain",
        Some("emergency"),
    );
    check("problems with sex since my back went", Some("emergency"));
    check("no feeling during sex", Some("emergency"));
    check(
        "I can't get it up since the pain started",
        Some("emergency"),
    );
}

#[test]
fn accident_fall_crash() {
    check(
        "I fell down the stairs and now my back hurts",
        Some("emergency"),
    );
    check("had a fall yesterday", Some("emergency"));
    check("fell off a ladder", Some("emergency"));
    check("I tripped on the stairs", Some("emergency"));
    check(
        "car accident last week, back pain into leg",
        Some("emergency"),
    );
    check("I crashed my bike", Some("emergency"));
    check("motorbike crash", Some("emergency"));
    check("got rear ended on the motorway", Some("emergency"));
    check("I slipped on ice and landed on my back", Some("emergency"));
}

#[test]
fn fever_cancer_weight_loss_are_urgent() {
    check("I have a fever and back pain", Some("urgent"));
    check("I've got a high temperature", Some("urgent"));
    check("hot and shivery with back pain", Some("urgent"));
    check("I'm feeling feverish", Some("urgent"));
    check("history of cancer and now back pain", Some("urgent"));
    check("I had breast cancer 5 years ago", Some("urgent"));
    check("I had chemo last year", Some("urgent"));
    check("I've lost weight without trying", Some("urgent"));
    check("unexplained weight loss and sciatica", Some("urgent"));
    check("I've lost 10 pounds", Some("urgent"));
    check("I've lost 10 pounds on purpose", None);
}

#[test]
fn the_higher_tier_wins() {
    check("I have a fever and I wet myself", Some("emergency"));
    check(
        "history of cancer and now both legs are numb",
        Some("emergency"),
    );
}

#[test]
fn misspellings_still_trigger() {
    check("my bladdr is not working right", Some("emergency"));
    check("bladder problms", Some("emergency"));
    check("I'm incontinant now", Some("emergency"));
    check("incontinance", Some("emergency"));
    check("numbnes in my leg", Some("check"));
    check("my leg is paralized", Some("emergency"));
    check("I've got weekness in my leg", Some("check"));
    check("I've got weekness in both my legs", Some("emergency"));
    check("acident last week", Some("emergency"));
    check("feaver and leg pain", Some("urgent"));
    check("i have a feaver", Some("urgent"));
    check("canser history", Some("urgent"));
}

#[test]
fn negation_lowers_a_flag_to_check_and_never_switches_it_off() {
    check("no bladder problems", Some("check"));
    check("I haven't fallen", Some("check"));
    check("I have no fever", Some("check"));
    check("never had cancer", Some("check"));
    check(
        "no numbness, no weakness, bladder and bowels completely normal",
        Some("check"),
    );
    // What is negated is the negator's own phrase: the rest of the message still counts.
    check("no numbness but I wet myself", Some("emergency"));
    check(
        "I haven't been able to pee since yesterday",
        Some("emergency"),
    );
    check("I don't feel my foot", Some("emergency"));
}

#[test]
fn capitals_and_emoji() {
    check("I WET MYSELF", Some("emergency"));
    check("NO BLADDER PROBLEMS BUT MY LEG HURTS", Some("check"));
    check("I CAN'T CONTROL MY BLADDER", Some("emergency"));
    check("😱 I wet myself 😭", Some("emergency"));
    check("🚽 I wet myself 😭", Some("emergency"));
    check("fever🤒 and sciatica", Some("urgent"));
    check("ＦＥＶＥＲ", Some("urgent"));
}

#[test]
fn a_flag_buried_in_a_long_message() {
    let filler = "My back has been sore for a few weeks and the pain goes down my left leg into the calf. \
                  I sit at a desk all day, I tried stretching and a hot water bottle, and it comes and goes. ";
    let long = format!(
        "{}Oh and yesterday I wet myself on the way to work. {}Any advice?",
        filler.repeat(6),
        filler.repeat(6)
    );
    assert!(long.len() > 1500);
    check(&long, Some("emergency"));
    let long = format!(
        "{}By the way I had cancer ten years ago.",
        filler.repeat(12)
    );
    check(&long, Some("urgent"));
}

#[test]
fn benign_look_alikes_stay_quiet() {
    check("fell asleep on the sofa and woke with leg pain", None);
    check("fell asleep on the sofa", None);
    check("fall prevention exercises", None);
    check("slipped disc", None);
    check("I think I have a slipped disc", None);
    check("slipped vertebra", None);
    check("crash course in posture", None);
    check("in the fall I garden a lot", None);
    check("fewer stretches", None);
    check("my laptop crashed while I was reading about sciatica", None);
    check("weak core muscles and sciatica", None);
    check("fell in love with yoga", None);
    check("what is sciatica", None);
    check("heat or ice?", None);
}

#[test]
fn urgent_block_in_every_kind_of_reply() {
    let criteria_line = first_criteria_line();
    for question in [
        "hi, I wet myself",
        "hello! I fell down the stairs",
        "thanks, by the way I have a fever",
        "pizza and I fell down the stairs",
        "what dose of ibuprofen after I fell",
        "ibuprofen dose, I have a fever",
        "heat or ice? I fell yesterday",
        "what is sciatica, I wet myself",
    ] {
        let answer = answer(question);
        assert!(
            answer.triage.urgency.is_some(),
            "{question:?} should trigger"
        );
        let urgent = answer
            .reply
            .urgent
            .as_ref()
            .unwrap_or_else(|| panic!("no urgent block for {question:?}"));
        let plain = answer.reply.to_plain();
        let html = answer.reply.to_html();
        assert!(
            plain.contains(&urgent.first_line),
            "{question:?} plain lacks the first line:\n{plain}"
        );
        assert!(
            plain.contains(&criteria_line),
            "{question:?} plain lacks the criteria:\n{plain}"
        );
        let first_line_html = format!(
            "<b>{}</b>",
            backleg::domain::reply::escape_html(&urgent.first_line)
        );
        assert!(
            html.contains(&first_line_html),
            "{question:?} HTML lacks the bold first line:\n{html}"
        );
        assert!(
            html.contains(&backleg::domain::reply::escape_html(&criteria_line)),
            "{question:?} HTML lacks the criteria:\n{html}"
        );
        assert_only_telegram_markup(&html);
    }
}

#[test]
fn urgent_block_is_kept_when_nothing_else_matches() {
    // Out-of-scope words push every score below the bar, and the flag does not make the urgent
    // topic answer (a medicines question is not answered by the article): the reply is the kind's
    // own, and the urgent block is still there.
    for question in [
        "what dose of ibuprofen, I fell",
        "ibuprofen dose, I have a fever",
    ] {
        let answer = answer(question);
        assert!(
            matches!(answer.reply.kind, ReplyKind::OutOfScope | ReplyKind::Answer),
            "{question:?}: {:?}",
            answer.reply.kind
        );
        assert!(answer.reply.urgent.is_some(), "{question:?}");
    }
    let answer = answer("pizza toppings, and I fell down the stairs");
    assert!(answer.reply.urgent.is_some());
}

#[test]
fn urgent_block_is_kept_on_small_talk() {
    // A greeting or thanks made of only small-talk words cannot carry a red flag in today's
    // knowledge base, so this builds one whose greeting words include a flag word.
    let dir = crate::support::copy_kb(&crate::support::fixture_kb_dir());
    crate::support::edit(
        dir.path(),
        "messages.toml",
        r#"greeting_words = ["hi", "hello"]"#,
        r#"greeting_words = ["hi", "hello", "fever"]"#,
    );
    crate::support::edit(
        dir.path(),
        "messages.toml",
        r#"thanks_words = ["thanks", "thank"]"#,
        r#"thanks_words = ["thanks", "thank", "fell"]"#,
    );
    let engine = backleg::kb_files::load_engine(Some(dir.path()), &EngineOptions::default())
        .expect("edited fixture loads");
    for (question, kind, tier) in [
        ("hi fever", ReplyKind::Greeting, Tier::Urgent),
        ("thanks, fell", ReplyKind::Thanks, Tier::Emergency),
    ] {
        let answer = engine.answer(&Question::new(question));
        assert_eq!(answer.reply.kind, kind, "{question:?}");
        assert_eq!(answer.triage.urgency, Some(tier), "{question:?}");
        let plain = answer.reply.to_plain();
        assert!(plain.contains("Fixture criteria"), "{question:?}:\n{plain}");
        assert!(
            answer.reply.to_html().contains("Fixture criteria"),
            "{question:?}"
        );
    }
}

#[test]
fn tiers_have_different_first_lines() {
    let emergency = answer("I wet myself")
        .reply
        .urgent
        .expect("emergency block");
    let urgent = answer("I have a fever").reply.urgent.expect("urgent block");
    assert_eq!(emergency.tier, Tier::Emergency);
    assert_eq!(urgent.tier, Tier::Urgent);
    assert_ne!(emergency.first_line, urgent.first_line);
    assert_eq!(
        emergency.criteria, urgent.criteria,
        "both tiers list the same criteria"
    );
    assert_eq!(
        engine().urgent_notice(Tier::Emergency).first_line,
        emergency.first_line
    );
    assert_eq!(
        engine().urgent_notice(Tier::Urgent).first_line,
        urgent.first_line
    );
    // The block names what the found words were, for logs and the eval report.
    assert_eq!(answer("I have a fever").triage.terms(), vec!["fever"]);
}

#[test]
fn default_emergency_number_is_filled_in() {
    let block = answer("I wet myself").reply.urgent.expect("urgent block");
    assert!(
        !block.first_line.contains("{emergency_number}"),
        "{}",
        block.first_line
    );
    assert!(
        block.first_line.contains("emergency number"),
        "{}",
        block.first_line
    );
    for number in ["911", "999", "112"] {
        assert!(
            block.first_line.contains(number),
            "{} lacks {number}",
            block.first_line
        );
    }
}

#[test]
fn configured_emergency_number_is_in_the_block() {
    let kb = backleg::kb_files::load_kb(None).expect("built-in kb");
    let engine = Engine::new(
        kb,
        &EngineOptions {
            emergency_number: Some("call 000".into()),
        },
    );
    for question in ["I wet myself", "I have a fever"] {
        let answer = engine.answer(&Question::new(question));
        let block = answer.reply.urgent.as_ref().expect("urgent block");
        assert!(
            block.first_line.contains("call 000"),
            "{question:?}: {}",
            block.first_line
        );
        assert!(
            !block.first_line.contains("911"),
            "{question:?}: the default is replaced: {}",
            block.first_line
        );
        assert!(answer.reply.to_plain().contains("call 000"));
        assert!(answer.reply.to_html().contains("call 000"));
    }
    assert!(engine.urgent_care_reply().to_plain().contains("call 000"));
}

#[test]
fn urgent_care_on_request() {
    let reply = engine().urgent_care_reply();
    assert_eq!(reply.kind, ReplyKind::UrgentCare);
    let block = reply.urgent.as_ref().expect("the criteria");
    assert_eq!(
        block.tier,
        Tier::Check,
        "asked for, the list has the conditional headline"
    );
    let plain = reply.to_plain();
    for needle in [
        "bladder or bowel",
        "weakness or numbness",
        "after an accident",
        crate::support::NOT_A_DIAGNOSIS,
    ] {
        assert!(
            plain.contains(needle),
            "urgent-care reply lacks {needle:?}:\n{plain}"
        );
    }
    let topic = engine().topic_reply("urgent").expect("urgent topic");
    assert_eq!(
        topic.urgent.as_ref().map(|u| &u.criteria),
        Some(&block.criteria),
        "the urgent topic's button shows the full list"
    );
}

/// Misses the first version of the engine had; each is a class of phrasing, not one sentence.
#[test]
fn former_misses_now_trigger() {
    // Foot drop in plain words.
    check("my foot slaps when I walk", Some("emergency"));
    check("my foot drags when I walk", Some("emergency"));
    check("my toes keep catching on the stairs", Some("emergency"));
    // A clitic after a red-flag word ("wee'd" is "wee", not "weed").
    check("I wee'd myself", Some("emergency"));
    // -ing forms of the plain-language bladder and bowel phrases.
    check("I've been shitting myself", Some("emergency"));
    // A misspelling whose stem is an ordinary word's stem is still corrected for triage (a bare
    // "numb" is a check: the list without the banner).
    check("my leg is numbe", Some("check"));
    // Three-letter misspellings of "fell" and the places people fall from.
    check("I fel down the stairs", Some("emergency"));
    check("came off my bike yesterday", Some("emergency"));
}
