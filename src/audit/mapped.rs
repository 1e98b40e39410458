//! A large file mapped into memory, so the scanner and its helper ([`super::ahead`]) read
//! it in place instead of each copying it through `read`.
//!
//! Two costs of mapping are handled here. Resident memory: mapped pages count as resident
//! once touched, so each reader drops the pages behind it ([`Mapped::release`]); a dropped
//! page that is read again is mapped again from the page cache, so dropping never changes
//! what is read. Truncation: a page past the end of a file truncated while mapped raises
//! SIGBUS, which would kill the process without a word, so a handler reports it and exits
//! with the error code (2).

use std::fs::File;

/// Releases happen in steps of this many bytes.
pub const RELEASE_STEP: u64 = 4 * 1024 * 1024;

/// A read-only shared mapping of a whole file.
pub struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

// SAFETY: the mapping is read-only and never remapped while shared; `release` only tells
// the kernel it may drop pages, which are mapped again on the next read.
unsafe impl Send for Mapped {}
// SAFETY: as above.
unsafe impl Sync for Mapped {}

impl Mapped {
    /// Maps `len` bytes of `file` (its size when opened), or `None` if it cannot be
    /// mapped (the caller then reads it).
    pub fn new(file: &File, len: u64) -> Option<Mapped> {
        use std::os::unix::io::AsRawFd;
        let len = usize::try_from(len).ok().filter(|&n| n > 0)?;
        on_sigbus_exit();
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
        (ptr != libc::MAP_FAILED).then_some(Mapped { ptr, len })
    }

    /// The file's bytes. Another process may change them while we read (as with `read`);
    /// if it shrinks the file, the SIGBUS handler ends the process.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
    }

    /// Drops the whole pages in `from..to` from this process's memory (they are read again
    /// from the page cache if needed).
    pub fn release(&self, from: u64, to: u64) {
        const PAGE: u64 = 4096;
        let start = from.div_ceil(PAGE) * PAGE;
        let end = to.min(self.len as u64) / PAGE * PAGE;
        if end > start {
            // SAFETY: the range lies inside the mapping; MADV_DONTNEED on a shared file
            // mapping only unmaps pages, their contents stay in the file.
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
        // SAFETY: unmaps exactly what `new` mapped; no slice of it outlives `self`.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

/// Installs (once) a SIGBUS handler that says an input shrank and exits with 2.
fn on_sigbus_exit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    extern "C" fn handler(_: libc::c_int) {
        const MSG: &[u8] = b"gcoauth: an input file shrank while it was being audited; \
              audit it again when nothing writes to it\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(2);
        }
    }
    ONCE.call_once(|| {
        // SAFETY: a zeroed sigaction with a plain handler is valid; installing it for
        // SIGBUS affects only that signal, raised here only by reading a mapping.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
        }
    });
}
