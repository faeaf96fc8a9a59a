//! Intake: turns updates into work. Long polling (`polling.rs`, the default) or Telegram's
//! webhook (`http.rs`, which also serves `/healthz`, `/readyz` and `/metrics`) hand each update
//! to `dispatch.rs`, which runs it through the endpoints with the time it arrived. `stop.rs`
//! ends the intake on SIGINT or SIGTERM.

pub mod dispatch;
pub mod http;
pub mod polling;
mod stop;

pub use dispatch::{Outcome, Received, UpdateProcessor};
pub use stop::StopSignal;
