//! A large file mapped into memory, so the scanner and its helper ([`super::ahead`]) read
//! it in place instead of each copying it through `read`.
//!
//! Two costs of mapping are handled here. Resident memory: mapped pages count as resident
//! once touched, so each reader drops the pages behind it ([`Mapped::release`]); a dropped
//! page that is read again is mapped again from the page cache, so dropping never changes
//! what is read. Truncation: reading a page past the end of a file that shrank while mapped
//! raises SIGBUS (Terraform's local backend rewrites a state in place). A handler replaces
//! the rest of that mapping with zero bytes, which no JSON document holds, and flags it
//! ([`Mapped::shrank`]), so the file is reported as an error and the run goes on; a SIGBUS
//! anywhere else goes to the handler that was there before.
//!
//! The mapping is shared with the file: another process writing to it while we read is
//! seen, as it would be (at other moments) through `read`.

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Releases happen in steps of this many bytes.
pub const RELEASE_STEP: u64 = 4 * 1024 * 1024;

/// Live mappings, for the SIGBUS handler: a fixed table, since a signal handler may not
/// allocate or lock. A file that finds no free slot is read instead.
struct Slot {
    /// Handed out (`start` is set only once the mapping exists).
    taken: AtomicBool,
    start: AtomicUsize,
    len: AtomicUsize,
    shrank: AtomicBool,
}

static TABLE: [Slot; 64] = [const {
    Slot {
        taken: AtomicBool::new(false),
        start: AtomicUsize::new(0),
        len: AtomicUsize::new(0),
        shrank: AtomicBool::new(false),
    }
}; 64];

/// A read-only shared mapping of a whole file.
pub struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
    slot: usize,
}

// SAFETY: the mapping is read-only for us; `release` only lets the kernel drop pages, which
// are mapped again on the next read, and the SIGBUS handler only swaps pages for zeros.
unsafe impl Send for Mapped {}
// SAFETY: as above.
unsafe impl Sync for Mapped {}

impl Mapped {
    /// Maps `len` bytes of `file` (its size when opened), or `None` if it cannot be
    /// mapped (the caller then reads it).
    pub fn new(file: &File, len: u64) -> Option<Mapped> {
        use std::os::unix::io::AsRawFd;
        let len = usize::try_from(len).ok().filter(|&n| n > 0)?;
        install_handler();
        let slot = TABLE.iter().position(|s| {
            s.taken
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })?;
        let s = &TABLE[slot];
        // SAFETY: a fresh read-only shared mapping of an open file descriptor; the result
        // is checked before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            s.taken.store(false, Ordering::Release);
            return None;
        }
        s.shrank.store(false, Ordering::Relaxed);
        s.len.store(len, Ordering::Relaxed);
        s.start.store(ptr as usize, Ordering::Release);
        Some(Mapped { ptr, len, slot })
    }

    /// The file's bytes (zeros from where it shrank, if it did).
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes for as long as `self` lives (the SIGBUS
        // handler may replace some with zero pages, still readable). Other processes may
        // write the file meanwhile; we read bytes, never trust them.
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
    }

    /// Whether the file shrank while mapped (what follows the cut read as zeros).
    pub fn shrank(&self) -> bool {
        TABLE[self.slot].shrank.load(Ordering::Acquire)
    }

    /// Drops the whole pages in `from..to` from this process's memory (they are read again
    /// from the page cache if needed).
    pub fn release(&self, from: u64, to: u64) {
        let page = page_size() as u64;
        let start = from.div_ceil(page) * page;
        let end = to.min(self.len as u64) / page * page;
        if end > start {
            // SAFETY: the range lies inside the mapping and is page-aligned; MADV_DONTNEED
            // on a shared file mapping only unmaps pages, their contents stay in the file.
            unsafe {
                libc::madvise(
                    self.ptr.cast::<u8>().add(start as usize).cast(),
                    (end - start) as usize,
                    libc::MADV_DONTNEED,
                );
            }
        }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        let s = &TABLE[self.slot];
        s.start.store(0, Ordering::Release);
        s.len.store(0, Ordering::Release);
        // SAFETY: unmaps exactly what `new` mapped; no slice of it outlives `self`.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
        s.taken.store(false, Ordering::Release);
    }
}

/// The page size, read once; also by the SIGBUS handler, which is installed only after it
/// was read (a handler may not initialise a `OnceLock`).
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);

fn page_size() -> usize {
    match PAGE_SIZE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions.
            let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
                .ok()
                .filter(|p| p.is_power_of_two())
                .unwrap_or(4096);
            PAGE_SIZE.store(page, Ordering::Relaxed);
            page
        }
        page => page,
    }
}

/// The SIGBUS handler that was installed before ours.
static PREVIOUS: std::sync::OnceLock<libc::sigaction> = std::sync::OnceLock::new();

/// Installs (once) the SIGBUS handler described in the module doc.
fn install_handler() {
    extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo with SA_SIGINFO.
        let addr = unsafe { (*info).si_addr() } as usize;
        let page = PAGE_SIZE.load(Ordering::Relaxed);
        for s in &TABLE {
            let start = s.start.load(Ordering::Acquire);
            let len = s.len.load(Ordering::Acquire);
            if start != 0 && (start..start + len).contains(&addr) {
                let from = addr & !(page - 1);
                // SAFETY: replaces the rest of our own mapping with private zero pages at
                // the same addresses (mmap is a plain system call); the faulting read then
                // runs again and reads a zero.
                let ok = unsafe {
                    libc::mmap(
                        from as *mut libc::c_void,
                        start + len - from,
                        libc::PROT_READ,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                        -1,
                        0,
                    )
                } != libc::MAP_FAILED;
                if ok {
                    s.shrank.store(true, Ordering::Release);
                    return;
                }
            }
        }
        // Not ours: the previous disposition handles the fault when it happens again.
        let previous: *const libc::sigaction = PREVIOUS.get().map_or(std::ptr::null(), |p| p);
        // SAFETY: restores a disposition read from sigaction; with none, the default.
        unsafe {
            if previous.is_null() {
                libc::signal(sig, libc::SIG_DFL);
            } else {
                libc::sigaction(sig, previous, std::ptr::null_mut());
            }
        }
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        page_size();
        // SAFETY: a zeroed sigaction with a SA_SIGINFO handler is valid; the previous one
        // is kept for faults outside our mappings.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler
                as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
                as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut sa.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, &sa, &mut old) == 0 {
                let _ = PREVIOUS.set(old);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_that_shrinks_while_mapped_reads_as_zeros_and_is_flagged() {
        let mut f = tempfile::tempfile().unwrap();
        let len = 4 * page_size() + 100;
        f.write_all(&vec![b'x'; len]).unwrap();
        let m = Mapped::new(&f, len as u64).unwrap();
        assert_eq!(m.bytes()[len - 1], b'x');
        m.release(0, len as u64);
        assert!(!m.shrank());
        f.set_len(page_size() as u64).unwrap();
        let bytes = m.bytes();
        // Still mapped from the file before the cut; zeros (and the flag) after it.
        assert_eq!(bytes[page_size() - 1], b'x');
        assert_eq!(bytes[len - 1], 0);
        assert_eq!(bytes[2 * page_size()], 0);
        assert!(m.shrank());
        drop(m);
        // The slot is free and clean again.
        let f2 = tempfile::tempfile().unwrap();
        f2.set_len(10).unwrap();
        let m2 = Mapped::new(&f2, 10).unwrap();
        assert!(!m2.shrank());
    }
}
