//! Topic matching through `Engine::answer`, one line per case, and the shape of every reply:
//! disclaimer, safety net, topic buttons, HTML escaping.

use backleg::domain::{Question, ReplyKind};

use crate::support::{answer, assert_only_telegram_markup, engine, NOT_A_DIAGNOSIS};

/// `want`: acceptable top topics; empty = no topic (fallback or small talk).
#[track_caller]
fn check(question: &str, want: &[&str]) {
    let answer = answer(question);
    let top = answer.reply.answered.first().map(|t| t.as_str());
    if want.is_empty() {
        assert_eq!(
            top, None,
            "{question:?} should get no topic (ranked: {:?})",
            answer.reply.ranked
        );
    } else {
        assert!(
            top.is_some_and(|t| want.contains(&t)),
            "{question:?}: got {top:?}, want one of {want:?}\n{}",
            engine().explain(question)
        );
    }
    assert!(
        answer.reply.to_plain().contains(NOT_A_DIAGNOSIS),
        "{question:?}: no disclaimer"
    );
}

#[test]
fn topics_by_their_names() {
    check("what is sciatica", &["sciatica"]);
    check(
        "what causes back pain that goes down the leg",
        &["causes", "overview"],
    );
    check("spinal stenosis", &["spinal-stenosis"]);
    check("piriformis syndrome", &["piriformis"]);
    check("what does it feel like", &["symptoms"]);
    check("pinched nerve in my lower back", &["pinched-nerve"]);
    check("what is referred pain", &["referred-pain"]);
    check("degenerative disc disease", &["degenerative-disc"]);
    check("osteoarthritis of the spine", &["spinal-arthritis"]);
    check("can an injury cause it", &["injury"]);
    check("what can I do about it at home", &["self-care"]);
    check("should I see a doctor", &["diagnosis"]);
    check("is walking good for it", &["exercise"]);
    check("heat or ice?", &["heat-cold"]);
    check("does my posture matter", &["posture"]);
    check("when is it an emergency", &["urgent"]);
    check("will it get better", &["outlook"]);
}

#[test]
fn synonyms_keep_meanings_apart() {
    check("slipped disc", &["herniated-disc"]);
    check("I think I have a slipped disc", &["herniated-disc"]);
    check("slipped vertebra", &["spondylolisthesis"]);
    check("my vertebra slipped forward", &["spondylolisthesis"]);
    check("physio", &["diagnosis"]);
    check("should I see a physio", &["diagnosis"]);
    check("should I see a physical therapist", &["diagnosis"]);
    check("bulging disk", &["herniated-disc"]);
    check("herniated disk", &["herniated-disc"]);
    check("hot water bottle or ice pack", &["heat-cold"]);
    check("pins and needles in my leg", &["symptoms"]);
    check(
        "my bum hurts all the way down to my knee, why?",
        &["overview", "sciatica", "piriformis"],
    );
}

#[test]
fn disk_and_disc_are_the_same_word() {
    for (disk, disc) in [
        ("bulging disk", "bulging disc"),
        (
            "my disk is pressing on a nerve",
            "my disc is pressing on a nerve",
        ),
        ("disk", "disc"),
        ("degenerative disk disease", "degenerative disc disease"),
    ] {
        let (a, b) = (answer(disk).reply, answer(disc).reply);
        assert_eq!(a.answered, b.answered, "{disk:?} vs {disc:?}");
        assert_eq!(a.ranked, b.ranked, "{disk:?} vs {disc:?}");
    }
}

#[test]
fn misspellings_from_the_issue() {
    check("siatica", &["sciatica"]);
    check("what is siatica", &["sciatica"]);
    check("stenossis", &["spinal-stenosis"]);
    check("spinal stenossis", &["spinal-stenosis"]);
    check("piriformus", &["piriformis"]);
    check("piriformus syndrome", &["piriformis"]);
    check("spondilolistesis", &["spondylolisthesis"]);
    check("sciatic nerv", &["sciatica"]);
    check("where does the sciatic nerv go", &["sciatica"]);
}

#[test]
fn misspellings_are_reported_as_corrections() {
    let analysis = engine().analyze("siatica stenossis piriformus");
    let fixed: Vec<(&str, &str)> = analysis
        .corrections
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        fixed,
        vec![
            ("siatica", "sciatica"),
            ("stenossis", "stenosis"),
            ("piriformus", "piriformis")
        ]
    );
}

#[test]
fn out_of_scope_gets_no_topic() {
    check("best pizza in town", &[]);
    check("what dose of ibuprofen", &[]);
    check("what dose of ibuprofen should I take for sciatica", &[]);
    check("how much paracetamol can I take", &[]);
    check("my neck hurts when I look up", &[]);
    check("what's the weather tomorrow", &[]);
    assert_eq!(
        answer("what dose of ibuprofen").reply.kind,
        ReplyKind::OutOfScope
    );
    for question in ["best pizza in town", "what's the weather tomorrow"] {
        let reply = answer(question).reply;
        assert_eq!(reply.kind, ReplyKind::Fallback, "{question:?}");
        // The fallback lists what the bot can answer.
        let plain = reply.to_plain();
        for topic in &engine().kb().topics {
            assert!(
                plain.contains(&topic.title),
                "{question:?}: fallback lacks {:?}",
                topic.title
            );
        }
    }
}

#[test]
fn off_topic_questions_are_answered_by_kind() {
    let kind_reply = |id: &str| {
        engine()
            .kb()
            .scope
            .kinds
            .iter()
            .find(|k| k.id == id)
            .expect("kind")
            .reply
            .clone()
    };
    let medicines = kind_reply("medicines");
    let dose = answer("what dose of ibuprofen");
    assert_eq!(dose.reply.kind, ReplyKind::OutOfScope);
    assert_eq!(dose.reply.scope_kind.as_deref(), Some("medicines"));
    assert!(dose.reply.to_plain().contains(&medicines));
    assert!(!answer("best pizza in town")
        .reply
        .to_plain()
        .contains(&medicines));
}

#[track_caller]
fn check_kind(question: &str, kind: ReplyKind) {
    let answer = answer(question);
    assert_eq!(answer.reply.kind, kind, "{question:?}");
    assert!(
        answer.reply.answered.is_empty(),
        "{question:?} answered {:?}",
        answer.reply.answered
    );
    assert_eq!(answer.triage.urgency, None, "{question:?}");
    assert!(
        answer.reply.to_plain().contains(NOT_A_DIAGNOSIS),
        "{question:?}: no disclaimer"
    );
}

#[test]
fn greetings_and_thanks_get_small_talk() {
    check_kind("hi", ReplyKind::Greeting);
    check_kind("Hello there!", ReplyKind::Greeting);
    check_kind("hey bot", ReplyKind::Greeting);
    check_kind("good morning", ReplyKind::Greeting);
    check_kind("thanks", ReplyKind::Thanks);
    check_kind("Thank you so much!", ReplyKind::Thanks);
    check_kind("cheers mate", ReplyKind::Thanks);
    check_kind("hi, thanks", ReplyKind::Thanks);
    // A greeting with a question is a question.
    assert_eq!(
        answer("hi, what is sciatica?").reply.kind,
        ReplyKind::Answer
    );
    assert_eq!(
        answer("thanks, and what about heat or ice?").reply.kind,
        ReplyKind::Answer
    );
}

#[test]
fn empty_and_wordless_messages() {
    for question in [
        "",
        " ",
        "   \t\n  ",
        "\n",
        "😀😀😀",
        "?!?",
        "...",
        "🤷‍♀️",
        "\u{200b}\u{feff}",
        "\u{0}\u{7}",
    ] {
        let answer = answer(question);
        assert!(
            matches!(answer.reply.kind, ReplyKind::Empty | ReplyKind::Fallback),
            "{question:?} gave {:?}",
            answer.reply.kind
        );
        assert!(answer.reply.answered.is_empty(), "{question:?}");
        assert_eq!(answer.triage.urgency, None, "{question:?}");
        assert!(
            answer.reply.to_plain().contains(NOT_A_DIAGNOSIS),
            "{question:?}"
        );
        assert_only_telegram_markup(&answer.reply.to_html());
    }
    assert_eq!(answer("").reply.kind, ReplyKind::Empty);
    check_kind("ok", ReplyKind::Fallback);
}

#[track_caller]
fn check_answers(question: &str, want: &[&str]) {
    let reply = answer(question).reply;
    let answered: Vec<&str> = reply.answered.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        answered,
        want,
        "{question:?}\n{}",
        engine().explain(question)
    );
    let plain = reply.to_plain();
    let mut at = 0;
    for id in answered {
        let title = &engine().kb().topic(id).expect("topic").title;
        let found = plain[at..]
            .find(title.as_str())
            .unwrap_or_else(|| panic!("{question:?}: reply lacks {title:?} in order:\n{plain}"));
        at += found + title.len();
    }
}

#[test]
fn two_requests_can_get_two_answers() {
    check_answers(
        "what causes it and what can I do?",
        &["causes", "self-care"],
    );
    check_answers(
        "what is sciatica and what are the symptoms?",
        &["sciatica", "symptoms"],
    );
    check_answers(
        "what is sciatica? what are the symptoms?",
        &["sciatica", "symptoms"],
    );
    // One request, one answer.
    check_answers("what is sciatica", &["sciatica"]);
    check_answers("heat or ice?", &["heat-cold"]);
}

#[test]
fn every_reply_carries_the_disclaimer() {
    let disclaimer = engine().kb().messages.disclaimer.trim();
    assert!(disclaimer.contains(NOT_A_DIAGNOSIS), "{disclaimer}");
    let text =
        std::fs::read_to_string(crate::support::manifest_dir().join("tests/data/questions.jsonl"))
            .expect("questions");
    let rows = backleg::eval::parse_rows(&text).expect("rows");
    let extra = [
        "",
        "hi",
        "thanks",
        "pizza",
        "I wet myself",
        "hi, I wet myself",
    ];
    for question in rows.iter().map(|r| r.q.as_str()).chain(extra) {
        let reply = answer(question).reply;
        let plain = reply.to_plain();
        assert!(
            plain.ends_with(disclaimer),
            "{question:?}: plain does not end with the disclaimer:\n{plain}"
        );
        let html = reply.to_html();
        assert!(
            html.ends_with("</i>") && html.contains(NOT_A_DIAGNOSIS),
            "{question:?}: HTML:\n{html}"
        );
        assert_only_telegram_markup(&html);
    }
}

#[test]
fn safety_net_comes_last_before_the_disclaimer() {
    let messages = &engine().kb().messages;
    let tail = format!(
        "{}\n\n{}",
        messages.safety_net.trim(),
        messages.disclaimer.trim()
    );
    for question in [
        "heat or ice?",
        "what does it feel like",
        "is walking good for it",
        "what can I do about it at home",
        "does my posture matter",
    ] {
        let reply = answer(question).reply;
        let plain = reply.to_plain();
        assert!(
            plain.ends_with(&tail),
            "{question:?} should end with the safety net, then the disclaimer:\n{plain}"
        );
    }
    // Every answer a person in pain might act on carries it, definitions included (issue 8 §5);
    // the urgent topic's answer is the list itself, which says more.
    assert!(answer("what is referred pain")
        .reply
        .to_plain()
        .ends_with(&tail));
    assert!(!answer("what are the red flags")
        .reply
        .to_plain()
        .contains(messages.safety_net.trim()));
}

#[test]
fn topic_buttons() {
    let kb = engine().kb();
    let messages = &kb.messages;
    for topic in &kb.topics {
        let reply = engine()
            .topic_reply(topic.id.as_str())
            .unwrap_or_else(|| panic!("no reply for {}", topic.id));
        let plain = reply.to_plain();
        assert!(
            plain.contains(NOT_A_DIAGNOSIS),
            "{}: no disclaimer",
            topic.id
        );
        assert_eq!(
            reply.urgent.is_some(),
            topic.id == kb.red_flags.topic,
            "{}: urgent block only on the urgent topic",
            topic.id
        );
        if topic.id != kb.red_flags.topic {
            assert!(
                plain.starts_with(&topic.title),
                "{}: starts with the title:\n{plain}",
                topic.id
            );
            assert!(
                plain.contains(topic.answer.trim()),
                "{}: carries the answer",
                topic.id
            );
        }
        if topic.safety_net {
            assert!(
                plain.ends_with(&format!(
                    "{}\n\n{}",
                    messages.safety_net.trim(),
                    messages.disclaimer.trim()
                )),
                "{}:\n{plain}",
                topic.id
            );
        }
        let related: Vec<&str> = reply.related.iter().map(|r| r.id.as_str()).collect();
        let want: Vec<&str> = topic.related.iter().map(|r| r.as_str()).collect();
        assert_eq!(related, want, "{}: related buttons", topic.id);
        assert_only_telegram_markup(&reply.to_html());
    }
    assert!(engine().topic_reply("no-such-topic").is_none());
    assert!(engine().topic_reply("").is_none());
    assert!(engine().topic_reply("Sciatica").is_none(), "ids are exact");
}

#[test]
fn also_offers_close_runners_up() {
    // Every offered runner-up is a real topic, is not the answer, and the list is bounded.
    let max_also = engine().kb().matching.max_also;
    let text =
        std::fs::read_to_string(crate::support::manifest_dir().join("tests/data/questions.jsonl"))
            .expect("questions");
    let mut n_with_also = 0;
    for row in backleg::eval::parse_rows(&text).expect("rows") {
        let reply = answer(&row.q).reply;
        assert!(reply.also.len() <= max_also, "{:?}", row.q);
        for also in &reply.also {
            assert!(
                !reply.answered.contains(&also.id),
                "{:?} offers its own answer {}",
                row.q,
                also.id
            );
            assert!(engine().kb().topic(also.id.as_str()).is_some());
        }
        if !reply.also.is_empty() {
            n_with_also += 1;
            let label = engine().kb().messages.also_label.trim();
            assert!(reply.to_plain().contains(label), "{:?}", row.q);
        }
    }
    assert!(
        n_with_also > 0,
        "no question in the file got a \"You may also mean\""
    );
}

#[test]
fn html_escapes_hostile_input() {
    for question in [
        "<script>alert(1)</script> sciatica",
        "<b>sciatica</b>",
        "\"><img src=x onerror=alert(1)> heat or ice",
        "</i><a href=\"javascript:alert(1)\">x</a> I wet myself",
        "&lt;script&gt; &amp; <<<>>> &&&",
        "<script>",
    ] {
        let html = answer(question).reply.to_html();
        assert_only_telegram_markup(&html);
    }
}

#[test]
fn html_escapes_hostile_knowledge_base_text() {
    // Titles and answers come from files a moderator edits: they are escaped too.
    let dir = crate::support::copy_kb(&crate::support::fixture_kb_dir());
    let edit = |file: &str, from: &str, to: &str| {
        crate::support::edit(dir.path(), file, from, to);
    };
    edit(
        "topics.toml",
        r#"title = "Fixture: what sciatica is""#,
        r#"title = "Sciatica <script>alert('x')</script> & \"more\"""#,
    );
    edit(
        "topics.toml",
        "Fixture answer: the sciatic nerve",
        "Fixture answer: <i>the</i> sciatic & nerve",
    );
    edit(
        "redflags.toml",
        "says = \"loss of bladder control\"",
        "says = \"<b>bold</b> & loss\"",
    );
    edit(
        "messages.toml",
        "Fixture disclaimer: general",
        "Fixture disclaimer: <a href=x>general</a>",
    );
    let engine = backleg::kb_files::load_engine(Some(dir.path()), &Default::default())
        .expect("edited fixture loads");
    let reply = engine
        .answer(&Question::new("sciatica, and I wet myself"))
        .reply;
    let html = reply.to_html();
    assert_only_telegram_markup(&html);
    assert!(
        html.contains("Sciatica &lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;more&quot;"),
        "{html}"
    );
    assert!(
        html.contains("&lt;i&gt;the&lt;/i&gt; sciatic &amp; nerve"),
        "{html}"
    );
    assert!(
        html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; loss"),
        "{html}"
    );
    assert!(html.ends_with("<i>Fixture disclaimer: &lt;a href=x&gt;general&lt;/a&gt; information, not a diagnosis.</i>"), "{html}");
    // Plain text is not escaped.
    assert!(reply
        .to_plain()
        .contains("<script>alert('x')</script> & \"more\""));
}

#[test]
fn the_fixture_knowledge_base_answers_on_its_own() {
    // The engine depends on nothing but the files it is given.
    let engine = crate::support::fixture_engine();
    let ask = |q: &str| engine.answer(&Question::new(q));
    assert_eq!(
        ask("sciatica").reply.answered.first().map(|t| t.as_str()),
        Some("sciatica")
    );
    assert_eq!(
        ask("ischias").reply.answered.first().map(|t| t.as_str()),
        Some("sciatica")
    );
    assert_eq!(
        ask("hot water bottle or ice pack")
            .reply
            .answered
            .first()
            .map(|t| t.as_str()),
        Some("self-care")
    );
    assert_eq!(ask("hello").reply.kind, ReplyKind::Greeting);
    assert_eq!(
        ask("ibuprofen dose for sciatica").reply.kind,
        ReplyKind::OutOfScope
    );
    assert_eq!(
        ask("my 7 year old has sciatica")
            .reply
            .scope_kind
            .as_deref(),
        Some("children"),
        "an age under 16 marks the kind"
    );
    assert!(ask("fell asleep").triage.urgency.is_none());
    assert!(ask("I fell").triage.urgency.is_some());
    assert!(
        ask("cant control my pee").triage.urgency.is_some(),
        "near rule"
    );
    assert!(ask("sciatica")
        .reply
        .to_plain()
        .ends_with("Fixture disclaimer: general information, not a diagnosis."));
}
