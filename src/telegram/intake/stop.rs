//! The stop signal: SIGINT or SIGTERM stop taking updates; the ones in flight finish.

/// SIGINT or SIGTERM, registered when created (teloxide's own handler knows only SIGINT, and
/// SIGTERM is what systemd and Docker send).
pub struct StopSignal {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    interrupt: futures::future::BoxFuture<'static, std::io::Result<()>>,
}

impl StopSignal {
    /// Registers for both signals now.
    pub fn register() -> Self {
        // `ctrl_c()` registers its handler on first poll; poll it once now.
        let mut interrupt: futures::future::BoxFuture<'static, std::io::Result<()>> =
            Box::pin(tokio::signal::ctrl_c());
        let _ = futures::FutureExt::now_or_never(&mut interrupt);
        Self {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .ok(),
            interrupt,
        }
    }

    /// Resolves at the first of the two signals.
    pub async fn wait(self) {
        #[cfg(unix)]
        if let Some(mut terminate) = self.terminate {
            tokio::select! {
                _ = self.interrupt => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = self.interrupt.await;
    }
}
