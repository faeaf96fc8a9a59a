//! An update listener that drops updates teloxide could not parse, logging only their id.
//!
//! teloxide's dispatcher logs such an update at ERROR with its raw JSON (message text, names).
//! Filtering them out before they reach the dispatcher is the only way to keep that line from
//! being written.

use futures::stream::{BoxStream, StreamExt};
use teloxide::stop::StopToken;
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

/// Wraps another listener.
pub struct RedactingListener<L>(pub L);

impl<'a, L> AsUpdateStream<'a> for RedactingListener<L>
where
    L: AsUpdateStream<'a>,
    L::StreamErr: Send + 'a,
{
    type StreamErr = L::StreamErr;
    type Stream = BoxStream<'a, Result<Update, L::StreamErr>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        self.0
            .as_stream()
            .filter(|item| {
                let keep = match item {
                    Ok(update) if matches!(update.kind, UpdateKind::Error(_)) => {
                        tracing::warn!(update_id = update.id.0, "skipped an update teloxide cannot parse");
                        false
                    }
                    _ => true,
                };
                futures::future::ready(keep)
            })
            .boxed()
    }
}

impl<L> UpdateListener for RedactingListener<L>
where
    L: UpdateListener,
    Self: for<'a> AsUpdateStream<'a, StreamErr = L::Err>,
{
    type Err = L::Err;

    fn stop_token(&mut self) -> StopToken {
        self.0.stop_token()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.0.hint_allowed_updates(hint);
    }
}
