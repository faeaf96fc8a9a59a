//! The red-flag safety table (tests/data/safety.tsv): every case gets its tier and its flag,
//! with 100 % recall; the look-alikes stay quiet. Also the rules of warnings in proportion: the
//! emergency block first, the others after the answer, the conditional headline for a check,
//! and out-of-scope questions answered by their kind while flags still win.
//!
//! `cargo test --test it safety -- --nocapture` prints recall per flag and the false alarms.

use std::collections::BTreeMap;

use backleg::domain::{ReplyKind, Tier};

use crate::support::{answer, engine, manifest_dir};

/// One row of the table.
struct Case {
    line: usize,
    tier: Option<Tier>,
    flag: Option<String>,
    text: String,
}

fn cases() -> Vec<Case> {
    let path = manifest_dir().join("tests/data/safety.tsv");
    let text = std::fs::read_to_string(&path).expect("tests/data/safety.tsv");
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (tier, flag, text) = (parts.next(), parts.next(), parts.next());
        let (Some(tier), Some(flag), Some(text)) = (tier, flag, text) else {
            panic!("safety.tsv:{}: expected three tab-separated columns", i + 1);
        };
        let tier = match tier {
            "emergency" => Some(Tier::Emergency),
            "urgent" => Some(Tier::Urgent),
            "check" => Some(Tier::Check),
            "none" => None,
            other => panic!("safety.tsv:{}: unknown tier {other:?}", i + 1),
        };
        let flag = (flag != "-").then(|| flag.to_owned());
        if let Some(id) = &flag {
            assert!(
                engine().kb().red_flags.flag(id).is_some(),
                "safety.tsv:{}: unknown flag {id:?}",
                i + 1
            );
        }
        assert_eq!(
            tier.is_some(),
            flag.is_some(),
            "safety.tsv:{}: a tier needs a flag and none needs -",
            i + 1
        );
        cases.push(Case {
            line: i + 1,
            tier,
            flag,
            text: text.to_owned(),
        });
    }
    cases
}

#[test]
fn every_case_in_the_safety_table() {
    let cases = cases();
    assert!(
        cases.len() >= 150,
        "the issue asks for at least 150 cases, the table has {}",
        cases.len()
    );
    // flag -> (cases, caught with the right tier)
    let mut recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut quiet_cases, mut false_alarms) = (0, Vec::new());
    let mut wrong = Vec::new();
    for case in &cases {
        let answer = answer(&case.text);
        let triage = &answer.triage;
        match (&case.flag, case.tier) {
            (Some(flag), Some(tier)) => {
                let entry = recall.entry(flag.clone()).or_default();
                entry.0 += 1;
                let has_flag = triage.hits.iter().any(|h| &h.flag == flag);
                if has_flag && triage.urgency == Some(tier) {
                    entry.1 += 1;
                } else {
                    wrong.push(format!(
                        "safety.tsv:{}: want {} {flag}, got {:?} {:?}: {:?}",
                        case.line,
                        tier.as_str(),
                        triage.urgency,
                        triage.hits,
                        case.text
                    ));
                }
                // The block is there whatever the tier, and says why.
                let notice = answer.reply.urgent.as_ref();
                if notice.is_none_or(|n| n.because.is_none()) {
                    wrong.push(format!(
                        "safety.tsv:{}: no block or no reason: {:?}",
                        case.line, case.text
                    ));
                }
            }
            _ => {
                quiet_cases += 1;
                if triage.urgency.is_some() {
                    false_alarms.push(format!(
                        "safety.tsv:{}: {:?} {:?}",
                        case.line, case.text, triage.hits
                    ));
                }
            }
        }
    }
    eprintln!("recall per flag (right flag and right tier):");
    for (flag, (n, hits)) in &recall {
        eprintln!(
            "  {flag:<20} {hits:>3}/{n:<3} {:5.1} %",
            100.0 * *hits as f64 / *n as f64
        );
    }
    eprintln!(
        "false alarms on look-alikes: {}/{quiet_cases}",
        false_alarms.len()
    );
    for alarm in &false_alarms {
        eprintln!("  {alarm}");
    }
    wrong.extend(false_alarms);
    assert!(
        wrong.is_empty(),
        "{} of {} cases wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    // Every flag has cases in the table.
    for flag in &engine().kb().red_flags.flags {
        assert!(
            recall.contains_key(&flag.id),
            "flag `{}` has no case in tests/data/safety.tsv",
            flag.id
        );
    }
}

#[test]
fn an_emergency_block_comes_first_the_others_after_the_answer() {
    let engine = engine();
    let emergency = answer("I wet myself, what is sciatica?").reply;
    let plain = emergency.to_plain();
    assert!(
        plain.starts_with(&engine.urgent_notice(Tier::Emergency).first_line),
        "{plain}"
    );
    let title = "What sciatica is";
    assert!(
        plain.contains(title),
        "the question is still answered:\n{plain}"
    );
    assert!(
        emergency.to_html().starts_with("<b>⚠️"),
        "{}",
        emergency.to_html()
    );

    for (question, tier) in [
        ("what is sciatica? I have a fever", Tier::Urgent),
        ("what is sciatica? no numbness", Tier::Check),
    ] {
        let reply = answer(question).reply;
        let notice = reply.urgent.as_ref().expect("a block");
        assert_eq!(notice.tier, tier, "{question:?}");
        let plain = reply.to_plain();
        let answer_at = plain
            .find(title)
            .unwrap_or_else(|| panic!("{question:?}: no answer:\n{plain}"));
        let block_at = plain.find(&notice.first_line).expect("first line");
        assert!(
            answer_at < block_at,
            "{question:?}: the answer comes first:\n{plain}"
        );
    }
}

#[test]
fn a_check_has_the_conditional_headline_and_no_banner() {
    let check = engine().urgent_notice(Tier::Check).first_line;
    let emergency = engine().urgent_notice(Tier::Emergency).first_line;
    for question in [
        "a bit numb sometimes",
        "slight weakness",
        "no numbness",
        "bladder's fine",
    ] {
        let reply = answer(question).reply;
        let notice = reply
            .urgent
            .as_ref()
            .unwrap_or_else(|| panic!("{question:?}: negation never silences a flag"));
        assert_eq!(notice.tier, Tier::Check, "{question:?}");
        let plain = reply.to_plain();
        assert!(plain.contains(&check), "{question:?}:\n{plain}");
        assert!(
            !plain.contains(&emergency),
            "{question:?}: no emergency banner:\n{plain}"
        );
        assert!(
            plain.contains(&notice.criteria),
            "{question:?}: the full list"
        );
    }
}

#[test]
fn out_of_scope_questions_are_answered_by_kind() {
    for (question, kind) in [
        ("what's the max dose of paracetamol", "medicines"),
        ("can I take naproxen and co-codamol together", "medicines"),
        ("how long is recovery from a microdiscectomy", "procedures"),
        ("is an epidural injection worth it", "procedures"),
        ("what do Modic changes on an MRI report mean", "procedures"),
        (
            "I'm 30 weeks pregnant with sciatica, is that normal",
            "pregnancy",
        ),
        ("my 9 year old says her back hurts", "children"),
        ("can kids get sciatica", "children"),
        ("my neck hurts and my arm tingles", "neck-arm"),
        ("pain in my shoulder when I lift my arm", "neck-arm"),
        ("tightness in my chest and shortness of breath", "chest"),
        ("I have a toothache", "other"),
        ("would acupuncture help my sciatica", "treatments"),
        (
            "is a deep tissue massage ok for a bulging disc",
            "treatments",
        ),
        (
            "which supplements are good for nerve pain in the leg",
            "treatments",
        ),
        (
            "what's the difference between an MRI with contrast and without",
            "procedures",
        ),
        ("how long does a nerve conduction study take", "procedures"),
    ] {
        let reply = answer(question).reply;
        assert_eq!(
            reply.kind,
            ReplyKind::OutOfScope,
            "{question:?}: {:?} {:?}",
            reply.kind,
            reply.answered
        );
        assert_eq!(reply.scope_kind.as_deref(), Some(kind), "{question:?}");
        let own = &engine()
            .kb()
            .scope
            .kinds
            .iter()
            .find(|k| k.id == kind)
            .expect("kind")
            .reply;
        assert!(reply.to_plain().contains(own.as_str()), "{question:?}");
    }
    // Each kind says who can help instead.
    let reply_of = |id: &str| {
        engine()
            .kb()
            .scope
            .kinds
            .iter()
            .find(|k| k.id == id)
            .expect("kind")
            .reply
            .to_lowercase()
    };
    assert!(reply_of("medicines").contains("pharmacist"));
    assert!(reply_of("procedures").contains("doctor who ordered"));
    assert!(reply_of("pregnancy").contains("midwife or gp"));
    assert!(
        reply_of("pregnancy").contains("get help now"),
        "the red flags still apply in pregnancy"
    );
    assert!(reply_of("children").contains("gp") && reply_of("children").contains("adults"));
    assert!(reply_of("neck-arm").contains("gp"));
    assert!(reply_of("chest").contains("medical help straight away"));
    assert!(reply_of("treatments").contains("doctor or physio"));
}

#[test]
fn flags_win_over_the_kind() {
    for (question, tier) in [
        ("I'm pregnant and I wet myself", Tier::Emergency),
        (
            "what dose of ibuprofen, I fell down the stairs",
            Tier::Emergency,
        ),
        (
            "my 9 year old fell off the trampoline and her back hurts",
            Tier::Emergency,
        ),
        (
            "steroid tablets for years, now back pain, what painkiller",
            Tier::Urgent,
        ),
        (
            "tightness in my chest and shortness of breath",
            Tier::Emergency,
        ),
        (
            "surgery next week, and I can't feel when I need to pee",
            Tier::Emergency,
        ),
        (
            "had a massage yesterday and now I can't control my bladder",
            Tier::Emergency,
        ),
    ] {
        let answer = answer(question);
        assert_eq!(
            answer.triage.urgency,
            Some(tier),
            "{question:?}: {:?}",
            answer.triage.hits
        );
        let notice = answer
            .reply
            .urgent
            .as_ref()
            .unwrap_or_else(|| panic!("{question:?}: the flag's block"));
        if tier == Tier::Emergency {
            assert!(
                answer.reply.to_plain().starts_with(&notice.first_line),
                "{question:?}: the emergency comes first"
            );
        }
    }
}
