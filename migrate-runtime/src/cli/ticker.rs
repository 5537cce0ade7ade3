//! Live progress while one migration runs: the client blocks until the server
//! answers, so a long migration (an index build, a table rewrite) would print
//! nothing until it ends, and an operator cannot tell a slow migration from a
//! hung one. A thread of its own shows the elapsed time: on a terminal, a line
//! redrawn every second after the first; in a log (stderr not a terminal), a
//! `still applying ...` line after 5 s and then every 30 s, so a deploy log
//! shows it too.
//!
//! Hand-written rather than indicatif: one line and a condition variable are
//! all it needs, and the CLI already draws its own bar (output.rs).

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// When the live line first appears, and how often it is redrawn.
struct Pace {
    first: Duration,
    every: Duration,
}

const TERMINAL: Pace = Pace {
    first: Duration::from_secs(1),
    every: Duration::from_secs(1),
};

const LOG: Pace = Pace {
    first: Duration::from_secs(5),
    every: Duration::from_secs(30),
};

/// The migration now running.
struct Running {
    /// `applying 000005_big`.
    what: String,
    /// Drawn before it on a terminal: the progress bar of a long run, or "".
    prefix: String,
    since: Instant,
    /// A live line is on the terminal and must be erased.
    shown: bool,
}

#[derive(Default)]
struct State {
    current: Option<Running>,
    quit: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

pub(crate) struct Ticker {
    shared: Shared,
    terminal: bool,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    pub fn new(terminal: bool) -> Self {
        Ticker {
            shared: Arc::default(),
            terminal,
            thread: None,
        }
    }

    /// A migration started: `what` is what it does (`applying 000005_big`).
    pub fn start(&mut self, what: String, prefix: String) {
        if self.thread.is_none() {
            let shared = Arc::clone(&self.shared);
            let pace = if self.terminal { TERMINAL } else { LOG };
            let terminal = self.terminal;
            // Progress is a nicety: without a thread the run goes on silently.
            self.thread = std::thread::Builder::new()
                .name("progress".to_owned())
                .spawn(move || tick(&shared, &pace, terminal))
                .ok();
        }
        let (lock, cv) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).current = Some(Running {
            what,
            prefix,
            since: Instant::now(),
            shown: false,
        });
        cv.notify_all();
    }

    /// The migration ended: the live line, if drawn, is erased before the
    /// caller prints its result (the lock orders the two writers).
    pub fn stop(&mut self) {
        let (lock, cv) = &*self.shared;
        let mut st = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if st.current.take().is_some_and(|r| r.shown) {
            erase();
        }
        cv.notify_all();
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop();
        let (lock, cv) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).quit = true;
        cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn tick(shared: &Shared, pace: &Pace, terminal: bool) {
    let (lock, cv) = &**shared;
    let mut st = lock.lock().unwrap_or_else(PoisonError::into_inner);
    // The next time to draw, for the run that started at `since`.
    let mut next: Option<(Instant, Instant)> = None;
    loop {
        if st.quit {
            return;
        }
        let Some(since) = st.current.as_ref().map(|r| r.since) else {
            next = None;
            st = cv.wait(st).unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        let due = match next {
            Some((s, at)) if s == since => at,
            _ => since + pace.first,
        };
        let now = Instant::now();
        if now < due {
            st = cv
                .wait_timeout(st, due - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            continue;
        }
        if let Some(r) = st.current.as_mut() {
            draw(r, now - r.since, terminal);
        }
        next = Some((since, due + pace.every));
    }
}

fn draw(r: &mut Running, elapsed: Duration, terminal: bool) {
    let elapsed = whole_seconds(elapsed);
    let mut e = std::io::stderr().lock();
    if terminal {
        let _ = write!(e, "\r\x1b[2K{}{} ... {elapsed}", r.prefix, r.what);
        r.shown = true;
    } else {
        let _ = writeln!(e, "still {} after {elapsed}", r.what);
    }
    let _ = e.flush();
}

fn erase() {
    let mut e = std::io::stderr().lock();
    let _ = write!(e, "\r\x1b[2K");
    let _ = e.flush();
}

/// `7s`, `2m 05s`, `1h 02m`: a clock that ticks in seconds.
fn whole_seconds(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_reads_as_a_clock() {
        assert_eq!(whole_seconds(Duration::from_millis(5_900)), "5s");
        assert_eq!(whole_seconds(Duration::from_secs(125)), "2m 05s");
        assert_eq!(whole_seconds(Duration::from_secs(3_720)), "1h 02m");
    }
}
