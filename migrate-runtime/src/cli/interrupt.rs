//! SIGINT and SIGTERM while `up`, `down` or `goto` runs. The default action
//! would kill the process mid-statement: the server notices within a second
//! and rolls back, but nobody is told what was applied. Instead the first
//! signal cancels the running statement through PostgreSQL's cancel request
//! (its transaction rolls back) and stops the run before the next migration;
//! the run then releases the lock and says where it stopped, and the process
//! exits 130 (SIGINT) or 143 (SIGTERM). A second signal exits at once.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use crate::connect::ConnectOptions;

pub(super) struct Interrupt {
    /// Tells the migrator to start no other step.
    pub stop: Arc<AtomicBool>,
    signal: Arc<AtomicI32>,
    #[cfg(unix)]
    handle: Option<signal_hook::iterator::Handle>,
}

/// The name and the exit code (128 + number) of a signal we handle.
fn describe(sig: i32) -> (&'static str, u8) {
    #[cfg(unix)]
    if sig == signal_hook::consts::SIGTERM {
        return ("SIGTERM", 143);
    }
    let _ = sig;
    ("SIGINT", 130)
}

impl Interrupt {
    /// Handles the signals until dropped, cancelling through `token`.
    pub fn install(opts: &ConnectOptions, token: tokio_postgres::CancelToken) -> Interrupt {
        let stop = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicI32::new(0));
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            let handle = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
                Ok(mut signals) => {
                    let handle = signals.handle();
                    let (stop, signal, opts) = (stop.clone(), signal.clone(), opts.clone());
                    std::thread::spawn(move || {
                        for sig in signals.forever() {
                            let (name, code) = describe(sig);
                            if signal.swap(sig, Ordering::SeqCst) != 0 {
                                // Asked twice: the server rolls back what runs
                                // when it sees the connection go.
                                std::process::exit(i32::from(code));
                            }
                            stop.store(true, Ordering::SeqCst);
                            let _ = writeln!(
                                std::io::stderr(),
                                "\n{name}: cancelling the running statement and stopping after it \
                                 (once more exits at once)"
                            );
                            // A runtime of its own: this thread is not the run's.
                            let sent = tokio::runtime::Builder::new_current_thread()
                                .enable_all()
                                .build()
                                .map_err(|e| e.to_string())
                                .and_then(|rt| {
                                    rt.block_on(opts.cancel_async(&token))
                                        .map_err(|e| e.to_string())
                                });
                            if let Err(e) = sent {
                                let _ = writeln!(
                                    std::io::stderr(),
                                    "could not send the cancel request: {e}"
                                );
                            }
                        }
                    });
                    Some(handle)
                }
                Err(e) => {
                    // Without the handler the signals keep their default
                    // action, which the server survives (see cli_kill).
                    tracing::debug!(error = %e, "no signal handler");
                    None
                }
            };
            Interrupt {
                stop,
                signal,
                handle,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = (opts, token);
            Interrupt { stop, signal }
        }
    }

    /// The signal's name and exit code, once one arrived.
    pub fn received(&self) -> Option<(&'static str, u8)> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(describe(sig)),
        }
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(h) = self.handle.take() {
            h.close();
        }
    }
}
