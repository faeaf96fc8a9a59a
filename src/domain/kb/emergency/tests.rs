use crate::domain::kb::{line_of, KbFile, KbProblem, EMERGENCY_FILE};
use crate::domain::{parse_kb, testing};

const REAL: &str = include_str!("../../../../knowledge/emergency.toml");

fn with_emergency(text: &str) -> Vec<KbFile> {
    let mut files = testing::files();
    files.push(KbFile {
        name: format!("knowledge/{EMERGENCY_FILE}"),
        text: text.to_owned(),
    });
    files
}

/// The real file with the one occurrence of `from` replaced by `to`: its problems.
#[track_caller]
fn refused(from: &str, to: &str) -> (String, Vec<KbProblem>) {
    assert_eq!(REAL.matches(from).count(), 1, "{from:?} must occur once");
    let text = REAL.replacen(from, to, 1);
    match parse_kb(&with_emergency(&text)) {
        Err(err) => (text, err.problems),
        Ok(_) => panic!("replacing {from:?} by {to:?} should be refused"),
    }
}

#[track_caller]
fn check_one(text: &str, problems: &[KbProblem], at: &str, words: &[&str]) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(
        problem.file,
        format!("knowledge/{EMERGENCY_FILE}"),
        "{problem}"
    );
    let want = line_of(text, text.find(at).expect("marker"));
    assert_eq!(problem.line, Some(want), "{problem}");
    for word in words {
        assert!(problem.message.contains(word), "{problem} lacks {word:?}");
    }
}

#[test]
fn the_real_file_is_valid_and_sourced() {
    let kb = parse_kb(&with_emergency(REAL)).expect("valid");
    let numbers = &kb.emergency;
    assert!(numbers.countries.len() >= 33, "the EU's 27 and six more");
    for code in ["GB", "US", "CA", "AU", "NZ", "IN", "DE", "FR", "IE"] {
        let country = numbers.country(code).unwrap_or_else(|| panic!("{code}"));
        assert!(country.source.starts_with("https://"), "{code}");
    }
    assert_eq!(numbers.country("gb").map(|c| c.number()), Some("999"));
    assert_eq!(numbers.country("au").map(|c| c.number()), Some("000"));
    let uk_line = numbers.country("GB").and_then(|c| c.non_emergency.clone());
    assert_eq!(uk_line.map(|l| l.number), Some("111".to_owned()));
    // Without the file: no countries, nothing refused.
    let kb = parse_kb(&testing::files()).expect("optional");
    assert!(kb.emergency.countries.is_empty());
}

#[test]
fn an_unknown_code_is_refused_with_its_line() {
    let (text, problems) = refused("code = \"GB\"", "code = \"UK\"");
    check_one(&text, &problems, "code = \"UK\"", &["`UK`", "ISO 3166-1"]);
    let (text, problems) = refused("code = \"NZ\"", "code = \"nz\"");
    check_one(&text, &problems, "code = \"nz\"", &["`nz`"]);
}

#[test]
fn a_duplicate_code_is_refused_on_its_second_line() {
    let (text, problems) = refused("code = \"US\"", "code = \"CA\"");
    let first = line_of(&text, text.find("code = \"CA\"").expect("first"));
    let second_at = text.rfind("code = \"CA\"").expect("second");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].line, Some(line_of(&text, second_at)));
    assert!(
        problems[0]
            .message
            .contains(&format!("listed twice (first on line {first})")),
        "{}",
        problems[0]
    );
}

#[test]
fn numbers_must_be_digits() {
    let (text, problems) = refused("emergency = [\"999\"]", "emergency = [\"9-9-9\"]");
    check_one(
        &text,
        &problems,
        "emergency = [\"9-9-9\"]",
        &["`9-9-9`", "digits only"],
    );
    let (text, problems) = refused("emergency = [\"000\"]", "emergency = []");
    let marker = "emergency = []";
    check_one(&text, &problems, marker, &["no emergency number"]);
    let (text, problems) = refused("number = \"111\"", "number = \"one\"");
    check_one(
        &text,
        &problems,
        "number = \"one\"",
        &["non-emergency", "`one`"],
    );
}

#[test]
fn every_row_needs_a_source_and_the_wording_its_placeholder() {
    let (text, problems) = refused("source = \"https://www.911.gov/\"", "source = \"911.gov\"");
    check_one(
        &text,
        &problems,
        "source = \"911.gov\"",
        &["`US`", "source"],
    );
    let (_, problems) = refused(
        "emergency = \"call {number} (emergency)\"",
        "emergency = \"call (emergency)\"",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].message.contains("{number}"), "{}", problems[0]);
    // Malformed TOML and unknown fields are placed too.
    let (text, problems) = refused("name = \"Canada\"", "name = \"Canada\"\nwebsite = \"x\"");
    check_one(&text, &problems, "website", &["website"]);
}
