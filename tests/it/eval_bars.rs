//! The issue's quality bars (section 7), checked with the same scorer `backleg eval` uses:
//! in-scope top-1 accuracy >= 90 %, out-of-scope rejection >= 90 %, urgent recall 100 %,
//! urgent false alarms <= 5 %.

use std::collections::BTreeSet;

use backleg::eval::{evaluate, parse_rows, EvalReport, EvalRow, FailureKind, Rate};

use crate::support::{engine, knowledge_dir, manifest_dir};

/// The 20 topic ids fixed by shared/eval/topics.tsv.
const TOPIC_IDS: [&str; 20] = [
    "overview",
    "causes",
    "sciatica",
    "herniated-disc",
    "spinal-stenosis",
    "piriformis",
    "symptoms",
    "pinched-nerve",
    "referred-pain",
    "degenerative-disc",
    "spondylolisthesis",
    "spinal-arthritis",
    "injury",
    "self-care",
    "diagnosis",
    "exercise",
    "heat-cold",
    "posture",
    "urgent",
    "outlook",
];

fn own_questions() -> Vec<EvalRow> {
    let path = manifest_dir().join("tests/data/questions.jsonl");
    let text = std::fs::read_to_string(&path).expect("tests/data/questions.jsonl");
    parse_rows(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `hits / total >= bar %`, computed here rather than by `EvalReport::missed_bars`, so a bug in
/// the scorer's bar check cannot hide a miss. An empty set never meets a bar: a file without
/// urgent rows proves nothing about recall.
fn at_least(rate: Rate, bar: f64) -> bool {
    rate.total > 0 && rate.hits as f64 * 100.0 >= bar * rate.total as f64
}

#[track_caller]
fn assert_bars(name: &str, report: &EvalReport) {
    let mut missed = Vec::new();
    if !at_least(report.accuracy, 90.0) {
        missed.push(format!("in-scope accuracy {} < 90 %", report.accuracy));
    }
    if !at_least(report.rejection, 90.0) {
        missed.push(format!(
            "out-of-scope rejection {} < 90 %",
            report.rejection
        ));
    }
    if !at_least(report.urgent_recall, 100.0) {
        missed.push(format!("urgent recall {} < 100 %", report.urgent_recall));
    }
    let alarms = report.false_alarms;
    if alarms.total == 0 || alarms.hits as f64 * 100.0 > 5.0 * alarms.total as f64 {
        missed.push(format!(
            "urgent false alarms {alarms} > 5 % (or no urgent: false rows)"
        ));
    }
    assert!(
        missed.is_empty(),
        "{name} misses the bars: {}\n\n{report}",
        missed.join("; ")
    );
}

#[test]
fn own_questions_meet_the_bars() {
    let report = evaluate(engine(), &own_questions());
    assert_bars("tests/data/questions.jsonl", &report);
}

#[test]
fn shared_dev_set_meets_the_bars_when_present() {
    let path = manifest_dir().join("../shared/eval/dev.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is not in this checkout", path.display());
        return;
    };
    let rows = parse_rows(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_bars("../shared/eval/dev.jsonl", &evaluate(engine(), &rows));
}

#[test]
fn own_questions_cover_what_the_issue_asks_for() {
    let rows = own_questions();
    let count = |f: &dyn Fn(&EvalRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let n_topic = count(&|r| r.source.as_deref() == Some("topic"));
    let n_urgent = count(&|r| r.urgent == Some(true));
    let n_lookalike = count(&|r| r.source.as_deref() == Some("lookalike"));
    assert!(
        n_topic >= 150,
        "{n_topic} rows with source \"topic\", want >= 150"
    );
    assert!(
        n_urgent >= 60,
        "{n_urgent} rows with urgent: true, want >= 60"
    );
    assert!(
        n_lookalike >= 40,
        "{n_lookalike} rows with source \"lookalike\", want >= 40"
    );
    let out_of_scope = count(&|r| r.out_of_scope());
    assert!(out_of_scope > 0, "no out-of-scope rows");

    let kb = backleg::kb_files::load_kb(Some(&knowledge_dir())).expect("knowledge/ loads");
    let ids: BTreeSet<&str> = kb.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        20,
        "knowledge/topics.toml should hold the 20 topics, has {ids:?}"
    );
    let covered: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.topics.iter().map(String::as_str))
        .collect();
    let missing: Vec<&&str> = ids.iter().filter(|id| !covered.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "topics with no question in tests/data/questions.jsonl: {missing:?}"
    );
    let unknown: Vec<&&str> = covered.iter().filter(|id| !ids.contains(**id)).collect();
    assert!(
        unknown.is_empty(),
        "question file names topics the knowledge base lacks: {unknown:?}"
    );
}

#[test]
fn knowledge_base_has_the_fixed_topic_ids() {
    let kb = backleg::kb_files::load_kb(Some(&knowledge_dir())).expect("knowledge/ loads");
    let ids: BTreeSet<&str> = kb.topics.iter().map(|t| t.id.as_str()).collect();
    let want: BTreeSet<&str> = TOPIC_IDS.into_iter().collect();
    assert_eq!(ids, want);

    // When the shared list is in this checkout, it is the authority.
    let tsv = manifest_dir().join("../shared/eval/topics.tsv");
    if let Ok(text) = std::fs::read_to_string(&tsv) {
        let listed: BTreeSet<&str> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .filter(|id| !id.trim().is_empty())
            .collect();
        let missing: Vec<&&str> = listed.iter().filter(|id| !ids.contains(**id)).collect();
        assert!(
            missing.is_empty(),
            "ids in {} missing from knowledge/: {missing:?}",
            tsv.display()
        );
    }
}

#[test]
fn built_in_knowledge_base_is_the_knowledge_directory() {
    // The binary embeds knowledge/ at build time; both must answer alike.
    let on_disk = backleg::kb_files::load_engine(Some(&knowledge_dir()), &Default::default())
        .expect("knowledge/ loads");
    assert_eq!(engine().stats(), on_disk.stats());
    for row in own_questions() {
        let q = backleg::domain::Question::new(row.q.clone());
        assert_eq!(
            engine().answer(&q).reply,
            on_disk.answer(&q).reply,
            "{:?}",
            row.q
        );
    }
}

// ---- the scorer itself, on rows whose outcome is known ---------------------------------------

fn rows(jsonl: &str) -> Vec<EvalRow> {
    parse_rows(jsonl).expect("valid rows")
}

#[test]
fn evaluate_counts_every_kind_of_outcome() {
    let rows = rows(concat!(
        r#"{"q": "what is sciatica", "topics": ["sciatica"], "urgent": false}"#,
        "\n",
        r#"{"q": "what is sciatica", "topics": ["posture"], "urgent": false}"#,
        "\n",
        "\n",
        r#"{"q": "best pizza in town", "topics": [], "urgent": false}"#,
        "\n",
        r#"{"q": "heat or ice?", "topics": [], "urgent": null}"#,
        "\n",
        r#"{"q": "heat or ice?", "topics": ["heat-cold"], "oos": true, "urgent": null}"#,
        "\n",
        r#"{"q": "I wet myself", "topics": ["urgent"], "urgent": true}"#,
        "\n",
        r#"{"q": "what is sciatica", "topics": ["sciatica"], "urgent": true}"#,
        "\n",
        r#"{"q": "I have a fever", "topics": ["urgent"], "urgent": false}"#,
        "\n",
    ));
    assert_eq!(rows.len(), 8, "blank lines are skipped");
    let report = evaluate(engine(), &rows);
    assert_eq!(report.accuracy, Rate { hits: 4, total: 5 }, "{report}");
    assert_eq!(report.rejection, Rate { hits: 2, total: 3 }, "{report}");
    assert_eq!(report.urgent_recall, Rate { hits: 1, total: 2 }, "{report}");
    assert_eq!(report.false_alarms, Rate { hits: 1, total: 4 }, "{report}");
    let kinds: Vec<(usize, FailureKind)> = report
        .failures
        .iter()
        .map(|f| (f.row, f.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (2, FailureKind::WrongTopic),
            (4, FailureKind::NotRejected),
            (7, FailureKind::MissedUrgent),
            (8, FailureKind::FalseAlarm),
        ]
    );
    let shown = report.to_string();
    for needle in [
        "wrong topic",
        "not rejected",
        "MISSED URGENT",
        "false alarm",
        "\"I have a fever\"",
        "flags [fever]",
    ] {
        assert!(shown.contains(needle), "report lacks {needle:?}:\n{shown}");
    }
}

#[test]
fn missed_bars_checks_each_bar_at_its_edge() {
    use backleg::eval::Bars;
    let report = EvalReport {
        accuracy: Rate { hits: 9, total: 10 },
        rejection: Rate { hits: 9, total: 10 },
        urgent_recall: Rate {
            hits: 10,
            total: 10,
        },
        false_alarms: Rate { hits: 1, total: 20 },
        failures: Vec::new(),
        by_source: Default::default(),
    };
    let exact = Bars {
        min_accuracy: Some(90.0),
        min_rejection: Some(90.0),
        min_urgent_recall: Some(100.0),
        max_false_alarms: Some(5.0),
    };
    assert_eq!(
        report.missed_bars(&exact),
        Vec::<String>::new(),
        "a figure equal to its bar meets it"
    );
    assert_eq!(
        report.missed_bars(&Bars::default()).len(),
        0,
        "no bars, nothing missed"
    );
    let strict = Bars {
        min_accuracy: Some(90.1),
        min_rejection: Some(90.1),
        min_urgent_recall: Some(100.1),
        max_false_alarms: Some(4.9),
    };
    let missed = report.missed_bars(&strict);
    assert_eq!(missed.len(), 4, "{missed:?}");
}

#[test]
fn parse_rows_names_the_bad_line() {
    let err =
        parse_rows("{\"q\": \"a\", \"topics\": [], \"urgent\": null}\n\nnot json\n").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.to_string().starts_with("line 3: "), "{err}");
    let err = parse_rows(r#"{"q": "a", "urgent": null}"#).unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("topics"), "{err}");
}
