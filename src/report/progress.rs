//! A one-line progress display on standard error for scans that take a while (a history,
//! a directory tree): items done, the total and the rate. Shown only when standard error is
//! a terminal that understands escape sequences (not `TERM=dumb`), so logs and CI output
//! never fill with carriage returns.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the line is redrawn, at most.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// A progress line for `total` items, safe to tick from many threads.
#[derive(Debug)]
pub struct Progress {
    total: usize,
    noun: &'static str,
    done: AtomicUsize,
    started: Instant,
    last_drawn: Mutex<Option<Instant>>,
    drawn: AtomicBool,
    enabled: bool,
}

impl Progress {
    /// A progress line for `total` `noun` (plural, e.g. "commits"), drawn only on a terminal.
    pub fn new(total: usize, noun: &'static str) -> Self {
        Progress {
            total,
            noun,
            done: AtomicUsize::new(0),
            started: Instant::now(),
            last_drawn: Mutex::new(None),
            drawn: AtomicBool::new(false),
            enabled: crate::output::redraws_on(&std::io::stderr()),
        }
    }

    /// Counts one more item done, and redraws if the last drawing is old enough.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled {
            return;
        }
        // Another thread drawing right now is enough, except for the last item: its count
        // must be drawn, so that the line ends on the total.
        let last = done == self.total;
        let guard = if last { self.last_drawn.lock().ok() } else { self.last_drawn.try_lock().ok() };
        let Some(mut last_drawn) = guard else { return };
        let now = Instant::now();
        if last_drawn.is_some_and(|at| now - at < REDRAW_EVERY) && !last {
            return;
        }
        *last_drawn = Some(now);
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / seconds;
        let mut stderr = std::io::stderr().lock();
        let _ =
            write!(stderr, "\r\x1b[2Kzoomguard: {done}/{} {} scanned ({rate:.0}/s)", self.total, self.noun);
        let _ = stderr.flush();
        self.drawn.store(true, Ordering::Relaxed);
    }

    /// Clears the line, so the report starts on a clean line.
    pub fn finish(&self) {
        if self.drawn.load(Ordering::Relaxed) {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
