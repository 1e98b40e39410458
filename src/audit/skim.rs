//! Skimming: checks a JSON container that the scanner does not need token by token, at
//! SIMD speed, and says whether anything a rule could care about occurs in it.
//!
//! The input goes through in 64-byte blocks. One pass classifies the bytes into bitmasks
//! (quotes, backslashes, structural characters, whitespace, a few letters); string
//! interiors are masked out with a prefix XOR of the unescaped quotes, as simdjson does;
//! a small automaton then checks the grammar on what is left: brackets, `:`, `,`, string
//! starts and scalar starts (scalars are checked as the tokenizer checks them). Most blocks
//! of a Terraform state hold a handful of such events, so the cost per byte is small.
//!
//! "Needles" are what makes a container worth reading token by token: `rm_d` (a
//! `terraform_data` resource, whose sensitive values are leaks), `\u` (an escape could
//! spell anything), and `cret` or `oken` in any case (every key and value rule needs
//! "secret" or "token" in the decoded text) where a rule could fire on it ([`word_counts`]):
//! in a key whose value is a non-empty string or a container, or in text shaped like an
//! assignment to such a key. So `"client_secret": null`, `"generate_secret": false` or an
//! ARN's `:secret:` do not make a resource worth reading. They are matched
//! conservatively: a false hit only costs speed, a miss would cost a finding.

/// Bitmasks of one 64-byte block: bit `i` describes byte `i`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Masks {
    pub quote: u64,
    pub backslash: u64,
    /// `{ } [ ] : ,`
    pub structural: u64,
    /// Space, tab, CR, LF.
    pub ws: u64,
    pub newline: u64,
    /// Where a needle ends (`rm_d`, `\u`), also one begun in the previous block.
    pub needle: u64,
    /// Where `cret` or `oken` ends, a needle if its shape says so ([`word_counts`]).
    pub word: u64,
    /// Where `nsit` (sensitive) or `cken` (backend) ends, a needle in a key of a document
    /// inside a string ([`doc_word_counts`]).
    pub doc: u64,
}

/// The last three bits of the needle letters' masks of the previous block, 3 bits per
/// mask in the order `c r e o k m _ \\ n s i`, so needles split across blocks are found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Carry(u64);

/// Bits where a needle ends, from the masks of the letters `c r e t o k n m` (any case),
/// `_ d u`, `s i` (any case) and the backslash: (`rm_d` or `\u`, `cret` or `oken`, `nsit`
/// or `cken`).
#[inline(always)]
fn needle_ends(letters: [u64; 13], backslash: u64, prev: &mut Carry) -> (u64, u64, u64) {
    let [c, r, e, t, o, k, n, mm, us, d, u, ss, i] = letters;
    let p = prev.0;
    // `x` shifted left by `by`, with the previous block's top bits of mask `slot`.
    let sh = |x: u64, slot: u32, by: u32| (x << by) | (((p >> (3 * slot)) & 7) >> (3 - by));
    let e1 = sh(e, 2, 1);
    let ke = n & e1 & sh(k, 4, 2);
    let words = (t & e1 & sh(r, 1, 2) & sh(c, 0, 3)) | (ke & sh(o, 3, 3));
    let docs = (t & sh(i, 10, 1) & sh(ss, 9, 2) & sh(n, 8, 3)) | (ke & sh(c, 0, 3));
    let others = (d & sh(us, 6, 1) & sh(mm, 5, 2) & sh(r, 1, 3)) | (u & sh(backslash, 7, 1));
    let top = |x: u64, slot: u32| (x >> 61) << (3 * slot);
    prev.0 = top(c, 0)
        | top(r, 1)
        | top(e, 2)
        | top(o, 3)
        | top(k, 4)
        | top(mm, 5)
        | top(us, 6)
        | top(backslash, 7)
        | top(n, 8)
        | top(ss, 9)
        | top(i, 10);
    (others, words, docs)
}

/// Classifies a block byte by byte (the reference and the fallback without AVX2).
pub fn classify_scalar(b: &[u8; 64], prev: &mut Carry) -> Masks {
    let mut m = Masks::default();
    let mut letters = [0u64; 13];
    for (i, &x) in b.iter().enumerate() {
        let bit = 1u64 << i;
        match x {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'}' | b'[' | b']' | b':' | b',' => m.structural |= bit,
            b' ' | b'\t' | b'\r' => m.ws |= bit,
            b'\n' => {
                m.ws |= bit;
                m.newline |= bit;
            }
            _ => {}
        }
        for (j, want) in b"cretoknm".iter().enumerate() {
            if x | 0x20 == *want {
                letters[j] |= bit;
            }
        }
        for (j, want) in b"_du".iter().enumerate() {
            if x == *want {
                letters[8 + j] |= bit;
            }
        }
        for (j, want) in b"si".iter().enumerate() {
            if x | 0x20 == *want {
                letters[11 + j] |= bit;
            }
        }
    }
    (m.needle, m.word, m.doc) = needle_ends(letters, m.backslash, prev);
    m
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{needle_ends, Carry, Masks};
    use std::arch::x86_64::*;

    /// [`super::classify_scalar`] with AVX2.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn classify(b: &[u8; 64], prev: &mut Carry) -> Masks {
        // SAFETY: `b` is 64 readable bytes; unaligned loads of 32 bytes at 0 and 32.
        let (lo, hi) = unsafe {
            (
                _mm256_loadu_si256(b.as_ptr().cast()),
                _mm256_loadu_si256(b.as_ptr().add(32).cast()),
            )
        };
        let mask = |v: __m256i| -> u32 { _mm256_movemask_epi8(v) as u32 };
        let both = |f: &dyn Fn(__m256i) -> __m256i| -> u64 {
            (mask(f(lo)) as u64) | ((mask(f(hi)) as u64) << 32)
        };
        let eq = |v: __m256i, c: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8));
        let case = _mm256_set1_epi8(0x20);
        let low = |v: __m256i| _mm256_or_si256(v, case);
        let quote = both(&|v| eq(v, b'"'));
        let backslash = both(&|v| eq(v, b'\\'));
        // `[`/`]` are `{`/`}` without the 0x20 bit.
        let structural = both(&|v| {
            let l = low(v);
            _mm256_or_si256(
                _mm256_or_si256(eq(l, b'{'), eq(l, b'}')),
                _mm256_or_si256(eq(v, b':'), eq(v, b',')),
            )
        });
        let newline = both(&|v| eq(v, b'\n'));
        let ws = both(&|v| {
            _mm256_or_si256(
                _mm256_or_si256(eq(v, b' '), eq(v, b'\n')),
                _mm256_or_si256(eq(v, b'\t'), eq(v, b'\r')),
            )
        });
        let letter = |c: u8| both(&|v| eq(low(v), c));
        let letters = [
            letter(b'c'),
            letter(b'r'),
            letter(b'e'),
            letter(b't'),
            letter(b'o'),
            letter(b'k'),
            letter(b'n'),
            letter(b'm'),
            both(&|v| eq(v, b'_')),
            both(&|v| eq(v, b'd')),
            both(&|v| eq(v, b'u')),
            letter(b's'),
            letter(b'i'),
        ];
        let (needle, word, doc) = needle_ends(letters, backslash, prev);
        Masks {
            quote,
            backslash,
            structural,
            ws,
            newline,
            needle,
            word,
            doc,
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{needle_ends, Carry, Masks};
    use std::arch::x86_64::*;

    /// [`super::classify_scalar`] with AVX-512BW: one compare per class gives the mask.
    ///
    /// # Safety
    /// The CPU must support AVX-512F and AVX-512BW.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub unsafe fn classify(b: &[u8; 64], prev: &mut Carry) -> Masks {
        // SAFETY: `b` is 64 readable bytes; an unaligned 64-byte load.
        let v = unsafe { _mm512_loadu_si512(b.as_ptr().cast()) };
        let low = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
        let eq = |x: __m512i, c: u8| _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(c as i8));
        let newline = eq(v, b'\n');
        let backslash = eq(v, b'\\');
        let letters = [
            eq(low, b'c'),
            eq(low, b'r'),
            eq(low, b'e'),
            eq(low, b't'),
            eq(low, b'o'),
            eq(low, b'k'),
            eq(low, b'n'),
            eq(low, b'm'),
            eq(v, b'_'),
            eq(v, b'd'),
            eq(v, b'u'),
            eq(low, b's'),
            eq(low, b'i'),
        ];
        let (needle, word, doc) = needle_ends(letters, backslash, prev);
        Masks {
            quote: eq(v, b'"'),
            backslash,
            // `[`/`]` are `{`/`}` without the 0x20 bit.
            structural: eq(low, b'{') | eq(low, b'}') | eq(v, b':') | eq(v, b','),
            ws: eq(v, b' ') | newline | eq(v, b'\t') | eq(v, b'\r'),
            newline,
            needle,
            word,
            doc,
        }
    }
}

/// Which block classifier this CPU gets (detected once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Simd {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

fn simd() -> Simd {
    static LEVEL: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512f")
            {
                return Simd::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::Scalar
    })
}

/// Classifies a block with the fastest implementation this CPU has; `prev` carries needle
/// letters from the previous block.
#[inline]
pub fn classify(b: &[u8; 64], prev: &mut Carry) -> Masks {
    classify_with(simd(), b, prev)
}

#[inline]
fn classify_with(level: Simd, b: &[u8; 64], prev: &mut Carry) -> Masks {
    match level {
        // SAFETY: `simd()` detected AVX-512F and AVX-512BW.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx512 => unsafe { avx512::classify(b, prev) },
        // SAFETY: `simd()` detected AVX2.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 => unsafe { avx2::classify(b, prev) },
        Simd::Scalar => classify_scalar(b, prev),
    }
}

/// Bit `i` set iff an odd number of `x`'s bits at or below `i` are set.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

// Grammar states (the tokenizer's, split by container type so a closer needs no stack
// lookup) and the byte classes the automaton sees.
const OBJ_FIRST: u8 = 0;
const OBJ_KEY: u8 = 1;
const OBJ_COLON: u8 = 2;
const OBJ_VALUE: u8 = 3;
const OBJ_AFTER: u8 = 4;
const ARR_FIRST: u8 = 5;
const ARR_VALUE: u8 = 6;
const ARR_AFTER: u8 = 7;
/// Between containers in a free skim ([`Skim::free`]): only an opening bracket counts.
const FREE: u8 = 8;
/// Actions beyond "go to state n".
const ERR: u8 = 9;
const OPEN: u8 = 10;
const CLOSE: u8 = 11;
/// Return state of the skimmed container itself: closing it ends the skim.
const DONE: u8 = 12;

/// Byte class: `{ [ } ] : , "` and anything else (a scalar's first byte).
const CLASS: [u8; 256] = {
    let mut t = [7u8; 256];
    t[b'{' as usize] = 0;
    t[b'[' as usize] = 1;
    t[b'}' as usize] = 2;
    t[b']' as usize] = 3;
    t[b':' as usize] = 4;
    t[b',' as usize] = 5;
    t[b'"' as usize] = 6;
    t
};

/// `NEXT[state][class]`: the next state or an action.
const NEXT: [[u8; 8]; 9] = {
    //  {      [      }      ]      :          ,          "          scalar
    [
        [ERR, ERR, CLOSE, ERR, ERR, ERR, OBJ_COLON, ERR], // OBJ_FIRST
        [ERR, ERR, ERR, ERR, ERR, ERR, OBJ_COLON, ERR],   // OBJ_KEY
        [ERR, ERR, ERR, ERR, OBJ_VALUE, ERR, ERR, ERR],   // OBJ_COLON
        [OPEN, OPEN, ERR, ERR, ERR, ERR, OBJ_AFTER, OBJ_AFTER], // OBJ_VALUE
        [ERR, ERR, CLOSE, ERR, ERR, OBJ_KEY, ERR, ERR],   // OBJ_AFTER
        [OPEN, OPEN, ERR, CLOSE, ERR, ERR, ARR_AFTER, ARR_AFTER], // ARR_FIRST
        [OPEN, OPEN, ERR, ERR, ERR, ERR, ARR_AFTER, ARR_AFTER], // ARR_VALUE
        [ERR, ERR, ERR, CLOSE, ERR, ARR_VALUE, ERR, ERR], // ARR_AFTER
        [OPEN, OPEN, FREE, FREE, FREE, FREE, FREE, FREE], // FREE
    ]
};

/// `NEXT` by class, packed 4 bits per state: the lookup depends only on the byte, so the
/// state chain from event to event is a shift and a mask, not a memory load.
const PACKED: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut class = 0;
    while class < 8 {
        let mut state = 0;
        while state < 9 {
            t[class] |= (NEXT[state][class] as u64) << (4 * state);
            state += 1;
        }
        class += 1;
    }
    t
};

/// Why a skim stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The container closed; `end` is the absolute offset just past its closing bracket,
    /// `needle` says whether a needle occurs in it.
    Closed { end: u64, needle: bool },
    /// Not valid JSON, or nested too deep (the tokenizer will say where and why).
    Invalid,
    /// More input is needed to go on.
    More,
}

/// A container inside a skimmed one that is valid and free of needles, so the tokenizer
/// may jump over it when it gets there (the skimmed container itself held a needle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Absolute offset just past the opening bracket.
    pub start: u64,
    /// Absolute offset just past the closing bracket.
    pub end: u64,
    /// Newlines outside strings in between.
    pub lines: u64,
    /// Absolute offset just past the last of them (meaningful if `lines > 0`).
    pub line_start: u64,
    /// How many sibling containers, one after another in the same array, this covers (a
    /// free skim chains them when only a comma lies between them); `end` is the last one's.
    pub count: u32,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    /// State of the parent after this container closes.
    ret: u8,
    start: u64,
    lines: u64,
    /// A top-level container of a free skim that follows the previous one with only a
    /// comma between them (and the same bracket).
    chained: bool,
}

/// The state of one skim over one container, kept across buffer refills.
#[derive(Debug, Default)]
pub struct Skim {
    /// Absolute offset of the next block.
    next: u64,
    /// The previous block ended with an unescaped backslash.
    escape_carry: bool,
    /// All ones if the previous block ended inside a string.
    string_carry: u64,
    /// 1 if the previous block ended inside a scalar.
    scalar_carry: u64,
    /// Absolute start of a scalar that runs past the current block.
    pending_scalar: Option<u64>,
    state: u8,
    /// Open containers; the first is the container being skimmed.
    stack: Vec<Open>,
    needles: bool,
    carry: Carry,
    /// Absolute offset of the last byte of the last needle seen.
    needle_end: Option<u64>,
    /// Newlines outside strings seen in the container.
    pub lines: u64,
    /// Absolute offset just past the last of them.
    pub line_start: Option<u64>,
    /// Needle-free inner containers, in order, none inside another (only with needles).
    pub entries: Vec<Entry>,
    /// In a free skim: the end, bracket and running line count of the last top-level
    /// container, if it was needle-free.
    last_top: Option<(u64, u8, u64)>,
}

impl Skim {
    /// A skim of the container whose opening bracket ends just before `start`. With
    /// `needles`, needles are looked for and inner containers free of them are listed in
    /// `entries`.
    pub fn new(start: u64, is_obj: bool, needles: bool) -> Self {
        let mut s = Skim::default();
        s.reset(start, is_obj, needles);
        s
    }

    /// Makes this a fresh skim (as [`Skim::new`]), keeping allocations.
    pub fn reset(&mut self, start: u64, is_obj: bool, needles: bool) {
        self.next = start;
        self.escape_carry = false;
        self.string_carry = 0;
        self.scalar_carry = 0;
        self.pending_scalar = None;
        self.state = if is_obj { OBJ_FIRST } else { ARR_FIRST };
        self.stack.clear();
        self.stack.push(Open {
            ret: DONE,
            start,
            lines: 0,
            chained: false,
        });
        self.last_top = None;
        self.needles = needles;
        self.carry = Carry::default();
        self.needle_end = None;
        self.lines = 0;
        self.line_start = None;
        self.entries.clear();
    }

    /// A free skim from `start`, which must be outside any string: nothing is checked
    /// between containers, each container found is checked on its own, and the needle-free
    /// ones (the largest, none inside another) are listed in `entries`. It ends with
    /// `Closed` at the end of the input, or `Invalid`.
    pub fn free(start: u64) -> Self {
        let mut s = Skim::new(start, true, true);
        s.stack.clear();
        s.state = FREE;
        s
    }

    /// Entries that no container still open can swallow (removed from `entries`), and the
    /// offset below which every entry has now been taken.
    pub fn take_final(&mut self) -> (Vec<Entry>, u64) {
        let (n, upto) = match self.stack.first() {
            None => (self.entries.len(), self.next),
            Some(open) => (
                self.entries.partition_point(|e| e.start < open.start),
                open.start,
            ),
        };
        (self.entries.drain(..n).collect(), upto)
    }

    /// In a free skim, stops treating open containers that started more than `span` bytes
    /// ago as candidates (their entries would come too late to help): their children
    /// become the candidates.
    pub fn release_outer(&mut self, span: u64) {
        let mut n = 0;
        while self
            .stack
            .get(n)
            .is_some_and(|o| self.next.saturating_sub(o.start) > span)
        {
            n += 1;
        }
        if n == 0 {
            return;
        }
        self.stack.drain(..n);
        match self.stack.first_mut() {
            Some(o) => o.ret = FREE,
            None => self.state = FREE,
        }
    }

    /// Absolute offset from which `run` still needs the bytes.
    pub fn needs_from(&self) -> u64 {
        self.pending_scalar.unwrap_or(self.next).min(self.next)
    }

    /// Goes on through `buf` (whose first byte is at absolute offset `base`). `eof` says no
    /// more input follows `buf`; `depth_left` bounds the nesting.
    pub fn run(&mut self, buf: &[u8], base: u64, eof: bool, depth_left: usize) -> Stop {
        loop {
            let at = (self.next - base) as usize;
            let avail = buf.len().saturating_sub(at);
            let mut tail = [b' '; 64];
            let block: &[u8; 64] = if avail >= 64 {
                buf[at..at + 64].try_into().expect("64 bytes")
            } else if eof {
                tail[..avail].copy_from_slice(&buf[at..]);
                &tail
            } else {
                return Stop::More;
            };
            let m = classify(block, &mut self.carry);
            let needle = match self.needles {
                true if m.word | m.doc != 0 => m.needle | counted_words(m.word, m.doc, buf, at),
                true => m.needle,
                false => 0,
            };
            let escaped = self.escaped(m.backslash);
            let quotes = m.quote & !escaped;
            let in_string = prefix_xor(quotes) ^ self.string_carry;
            self.string_carry = 0u64.wrapping_sub(in_string >> 63);
            let outside = !in_string & !quotes;
            let structural = m.structural & outside;
            let scalar = outside & !m.ws & !structural;
            let scalar_start = scalar & !((scalar << 1) | self.scalar_carry);
            self.scalar_carry = scalar >> 63;
            if let Some(s) = self.pending_scalar {
                let end = (!scalar).trailing_zeros() as u64;
                if end < 64 {
                    self.pending_scalar = None;
                    if !valid_scalar(&buf[(s - base) as usize..at + end as usize]) {
                        return Stop::Invalid;
                    }
                }
            }
            let mut sc = scalar_start;
            while sc != 0 {
                let i = sc.trailing_zeros();
                sc &= sc - 1;
                let run_end = !scalar & (u64::MAX << i);
                if run_end == 0 {
                    self.pending_scalar = Some(self.next + i as u64);
                } else {
                    let e = at + run_end.trailing_zeros() as usize;
                    if !valid_scalar(&buf[at + i as usize..e.min(buf.len())]) {
                        return Stop::Invalid;
                    }
                }
            }
            let mut events = structural | (quotes & in_string) | scalar_start;
            let newlines = m.newline & outside;
            let mut state = self.state;
            while events != 0 {
                let i = events.trailing_zeros();
                events &= events - 1;
                let c = block[i as usize];
                let class = CLASS[c as usize];
                let next = ((PACKED[class as usize] >> (4 * state)) & 0xF) as u8;
                if next < ERR {
                    state = next;
                    continue;
                }
                let below = (1u64 << i) - 1;
                match next {
                    OPEN => {
                        if self.stack.len() >= depth_left {
                            return Stop::Invalid;
                        }
                        let ret = match state {
                            FREE => FREE,
                            s if s < ARR_FIRST => OBJ_AFTER,
                            _ => ARR_AFTER,
                        };
                        let start = self.next + i as u64 + 1;
                        let chained = state == FREE && self.follows_last_top(buf, base, start, c);
                        self.stack.push(Open {
                            ret,
                            start,
                            lines: self.lines + (newlines & below).count_ones() as u64,
                            chained,
                        });
                        state = if class == 0 { OBJ_FIRST } else { ARR_FIRST };
                    }
                    CLOSE => {
                        let Some(open) = self.stack.pop() else {
                            return Stop::Invalid;
                        };
                        let end = self.next + i as u64 + 1;
                        if open.ret == DONE {
                            let needle = needle & below != 0 || self.needle_end.is_some();
                            self.state = OBJ_AFTER;
                            self.count_lines(newlines & below);
                            return Stop::Closed { end, needle };
                        }
                        state = open.ret;
                        if self.needles {
                            let kept = self.record(open, end, needle & below, newlines & below);
                            if open.ret == FREE {
                                self.chain_top(open, kept, buf[at + i as usize]);
                            }
                        }
                    }
                    _ => return Stop::Invalid,
                }
            }
            self.state = state;
            if needle != 0 {
                self.needle_end = Some(self.next + 63 - needle.leading_zeros() as u64);
            }
            self.count_lines(newlines);
            if avail < 64 {
                if self.state == FREE {
                    return Stop::Closed {
                        end: self.next + avail as u64,
                        needle: false,
                    };
                }
                // The input ended inside the container.
                return Stop::Invalid;
            }
            self.next += 64;
        }
    }

    /// Lists an inner container that just closed at `end` if no needle ended inside it;
    /// `needle` and `newlines` are the current block's bits before the closing bracket.
    fn record(&mut self, open: Open, end: u64, needle: u64, newlines: u64) -> bool {
        let last_needle = match needle {
            0 => self.needle_end,
            n => Some(self.next + 63 - n.leading_zeros() as u64),
        };
        if last_needle.is_some_and(|p| p >= open.start) {
            return false;
        }
        while self.entries.last().is_some_and(|e| e.start > open.start) {
            self.entries.pop();
        }
        let lines = self.lines + newlines.count_ones() as u64;
        let line_start = match newlines {
            0 => self.line_start.unwrap_or(0),
            n => self.next + 64 - n.leading_zeros() as u64,
        };
        self.entries.push(Entry {
            start: open.start,
            end,
            lines: lines - open.lines,
            line_start,
            count: 1,
        });
        true
    }

    /// Whether a top-level container opening with `bracket` just before `start` follows
    /// the last needle-free one with only whitespace and one comma between (the bytes are
    /// still in `buf`, or it does not count).
    fn follows_last_top(&self, buf: &[u8], base: u64, start: u64, bracket: u8) -> bool {
        let Some((end, close, _)) = self.last_top else {
            return false;
        };
        if end < base || close != bracket + 2 {
            return false;
        }
        let gap = &buf[(end - base) as usize..(start - 1 - base) as usize];
        gap.iter().filter(|&&b| b == b',').count() == 1
            && gap
                .iter()
                .all(|b| matches!(b, b',' | b' ' | b'\n' | b'\t' | b'\r'))
    }

    /// After a top-level container of a free skim closed (`kept`: it was listed, last):
    /// merges it into the previous entry when they are chained siblings.
    fn chain_top(&mut self, open: Open, kept: bool, close: u8) {
        if !kept {
            self.last_top = None;
            return;
        }
        let Some(new) = self.entries.last().copied() else {
            return;
        };
        let lines_now = open.lines + new.lines;
        if let (true, Some((prev_end, _, prev_lines))) = (open.chained, self.last_top) {
            let n = self.entries.len();
            if n >= 2 && self.entries[n - 2].end == prev_end {
                self.entries.pop();
                let prev = &mut self.entries[n - 2];
                prev.end = new.end;
                prev.count += 1;
                if lines_now > prev_lines {
                    prev.line_start = new.line_start;
                }
                prev.lines += lines_now - prev_lines;
            }
        }
        self.last_top = Some((new.end, close, lines_now));
    }

    fn count_lines(&mut self, newlines: u64) {
        if newlines != 0 {
            self.lines += newlines.count_ones() as u64;
            self.line_start = Some(self.next + 64 - newlines.leading_zeros() as u64);
        }
    }

    /// Bytes escaped by a backslash (the byte after each unescaped backslash).
    #[inline]
    fn escaped(&mut self, backslash: u64) -> u64 {
        let mut escaped = 0;
        let mut bs = backslash;
        if self.escape_carry {
            escaped = 1;
            bs &= !1;
        }
        self.escape_carry = false;
        while bs != 0 {
            let i = bs.trailing_zeros();
            if i == 63 {
                self.escape_carry = true;
                break;
            }
            escaped |= 1 << (i + 1);
            bs &= !(3 << i);
        }
        escaped
    }
}

/// The bits of `words` (`cret`/`oken` ends) and `docs` (`nsit`/`cken` ends) in the block
/// at `buf[at..]` that count as needles.
#[cold]
fn counted_words(words: u64, docs: u64, buf: &[u8], at: usize) -> u64 {
    let kept = |mut bits: u64, counts: fn(&[u8], usize, bool) -> bool| {
        let mut kept = 0;
        while bits != 0 {
            let i = bits.trailing_zeros();
            bits &= bits - 1;
            if counts(buf, at + i as usize, false) {
                kept |= 1 << i;
            }
        }
        kept
    };
    kept(words, word_counts) | kept(docs, doc_word_counts)
}

/// Whether the `nsit`/`cken` ending at `b[p]` starts a key of a Terraform document inside a
/// string (`\"sensitive`, `\"after_sensitive`, `\"backend`): such a document is decoded
/// and gets every rule, and the document rules (sensitive outputs and variables,
/// `terraform_data`, backend credentials) need no secret word. A word right after an
/// unescaped quote is a key of the document itself (`"sensitive_attributes"`), which the
/// scanner reads where it matters. `whole` as for [`word_counts`].
pub fn doc_word_counts(b: &[u8], p: usize, whole: bool) -> bool {
    let Some(mut i) = p.checked_sub(3) else {
        return !whole;
    };
    loop {
        if p - i > SHAPE {
            return true;
        }
        match i.checked_sub(1).map(|j| b[j]) {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => i -= 1,
            Some(b'"') if i >= 2 => return b[i - 2] == b'\\',
            Some(b'"') | None => return !whole,
            Some(_) => return false,
        }
    }
}

/// How far around a `cret`/`oken` its shape is looked at; what reaches further counts.
const SHAPE: usize = 64;

/// Whether the `cret`/`oken` ending at `b[p]` could let a rule fire, judged on the raw
/// JSON bytes around it. The key rules need a key that ends (but for other characters
/// than letters, digits and `.`) with "secret" or "token" and holds a string or container;
/// an empty string or a scalar holds nothing to report. Text inside a string is reported
/// only as `KEY=VALUE`/`key: value` lines ([`super::assign`]), whose key starts a line or
/// follows a quote or blank, or as JSON, whose keys are quoted: either way a `=` or `:`
/// follows the word, after nothing but such other characters.
///
/// With `whole`, `b` is the raw content of one string (its ends are the string's);
/// otherwise `b` is any stretch of a document, and where it ends the word counts.
pub fn word_counts(b: &[u8], p: usize, whole: bool) -> bool {
    let mut i = p + 1;
    let mut quoted = false;
    while i <= p + SHAPE {
        let Some(&c) = b.get(i) else {
            return !whole;
        };
        match c {
            // An escape, at any depth of encoding (`\"`, or `\\t` in JSON inside a
            // string): the escaped byte is no letter of the key (`\u` is a needle itself).
            b'\\' => {
                while b.get(i) == Some(&b'\\') {
                    i += 1;
                }
                quoted |= b.get(i) == Some(&b'"');
                i += 1;
            }
            // The end of the string: a key if a `:` follows.
            b'"' if !whole => return key_value_counts(b, i + 1),
            b'"' | b'\'' => {
                quoted = true;
                i += 1;
            }
            b'=' | b':' => return quoted || key_starts(b, p),
            b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'.' => return false,
            _ => i += 1,
        }
    }
    true
}

/// After the closing quote (at `b[j - 1]`) of a string holding a needle word: whether it is
/// a key whose value could be reported (not a scalar, not `""`).
fn key_value_counts(b: &[u8], j: usize) -> bool {
    let Some(j) = skip_ws(b, j) else {
        return true;
    };
    if b[j] != b':' {
        return false;
    }
    let Some(j) = skip_ws(b, j + 1) else {
        return true;
    };
    match b[j] {
        b'n' | b't' | b'f' | b'-' | b'0'..=b'9' => false,
        b'"' => b.get(j + 1) != Some(&b'"'),
        _ => true,
    }
}

/// The first non-blank byte at or after `j`, if within [`SHAPE`] bytes and `b`.
fn skip_ws(b: &[u8], j: usize) -> Option<usize> {
    (j..b.len().min(j + SHAPE)).find(|&k| !matches!(b[k], b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether the key-like word around the needle ending at `b[p]` starts where an
/// assignment's key may: at the start, or after a quote, backslash (an escaped newline)
/// or blank.
fn key_starts(b: &[u8], p: usize) -> bool {
    let Some(mut i) = p.checked_sub(3) else {
        return true;
    };
    loop {
        if i == 0 || p - i > SHAPE {
            return true;
        }
        let c = b[i - 1];
        if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-') {
            i -= 1;
            continue;
        }
        return matches!(
            c,
            b'"' | b'\'' | b'\\' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x80..=0xff
        );
    }
}

/// Whether the raw content of a string value holds a needle word shaped so that a rule
/// could fire on the decoded text (or a `\u` escape, which could spell one).
pub fn value_has_needle(raw: &[u8]) -> bool {
    if memchr::memmem::find(raw, b"\\u").is_some() {
        return true;
    }
    // Keys of an embedded document (the document rules look for these exact keys).
    for word in [&b"nsit"[..], b"cken"] {
        if memchr::memmem::find_iter(raw, word).any(|i| doc_word_counts(raw, i + 3, true)) {
            return true;
        }
    }
    // `e` is the third letter of both words.
    memchr::memchr2_iter(b'e', b'E', raw).any(|e| {
        e >= 2
            && e + 1 < raw.len()
            && matches!(
                [raw[e - 2] | 0x20, raw[e - 1] | 0x20, raw[e + 1] | 0x20],
                [b'c', b'r', b't'] | [b'o', b'k', b'n']
            )
            && word_counts(raw, e + 1, true)
    })
}

/// A scalar as the tokenizer accepts it: `true`, `false`, `null`, or a number made of
/// `0-9 . e E + -` that starts with `-` or a digit and ends with a digit.
fn valid_scalar(s: &[u8]) -> bool {
    match s {
        b"true" | b"false" | b"null" => true,
        [first, .., last] => {
            (*first == b'-' || first.is_ascii_digit())
                && last.is_ascii_digit()
                && s.iter()
                    .all(|b| matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'))
        }
        [only] => only.is_ascii_digit(),
        [] => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Skims `doc` (which must start with `{` or `[`) through a buffer revealed `step` bytes
    /// at a time.
    fn skim_with(doc: &[u8], needles: bool, step: usize) -> (Stop, Skim) {
        let mut s = Skim::new(1, doc[0] == b'{', needles);
        let mut avail = step.min(doc.len());
        loop {
            let eof = avail == doc.len();
            match s.run(&doc[..avail], 0, eof, 512) {
                Stop::More => avail = (avail + step).min(doc.len()),
                other => return (other, s),
            }
        }
    }

    fn skim(doc: &[u8], needles: bool, step: usize) -> Stop {
        skim_with(doc, needles, step).0
    }

    fn closed(end: usize, needle: bool) -> Stop {
        Stop::Closed {
            end: end as u64,
            needle,
        }
    }

    #[test]
    fn closes_at_the_matching_bracket() {
        let doc = br#"{"a": [1, -2.5e3, true, null, {"b": "x\"}]"}], "c": {}} , "tail""#;
        for step in [1, 7, 64, 1000] {
            assert_eq!(skim(doc, true, step), closed(55, false), "step {step}");
        }
        let long = format!("[{}1]", "\"abc\", ".repeat(40));
        assert_eq!(skim(long.as_bytes(), true, 64), closed(long.len(), false));
    }

    #[test]
    fn counts_lines_outside_strings() {
        let doc = b"{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n\n";
        let mut s = Skim::new(1, true, true);
        assert_eq!(s.run(doc, 0, true, 512), closed(24, false));
        assert_eq!((s.lines, s.line_start), (3, Some(23)));
    }

    #[test]
    fn needles_are_found_across_blocks() {
        for doc in [
            &br#"{"client_secret": "x"}"#[..],
            br#"{"TOKEN": {}}"#,
            br#"{"a": ["x\u0073"]}"#,
            br#"{"type": "terraform_data"}"#,
        ] {
            assert_eq!(skim(doc, true, 64), closed(doc.len(), true));
            assert_eq!(skim(doc, false, 64), closed(doc.len(), false));
        }
        assert_eq!(
            skim(br#"{"a": ["Sec", "ReT"]}"#, true, 64),
            closed(21, false)
        );
        // Terraform's registry host is not `terraform_data`.
        let provider = br#"{"provider": "provider[\"registry.terraform.io/hashicorp/aws\"]"}"#;
        assert_eq!(skim(provider, true, 64), closed(provider.len(), false));
        // A needle after the container does not count.
        assert_eq!(skim(br#"{"a": 1} "secret""#, true, 64), closed(8, false));
        // Split across a block boundary at every offset.
        for pad in 0..70 {
            let doc = format!("{{\"{}sEcReT\": \"v\"}}", "x".repeat(pad));
            assert_eq!(
                skim(doc.as_bytes(), true, 5),
                closed(doc.len(), true),
                "{pad}"
            );
            let doc = format!("[\"{}secre\", \"t\"]", "x".repeat(pad));
            assert_eq!(
                skim(doc.as_bytes(), true, 5),
                closed(doc.len(), false),
                "{pad}"
            );
        }
    }

    #[test]
    fn a_word_is_a_needle_only_where_a_rule_could_fire() {
        let needle = |doc: &str| match skim(doc.as_bytes(), true, 64) {
            Stop::Closed { needle, .. } => needle,
            other => panic!("{doc}: {other:?}"),
        };
        // The analyzer's test on the raw content of the string under "a".
        let value = |doc: &str| {
            let start = doc.find(r#""a": ""#).unwrap() + 6;
            let end = doc.rfind('"').unwrap();
            value_has_needle(&doc.as_bytes()[start..end])
        };
        // Keys holding a string or a container; assignments and JSON in text.
        for doc in [
            r#"{"client_secret": "x"}"#,
            r#"{"Token":{"a":1}}"#,
            r#"{"secret" : ["x"]}"#,
            r#"{"client_secret!!": "x"}"#,
            r#"{"client_secret\/": "x"}"#,
            r#"{"a": "CLIENT_SECRET=abc"}"#,
            r#"{"a": "x\nclient_secret: abc"}"#,
            r#"{"a": "export client-secret = \"abc\""}"#,
            r#"{"a": "{\"x!client_secret\":\"abc\"}"}"#,
            r#"{"a": "{\"client_secret\\t\": \"abc\"}"}"#,
            r#"{"a": "\"{\\\"client_secret\\\": \\\"abc\\\"}\""}"#,
            // Keys of a Terraform document in a string: the document rules need no word.
            r#"{"a": "{\"outputs\":{\"o\":{\"value\":\"x\",\"sensitive\":true}}}"}"#,
            r#"{"a": "{\"backend\":{\"config\":{\"password\":\"x\"}}}"}"#,
            r#"{"a": "{\"after_sensitive\":{}}"}"#,
        ] {
            assert!(needle(doc), "{doc}");
            if doc.starts_with(r#"{"a": ""#) {
                assert!(value(doc), "{doc}");
            }
        }
        // Keys holding a scalar or nothing, words inside words, prose, ARNs, markers.
        for doc in [
            r#"{"client_secret": null}"#,
            r#"{"generate_secret": false}"#,
            r#"{"access_token_validity": 60}"#,
            r#"{"client_secret": ""}"#,
            r#"{"secret_arn": "x"}"#,
            r#"{"a": "arn:aws:secretsmanager:us-east-1:1:secret:db-AbC"}"#,
            r#"{"a": "{\"Action\":\"secretsmanager:GetSecretValue\"}"}"#,
            r#"{"a": "the client_secret is stored elsewhere"}"#,
            r#"{"a": ["ALLOW_REFRESH_TOKEN_AUTH"]}"#,
            r#"{"value": "client_secret"}"#,
            r#"{"sensitive_attributes": [], "sensitive": true, "backend": {}}"#,
            r#"{"a": "insensitive backend"}"#,
        ] {
            assert!(!needle(doc), "{doc}");
            if doc.starts_with(r#"{"a": ""#) {
                assert!(!value(doc), "{doc}");
            }
        }
    }

    #[test]
    fn lists_needle_free_inner_containers() {
        let doc =
            b"{\"a\": {\"b\": [1]},\n \"c\": {\"token\": \"t\", \"d\": [2]}, \"e\": [[3], []]}";
        let (stop, s) = skim_with(doc, true, 7);
        assert_eq!(stop, closed(doc.len(), true));
        // {"b": [1]} and [2] and [[3], []], not [1] (inside {"b"...}) nor {"token"...}.
        assert_eq!(s.entries.len(), 3);
        assert!(s.entries.iter().all(|e| e.lines == 0));
        let text = |e: &Entry| &doc[e.start as usize - 1..e.end as usize];
        assert_eq!(text(&s.entries[0]), b"{\"b\": [1]}");
        assert_eq!(text(&s.entries[1]), b"[2]");
        assert_eq!(text(&s.entries[2]), b"[[3], []]");
    }

    #[test]
    fn a_free_skim_chains_needle_free_siblings_into_runs() {
        // Starts inside an array, as a helper leg does.
        let doc = b"  {\"a\": 1},\n  {\"b\": [2]},\n  {\"secret\": \"c\"},\n  {\"d\": 4},\n  [5],\n  {\"e\": 5}\n]\n, \"k\": {\"f\": 6}, \"l\": {\"g\": 7}}";
        let mut s = Skim::free(0);
        assert_eq!(s.run(doc, 0, true, 64), closed(doc.len(), false));
        let text = |e: &Entry| {
            String::from_utf8_lossy(&doc[e.start as usize - 1..e.end as usize]).into_owned()
        };
        let got: Vec<(String, u32, u64)> = s
            .entries
            .iter()
            .map(|e| (text(e), e.count, e.lines))
            .collect();
        assert_eq!(
            got,
            vec![
                // Two objects with only ",\n  " between them: one run, one newline inside.
                ("{\"a\": 1},\n  {\"b\": [2]}".to_string(), 2, 1),
                // After the needle, `{"d"}` and `[5]` differ in bracket: no run.
                ("{\"d\": 4}".to_string(), 1, 0),
                ("[5]".to_string(), 1, 0),
                ("{\"e\": 5}".to_string(), 1, 0),
                // Object members are not a run: a key lies between.
                ("{\"f\": 6}".to_string(), 1, 0),
                ("{\"g\": 7}".to_string(), 1, 0),
            ]
        );
        let run = s.entries[0];
        assert_eq!(run.line_start, 12, "just past the newline between the two");
    }

    #[test]
    fn rejects_what_the_tokenizer_rejects() {
        for bad in [
            &b"{\"a\" 1}"[..],
            b"{\"a\":}",
            b"[1,]",
            b"[1 2]",
            b"[tru]",
            b"[truex]",
            b"[-]",
            b"[1.]",
            b"{1:2}",
            b"[\"a\"\"b\"]",
            b"[\x01]",
            b"[\\\"]",
            b"[}",
            b"{]",
            b"[1",
            b"[\"abc",
            b"{\"a\":1,}",
            b"[[[[",
        ] {
            assert_eq!(
                skim(bad, true, 3),
                Stop::Invalid,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
        assert_eq!(skim(deep.as_bytes(), true, 64), Stop::Invalid);
    }

    proptest! {
        #[test]
        fn simd_and_scalar_classification_agree(bytes in proptest::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(b'u'), Just(b'C'), Just(b'r'), Just(b'e'),
                        Just(b'T'), Just(b'o'), Just(b'K'), Just(b'n'), Just(b'{'), Just(b']'),
                        Just(b' '), Just(b'\n'), any::<u8>()], 64)) {
            let block: [u8; 64] = bytes.try_into().unwrap();
            // Twice, so the carried letters of the first block take part in the second.
            let (mut a, mut b, mut c) = (Carry::default(), Carry::default(), Carry::default());
            for _ in 0..2 {
                let want = classify_scalar(&block, &mut a);
                prop_assert_eq!(classify(&block, &mut b), want);
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    prop_assert_eq!(classify_with(Simd::Avx2, &block, &mut c), want);
                }
            }
        }
    }
}
