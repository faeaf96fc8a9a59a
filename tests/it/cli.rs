//! The `backleg` binary: every subcommand, its output contract, and every error path with its
//! exit code (0 ok, 1 a check or bar failed, 2 usage, I/O or a broken knowledge base).

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{
    backleg, copy_kb, edit, fixture_kb_dir, knowledge_dir, line_of, NOT_A_DIAGNOSIS,
};

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

// ---- ask ------------------------------------------------------------------------------------

#[test]
fn ask_prints_the_reply() {
    backleg()
        .args(["ask", "what is sciatica"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("What sciatica is\n"))
        .stdout(predicate::str::contains(NOT_A_DIAGNOSIS))
        .stderr("");
}

#[test]
fn ask_joins_unquoted_words() {
    let quoted = backleg()
        .args(["ask", "what is sciatica"])
        .output()
        .expect("run");
    let words = backleg()
        .args(["ask", "what", "is", "sciatica"])
        .output()
        .expect("run");
    assert!(words.status.success());
    assert_eq!(stdout_of(&quoted), stdout_of(&words));
}

#[test]
fn ask_shows_the_urgent_block() {
    backleg()
        .args(["ask", "I wet myself"])
        .assert()
        .success()
        .stdout(predicate::str::contains("emergency"))
        .stdout(predicate::str::contains("bladder or bowel control"))
        .stdout(predicate::str::contains(NOT_A_DIAGNOSIS));
}

#[test]
fn ask_json_batch_prints_one_object_per_line_in_order() {
    let questions = [
        "what is sciatica",
        "",
        "I wet myself",
        "hi",
        "best pizza in town",
        "I have a fever",
        "heat or ice?",
    ];
    let input = questions.join("\n") + "\n";
    let output = backleg()
        .args(["ask", "--json", "-"])
        .write_stdin(input)
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(stdout.ends_with('\n'));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        questions.len(),
        "one line per question:\n{stdout}"
    );
    let engine = crate::support::engine();
    for (question, line) in questions.iter().zip(&lines) {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{question:?}: not JSON ({e}): {line}"));
        let object = value
            .as_object()
            .unwrap_or_else(|| panic!("not an object: {line}"));
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "kind",
                "reply",
                "score",
                "topic",
                "topics",
                "urgency",
                "urgent",
                "urgent_terms"
            ],
            "{line}"
        );
        assert!(
            object["topic"].is_null() || object["topic"].is_string(),
            "{line}"
        );
        assert!(
            object["topics"]
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "{line}"
        );
        assert!(object["score"].is_number(), "{line}");
        assert!(object["urgent"].is_boolean(), "{line}");
        assert!(
            object["urgent_terms"]
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "{line}"
        );
        assert!(
            object["reply"]
                .as_str()
                .is_some_and(|r| r.contains(NOT_A_DIAGNOSIS)),
            "{line}"
        );

        // The same as the library says, field by field.
        let answer = engine.answer(&backleg::domain::Question::new(*question));
        let topic = answer.reply.answered.first().map(|t| t.to_string());
        assert_eq!(
            object["topic"].as_str().map(str::to_owned),
            topic,
            "{question:?}"
        );
        let topics: Vec<String> = answer.reply.ranked.iter().map(|t| t.to_string()).collect();
        assert_eq!(object["topics"], serde_json::json!(topics), "{question:?}");
        assert_eq!(
            object["urgent"],
            answer.triage.urgency.is_some(),
            "{question:?}"
        );
        let urgency = answer.triage.urgency.map(|tier| tier.as_str());
        assert_eq!(
            object["urgency"],
            serde_json::json!(urgency),
            "{question:?}"
        );
        assert_eq!(
            object["urgent_terms"],
            serde_json::json!(answer.triage.terms()),
            "{question:?}"
        );
        assert_eq!(object["reply"], answer.reply.to_plain(), "{question:?}");
    }
    let get = |i: usize| serde_json::from_str::<Value>(lines[i]).expect("json");
    assert_eq!(get(0)["topic"], "sciatica");
    assert_eq!(get(1)["topic"], Value::Null, "empty line");
    assert_eq!(get(1)["urgent"], false);
    assert_eq!(get(2)["urgent"], true);
    assert_eq!(get(2)["urgency"], "emergency");
    assert!(get(2)["urgent_terms"]
        .as_array()
        .expect("terms")
        .iter()
        .any(|t| t == "wet myself"));
    assert_eq!(get(3)["topic"], Value::Null, "greeting");
    assert_eq!(get(4)["topic"], Value::Null, "out of scope");
    assert_eq!(get(5)["urgency"], "urgent");
    assert_eq!(get(6)["urgency"], Value::Null);
    assert_eq!(get(6)["topic"], "heat-cold");
}

#[test]
fn ask_json_batch_handles_crlf_and_a_missing_final_newline() {
    let output = backleg()
        .args(["ask", "--json", "-"])
        .write_stdin("what is sciatica\r\nhi")
        .output()
        .expect("run");
    assert!(output.status.success());
    let stdout = stdout_of(&output);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["topic"], "sciatica");
}

#[test]
fn ask_json_batch_on_empty_stdin_prints_nothing() {
    backleg()
        .args(["ask", "--json", "-"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn ask_json_single_question() {
    let output = backleg()
        .args(["ask", "--json", "I have a fever"])
        .output()
        .expect("run");
    assert!(output.status.success());
    let stdout = stdout_of(&output);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let value: Value = serde_json::from_str(stdout.trim_end()).expect("json");
    assert_eq!(value["urgency"], "urgent");
}

#[test]
fn ask_batch_without_json_separates_replies() {
    let output = backleg()
        .args(["ask", "-"])
        .write_stdin("what is sciatica\nhi\n")
        .output()
        .expect("run");
    assert!(output.status.success());
    let stdout = stdout_of(&output);
    assert_eq!(stdout.matches(NOT_A_DIAGNOSIS).count(), 2, "{stdout}");
    assert!(stdout.starts_with("What sciatica is"), "{stdout}");
}

#[test]
fn logs_never_reach_stdout_nor_show_the_question() {
    let question = "my secret question about sciatica xyzzy";
    for format in ["text", "json"] {
        let output = backleg()
            .env("RUST_LOG", "trace")
            .args(["--log-format", format, "ask", "--json", "-"])
            .write_stdin(format!("{question}\n"))
            .output()
            .expect("run");
        assert!(output.status.success());
        let stdout = stdout_of(&output);
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        serde_json::from_str::<Value>(stdout.trim_end()).expect("only JSON on stdout");
        assert!(
            !stderr_of(&output).contains("xyzzy"),
            "the question leaked into the logs"
        );
    }
}

#[test]
fn ask_explain_goes_to_stderr_only() {
    let plain = backleg()
        .args(["ask", "what is siatica"])
        .output()
        .expect("run");
    let explained = backleg()
        .args(["ask", "--explain", "what is siatica"])
        .output()
        .expect("run");
    assert!(explained.status.success());
    assert_eq!(
        stdout_of(&plain),
        stdout_of(&explained),
        "stdout is unchanged by --explain"
    );
    let stderr = stderr_of(&explained);
    for needle in [
        "corrections: [siatica->sciatica]",
        "terms: [",
        "flags: [",
        "sciatica",
    ] {
        assert!(
            stderr.contains(needle),
            "explanation lacks {needle:?}:\n{stderr}"
        );
    }
    assert!(stderr_of(&plain).is_empty());

    let json = backleg()
        .args(["ask", "--json", "--explain", "-"])
        .write_stdin("I wet myself\nhi\n")
        .output()
        .expect("run");
    assert!(json.status.success());
    for line in stdout_of(&json).lines() {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|e| panic!("non-JSON on stdout with --explain ({e}): {line}"));
    }
    assert!(
        stderr_of(&json).contains("flags: [bladder-bowel:emergency:wet myself]"),
        "{}",
        stderr_of(&json)
    );
}

// ---- chat -----------------------------------------------------------------------------------

#[test]
fn chat_with_piped_stdin() {
    let output = backleg()
        .arg("chat")
        .write_stdin("what is sciatica\nhi\n\nI wet myself\n")
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    // Piped: no banner or prompt, one reply per line (an empty line does not end the chat).
    assert!(!stdout.contains("you>"), "{stdout}");
    assert_eq!(stdout.matches(NOT_A_DIAGNOSIS).count(), 4, "{stdout}");
    assert!(stdout.starts_with("What sciatica is"), "{stdout}");
    let greeting = stdout.find("Hello!").expect("greeting");
    let urgent = stdout.find("emergency").expect("urgent block");
    assert!(greeting < urgent, "replies in order");
}

#[test]
fn chat_reads_a_short_follow_up_with_the_previous_answer() {
    let output = backleg()
        .arg("chat")
        .write_stdin("what is spinal stenosis\nis it serious?\n")
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert_eq!(
        stdout.matches("Spinal stenosis\n").count(),
        2,
        "both replies are about stenosis: {stdout}"
    );
}

#[test]
fn ask_batch_lines_stand_alone_unless_asked_for_a_session() {
    let input = "what is spinal stenosis\nis it serious?\n";
    let topics = |args: &[&str]| -> Vec<(Value, Value)> {
        let output = backleg()
            .args(args)
            .write_stdin(input)
            .output()
            .expect("run");
        assert!(output.status.success(), "{}", stderr_of(&output));
        stdout_of(&output)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("json"))
            .map(|v| (v["topic"].clone(), v["kind"].clone()))
            .collect()
    };
    let alone = topics(&["ask", "--json", "-"]);
    assert_eq!(
        alone[1].0, "urgent",
        "a batch line has no context: {alone:?}"
    );
    let session = topics(&["ask", "--json", "--session", "-"]);
    assert_eq!(
        session[1],
        (Value::from("spinal-stenosis"), Value::from("follow-up")),
        "{session:?}"
    );
}

#[test]
fn chat_on_empty_stdin_ends_cleanly() {
    backleg()
        .arg("chat")
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
}

// ---- eval -----------------------------------------------------------------------------------

const ROWS: &str = concat!(
    r#"{"q": "what is sciatica", "topics": ["sciatica"], "urgent": false}"#,
    "\n",
    r#"{"q": "best pizza in town", "topics": [], "urgent": false}"#,
    "\n",
    r#"{"q": "I wet myself", "topics": ["urgent"], "urgent": true}"#,
    "\n",
    r#"{"q": "heat or ice?", "topics": ["posture"], "urgent": false}"#,
    "\n",
);

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn eval_prints_figures_and_failures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "q.jsonl", ROWS);
    backleg()
        .arg("eval")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "in-scope top-1 accuracy   66.7%  (2/3)",
        ))
        .stdout(predicate::str::contains(
            "out-of-scope rejection   100.0%  (1/1)",
        ))
        .stdout(predicate::str::contains(
            "urgent recall            100.0%  (1/1)",
        ))
        .stdout(predicate::str::contains(
            "urgent false alarms        0.0%  (0/3)",
        ))
        .stdout(predicate::str::contains("failures (1):"))
        .stdout(predicate::str::contains("\"heat or ice?\""));
    backleg()
        .args(["eval", "--quiet"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("in-scope top-1 accuracy"))
        .stdout(predicate::str::contains("failures").not());
}

#[test]
fn eval_bars_set_the_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "q.jsonl", ROWS);
    let met = [
        "--min-accuracy",
        "60",
        "--min-rejection",
        "100",
        "--min-urgent-recall",
        "100",
        "--max-false-alarms",
        "0",
    ];
    backleg()
        .arg("eval")
        .arg(&file)
        .args(met)
        .assert()
        .success()
        .stderr("");
    for (bar, value, says) in [
        ("--min-accuracy", "100.1", "in-scope accuracy"),
        ("--min-accuracy", "66.8", "in-scope accuracy"),
        ("--min-rejection", "100.1", "out-of-scope rejection"),
        ("--min-urgent-recall", "100.1", "urgent recall"),
        ("--max-false-alarms=-1", "", "urgent false alarms"),
    ] {
        backleg()
            .arg("eval")
            .arg(&file)
            .arg(bar)
            .args((!value.is_empty()).then_some(value))
            .assert()
            .code(1)
            .stdout(predicate::str::contains("in-scope top-1 accuracy"))
            .stderr(predicate::str::contains("eval failed:").and(predicate::str::contains(says)));
    }
}

#[test]
fn eval_on_the_own_question_file_meets_the_issue_bars() {
    let file = crate::support::manifest_dir().join("tests/data/questions.jsonl");
    backleg()
        .args([
            "eval",
            "--quiet",
            "--min-accuracy",
            "90",
            "--min-rejection",
            "90",
            "--min-urgent-recall",
            "100",
            "--max-false-alarms",
            "5",
        ])
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn eval_on_a_missing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("no-such-file.jsonl");
    backleg()
        .arg("eval")
        .arg(&file)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(file.display().to_string()));
}

#[test]
fn eval_on_malformed_jsonl_names_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (text, line) in [
        (format!("{ROWS}\nnot json at all\n"), 6),
        (
            "{\"q\": \"a\", \"topics\": [], \"urgent\": null}\n{\"q\": \"b\"}\n".to_owned(),
            2,
        ),
        ("{\"q\": 1, \"topics\": [], \"urgent\": null}".to_owned(), 1),
    ] {
        let file = write(dir.path(), "bad.jsonl", &text);
        backleg()
            .arg("eval")
            .arg(&file)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(file.display().to_string()))
            .stderr(predicate::str::contains(format!("line {line}:")));
    }
}

#[test]
fn eval_on_an_empty_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "empty.jsonl", "\n\n");
    backleg()
        .arg("eval")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("in-scope top-1 accuracy"));
}

// ---- kb check -------------------------------------------------------------------------------

#[test]
fn kb_check_built_in() {
    backleg()
        .args(["kb", "check"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "ok: built-in knowledge base: 20 topics,",
        ))
        .stdout(predicate::str::contains("red flags"));
}

#[test]
fn kb_check_a_directory() {
    backleg()
        .args(["kb", "check"])
        .arg(knowledge_dir())
        .assert()
        .success()
        .stdout(predicate::str::contains("20 topics"));
    backleg()
        .args(["kb", "check"])
        .arg(fixture_kb_dir())
        .assert()
        .success()
        .stdout(
            predicate::str::contains(": 3 topics,").and(predicate::str::contains("3 red flags")),
        );
}

#[test]
fn kb_check_a_broken_directory_names_file_and_line() {
    let dir = copy_kb(&knowledge_dir());
    let text = edit(
        dir.path(),
        "topics.toml",
        "related = [\"self-care\", \"diagnosis\", \"exercise\"]",
        "related = [\"self-care\", \"exercize\"]",
    );
    let line = line_of(&text, "\"exercize\"");
    let place = format!("{}:{line}:", dir.path().join("topics.toml").display());
    backleg()
        .args(["kb", "check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(place).and(predicate::str::contains("exercize")));
}

#[test]
fn kb_check_notes_hard_to_read_answers_without_failing() {
    let dir = copy_kb(&knowledge_dir());
    backleg()
        .args(["kb", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr("");
    edit(
        dir.path(),
        "topics.toml",
        "Heat and cold: switching between heat and ice may reduce swelling (inflammation) and ease the pain.",
        "Thermotherapeutic and cryotherapeutic interventions, administered alternately, potentially ameliorate inflammatory manifestations and symptomatic discomfort.",
    );
    backleg()
        .args(["kb", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("note: topics.toml: topic `heat-cold`: reads at school grade")
                .and(predicate::str::contains("`explains`")),
        );
}

#[test]
fn kb_check_a_missing_directory() {
    backleg()
        .args(["kb", "check", "/nonexistent/backleg-kb"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/backleg-kb"));
}

#[test]
fn kb_check_follows_knowledge_option_and_env() {
    backleg()
        .arg("--knowledge")
        .arg(fixture_kb_dir())
        .args(["kb", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(": 3 topics,"));
    backleg()
        .env("BACKLEG_KNOWLEDGE", fixture_kb_dir())
        .args(["kb", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(": 3 topics,"));
}

// ---- --knowledge, env, errors ----------------------------------------------------------------

#[test]
fn knowledge_option_loads_a_directory() {
    backleg()
        .arg("--knowledge")
        .arg(fixture_kb_dir())
        .args(["ask", "hello"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Fixture hello!"));
    // Global option: also after the subcommand.
    backleg()
        .args(["ask", "hello", "--knowledge"])
        .arg(fixture_kb_dir())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Fixture hello!"));
}

#[test]
fn knowledge_env_works_like_the_option() {
    backleg()
        .env("BACKLEG_KNOWLEDGE", fixture_kb_dir())
        .args(["ask", "hello"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Fixture hello!"));
    backleg()
        .env("BACKLEG_KNOWLEDGE", "/nonexistent")
        .args(["ask", "hi"])
        .assert()
        .code(2)
        .stdout("");
    // The option wins over the environment.
    backleg()
        .env("BACKLEG_KNOWLEDGE", "/nonexistent")
        .arg("--knowledge")
        .arg(fixture_kb_dir())
        .args(["ask", "hello"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Fixture hello!"));
}

#[test]
fn missing_knowledge_directory_is_a_usage_error() {
    backleg()
        .args(["--knowledge", "/nonexistent", "ask", "hi"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("/nonexistent"));
    for sub in [&["chat"][..], &["eval", "x.jsonl"][..]] {
        backleg()
            .args(["--knowledge", "/nonexistent"])
            .args(sub)
            .write_stdin("hi\n")
            .assert()
            .code(2)
            .stdout("");
    }
}

#[test]
fn broken_knowledge_directory_stops_ask() {
    let dir = copy_kb(&knowledge_dir());
    let text = edit(
        dir.path(),
        "topics.toml",
        "title = \"Posture\"\n",
        "title = \"Posture\"\ncolour = \"red\"\n",
    );
    let place = format!(
        "{}:{}:",
        dir.path().join("topics.toml").display(),
        line_of(&text, "colour")
    );
    backleg()
        .arg("--knowledge")
        .arg(dir.path())
        .args(["ask", "hi"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(place));
}

#[test]
fn emergency_number_option_and_env() {
    backleg()
        .args(["--emergency-number", "call 000", "ask", "I wet myself"])
        .assert()
        .success()
        .stdout(predicate::str::contains("call 000"));
    backleg()
        .env("BACKLEG_EMERGENCY_NUMBER", "call 000")
        .args(["ask", "--json", "I have a fever"])
        .assert()
        .success()
        .stdout(predicate::str::contains("call 000"));
    // Without it, the default text.
    backleg()
        .args(["ask", "I wet myself"])
        .assert()
        .success()
        .stdout(predicate::str::contains("call 000").not())
        .stdout(predicate::str::contains("911"));
}

#[test]
fn usage_errors_exit_2() {
    let cases: [&[&str]; 10] = [
        &[],
        &["frobnicate"],
        &["ask"],
        &["eval"],
        &["kb"],
        &["kb", "frobnicate"],
        &["ask", "--no-such-flag", "hi"],
        &["eval", "q.jsonl", "--min-accuracy", "lots"],
        &["--log-format", "xml", "ask", "hi"],
        &["chat", "extra"],
    ];
    for args in cases {
        backleg()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::is_empty().not());
    }
}

#[test]
fn help_and_version_exit_0() {
    backleg()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage"));
    backleg()
        .args(["ask", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--json"));
    backleg()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

// ---- --country (issue 11) -----------------------------------------------------------------------

#[test]
fn country_says_its_number_and_ask_json_carries_it() {
    let output = backleg()
        .args([
            "ask",
            "--json",
            "--country",
            "gb",
            "I lost control of my bladder",
        ])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let line: Value = serde_json::from_str(stdout_of(&output).trim()).expect("one JSON object");
    assert_eq!(line["emergency_number"], "999");
    assert_eq!(line["urgency"], "emergency");
    let reply = line["reply"].as_str().expect("reply");
    assert!(reply.contains("call 999 (emergency)"), "{reply}");
    assert!(!reply.contains("for example 911"), "{reply}");
    // Without it: the deployment's text, and no field (the earlier shape).
    let output = backleg()
        .args(["ask", "--json", "I lost control of my bladder"])
        .output()
        .expect("run");
    let line: Value = serde_json::from_str(stdout_of(&output).trim()).expect("one JSON object");
    assert!(line.get("emergency_number").is_none(), "{line}");
    assert!(line["reply"]
        .as_str()
        .is_some_and(|r| r.contains("for example 911, 999 or 112")));
    // A number of one's own, in chat too.
    backleg()
        .args(["--country", "112", "chat"])
        .write_stdin("I lost control of my bladder\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("call 112 (emergency)"));
}

#[test]
fn an_unknown_country_is_a_usage_error() {
    backleg()
        .args(["ask", "--country", "XX", "what is sciatica"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("XX"));
    backleg()
        .args(["eval", "--country", "1", "no-such-file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2 to 15 digits"));
}

#[test]
fn kb_check_counts_the_countries_and_names_a_broken_emergency_file() {
    backleg()
        .args(["kb", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("emergency numbers: 33 countries"));
    let dir = copy_kb(&knowledge_dir());
    let text = edit(
        dir.path(),
        "emergency.toml",
        "code = \"FR\"",
        "code = \"DE\"",
    );
    let second = text.rfind("code = \"DE\"").expect("the original row");
    let line = text[..second].matches('\n').count() + 1;
    let place = format!("{}:{line}:", dir.path().join("emergency.toml").display());
    backleg()
        .args(["kb", "check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(place).and(predicate::str::contains("listed twice")));
}
