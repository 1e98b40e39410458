//! Skimming ahead on a second core. For one large file the scanner is sequential, so a
//! helper thread skims the file's later part at the same time ([`Skim::free`]) and hands
//! over the needle-free containers it checked there; when the scanner gets to one of them
//! and would skim it anyway, it jumps over it instead.
//!
//! Nothing the helper says is trusted blindly. It starts at a guessed point outside any
//! string; if the guess is wrong, its containers lie inside strings as the scanner sees
//! them, so none of them is ever asked for. A container it lists was checked on its own
//! bytes alone, which is all the scanner needs once it reaches its opening bracket.

use std::collections::VecDeque;
use std::fs::File;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::skim::{Entry, Skim, Stop};

/// Files smaller than this are scanned by one thread.
pub const MIN_SIZE: u64 = 16 * 1024 * 1024;
/// The helper starts this far into the file: the scanner reads the first part at full cost
/// while the helper gets going; after that the scanner mostly jumps over what the helper
/// skimmed (measured best between 0.02 and 0.1 on the benchmark state and plan).
const SPLIT: f64 = 0.05;
/// Nesting the helper checks inside one container; the scanner adds its own depth.
pub const DEPTH: usize = 64;
const CHUNK: usize = 128 * 1024;
/// A container open longer than this is not waited for: its children are listed instead,
/// so the scanner never waits for a whole `resources` array.
const SPAN: u64 = 1024 * 1024;

/// What the helper has published.
#[derive(Default)]
struct Shared {
    entries: VecDeque<Entry>,
    /// Every entry starting below this offset is published.
    upto: u64,
    done: bool,
    cancel: bool,
    /// The scanner is waiting for news.
    waiting: bool,
}

/// What the helper knows of a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// It checked the container: valid and free of needles.
    Free(Entry),
    /// It went past without finding such a container there (it has a needle, or is inside
    /// a larger needle-free one): skimming it again would only repeat that.
    NotFree,
    /// It did not get there (it stopped early, or the start is before its part).
    Unknown,
}

/// The scanner's side of a helper.
pub struct Ahead {
    from: u64,
    shared: Mutex<Shared>,
    ready: Condvar,
    /// Entries moved out of `shared` in one go (only the scanner touches it).
    local: Mutex<VecDeque<Entry>>,
}

impl Ahead {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the helper knows of the container whose content starts at `start`; waits
    /// until the helper is past `start` or has stopped.
    pub fn take(&self, start: u64) -> Seen {
        if start < self.from {
            return Seen::Unknown;
        }
        let mut local = self.local.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            while local.front().is_some_and(|e| e.start < start) {
                local.pop_front();
            }
            if let Some(e) = local.front() {
                if e.start == start {
                    return local.pop_front().map_or(Seen::Unknown, Seen::Free);
                }
                return Seen::NotFree;
            }
            let mut g = self.lock();
            while g.entries.is_empty() && !g.done && g.upto <= start {
                g.waiting = true;
                g = self.ready.wait(g).unwrap_or_else(|e| e.into_inner());
            }
            g.waiting = false;
            if g.entries.is_empty() {
                return if g.upto > start {
                    Seen::NotFree
                } else {
                    Seen::Unknown
                };
            }
            std::mem::swap(&mut *local, &mut g.entries);
        }
    }

    fn publish(&self, entries: Vec<Entry>, upto: u64, done: bool) -> bool {
        let mut g = self.lock();
        g.entries.extend(entries);
        g.upto = g.upto.max(upto);
        g.done |= done;
        let (cancel, waiting) = (g.cancel, g.waiting);
        drop(g);
        if waiting {
            self.ready.notify_one();
        }
        !cancel
    }

    /// Stops the helper (the scanner is done with the file).
    pub fn cancel(&self) {
        let mut g = self.lock();
        g.cancel = true;
        g.done = true;
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
        ready: Condvar::new(),
        local: Mutex::new(VecDeque::new()),
    };
    std::thread::scope(|s| {
        s.spawn(|| {
            // Whatever happens to the helper, the scanner must not wait for it any more.
            struct Done<'a>(&'a Ahead);
            impl Drop for Done<'_> {
                fn drop(&mut self) {
                    self.0.publish(Vec::new(), 0, true);
                }
            }
            let _done = Done(&ahead);
            run_helper(&helper_file, from, size, &ahead);
        });
        let out = scan(Some(&ahead));
        ahead.cancel();
        out
    })
}

/// Skims `file` from a point after `from` that is outside any string in a valid
/// document: just after a newline (never inside a JSON string), or in minified JSON at the
/// `{` of `},{` (a guess; see the module doc for why a wrong one is harmless).
fn run_helper(file: &File, from: u64, size: u64, ahead: &Ahead) {
    let mut buf = vec![0u8; CHUNK];
    let mut base = from;
    let mut len = match read_at(file, &mut buf, base) {
        Some(n) => n,
        None => return,
    };
    let start = match memchr::memchr(b'\n', &buf[..len]) {
        Some(nl) => nl + 1,
        None => match memchr::memmem::find(&buf[..len], b"},{") {
            Some(i) => i + 2,
            None => return,
        },
    };
    let mut skim = Skim::free(base + start as u64);
    loop {
        let eof = base + len as u64 >= size;
        let stop = skim.run(&buf[..len], base, eof, DEPTH);
        skim.release_outer(SPAN);
        let (entries, upto) = skim.take_final();
        if stop != Stop::More {
            // After an error, what follows the last final entry was not checked.
            let upto = if stop == Stop::Invalid {
                upto
            } else {
                u64::MAX
            };
            ahead.publish(entries, upto, true);
            return;
        }
        if !ahead.publish(entries, upto, false) {
            return;
        }
        let keep = skim.needs_from();
        let shift = (keep - base) as usize;
        buf.copy_within(shift..len, 0);
        len -= shift;
        base = keep;
        if len == buf.len() {
            // One scalar longer than the buffer: not worth following.
            return;
        }
        match read_at(file, &mut buf[len..], base + len as u64) {
            Some(0) | None => return,
            Some(n) => len += n,
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
