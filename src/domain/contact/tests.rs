use super::*;
use crate::domain::doors::CheckNext;
use crate::domain::kb::{KbFile, Tier, EMERGENCY_FILE};
use crate::domain::{testing, EngineOptions, Question};

/// The fixture knowledge base with the real `emergency.toml`.
fn engine() -> Engine {
    let mut files = testing::files();
    files.push(KbFile {
        name: EMERGENCY_FILE.to_owned(),
        text: include_str!("../../../knowledge/emergency.toml").to_owned(),
    });
    Engine::from_files(&files, &EngineOptions::default()).expect("the fixture is valid")
}

fn country(code: &str) -> EmergencyContact {
    EmergencyContact::Country(code.to_owned())
}

const EMERGENCY_MESSAGE: &str = "I have lost control of my bladder";

#[test]
fn settings_read_as_countries_numbers_or_refusals() {
    let engine = engine();
    assert_eq!(engine.parse_contact("gb"), Ok(country("GB")));
    assert_eq!(engine.parse_contact(" NZ "), Ok(country("NZ")));
    assert_eq!(
        engine.parse_contact("112"),
        Ok(EmergencyContact::Custom("112".into()))
    );
    assert_eq!(
        engine.parse_contact("0800 611-116"),
        Ok(EmergencyContact::Custom("0800611116".into()))
    );
    assert_eq!(
        engine.parse_contact("UK"),
        Err(ContactError::UnknownCountry("UK".into())),
        "the UK's ISO code is GB"
    );
    assert_eq!(engine.parse_contact("1"), Err(ContactError::BadNumber));
    assert_eq!(
        engine.parse_contact("1234567890123456"),
        Err(ContactError::BadNumber)
    );
    for unreadable in ["", "hello", "+44", "11a", "GBR"] {
        assert_eq!(
            engine.parse_contact(unreadable),
            Err(ContactError::Unreadable),
            "{unreadable:?}"
        );
    }
    // A stored setting that no longer reads falls back to the default.
    assert_eq!(engine.stored_contact(Some("ZZ")), EmergencyContact::Default);
    assert_eq!(engine.stored_contact(None), EmergencyContact::Default);
    assert_eq!(engine.stored_contact(Some("GB")), country("GB"));
}

#[test]
fn no_setting_gives_exactly_the_deployments_text() {
    let engine = engine();
    let plain = engine.answer(&Question::new(EMERGENCY_MESSAGE));
    let with_default =
        engine.answer(&Question::new(EMERGENCY_MESSAGE).with_contact(EmergencyContact::Default));
    assert_eq!(plain.reply, with_default.reply);
    let urgent = plain.reply.urgent.expect("a red flag");
    assert!(
        urgent.first_line.contains("call the fixture number"),
        "{urgent:?}"
    );
    assert_eq!(
        engine.urgent_care_reply_for(&EmergencyContact::Default),
        engine.urgent_care_reply()
    );
    assert_eq!(engine.emergency_number(&EmergencyContact::Default), None);
}

#[test]
fn a_country_is_said_in_the_first_line_and_the_criteria() {
    let engine = engine();
    let answer = engine.answer(&Question::new(EMERGENCY_MESSAGE).with_contact(country("GB")));
    let urgent = answer.reply.urgent.expect("a red flag");
    assert_eq!(urgent.tier, Tier::Emergency);
    assert!(
        urgent.first_line.contains("call 999 (emergency)"),
        "{urgent:?}"
    );
    assert!(!urgent.first_line.contains("fixture number"), "{urgent:?}");
    assert!(
        !urgent.first_line.contains("NHS 111"),
        "the non-emergency line is for the urgent tier only: {urgent:?}"
    );
    assert!(urgent.criteria.contains("call 999 (emergency)"));
    assert!(!urgent.criteria.contains("fixture number"));
    // The rest of the block is unchanged.
    let plain = engine
        .answer(&Question::new(EMERGENCY_MESSAGE))
        .reply
        .urgent
        .expect("a red flag");
    assert_eq!(urgent.because, plain.because);
    assert_eq!(urgent.flags, plain.flags);
    assert_eq!(urgent.terms, plain.terms);
    assert_eq!(
        engine.emergency_number(&country("GB")).as_deref(),
        Some("999")
    );
}

#[test]
fn the_urgent_tier_adds_the_non_emergency_line_where_there_is_one() {
    let engine = engine();
    let uk = engine.urgent_notice_for(Tier::Urgent, &country("GB"));
    assert!(uk.first_line.contains("call 999 (emergency)"), "{uk:?}");
    assert!(
        uk.first_line
            .ends_with("For medical advice that is not an emergency: call 111 (NHS 111)."),
        "{uk:?}"
    );
    let nz = engine.urgent_notice_for(Tier::Urgent, &country("NZ"));
    assert!(
        nz.first_line.contains("call 0800611116 (Healthline)"),
        "{nz:?}"
    );
    let us = engine.urgent_notice_for(Tier::Urgent, &country("US"));
    assert!(us.first_line.contains("call 911 (emergency)"), "{us:?}");
    assert!(!us.first_line.contains("not an emergency"), "{us:?}");
    let custom = engine.urgent_notice_for(Tier::Urgent, &EmergencyContact::Custom("112".into()));
    assert!(
        custom.first_line.contains("call 112 (emergency)"),
        "{custom:?}"
    );
    assert!(
        !custom.first_line.contains("not an emergency"),
        "{custom:?}"
    );
}

#[test]
fn every_door_that_prints_urgent_wording_takes_the_contact() {
    let engine = engine();
    let contact = EmergencyContact::Custom("112".into());
    let says = |text: &str| text.contains("call 112 (emergency)");
    // The group watch.
    let notice = engine
        .watch_notice(&Question::new(EMERGENCY_MESSAGE).with_contact(contact.clone()))
        .expect("posted unasked");
    let urgent = notice.reply.urgent.expect("the block");
    assert!(
        says(&urgent.first_line) && says(&urgent.criteria),
        "{urgent:?}"
    );
    // `/urgent`.
    let list = engine
        .urgent_care_reply_for(&contact)
        .urgent
        .expect("the list");
    assert!(says(&list.criteria), "{list:?}");
    // `/check`: a yes, and all no.
    let CheckNext::Found(found) = engine.check_next_for(&[true], &contact) else {
        panic!("an emergency yes ends the check");
    };
    let urgent = found.reply.urgent.expect("the block");
    assert!(says(&urgent.first_line), "{urgent:?}");
    let all_no = vec![false; engine.kb().red_flags.check.len()];
    let CheckNext::AllClear { criteria, .. } = engine.check_next_for(&all_no, &contact) else {
        panic!("all no is all clear");
    };
    assert!(says(&criteria), "{criteria}");
    // The card.
    let card = engine.card(&contact);
    assert!(says(&card.what_to_do), "{card:?}");
    assert_eq!(card.number.as_deref(), Some("112"));
}

#[test]
fn the_card_lists_every_sign_once_with_what_to_do() {
    let engine = engine();
    let card = engine.card(&EmergencyContact::Default);
    assert_eq!(
        card.number, None,
        "the default text names no number to copy"
    );
    assert!(
        card.what_to_do.contains("call the fixture number"),
        "{card:?}"
    );
    let signs: Vec<&str> = card.tiers.iter().flat_map(|(_, s)| s.clone()).collect();
    for flag in &engine.kb().red_flags.flags {
        if flag.tier >= Tier::Urgent {
            assert!(signs.contains(&flag.says.trim()), "{} is missing", flag.id);
        }
    }
    let mut unique = signs.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), signs.len(), "each sign once");
    let uk = engine.card(&country("GB"));
    assert_eq!(uk.number.as_deref(), Some("999"));
    assert!(uk
        .non_emergency
        .as_deref()
        .is_some_and(|l| l.contains("NHS 111")));
}
