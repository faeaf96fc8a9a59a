//! Numbers in folded words: the ages people state ("I'm 71", "63M", "my dad (74)", "a
//! 15-year-old") and measured values ("temp 38.4", "101f").
//!
//! Both triage (new back pain over 50) and the out-of-scope kinds (children) need ages, and
//! they must agree on what an age is, so it is read here once, from the words alone.

/// Words that make the number before them a quantity, not an age ("I'm 22 weeks pregnant").
const UNITS: &[&str] = &[
    "am", "cm", "day", "days", "degree", "degrees", "feet", "foot", "ft", "hour", "hours", "hrs",
    "in", "inch", "inches", "kg", "kgs", "kilo", "kilos", "km", "lb", "lbs", "m", "metre",
    "metres", "meter", "meters", "mg", "mile", "miles", "min", "mins", "minute", "minutes", "mm",
    "month", "months", "ml", "percent", "pm", "pound", "pounds", "st", "stone", "stones", "times",
    "week", "weeks", "wks", "x", "year", "years", "yrs",
];

/// Words after which a bare number is an age ("aged 58", "I'm 71" folded to "i 71", "im 71").
const AGE_BEFORE: &[&str] = &["aged", "age", "i", "im", "turned", "turning"];

/// People whose age follows their name ("my husband (52)", "grandad is 84").
const PEOPLE: &[&str] = &[
    "boy",
    "boyfriend",
    "brother",
    "child",
    "dad",
    "daughter",
    "father",
    "female",
    "friend",
    "girl",
    "girlfriend",
    "gran",
    "grandad",
    "granddad",
    "grandfather",
    "grandma",
    "grandmother",
    "grandpa",
    "granny",
    "he",
    "husband",
    "kid",
    "lady",
    "male",
    "man",
    "mom",
    "mother",
    "mum",
    "nan",
    "partner",
    "patient",
    "she",
    "sister",
    "son",
    "teenager",
    "uncle",
    "aunt",
    "wife",
    "woman",
];

/// A number written as digits, with an optional temperature unit glued on ("38.5", "38c", "101f").
pub fn value(word: &str) -> Option<f64> {
    let digits = word
        .strip_suffix('c')
        .or_else(|| word.strip_suffix('f'))
        .unwrap_or(word);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || !digits.as_bytes()[0].is_ascii_digit()
    {
        return None;
    }
    digits.parse().ok()
}

fn whole(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > 3 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

/// `63m`, `58f`, `34yo`, `71yrs`: an age with its sex or unit glued on.
fn glued_age(word: &str) -> Option<u32> {
    let split = word.find(|c: char| !c.is_ascii_digit())?;
    let (number, rest) = word.split_at(split);
    let age = whole(number)?;
    match rest {
        "m" | "f" if (10..100).contains(&age) => Some(age),
        "yo" | "yr" | "yrs" | "y" => Some(age),
        _ => None,
    }
}

/// The ages stated in folded words, with the position of each.
pub fn ages<S: AsRef<str>>(words: &[S]) -> Vec<(usize, u32)> {
    let word = |i: usize| words.get(i).map_or("", AsRef::as_ref);
    let mut found = Vec::new();
    for i in 0..words.len() {
        if let Some(age) = glued_age(word(i)) {
            found.push((i, age));
            continue;
        }
        let Some(age) = whole(word(i)) else { continue };
        if !(1..=110).contains(&age) {
            continue;
        }
        let next = word(i + 1);
        // "63M", "58F" fold to "63 m", "58 f": an age with the sex after it.
        if matches!(next, "m" | "f")
            && (10..100).contains(&age)
            && !matches!(word(i + 2), "tall" | "away" | "long" | "high")
        {
            found.push((i, age));
            continue;
        }
        let years_old = matches!(next, "year" | "years" | "yr" | "yrs") && word(i + 2) == "old";
        let y_o = next == "yo" || (next == "y" && word(i + 2) == "o");
        if years_old || y_o {
            found.push((i, age));
            continue;
        }
        if UNITS.contains(&next) && !(next == "years" && i >= 1 && word(i - 1) == "have") {
            continue;
        }
        let (before, before2) = (
            if i >= 1 { word(i - 1) } else { "" },
            if i >= 2 { word(i - 2) } else { "" },
        );
        if before == "at" && age >= 18 {
            // "At 55 I've never had a bad back"; not "at 10 tonight".
            found.push((i, age));
            continue;
        }
        let is_age = AGE_BEFORE.contains(&before)
            || (before == "am" && before2 == "i")
            || PEOPLE.contains(&before)
            || (matches!(before, "is" | "was" | "now") && PEOPLE.contains(&before2))
            || (matches!(before, "hes" | "shes"))
            // "I have 58 years": how some people say their age in English.
            || (before == "have" && next == "years");
        if is_age {
            found.push((i, age));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ages_in(text: &str) -> Vec<u32> {
        let words: Vec<&str> = text.split(' ').collect();
        ages(&words).into_iter().map(|(_, a)| a).collect()
    }

    #[test]
    fn ages_in_the_ways_people_state_them() {
        assert_eq!(ages_in("im 71 had breast cancer"), [71]);
        assert_eq!(ages_in("i 71 had breast cancer"), [71], "I'm folds to i");
        assert_eq!(ages_in("63 m had a fusion"), [63]);
        assert_eq!(ages_in("case 45 m 3 weeks of pain"), [45]);
        assert_eq!(ages_in("55 f here"), [55]);
        assert_eq!(ages_in("at 55 i never had a bad back"), [55]);
        assert_eq!(ages_in("my dad 74 says his legs"), [74]);
        assert_eq!(ages_in("my son is 15 and plays rugby"), [15]);
        assert_eq!(ages_in("my son 16 spends every evening"), [16]);
        assert_eq!(ages_in("our 10 year old has a mild scoliosis"), [10]);
        assert_eq!(ages_in("a 24 year old footballer"), [24]);
        assert_eq!(ages_in("i have 58 years"), [58]);
        assert_eq!(ages_in("grandad is 84 fell in the garden"), [84]);
        assert_eq!(ages_in("i am 42"), [42]);
        assert_eq!(ages_in("aged 58"), [58]);
    }

    #[test]
    fn quantities_are_not_ages() {
        assert!(ages_in("im 22 weeks pregnant").is_empty());
        assert!(ages_in("walking about 100 m").is_empty());
        assert!(ages_in("i lost 12 kg").is_empty());
        assert!(ages_in("temp 38.4").is_empty());
        assert!(ages_in("l4 l5 and l5 s1").is_empty());
        assert!(ages_in("im 6 foot").is_empty());
        assert!(ages_in("3 weeks of pain").is_empty());
        assert!(ages_in("on 600 mg").is_empty());
        assert!(ages_in("200 m").is_empty());
        assert!(ages_in("at 10 tonight").is_empty());
    }

    #[test]
    fn values_read_decimals_and_glued_units() {
        assert_eq!(value("38.5"), Some(38.5));
        assert_eq!(value("38c"), Some(38.0));
        assert_eq!(value("101f"), Some(101.0));
        assert_eq!(value("l4"), None);
        assert_eq!(value("f"), None);
        assert_eq!(value(".5"), None);
    }
}
