//! Knowledge-base validation: each test copies the real knowledge/ into a temporary directory,
//! breaks one thing, and checks that loading fails with one clear problem naming the file and
//! the line (never a panic). The tiny fixture KB under tests/it/fixtures/kb/ and the real one
//! must load.

use std::path::Path;

use backleg::domain::kb::{self, KbFile, KbProblem};
use backleg::domain::parse_kb;
use backleg::domain::KbError;
use backleg::kb_files::{load_kb, KbLoadError};
use proptest::prelude::*;
use tempfile::TempDir;

use crate::support::{copy_kb, edit, fixture_kb_dir, knowledge_dir, line_of};

/// A copy of knowledge/ with `break_it` applied; returns the directory and the load error.
#[track_caller]
fn load_broken(break_it: impl FnOnce(&Path)) -> (TempDir, KbError) {
    let dir = copy_kb(&knowledge_dir());
    break_it(dir.path());
    match load_kb(Some(dir.path())) {
        Err(KbLoadError::Invalid(err)) => (dir, err),
        Err(other) => panic!("expected an invalid knowledge base, got {other}"),
        Ok(_) => panic!("the broken knowledge base loaded"),
    }
}

/// Asserts the error holds exactly one problem, in `dir/file` at `line`, whose message contains
/// every one of `words`; and that the error's text shows it as `path:line: message`.
#[track_caller]
fn assert_one_problem(dir: &Path, err: &KbError, file: &str, line: Option<usize>, words: &[&str]) {
    assert_eq!(err.problems.len(), 1, "want one problem, got:\n{err}");
    assert_problem(dir, &err.problems[0], file, line, words);
    let shown = err.to_string();
    let place = match line {
        Some(line) => format!("{}:{line}: ", dir.join(file).display()),
        None => format!("{}: ", dir.join(file).display()),
    };
    assert!(
        shown.contains(&place),
        "error text lacks {place:?}:\n{shown}"
    );
    assert!(
        shown.starts_with("invalid knowledge base (1 problem)"),
        "{shown}"
    );
}

#[track_caller]
fn assert_problem(
    dir: &Path,
    problem: &KbProblem,
    file: &str,
    line: Option<usize>,
    words: &[&str],
) {
    assert_eq!(
        problem.file,
        dir.join(file).display().to_string(),
        "{problem}"
    );
    assert_eq!(problem.line, line, "{problem}");
    for word in words {
        assert!(
            problem.message.contains(word),
            "message lacks {word:?}: {problem}"
        );
    }
    assert!(
        !problem.message.ends_with('.'),
        "no final period: {problem}"
    );
}

#[test]
fn real_knowledge_base_is_valid() {
    load_kb(Some(&knowledge_dir())).unwrap_or_else(|e| panic!("knowledge/: {e}"));
    load_kb(None).unwrap_or_else(|e| panic!("built-in: {e}"));
}

#[test]
fn fixture_knowledge_base_is_valid() {
    let kb = load_kb(Some(&fixture_kb_dir())).unwrap_or_else(|e| panic!("fixture: {e}"));
    assert_eq!(kb.topics.len(), 3);
    assert!(kb.common_words.is_empty(), "common_words.txt is optional");
}

#[test]
fn malformed_toml_names_file_and_line() {
    // (file, valid text, broken text, text on the line the error must point at)
    let cases = [
        (
            "topics.toml",
            "title = \"Posture\"\n",
            "title = \"Posture\n",
            "title = \"Posture",
        ),
        (
            "topics.toml",
            "id = \"heat-cold\"\n",
            "id = \"heat-cold\"\nid = \"heat-cold-2\"\n",
            "id = \"heat-cold-2\"",
        ),
        (
            "topics.toml",
            "keywords = { stenosis = 4.0, canal = 2.0, tunnel = 1.0 }",
            "keywords = { stenosis = 4.0,, canal = 2.0 }",
            "keywords = { stenosis = 4.0,,",
        ),
        (
            "lexicon.toml",
            "canonical = \"foot\"\n",
            "canonical = foot\n",
            "canonical = foot",
        ),
        (
            "redflags.toml",
            "[[flag]]\nid = \"cancer\"",
            "[[flag]\nid = \"cancer\"",
            "[[flag]\n",
        ),
        (
            "messages.toml",
            "also_label = \"You may also mean:\"",
            "also_label = \"You may also mean:\" extra",
            "also_label =",
        ),
    ];
    for (file, from, to, marker) in cases {
        let mut text = String::new();
        let (dir, err) = load_broken(|dir| text = edit(dir, file, from, to));
        assert_one_problem(dir.path(), &err, file, Some(line_of(&text, marker)), &[]);
    }
}

#[test]
fn wrong_type_names_file_and_line() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(dir, "topics.toml", "min_score = 2.0", "min_score = \"two\"")
    });
    assert_one_problem(
        dir.path(),
        &err,
        "topics.toml",
        Some(line_of(&text, "min_score = \"two\"")),
        &[],
    );
}

#[test]
fn unknown_field_names_file_and_line() {
    let cases = [
        (
            "topics.toml",
            "title = \"Posture\"\n",
            "title = \"Posture\"\ncolour = \"red\"\n",
            "colour",
            "colour = ",
        ),
        (
            "topics.toml",
            "max_also = 2\n",
            "max_also = 2\nmax_alzo = 3\n",
            "max_alzo",
            "max_alzo = ",
        ),
        (
            "lexicon.toml",
            "canonical = \"foot\"\n",
            "canonical = \"foot\"\nvariant = [\"feet\"]\n",
            "variant",
            "variant = ",
        ),
        (
            "redflags.toml",
            "id = \"cancer\"\n",
            "id = \"cancer\"\nterm = [\"tumour\"]\n",
            "term",
            "term = ",
        ),
        (
            "messages.toml",
            "also_label = ",
            "also_lable = \"x\"\nalso_label = ",
            "also_lable",
            "also_lable = ",
        ),
    ];
    for (file, from, to, field, marker) in cases {
        let mut text = String::new();
        let (dir, err) = load_broken(|dir| text = edit(dir, file, from, to));
        assert_one_problem(
            dir.path(),
            &err,
            file,
            Some(line_of(&text, marker)),
            &[field],
        );
    }
}

#[test]
fn duplicate_topic_id_names_the_second_one() {
    let mut text = String::new();
    // A second topic with an existing id (renaming one would also break what names it).
    let (dir, err) = load_broken(|dir| {
        let path = dir.join("topics.toml");
        text = std::fs::read_to_string(&path).expect("read")
            + "\n[[topic]]\nid = \"posture\"\ntitle = \"Again\"\nanswer = \"Again.\"\n";
        std::fs::write(&path, &text).expect("write");
    });
    let first = line_of(&text, "id = \"posture\"");
    let second = first
        + line_of(
            &text[text.find("id = \"posture\"").expect("first") + 1..],
            "id = \"posture\"",
        )
        - 1;
    assert!(second > first);
    assert_one_problem(
        dir.path(),
        &err,
        "topics.toml",
        Some(second),
        &["duplicate", "posture", &format!("line {first}")],
    );
}

#[test]
fn unknown_related_id_names_its_line() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "topics.toml",
            "related = [\"self-care\", \"diagnosis\", \"exercise\"]",
            "related = [\"self-care\", \"diagnosis\",\n  \"exercize\"]",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "topics.toml",
        Some(line_of(&text, "\"exercize\"")),
        &["exercize", "outlook", "unknown"],
    );
}

#[test]
fn related_to_itself_is_refused() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "topics.toml",
            "related = [\"self-care\", \"diagnosis\", \"exercise\"]",
            "related = [\"self-care\", \"outlook\"]",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "topics.toml",
        Some(line_of(&text, "related = [\"self-care\", \"outlook\"]")),
        &["outlook", "itself"],
    );
}

#[test]
fn unknown_urgent_topic_in_red_flags() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "redflags.toml",
            "topic = \"urgent\"",
            "topic = \"emergency\"",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "redflags.toml",
        Some(line_of(&text, "topic = \"emergency\"")),
        &["emergency", "unknown"],
    );
}

#[test]
fn empty_answer_names_its_line() {
    let from = "answer = \"\"\"\nHeat and cold: switching between heat and ice may reduce swelling (inflammation) and ease the pain.\"\"\"";
    for to in [
        "answer = \"\"\"\n   \n\"\"\"",
        "answer = \"\"",
        "answer = \"  \"",
    ] {
        let mut text = String::new();
        let (dir, err) = load_broken(|dir| text = edit(dir, "topics.toml", from, to));
        let id_at = text.find("id = \"heat-cold\"").expect("heat-cold");
        let line = line_of(&text, "id = \"heat-cold\"") + line_of(&text[id_at..], to) - 1;
        assert_one_problem(
            dir.path(),
            &err,
            "topics.toml",
            Some(line),
            &["heat-cold", "empty answer"],
        );
    }
}

#[test]
fn keyword_claimed_by_two_topics_with_equal_weight() {
    // `canal = 2.0` belongs to spinal-stenosis; outlook claims it too, with the same weight.
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "topics.toml",
            "keywords = { recover = 3.0,",
            "keywords = { canal = 2.0, recover = 3.0,",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "topics.toml",
        Some(line_of(&text, "id = \"outlook\"")),
        &["canal", "spinal-stenosis", "outlook", "equal weight"],
    );

    // A different weight is a deliberate hint, not a conflict.
    let dir = copy_kb(&knowledge_dir());
    edit(
        dir.path(),
        "topics.toml",
        "keywords = { recover = 3.0,",
        "keywords = { canal = 1.0, recover = 3.0,",
    );
    load_kb(Some(dir.path())).unwrap_or_else(|e| panic!("a lower weight elsewhere is fine: {e}"));
}

#[test]
fn keyword_equal_once_rewritten_by_the_lexicon() {
    // "disk" is rewritten to "disc", which herniated-disc already claims with 1.5.
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "topics.toml",
            "keywords = { recover = 3.0,",
            "keywords = { disk = 1.5, recover = 3.0,",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "topics.toml",
        Some(line_of(&text, "id = \"outlook\"")),
        &["herniated-disc", "outlook", "equal weight"],
    );
}

#[test]
fn missing_file_is_named() {
    for file in kb::REQUIRED_FILES {
        let (dir, err) = load_broken(|dir| std::fs::remove_file(dir.join(file)).expect("remove"));
        assert_eq!(err.problems.len(), 1, "{err}");
        let problem = &err.problems[0];
        assert_eq!(problem.file, file, "{problem}");
        assert_eq!(problem.line, None);
        assert!(problem.message.contains("missing"), "{problem}");
        assert!(
            err.to_string()
                .contains(&format!("{file}: file is missing")),
            "{err}"
        );
        drop(dir);
    }
    // The common-words list is optional.
    let dir = copy_kb(&knowledge_dir());
    std::fs::remove_file(dir.path().join(kb::COMMON_WORDS_FILE)).expect("remove");
    load_kb(Some(dir.path())).unwrap_or_else(|e| panic!("common_words.txt is optional: {e}"));
}

#[test]
fn every_missing_file_is_listed_at_once() {
    let (_dir, err) = load_broken(|dir| {
        std::fs::remove_file(dir.join("topics.toml")).expect("remove");
        std::fs::remove_file(dir.join("messages.toml")).expect("remove");
    });
    let files: Vec<&str> = err.problems.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(files, vec!["topics.toml", "messages.toml"], "{err}");
}

#[test]
fn missing_directory_is_not_an_invalid_kb() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gone = dir.path().join("nope");
    match load_kb(Some(&gone)) {
        Err(err @ KbLoadError::NotADirectory(_)) => {
            assert!(err.to_string().contains("nope"), "{err}")
        }
        other => panic!("expected NotADirectory, got {other:?}"),
    }
    // A file where a directory should be.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    assert!(matches!(
        load_kb(Some(&file)),
        Err(KbLoadError::NotADirectory(_))
    ));
}

#[test]
fn unreadable_file_is_a_read_error_naming_it() {
    let dir = copy_kb(&knowledge_dir());
    std::fs::write(
        dir.path().join("topics.toml"),
        b"\xff\xfe not utf-8 \xc3\x28",
    )
    .expect("write");
    match load_kb(Some(dir.path())) {
        Err(err @ KbLoadError::Read { .. }) => {
            assert!(err.to_string().contains("topics.toml"), "{err}")
        }
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn red_flag_without_terms_is_refused() {
    let empty_flag = "\n[[flag]]\nid = \"empty\"\ntier = \"urgent\"\nlabel = \"nothing\"\nsays = \"nothing\"\nsource = \"NICE NG59\"\n";
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        let path = dir.join("redflags.toml");
        text = std::fs::read_to_string(&path).expect("read") + empty_flag;
        std::fs::write(&path, &text).expect("write");
    });
    assert_one_problem(
        dir.path(),
        &err,
        "redflags.toml",
        Some(line_of(&text, "id = \"empty\"")),
        &["empty", "no terms"],
    );

    // Terms that fold to nothing are no terms either.
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        let path = dir.join("redflags.toml");
        text = std::fs::read_to_string(&path).expect("read")
            + empty_flag
            + "terms = [\" \", \"?!\"]\n";
        std::fs::write(&path, &text).expect("write");
    });
    let line = Some(line_of(&text, "id = \"empty\""));
    assert!(err.problems.len() >= 2, "{err}");
    for problem in &err.problems {
        assert_problem(dir.path(), problem, "redflags.toml", line, &["empty"]);
    }
    assert!(
        err.problems.iter().any(|p| p.message.contains("no terms")),
        "{err}"
    );
}

#[test]
fn red_flag_without_source_is_refused() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "redflags.toml",
            "source = \"NICE NG59 and NICE CKS Sciatica (history of cancer); NHS Back pain\"",
            "source = \" \"",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "redflags.toml",
        Some(line_of(&text, "id = \"cancer\"")),
        &["cancer", "source"],
    );
}

#[test]
fn no_red_flags_at_all_is_refused() {
    let dir = copy_kb(&fixture_kb_dir());
    let path = dir.path().join("redflags.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let cut = text.find("[[flag]]").expect("a flag");
    std::fs::write(&path, &text[..cut]).expect("write");
    // The file must name its flags: without any, the urgent-care text could never be added.
    match load_kb(Some(dir.path())) {
        Err(KbLoadError::Invalid(err)) => {
            assert!(
                err.problems
                    .iter()
                    .all(|p| p.file.ends_with("redflags.toml")),
                "{err}"
            );
        }
        other => panic!("a knowledge base without red flags loaded: {other:?}"),
    }
}

#[test]
fn lexicon_variant_of_only_stop_words() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "lexicon.toml",
            "canonical = \"foot\"\nvariants = [\"feet\",",
            "canonical = \"foot\"\nvariants = [\"of the\", \"feet\",",
        )
    });
    assert_one_problem(
        dir.path(),
        &err,
        "lexicon.toml",
        Some(line_of(&text, "canonical = \"foot\"")),
        &["of the", "stop words"],
    );
}

#[test]
fn lexicon_variant_claimed_by_two_synonyms() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            "lexicon.toml",
            "canonical = \"foot\"\nvariants = [\"feet\",",
            "canonical = \"foot\"\nvariants = [\"calf\", \"feet\",",
        )
    });
    // "calf" already rewrites to "leg".
    assert!(!err.problems.is_empty(), "{err}");
    let line = Some(line_of(&text, "canonical = \"foot\""));
    for problem in &err.problems {
        assert_problem(dir.path(), problem, "lexicon.toml", line, &["calf"]);
    }
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let (dir, err) = load_broken(|dir| {
        edit(
            dir,
            "topics.toml",
            "title = \"Posture\"\n",
            "title = \"Posture\"\ncolour = \"red\"\n",
        );
        edit(
            dir,
            "redflags.toml",
            "id = \"cancer\"\n",
            "id = \"cancer\"\nterm = [\"tumour\"]\n",
        );
        edit(
            dir,
            "messages.toml",
            "also_label = ",
            "also_lable = \"x\"\nalso_label = ",
        );
    });
    let files: Vec<String> = err
        .problems
        .iter()
        .map(|p| {
            Path::new(&p.file)
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        files,
        vec!["topics.toml", "redflags.toml", "messages.toml"],
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("invalid knowledge base (3 problems)"),
        "{err}"
    );
    drop(dir);
}

// ---- never a panic -------------------------------------------------------------------------

fn files_with_topics(topics: &str) -> Vec<KbFile> {
    backleg::kb_files::embedded_files()
        .into_iter()
        .map(|f| {
            if f.name.ends_with(kb::TOPICS_FILE) {
                KbFile {
                    name: f.name,
                    text: topics.to_owned(),
                }
            } else {
                f
            }
        })
        .collect()
}

#[track_caller]
fn assert_refused(topics: &str) {
    let err = parse_kb(&files_with_topics(topics))
        .err()
        .unwrap_or_else(|| panic!("garbage loaded: {topics:?}"));
    assert!(!err.problems.is_empty());
    for problem in &err.problems {
        assert!(problem.file.ends_with(kb::TOPICS_FILE), "{problem}");
        if let Some(line) = problem.line {
            assert!(
                line >= 1 && line <= topics.lines().count().max(1) + 1,
                "line {line} is outside the file: {problem}"
            );
        }
        assert!(!problem.to_string().is_empty());
    }
}

#[test]
fn garbage_topics_file_is_refused_without_panic() {
    let deep = format!("a = {}{}", "[".repeat(5_000), "]".repeat(5_000));
    let deep_tables = format!("a = {}1{}", "{ b = ".repeat(2_000), " }".repeat(2_000));
    let long_line = "x".repeat(1_000_000);
    let cases = [
        "",
        "\u{feff}",
        "\0\0\0",
        "[[topic]]",
        "[[topic]]\nid = 1",
        "matching = 5",
        "[matching]\nmin_score = nan\nalso_ratio = inf\nmax_also = -1\nsecond_answer_ratio = 0.5\n",
        "[[[[[[",
        "]]]]]]",
        "key = \"\\u{110000}\"",
        "key = \"\\uD800\"",
        "😀 = 😀",
        "a.b.c.d.e.f = 1\na.b = 2",
        "\r\r\r\n\n\r",
        "id = \"\u{202e}\"",
        &deep,
        &deep_tables,
        &long_line,
    ];
    for case in cases {
        assert_refused(case);
    }
}

#[test]
fn garbage_topics_file_on_disk_is_refused() {
    let dir = copy_kb(&knowledge_dir());
    std::fs::write(
        dir.path().join("topics.toml"),
        "}{ this is not toml \u{0} 😀\n[[topic]]\n\"\"\"",
    )
    .expect("write");
    match load_kb(Some(dir.path())) {
        Err(KbLoadError::Invalid(err)) => assert!(
            err.problems.iter().all(|p| p.file.ends_with("topics.toml")),
            "{err}"
        ),
        other => panic!("expected an invalid knowledge base, got {other:?}"),
    }
}

proptest! {
    #[test]
    fn random_text_as_topics_file_never_panics(text in "\\PC{0,300}|[\\[\\]{}=\"'#.a-z0-9 \n]{0,300}") {
        assert_refused(&text);
    }

    #[test]
    fn random_chars_as_topics_file_never_panics(chars in proptest::collection::vec(any::<char>(), 0..300)) {
        let text: String = chars.into_iter().collect();
        assert_refused(&text);
    }

    #[test]
    fn a_mangled_real_topics_file_never_panics(cut in 0usize..100_000, insert in "[\\[\\]{}=\"'#,\n]{1,3}") {
        let real = std::fs::read_to_string(knowledge_dir().join("topics.toml")).expect("topics.toml");
        let mut at = cut % (real.len() + 1);
        while !real.is_char_boundary(at) {
            at -= 1;
        }
        let mangled = format!("{}{}{}", &real[..at], insert, &real[at..]);
        // Some insertions land in a comment or a string and keep the file valid, some rename a
        // topic the red flags point at; either way no panic, and every problem names a file.
        if let Err(err) = parse_kb(&files_with_topics(&mangled)) {
            prop_assert!(!err.problems.is_empty());
            let known = |file: &str| kb::REQUIRED_FILES.iter().any(|name| file.ends_with(name));
            prop_assert!(err.problems.iter().all(|p| known(&p.file)), "{}", err);
        }
    }
}

#[test]
fn question_table_names_only_known_intents_subjects_and_topics() {
    let cases = [
        (
            "outlook = { \"*\" = \"outlook\" }",
            "outlook = { \"*\" = \"outlok\" }",
            "outlok",
            "outlook = { \"*\" = \"outlok\" }",
        ),
        (
            "seek-care = { \"*\" = \"urgent\" }",
            "seek-care = { \"*\" = \"urgent\", sciatika = \"sciatica\" }",
            "sciatika",
            "seek-care = {",
        ),
        (
            "about_history = [\"definition\",",
            "about_history = [\"definiton\",",
            "definiton",
            "about_history = ",
        ),
        (
            "orientation_topic = \"diagnosis\"",
            "orientation_topic = \"diagnosys\"",
            "diagnosys",
            "orientation_topic = ",
        ),
    ];
    for (from, to, word, marker) in cases {
        let mut text = String::new();
        let (dir, err) = load_broken(|dir| text = edit(dir, "questions.toml", from, to));
        assert_one_problem(
            dir.path(),
            &err,
            "questions.toml",
            Some(line_of(&text, marker)),
            &[word],
        );
    }
}

#[test]
fn a_broken_emergency_file_is_named_with_its_line_and_a_missing_one_is_fine() {
    let mut text = String::new();
    let (dir, err) = load_broken(|dir| {
        text = edit(dir, kb::EMERGENCY_FILE, "code = \"IE\"", "code = \"XK\"");
    });
    assert_one_problem(
        dir.path(),
        &err,
        kb::EMERGENCY_FILE,
        Some(line_of(&text, "code = \"XK\"")),
        &["`XK`", "ISO 3166-1"],
    );
    let (dir, err) = load_broken(|dir| {
        text = edit(
            dir,
            kb::EMERGENCY_FILE,
            "emergency = [\"911\"]\nsource = \"https://www.911.gov/\"",
            "emergency = [\"911a\"]\nsource = \"https://www.911.gov/\"",
        );
    });
    assert_one_problem(
        dir.path(),
        &err,
        kb::EMERGENCY_FILE,
        Some(line_of(&text, "emergency = [\"911a\"]")),
        &["`911a`", "digits only"],
    );
    // The file is optional: without it, no countries.
    let dir = copy_kb(&knowledge_dir());
    std::fs::remove_file(dir.path().join(kb::EMERGENCY_FILE)).expect("remove");
    let kb =
        load_kb(Some(dir.path())).unwrap_or_else(|e| panic!("emergency.toml is optional: {e}"));
    assert!(kb.emergency.countries.is_empty());
}
