//! The plain teloxide echo bot, as teloxide's README writes its bots: the baseline that
//! `benches/telegram_throughput.rs` measures backleg against.
//!
//! Run: `TELOXIDE_TOKEN=... cargo run --release --example echo_bot`
//! (`Bot::from_env()` also honours `TELOXIDE_API_URL`, e.g. a local Bot API server).

use teloxide::prelude::*;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt::init();
    tracing::info!("Starting echo bot...");

    let bot = Bot::from_env();

    teloxide::repl(bot, |bot: Bot, msg: Message| async move {
        if let Some(text) = msg.text() {
            bot.send_message(msg.chat.id, text).await?;
        }
        Ok(())
    })
    .await;
}
