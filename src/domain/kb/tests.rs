use super::*;
use crate::domain::parse_kb;
use crate::domain::testing::{self, files_with};

#[track_caller]
fn refused(file: &str, from: &str, to: &str) -> Vec<KbProblem> {
    match parse_kb(&files_with(file, from, to)) {
        Err(err) => err.problems,
        Ok(_) => panic!("{file}: replacing {from:?} by {to:?} should be refused"),
    }
}

/// Asserts one problem in `file`, on the line holding `marker` in the edited text, whose
/// message contains `words`.
#[track_caller]
fn check_one(problems: &[KbProblem], file: &str, line: Option<usize>, words: &[&str]) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem.file, file, "{problem}");
    assert_eq!(problem.line, line, "{problem}");
    for word in words {
        assert!(problem.message.contains(word), "{problem} lacks {word:?}");
    }
}

/// Line of `needle` in the fixture file after the edit.
fn line_in(file: &str, from: &str, to: &str, needle: &str) -> usize {
    let files = files_with(file, from, to);
    let text = &files.iter().find(|f| f.name == file).expect("file").text;
    line_of(text, text.find(needle).expect("needle"))
}

#[test]
fn line_of_counts_lines_up_to_the_offset() {
    let text = "a\nbc\n\nd";
    assert_eq!(line_of(text, 0), 1);
    assert_eq!(line_of(text, 1), 1);
    assert_eq!(line_of(text, 2), 2);
    assert_eq!(line_of(text, 5), 3);
    assert_eq!(line_of(text, 6), 4);
    assert_eq!(line_of(text, 1_000), 4, "past the end clamps");
    assert_eq!(line_of("", 0), 1);
}

#[test]
fn fixture_parses_into_typed_data() {
    let kb = testing::kb();
    let ids: Vec<&str> = kb.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["sciatica", "self-care", "urgent"],
        "file order is kept"
    );
    let care = kb.topic("self-care").expect("self-care");
    assert_eq!(
        care.answer, "Fixture self-care:\n• gentle stretching\n• heat and ice",
        "answers are trimmed"
    );
    assert!(care.safety_net);
    assert!(
        !kb.topic("sciatica").expect("sciatica").safety_net,
        "safety_net defaults to false"
    );
    assert_eq!(
        care.related,
        [TopicId("sciatica".into()), TopicId("urgent".into())]
    );
    assert!(kb.topic("nope").is_none());
    assert_eq!(kb.matching.min_score, 2.0);

    let flags = &kb.red_flags;
    assert_eq!(flags.topic.as_str(), "urgent");
    assert_eq!(flags.window, 3);
    let tiers: Vec<(&str, Tier)> = flags
        .flags
        .iter()
        .map(|f| (f.id.as_str(), f.tier))
        .collect();
    assert_eq!(
        tiers,
        [
            ("bladder", Tier::Emergency),
            ("fall", Tier::Emergency),
            ("fever", Tier::Urgent)
        ]
    );
    let bladder = &flags.flags[0];
    assert_eq!(
        bladder.clear.near,
        vec![NearRule {
            groups: vec![
                vec!["control".to_owned(), "cant".to_owned()],
                vec!["bladder".to_owned(), "pee".to_owned(), "wee".to_owned()]
            ],
            window: 3,
            clause: false
        }]
    );
    assert_eq!(bladder.clear.words, ["incontinent"]);
    assert_eq!(bladder.clear.phrases, ["wet myself"]);
    assert_eq!(bladder.mentions.words, ["bladder"]);
    assert_eq!(
        bladder.topic_boost, 4.0,
        "a flag's boost defaults to the file's"
    );
    let fall = &flags.flags[1];
    assert_eq!(fall.benign.phrases, ["fell asleep"]);
    assert!(fall.long_ago && fall.quiet_elsewhere);
    assert_eq!(
        flags.flags[2].measures,
        [Measure {
            words: vec!["temp".into()],
            min: 38.0,
            max: 43.0
        }]
    );
    assert!(
        Tier::Emergency > Tier::Urgent && Tier::Urgent > Tier::Check,
        "the higher tier compares greater"
    );
    assert_eq!(flags.words[0].canonical, "cant");
    assert_eq!(flags.negation.after, ["fine", "normal"]);

    assert_eq!(kb.synonyms.len(), 4);
    let kinds: Vec<(&str, &[String], Option<u32>)> = kb
        .scope
        .kinds
        .iter()
        .map(|k| (k.id.as_str(), &k.markers[..], k.under_age))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "medicines",
                &["dose".to_owned(), "ibuprofen".to_owned()][..],
                None
            ),
            ("children", &["child".to_owned()][..], Some(16))
        ]
    );
    assert!(kb.common_words.is_empty(), "common_words.txt is optional");
}

#[test]
fn file_names_may_be_paths() {
    let files: Vec<KbFile> = testing::files()
        .into_iter()
        .map(|f| KbFile {
            name: format!("/some/dir/{}", f.name),
            text: f.text,
        })
        .collect();
    assert!(parse_kb(&files).is_ok());
    let files: Vec<KbFile> = testing::files()
        .into_iter()
        .map(|f| KbFile {
            name: format!("not{}", f.name),
            text: f.text,
        })
        .collect();
    assert_eq!(
        parse_kb(&files)
            .expect_err("no file has the right name")
            .problems
            .len(),
        5
    );
}

#[test]
fn every_missing_file_is_listed() {
    let err = parse_kb(&[]).expect_err("nothing to parse");
    let listed: Vec<(&str, Option<usize>, &str)> = err
        .problems
        .iter()
        .map(|p| (p.file.as_str(), p.line, p.message.as_str()))
        .collect();
    let want: Vec<(&str, Option<usize>, &str)> = REQUIRED_FILES
        .iter()
        .map(|f| (*f, None, "file is missing"))
        .collect();
    assert_eq!(listed, want);
    assert!(
        err.to_string()
            .starts_with("invalid knowledge base (5 problems)\n  topics.toml: file is missing"),
        "{err}"
    );
}

#[test]
fn problems_display_as_file_line_message() {
    let at = KbProblem {
        file: "k/topics.toml".into(),
        line: Some(7),
        message: "bad".into(),
    };
    assert_eq!(at.to_string(), "k/topics.toml:7: bad");
    let nowhere = KbProblem {
        file: "k/topics.toml".into(),
        line: None,
        message: "bad".into(),
    };
    assert_eq!(nowhere.to_string(), "k/topics.toml: bad");
    let err = KbError { problems: vec![at] };
    assert_eq!(
        err.to_string(),
        "invalid knowledge base (1 problem)\n  k/topics.toml:7: bad"
    );
}

#[test]
fn malformed_toml_points_at_its_line() {
    let to = "title = \"Fixture: what you can do\nsafety_net = true";
    let from = "title = \"Fixture: what you can do\"\nsafety_net = true";
    let line = line_in(TOPICS_FILE, from, to, "title = \"Fixture: what you can do");
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        Some(line),
        &[],
    );
}

#[test]
fn unknown_fields_are_refused_with_their_line() {
    let (from, to) = (
        "safety_net = true\n",
        "safety_net = true\nsafety_nett = true\n",
    );
    let line = line_in(TOPICS_FILE, from, to, "safety_nett");
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        Some(line),
        &["safety_nett"],
    );
    let (from, to) = ("window = 3\n", "window = 3\nwindow_size = 3\n");
    let line = line_in(RED_FLAGS_FILE, from, to, "window_size");
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["window_size"],
    );
}

#[test]
fn duplicate_and_empty_topic_ids() {
    let (from, to) = ("id = \"urgent\"", "id = \"sciatica\"");
    let problems = refused(TOPICS_FILE, from, to);
    // The red flags now name a topic that is gone, too.
    let duplicate: Vec<&KbProblem> = problems
        .iter()
        .filter(|p| p.message.contains("duplicate"))
        .collect();
    assert_eq!(duplicate.len(), 1, "{problems:#?}");
    let files = files_with(TOPICS_FILE, from, to);
    let text = &files
        .iter()
        .find(|f| f.name == TOPICS_FILE)
        .expect("topics")
        .text;
    let second = line_of(text, text.rfind("id = \"sciatica\"").expect("second id"));
    assert_eq!(duplicate[0].line, Some(second), "{}", duplicate[0]);
    assert!(
        duplicate[0].message.contains("first defined on line 12"),
        "{}",
        duplicate[0]
    );
    assert!(
        problems
            .iter()
            .any(|p| p.file == RED_FLAGS_FILE && p.message.contains("unknown topic `urgent`")),
        "{problems:#?}"
    );

    let problems = refused(TOPICS_FILE, "id = \"self-care\"", "id = \" \"");
    assert!(
        problems.iter().any(|p| p.message == "topic id is empty"),
        "{problems:#?}"
    );
}

#[test]
fn related_must_name_another_known_topic() {
    let (from, to) = (
        "related = [\"sciatica\", \"urgent\"]",
        "related = [\"sciatica\", \"urgentt\"]",
    );
    let line = line_in(TOPICS_FILE, from, to, "\"urgentt\"");
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        Some(line),
        &["self-care", "unknown related topic `urgentt`"],
    );
    let (from, to) = (
        "related = [\"sciatica\", \"urgent\"]",
        "related = [\"self-care\"]",
    );
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        Some(line),
        &["lists itself"],
    );
}

#[test]
fn empty_answer_and_title() {
    let (from, to) = (
        "answer = \"Fixture urgent answer: seek help immediately.\"",
        "answer = \" \"",
    );
    let line = line_in(TOPICS_FILE, from, to, "answer = \" \"");
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        Some(line),
        &["`urgent` has an empty answer"],
    );
    let problems = refused(
        TOPICS_FILE,
        "title = \"Fixture: when to get help\"",
        "title = \"\"",
    );
    check_one(
        &problems,
        TOPICS_FILE,
        Some(line - 2),
        &["`urgent` has an empty title"],
    );
}

#[test]
fn keyword_problems_name_the_topic() {
    let from = "keywords = { emergency = 3.0, urgent = 2.0 }";
    let id_line = Some(line_in(TOPICS_FILE, from, from, "id = \"urgent\""));
    for (to, says) in [
        (
            "keywords = { emergency = 3.0, urgent = 0.0 }",
            "needs a positive weight",
        ),
        (
            "keywords = { emergency = 3.0, urgent = -1.0 }",
            "needs a positive weight",
        ),
        (
            "keywords = { emergency = 3.0, urgent = nan }",
            "needs a positive weight",
        ),
        (
            "keywords = { emergency = 3.0, \"urgent care\" = 2.0 }",
            "put it under `phrases`",
        ),
        ("keywords = { emergency = 3.0, the = 2.0 }", "stop word"),
        ("keywords = { emergency = 3.0, \"?!\" = 2.0 }", "no letters"),
        (
            "keywords = { emergency = 3.0, emergencies = 2.0 }",
            "same term",
        ),
    ] {
        check_one(
            &refused(TOPICS_FILE, from, to),
            TOPICS_FILE,
            id_line,
            &["`urgent`", says],
        );
    }
    let (from, to) = (
        "phrases = { \"what do\" = 2.5 }",
        "phrases = { \"what the\" = 2.5 }",
    );
    let id_line = Some(line_in(TOPICS_FILE, from, to, "id = \"self-care\""));
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        id_line,
        &["two or more words"],
    );
}

#[test]
fn equal_weight_claims_are_refused_lower_weights_allowed() {
    let from = "keywords = { emergency = 3.0, urgent = 2.0 }";
    let to = "keywords = { emergency = 3.0, urgent = 2.0, heat = 2.5 }";
    let id_line = Some(line_in(TOPICS_FILE, from, to, "id = \"urgent\""));
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        id_line,
        &["`heat`", "`self-care` and `urgent`", "equal weight 2.5"],
    );
    // Through the lexicon: "warmth" is rewritten to "heat".
    let to = "keywords = { emergency = 3.0, urgent = 2.0, warmth = 2.5 }";
    check_one(
        &refused(TOPICS_FILE, from, to),
        TOPICS_FILE,
        id_line,
        &["equal weight"],
    );
    let to = "keywords = { emergency = 3.0, urgent = 2.0, heat = 1.0 }";
    assert!(parse_kb(&files_with(TOPICS_FILE, from, to)).is_ok());
}

#[test]
fn red_flag_problems_name_the_flag() {
    let id_line =
        |from: &str, to: &str| Some(line_in(RED_FLAGS_FILE, from, to, "id = \"bladder\""));
    let from = "terms = [\"incontinent\"]";
    for (to, says) in [
        (
            "terms = [\"incontinent\", \"lost control\"]",
            "put it under `phrases`",
        ),
        ("terms = [\"incontinent\", \"inc*\"]", "too short"),
        ("terms = [\"incontinent\", \" \"]", "empty term"),
        (
            "terms = [\"incontinent\"]\nvetoes = [\"nope\"]",
            "vetoes unknown topic `nope`",
        ),
    ] {
        let problems = refused(RED_FLAGS_FILE, from, to);
        let line = if says.starts_with("vetoes") {
            Some(line_in(RED_FLAGS_FILE, from, to, "vetoes"))
        } else {
            id_line(from, to)
        };
        check_one(&problems, RED_FLAGS_FILE, line, &["`bladder`", says]);
    }
    let (from, to) = (
        "phrases = [\"wet myself\"]",
        "phrases = [\"wet myself\", \"!!\"]",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["empty phrase"],
    );
    let (from, to) = (
        "mentions = [\"bladder\"]",
        "mentions = [\"bladder\", \"??\"]",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["empty entry in `mentions`"],
    );
    let (from, to) = (
        "near = [[\"control|cant\", \"bladder|pee|wee\"]]",
        "near = [[\"control\"]]",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["two or more non-empty groups"],
    );
    let (from, to) = (
        "near = [[\"control|cant\", \"bladder|pee|wee\"]]",
        "near = [[\"control\", \"|\"]]",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["two or more non-empty groups"],
    );
    let (from, to) = (
        "near = [[\"control|cant\", \"bladder|pee|wee\"]]",
        "near = [{ window = 0, groups = [\"control\", \"pee\"] }]",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["window of 1 or more"],
    );
    let (from, to) = (
        "source = \"the article\"\nterms = [\"incontinent\"",
        "source = \"\"\nterms = [\"incontinent\"",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["names no source"],
    );
    let (from, to) = ("says = \"loss of bladder control\"", "says = \" \"");
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        id_line(from, to),
        &["names no says"],
    );
    let (from, to) = ("id = \"fever\"", "id = \"bladder\"");
    let files = files_with(RED_FLAGS_FILE, from, to);
    let text = &files
        .iter()
        .find(|f| f.name == RED_FLAGS_FILE)
        .expect("red flags")
        .text;
    let line = line_of(text, text.rfind("id = \"bladder\"").expect("second id"));
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["duplicate red flag id `bladder`"],
    );
    let (from, to) = (
        "terms = [\"fever\"]\n[[flag.measure]]\nwords = [\"temp\"]\nmin = 38.0\nmax = 43.0",
        "terms = []",
    );
    let line = line_in(RED_FLAGS_FILE, from, to, "id = \"fever\"");
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["no terms, phrases, near rules, mentions"],
    );
    let (from, to) = ("min = 38.0\nmax = 43.0", "min = 43.0\nmax = 38.0");
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["min <= max"],
    );
    let (from, to) = (
        "source = \"NHS Back pain\"",
        "source = \"NHS Back pain\"\ntopic_boost = -1.0",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["`topic_boost` must be zero or more"],
    );
    let (from, to) = (
        "tier = \"urgent\"\nlabel = \"fever\"",
        "tier = \"check\"\nlabel = \"fever\"",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["`check` is what its mentions raise"],
    );
}

#[test]
fn red_flag_prefix_terms_are_kept_as_prefixes() {
    let kb = parse_kb(&files_with(
        RED_FLAGS_FILE,
        "terms = [\"fever\"]",
        "terms = [\"Fever\", \"FEBR*\"]",
    ))
    .expect("valid");
    let fever = kb.red_flags.flag("fever").expect("fever flag");
    assert_eq!(
        fever.clear.words,
        ["fever", "febr*"],
        "folded, prefix marker kept"
    );
}

#[test]
fn red_flags_file_level_problems() {
    check_one(
        &refused(RED_FLAGS_FILE, "window = 3", "window = 0"),
        RED_FLAGS_FILE,
        None,
        &["`window`"],
    );
    let from = "urgent_heading = \"Fixture criteria, today:\"";
    check_one(
        &refused(RED_FLAGS_FILE, from, "urgent_heading = \"  \""),
        RED_FLAGS_FILE,
        None,
        &["`text.urgent_heading` is empty"],
    );
    let from = "because = \"Fixture because: {signs}.\"";
    check_one(
        &refused(RED_FLAGS_FILE, from, "because = \"Fixture because.\""),
        RED_FLAGS_FILE,
        None,
        &["`{signs}`"],
    );
    let (from, to) = ("topic = \"urgent\"", "topic = \"help\"");
    let line = line_in(RED_FLAGS_FILE, from, to, "topic = \"help\"");
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        Some(line),
        &["unknown topic `help`"],
    );
    let (from, to) = (
        "cant = [\"cannot\", \"not able\"]",
        "cant = [\"cannot\", \"not able\"]\ncan = [\"cannot\"]",
    );
    check_one(
        &refused(RED_FLAGS_FILE, from, to),
        RED_FLAGS_FILE,
        None,
        &["`cannot` is listed under two words"],
    );
}

#[test]
fn scope_kinds_are_validated() {
    let (from, to) = ("id = \"children\"", "id = \"medicines\"");
    let line = line_in(
        LEXICON_FILE,
        from,
        to,
        "id = \"medicines\"\nreply = \"Fixture: a child",
    );
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        Some(line),
        &["`medicines` is empty or used twice"],
    );
    let (from, to) = ("under_age = 16", "under_age = 16\nred_flags = [\"nope\"]");
    let line = line_in(LEXICON_FILE, from, to, "\"nope\"");
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        Some(line),
        &["unknown red flag `nope`"],
    );
    let (from, to) = (
        "reply = \"Fixture: a child should see a GP.\"",
        "reply = \" \"",
    );
    let line = line_in(LEXICON_FILE, from, to, "id = \"children\"");
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        Some(line),
        &["empty reply"],
    );
}

#[test]
fn empty_messages_are_refused() {
    for field in ["disclaimer", "fallback", "greeting", "thanks", "empty"] {
        let files = testing::files();
        let text = &files
            .iter()
            .find(|f| f.name == MESSAGES_FILE)
            .expect("messages")
            .text;
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{field} = ")))
            .expect("field line")
            .to_owned();
        check_one(
            &refused(MESSAGES_FILE, &line, &format!("{field} = \" \"")),
            MESSAGES_FILE,
            None,
            &[&format!("`{field}` is empty")],
        );
    }
}

#[test]
fn lexicon_problems_name_the_synonym() {
    let canonical_line = |from: &str, to: &str, canonical: &str| {
        Some(line_in(
            LEXICON_FILE,
            from,
            to,
            &format!("canonical = \"{canonical}\""),
        ))
    };
    let (from, to) = ("variants = [\"disk\"]", "variants = []");
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        canonical_line(from, to, "disc"),
        &["`disc` has no variants"],
    );
    let (from, to) = ("variants = [\"disk\"]", "variants = [\"disk\", \"of the\"]");
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        canonical_line(from, to, "disc"),
        &["`of the` has only stop words"],
    );
    let (from, to) = (
        "variants = [\"disk\"]",
        "variants = [\"disk\", \"in the disc\"]",
    );
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        canonical_line(from, to, "disc"),
        &["would rewrite every"],
    );
    let (from, to) = (
        "variants = [\"ischias\"]",
        "variants = [\"ischias\", \"disk\"]",
    );
    let problems = refused(LEXICON_FILE, from, to);
    assert!(!problems.is_empty());
    for problem in &problems {
        assert_eq!(
            problem.line,
            canonical_line(from, to, "sciatica"),
            "{problem}"
        );
        assert!(problem.message.contains("disk"), "{problem}");
    }
    let (from, to) = ("canonical = \"disc\"", "canonical = \"!!\"");
    let line = Some(line_in(LEXICON_FILE, from, to, "canonical = \"!!\""));
    check_one(
        &refused(LEXICON_FILE, from, to),
        LEXICON_FILE,
        line,
        &["empty `canonical`"],
    );
}

#[test]
fn problems_from_several_files_come_in_one_error() {
    let mut files = files_with(TOPICS_FILE, "max_also = 2", "max_also = \"two\"");
    let messages = files
        .iter_mut()
        .find(|f| f.name == MESSAGES_FILE)
        .expect("messages");
    messages.text = messages
        .text
        .replace("disclaimer = ", "disclaimer_ = \"x\"\ndisclaimer = ");
    let err = parse_kb(&files).expect_err("two broken files");
    let names: Vec<&str> = err.problems.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(names, [TOPICS_FILE, MESSAGES_FILE], "{err}");
}

/// A lexicon problem names the line of its synonym's `canonical`, even when the same spelling
/// appears earlier (here in a comment on line 1) or the canonical is not written folded ("Disc").
#[test]
fn lexicon_problem_lines_point_at_the_synonym() {
    let files = files_with(
        LEXICON_FILE,
        "variants = [\"ischias\"]",
        "variants = [\"ischias\", \"in the\"]",
    );
    let files: Vec<KbFile> = files
        .into_iter()
        .map(|f| {
            if f.name == LEXICON_FILE {
                KbFile {
                    text: format!("# about \"sciatica\"\n{}", f.text),
                    ..f
                }
            } else {
                f
            }
        })
        .collect();
    let text = &files
        .iter()
        .find(|f| f.name == LEXICON_FILE)
        .expect("lexicon")
        .text;
    let want = line_of(
        text,
        text.find("canonical = \"sciatica\"")
            .expect("sciatica synonym"),
    );
    let err = parse_kb(&files).expect_err("stop-word variant");
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].line, Some(want), "{err}");
    assert!(want > 1);

    let files = files_with(
        LEXICON_FILE,
        "canonical = \"disc\"\nvariants = [\"disk\"]",
        "canonical = \"Disc\"\nvariants = [\"disk\", \"of the\"]",
    );
    let text = &files
        .iter()
        .find(|f| f.name == LEXICON_FILE)
        .expect("lexicon")
        .text;
    let want = line_of(
        text,
        text.find("canonical = \"Disc\"").expect("Disc synonym"),
    );
    let err = parse_kb(&files).expect_err("stop-word variant");
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].line, Some(want), "{err}");
}

#[test]
fn word_lists_read_sorted_and_unsorted_files_alike() {
    let sorted = WordList::parse("# comment\n# another\napple\nbanana\ncherry\n");
    let unsorted = WordList::parse("# comment\ncherry\nApple\n\nbanana\nbanana\n");
    for list in [&sorted, &unsorted] {
        assert_eq!(list.len(), 3);
        for word in ["apple", "banana", "cherry"] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["", "appl", "bananas", "#", "comment", "zebra"] {
            assert!(!list.contains(word), "{word}");
        }
    }
    assert_eq!(WordList::parse("one\ntwo").len(), 2, "no final newline");
    assert!(WordList::parse("").is_empty());
}
