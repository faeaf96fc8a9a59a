use super::*;

#[test]
fn spinal_levels() {
    for (word, next) in [
        ("l4", None),
        ("s1", None),
        ("c5", None),
        ("t12", None),
        ("l", Some("4")),
    ] {
        assert!(is_spinal_level(word, next), "{word} {next:?}");
    }
    for (word, next) in [
        ("l", Some("lamb")),
        ("l45", None),
        ("x1", None),
        ("c", None),
        ("t13", None),
        ("s", Some("1")),
    ] {
        assert!(!is_spinal_level(word, next), "{word} {next:?}");
    }
}

#[test]
fn said_phrases_are_also_looked_for_as_folded_from_an_apostrophe() {
    assert_eq!(clip_contractions("whats going on"), "what going on");
    assert_eq!(clip_contractions("what is going on"), "what going on");
    assert_eq!(clip_contractions("is that normal"), "is that normal");
    assert_eq!(clip_contractions("what it is"), "what it is");
    assert_eq!(clip_contractions("thats not right"), "that not right");
}
