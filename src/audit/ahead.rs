//! Skimming ahead on a second core. For one large file the scanner is sequential, so a
//! helper thread skims the file's later part at the same time ([`Skim::free`]) and hands
//! over the needle-free containers it checked there, chaining siblings of one array into
//! runs; when the scanner gets to one of them and would skim it anyway, it jumps over it
//! (a whole run at once). The file is mapped ([`super::mapped`]), so both read it in place.
//!
//! The scanner never waits for the helper: where the helper has not been yet, the scanner
//! skims for itself, and the helper, seeing that, leaves that stretch to it and starts a
//! new leg further on. So both cores stay busy, and a slow or stopped helper costs speed,
//! never a result.
//!
//! Nothing the helper says is trusted blindly. Each leg starts at a guessed point outside
//! any string; if the guess is wrong, its containers lie inside strings as the scanner sees
//! them, so none of them is ever asked for. A container it lists was checked on its own
//! bytes alone, which is all the scanner needs once it reaches its opening bracket; a run
//! also had only whitespace and one comma between its members.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::mapped::{Mapped, RELEASE_STEP};
use super::skim::{Entry, Skim, Stop};

/// Files smaller than this are read by one thread, not mapped.
pub const MIN_SIZE: u64 = 16 * 1024 * 1024;
/// The helper starts this far into the file, while the scanner reads the first part at full
/// cost (measured best between 0.02 and 0.1 on the benchmark state and plan).
const SPLIT: f64 = 0.05;
/// Nesting the helper checks inside one container; the scanner adds its own depth.
pub const DEPTH: usize = 64;
const CHUNK: usize = 128 * 1024;
/// A container open longer than this is not waited for: its children are listed instead,
/// so the scanner never waits for a whole `resources` array.
const SPAN: u64 = 1024 * 1024;
/// How far past the scanner a new leg of the helper starts.
const LEAD: u64 = 4 * 1024 * 1024;

/// What the helper has published.
#[derive(Default)]
struct Shared {
    entries: VecDeque<Entry>,
    /// Every entry starting below this offset is published.
    upto: u64,
    cancel: bool,
    /// Offsets the helper left to the scanner when it started its current leg.
    gap: (u64, u64),
}

/// What the helper knows of a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// It checked the container: valid and free of needles.
    Free(Entry),
    /// It went past without finding such a container there (it has a needle, or is inside
    /// a larger needle-free one): skimming it again would only repeat that.
    NotFree,
    /// It did not get there (not yet, not in this leg, or it stopped early).
    Unknown,
}

/// The scanner's side of a helper.
pub struct Ahead {
    from: u64,
    shared: Mutex<Shared>,
    /// Entries moved out of `shared` in one go (only the scanner touches it).
    local: Mutex<VecDeque<Entry>>,
    /// Where the scanner found the helper not there yet.
    scanner_at: AtomicU64,
}

impl Ahead {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the helper knows of the container whose content starts at `start`. Never
    /// waits: where the helper has not been yet, the scanner skims for itself and the
    /// helper moves on ahead of it.
    pub fn take(&self, start: u64) -> Seen {
        if start < self.from {
            return Seen::Unknown;
        }
        let mut local = self.local.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            while local.front().is_some_and(|e| e.end <= start) {
                local.pop_front();
            }
            if let Some(e) = local.front().filter(|e| e.start == start) {
                let e = *e;
                local.pop_front();
                return Seen::Free(e);
            }
            // Inside a larger needle-free container the scanner did not skip (say, one
            // whose role it always reads): this one is needle-free too, so worth a skim.
            if local.front().is_some_and(|e| e.start < start) {
                return Seen::Unknown;
            }
            let mut g = self.lock();
            if g.gap.0 <= start && start < g.gap.1 {
                return Seen::Unknown;
            }
            if !local.is_empty() {
                return Seen::NotFree;
            }
            if g.entries.is_empty() {
                if g.upto > start {
                    return Seen::NotFree;
                }
                self.scanner_at.fetch_max(start, Ordering::Relaxed);
                return Seen::Unknown;
            }
            std::mem::swap(&mut *local, &mut g.entries);
        }
    }

    /// A new leg of the helper starts at `start`: what lies between the scanner and it is
    /// the scanner's to skim.
    fn leg_starts(&self, start: u64) {
        let scanner = self.scanner_at.load(Ordering::Relaxed).max(self.from);
        let mut g = self.lock();
        g.gap = (scanner, start);
        g.upto = g.upto.max(start);
    }

    fn publish(&self, entries: Vec<Entry>, upto: u64) -> bool {
        let mut g = self.lock();
        g.entries.extend(entries);
        g.upto = g.upto.max(upto);
        !g.cancel
    }

    /// Stops the helper (the scanner is done with the file).
    pub fn cancel(&self) {
        let mut g = self.lock();
        g.cancel = true;
    }
}

/// Runs `scan` with a helper skimming the later part of the mapped file `map`; `scan` gets
/// the helper's handle.
pub fn with_helper<T>(map: &Mapped, scan: impl FnOnce(&Ahead) -> T) -> T {
    let from = (map.bytes().len() as f64 * SPLIT) as u64;
    let ahead = Ahead {
        from,
        shared: Mutex::new(Shared::default()),
        local: Mutex::new(VecDeque::new()),
        scanner_at: AtomicU64::new(0),
    };
    std::thread::scope(|s| {
        s.spawn(|| run_helper(map, from, &ahead));
        let out = scan(&ahead);
        ahead.cancel();
        out
    })
}

/// Skims the file from `from` on, in legs. Each leg starts at a point outside any string in
/// a valid document: just after a newline (never inside a JSON string), or in minified JSON
/// at the `{` of `},{` (a guess; see the module doc for why a wrong one is harmless). When
/// the scanner catches up (it then skims for itself rather than wait), the helper leaves
/// the stretch to it and starts a new leg [`LEAD`] bytes further on.
fn run_helper(map: &Mapped, from: u64, ahead: &Ahead) {
    let mut leg_from = from;
    while let Some(next) = run_leg(map, leg_from, ahead) {
        leg_from = next;
    }
}

/// One leg from `from`; returns where the next leg starts, if there is one. The pages it
/// is done with are released as it goes (the scanner, reading some of them later, maps
/// them again), so resident memory stays small; at the end of a leg the scanner is close,
/// and it releases what lies behind itself.
fn run_leg(map: &Mapped, from: u64, ahead: &Ahead) -> Option<u64> {
    let bytes = map.bytes();
    let size = bytes.len() as u64;
    let head = &bytes[from as usize..(from as usize).saturating_add(CHUNK).min(bytes.len())];
    let start = match memchr::memchr(b'\n', head) {
        Some(nl) => nl + 1,
        None => memchr::memmem::find(head, b"},{")? + 2,
    };
    let start = from + start as u64;
    ahead.leg_starts(start);
    let mut skim = Skim::free(start);
    let mut end = start;
    let mut released = start;
    loop {
        end = end.saturating_add(CHUNK as u64).min(size);
        let stop = skim.run(&bytes[..end as usize], 0, end == size, DEPTH);
        skim.release_outer(SPAN);
        let (entries, upto) = skim.take_final();
        if stop != Stop::More {
            if stop == Stop::Invalid {
                // A wrong start guess, or damage the scanner will report: what follows the
                // last final entry was not checked; try again further on.
                ahead.publish(entries, upto);
                let next = upto.max(start).saturating_add(LEAD);
                return (next < size).then_some(next);
            }
            ahead.publish(entries, u64::MAX);
            return None;
        }
        if !ahead.publish(entries, upto) {
            return None;
        }
        let scanner = ahead.scanner_at.load(Ordering::Relaxed);
        if scanner > upto {
            let next = scanner.saturating_add(LEAD);
            return (next < size).then_some(next);
        }
        let done = skim.needs_from();
        if done >= released + RELEASE_STEP {
            map.release(released, done);
            released = done;
        }
    }
}
