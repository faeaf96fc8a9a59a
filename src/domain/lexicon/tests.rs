use super::*;
use crate::domain::normalize::fold;

fn synonym(canonical: &str, variants: &[&str]) -> Synonym {
    Synonym {
        canonical: canonical.to_owned(),
        variants: variants.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn lexicon() -> Lexicon {
    Lexicon::build(&[
        synonym("disc", &["disk"]),
        synonym("herniated disc", &["slipped disc", "prolapse"]),
        synonym("spondylolisthesis", &["slipped vertebra"]),
        synonym("lower back", &["low back", "lumbar"]),
        synonym("lumbago", &["lower back pain"]),
    ])
}

fn terms(lexicon: &Lexicon, text: &str) -> Vec<String> {
    lexicon.terms(words(&fold(text)))
}

#[test]
fn stop_words_go_and_words_are_stemmed() {
    let lexicon = Lexicon::build(&[]);
    assert_eq!(
        terms(&lexicon, "the discs are radiating to my legs"),
        ["disc", "radiat", "leg"]
    );
    assert!(terms(&lexicon, "the and of my").is_empty());
    assert!(lexicon.is_empty());
}

#[test]
fn single_word_variants_become_the_canonical_word() {
    let lexicon = lexicon();
    assert_eq!(terms(&lexicon, "disk"), terms(&lexicon, "disc"));
    assert_eq!(
        terms(&lexicon, "prolapsed"),
        terms(&lexicon, "herniated disc"),
        "variants match on stems"
    );
    assert_eq!(terms(&lexicon, "lumbar"), terms(&lexicon, "lower back"));
}

#[test]
fn multi_word_variants_keep_meanings_apart() {
    let lexicon = lexicon();
    assert_eq!(
        terms(&lexicon, "slipped disc"),
        terms(&lexicon, "herniated disc")
    );
    // Single words are rewritten first, so a variant written with "disc" also catches "disk".
    assert_eq!(
        terms(&lexicon, "my slipped disk"),
        terms(&lexicon, "herniated disc")
    );
    assert_eq!(
        terms(&lexicon, "a slipped vertebra"),
        terms(&lexicon, "spondylolisthesis")
    );
    assert_ne!(
        terms(&lexicon, "slipped disc"),
        terms(&lexicon, "slipped vertebra")
    );
    // Words around a variant stay.
    let mut want = terms(&lexicon, "painful");
    want.extend(terms(&lexicon, "herniated disc"));
    want.extend(terms(&lexicon, "today"));
    assert_eq!(terms(&lexicon, "painful slipped disc today"), want);
}

#[test]
fn the_longest_variant_wins() {
    let lexicon = lexicon();
    assert_eq!(terms(&lexicon, "lower back pain"), ["lumbago"]);
    assert_eq!(terms(&lexicon, "lower back"), ["lower", "back"]);
    assert_eq!(
        terms(&lexicon, "lower back pain today"),
        ["lumbago", "today"]
    );
    assert_eq!(terms(&lexicon, "low back"), ["lower", "back"]);
}

#[test]
fn the_first_synonym_claiming_a_word_wins() {
    let lexicon = Lexicon::build(&[synonym("disc", &["disk"]), synonym("plate", &["disk"])]);
    assert_eq!(terms(&lexicon, "disk"), ["disc"]);
}

#[test]
fn known_stems_and_size() {
    let lexicon = lexicon();
    let stems: Vec<String> = lexicon.known_stems().collect();
    for stem in ["disk", "disc", "herniat", "lumbar", "lumbago"] {
        assert!(
            stems.iter().any(|s| s == stem),
            "{stem} missing from {stems:?}"
        );
    }
    // disk, prolapse, lumbar (single words) + slipped disc, slipped vertebra, low back, lower back pain.
    assert_eq!(lexicon.len(), 7);
    assert_eq!(lexicon.stem("radiating"), "radiat");
}

#[test]
fn check_finds_variants_that_cannot_work() {
    let problems = Lexicon::check(&[
        synonym("disc", &["disk", "of the"]),
        synonym("leg", &["into my leg", "limb"]),
        synonym("plate", &["disk"]),
    ]);
    let found: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.synonym, p.message.as_str()))
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(found[0].0, 0);
    assert!(
        found[0].1.contains("`of the` has only stop words"),
        "{}",
        found[0].1
    );
    assert_eq!(found[1].0, 1);
    assert!(
        found[1].1.contains("`into my leg` is just `leg`"),
        "{}",
        found[1].1
    );
    assert_eq!(found[2].0, 2);
    assert!(
        found[2].1.contains("already a variant of `disc`"),
        "{}",
        found[2].1
    );

    assert!(
        Lexicon::check(&[synonym("disc", &["disk", "disk", "spinal disk"])]).is_empty(),
        "a repeat in one synonym is harmless"
    );
}
