//! Skimming ahead on a second core. For one large file the scanner is sequential, so a
//! helper thread skims the file's later part at the same time ([`Skim::free`]) and hands
//! over the needle-free containers it checked there, chaining siblings of one array into
//! runs; when the scanner gets to one of them and would skim it anyway, it jumps over it
//! (a whole run at once, seeking when it is far).
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
use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::skim::{Entry, Skim, Stop};

/// Files smaller than this are scanned by one thread.
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

/// Runs `scan` with a helper skimming the later part of `file` (`size` bytes), when the
/// file has at least `min_size` bytes; `scan` gets the helper's handle.
pub fn with_helper<T>(
    file: &File,
    size: u64,
    min_size: u64,
    scan: impl FnOnce(Option<&Ahead>) -> T,
) -> T {
    let helper_file = file.try_clone().ok();
    let (Some(helper_file), true) = (helper_file, size >= min_size) else {
        return scan(None);
    };
    let from = (size as f64 * SPLIT) as u64;
    let ahead = Ahead {
        from,
        shared: Mutex::new(Shared::default()),
        local: Mutex::new(VecDeque::new()),
        scanner_at: AtomicU64::new(0),
    };
    std::thread::scope(|s| {
        s.spawn(|| run_helper(&helper_file, from, size, &ahead));
        let out = scan(Some(&ahead));
        ahead.cancel();
        out
    })
}

/// Skims `file` from `from` on, in legs. Each leg starts at a point outside any string in a
/// valid document: just after a newline (never inside a JSON string), or in minified JSON
/// at the `{` of `},{` (a guess; see the module doc for why a wrong one is harmless). When
/// the scanner catches up (it then skims for itself rather than wait), the helper leaves
/// the stretch to it and starts a new leg [`LEAD`] bytes further on.
fn run_helper(file: &File, from: u64, size: u64, ahead: &Ahead) {
    let mut buf = vec![0u8; CHUNK];
    let mut leg_from = from;
    while let Some(next) = run_leg(file, &mut buf, leg_from, size, ahead) {
        leg_from = next;
    }
}

/// One leg from `from`; returns where the next leg starts, if there is one.
fn run_leg(file: &File, buf: &mut [u8], from: u64, size: u64, ahead: &Ahead) -> Option<u64> {
    let mut base = from;
    let mut len = read_at(file, buf, base)?;
    let start = match memchr::memchr(b'\n', &buf[..len]) {
        Some(nl) => nl + 1,
        None => memchr::memmem::find(&buf[..len], b"},{")? + 2,
    };
    let start = base + start as u64;
    ahead.leg_starts(start);
    let mut skim = Skim::free(start);
    loop {
        let eof = base + len as u64 >= size;
        let stop = skim.run(&buf[..len], base, eof, DEPTH);
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
        let keep = skim.needs_from();
        let shift = (keep - base) as usize;
        buf.copy_within(shift..len, 0);
        len -= shift;
        base = keep;
        if len == buf.len() {
            // One scalar longer than the buffer: not worth following.
            return None;
        }
        match read_at(file, &mut buf[len..], base + len as u64)? {
            0 => return None,
            n => len += n,
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> Option<usize> {
    use std::os::unix::fs::FileExt;
    loop {
        match file.read_at(buf, at) {
            Ok(n) => return Some(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

#[cfg(not(unix))]
fn read_at(_file: &File, _buf: &mut [u8], _at: u64) -> Option<usize> {
    None
}
