//! `callbacks`: callback data and command arguments. Invariants: what `ButtonAction::decode`
//! accepts encodes back to the same data's meaning within Telegram's 64 bytes; commands and
//! their arguments (`/redflags`, `/check`, `/emergency`, `/card`, `/alerts`) parse without a
//! panic, and the emergency setting either parses or is refused.
#![no_main]

use std::sync::OnceLock;

use backleg::domain::{EmergencyContact, Engine, EngineOptions};
use backleg::telegram::endpoints::{ButtonAction, Command};
use libfuzzer_sys::fuzz_target;
use teloxide::utils::command::BotCommands;

const BOT: &str = "backleg_bot";

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::from_files(
            &backleg::kb_files::embedded_files(),
            &EngineOptions::default(),
        )
        .expect("the embedded knowledge base loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(action) = ButtonAction::decode(&text) {
        let encoded = action.encode();
        assert!(
            encoded.len() <= 64,
            "{action:?} encodes to {} bytes",
            encoded.len()
        );
        assert_eq!(
            ButtonAction::decode(&encoded),
            Some(action.clone()),
            "{encoded:?}"
        );
    }
    for command in [
        text.to_string(),
        format!("/{text}"),
        format!("/emergency {text}"),
    ] {
        let Ok(command) = Command::parse(&command, BOT) else {
            continue;
        };
        if let Command::Emergency(arg) = &command {
            if let Ok(contact) = engine().parse_contact(arg) {
                // What parses has a number to give (the default has the knowledge base's).
                let _ = engine().card(&contact);
                if let EmergencyContact::Country(code) = &contact {
                    assert_eq!(code.len(), 2, "{code:?}");
                }
            }
        }
    }
    let _ = engine().parse_contact(&text);
});
