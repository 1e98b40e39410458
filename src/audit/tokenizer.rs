//! A streaming pull tokenizer for JSON.
//!
//! It reads through a fixed buffer (grown only for a single token larger than the buffer, or
//! a container being skimmed, up to [`SKIM_MAX`]), so memory does not depend on the document
//! size. Containers the scanner does not need token by token are skipped after a SIMD check
//! ([`Tokenizer::skip_containers`], [`super::skim`]). It validates structure (nesting, commas,
//! colons, literals) with an explicit stack and a depth limit instead of recursion, so hostile
//! input cannot overflow the call stack. String bodies are skipped with `memchr`; escapes are
//! decoded only on request ([`unescape`]).

use std::collections::VecDeque;
use std::io::{self, Read};

use aho_corasick::AhoCorasick;

use super::ahead::{Ahead, Seen, DEPTH};
use super::skim::{Entry, Skim, Stop};

/// Default read buffer: large enough to amortise syscalls, small enough for a flat RSS.
pub const BUF_SIZE: usize = 128 * 1024;
/// Default nesting limit; Terraform documents stay far below it.
pub const MAX_DEPTH: usize = 512;
/// Largest single token (string) accepted.
pub const MAX_TOKEN: usize = 256 * 1024 * 1024;
/// Largest container [`Tokenizer::skip_containers`] skims; bigger ones are read token by
/// token (their children are skimmed), so the buffer stays small.
pub const SKIM_MAX: usize = 4 * 1024 * 1024;

/// Why a document could not be tokenized.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[from] io::Error),
    /// Not valid JSON at the given position.
    #[error("invalid JSON at line {line}, column {col}: {msg}")]
    Syntax {
        msg: &'static str,
        line: u64,
        col: u64,
    },
    /// The input ended inside the document.
    #[error("truncated JSON: input ends at line {line}, column {col} inside the document")]
    Truncated { line: u64, col: u64 },
    /// Nesting deeper than the limit.
    #[error("JSON nested deeper than {limit} levels at line {line}, column {col}")]
    TooDeep { limit: usize, line: u64, col: u64 },
    /// One token is larger than [`MAX_TOKEN`].
    #[error("a single JSON token is larger than {0} bytes")]
    TokenTooLarge(usize),
    /// A resource names its `type` twice: which one counts decides what is a leak.
    #[error("ambiguous resource: a second `type` key at line {line}, column {col}")]
    DuplicateType { line: u64, col: u64 },
    /// The file got shorter while it was read in place.
    #[error(
        "the file shrank while it was being audited; audit it again when nothing writes to it"
    )]
    Shrank,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    /// An object key; `raw` is the string body.
    Key,
    /// A string value; `raw` is the string body (still escaped if `escaped`).
    Str,
    /// A number; `raw` is its text.
    Number,
    True,
    False,
    Null,
    /// End of the document (only whitespace followed).
    End,
}

/// One token. `raw` borrows the tokenizer's buffer until the next call.
#[derive(Debug)]
pub struct Token<'a> {
    pub kind: Kind,
    pub raw: &'a [u8],
    /// The string body contains a backslash escape.
    pub escaped: bool,
    /// Absolute byte offset of the token's first byte (the quote for strings).
    pub offset: u64,
    /// 1-based line of the token start.
    pub line: u64,
    /// 1-based column in bytes of the token start.
    pub col: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Root,
    Done,
    ObjFirst,
    ObjNext,
    Colon,
    Value,
    ArrFirst,
    After,
}

/// Finds known secret values in the raw bytes as they stream by (one pass per read).
pub struct Watcher<'w> {
    ac: &'w AhoCorasick,
    overlap: usize,
    /// Absolute `(start, end, pattern)` of matches not yet claimed by a token.
    pub pending: VecDeque<(u64, u64, usize)>,
}

impl<'w> Watcher<'w> {
    /// A watcher over `ac`, whose longest pattern is `max_len` bytes.
    pub fn new(ac: &'w AhoCorasick, max_len: usize) -> Self {
        Watcher {
            ac,
            overlap: max_len.saturating_sub(1),
            pending: VecDeque::new(),
        }
    }
}

/// The bytes the tokenizer reads: its own buffer, refilled from the source, or a whole
/// document already in memory (a mapped file), read in place.
enum Buf<'w> {
    Owned(Vec<u8>),
    Whole(&'w [u8]),
}

impl std::ops::Deref for Buf<'_> {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            Buf::Owned(v) => v,
            Buf::Whole(s) => s,
        }
    }
}

/// The tokenizer. See the module doc.
pub struct Tokenizer<'w, R> {
    src: R,
    buf: Buf<'w>,
    pos: usize,
    end: usize,
    eof: bool,
    base: u64,
    line: u64,
    line_start: u64,
    stack: Vec<u8>,
    state: State,
    max_depth: usize,
    watcher: Option<Watcher<'w>>,
    /// Called with the number of bytes of each read (progress reporting).
    on_read: Option<&'w (dyn Fn(u64) + Sync)>,
    /// Needle-free containers found by a skim that could not skip their parent.
    skimmed: VecDeque<Entry>,
    /// Reused between skims.
    skim: Skim,
    /// A helper skimming ahead in the same file.
    ahead: Option<&'w Ahead>,
}

#[derive(Clone, Copy)]
struct RawTok {
    kind: Kind,
    start: usize,
    end: usize,
    escaped: bool,
    offset: u64,
    line: u64,
    col: u64,
}

impl<'w> Tokenizer<'w, io::Empty> {
    /// A tokenizer over a whole document already in memory, read in place (no copy).
    pub fn whole(bytes: &'w [u8]) -> Self {
        Self::over(io::empty(), Buf::Whole(bytes))
    }

    /// Takes skimmed containers from `ahead`, a helper skimming the same bytes (no
    /// known-secret watcher may be set: the bytes it skims are never read here). Only a
    /// whole document has them all at hand when the scanner jumps.
    pub fn ahead(mut self, ahead: Option<&'w Ahead>) -> Self {
        self.ahead = ahead.filter(|_| self.watcher.is_none());
        self
    }
}

impl<'w, R: Read> Tokenizer<'w, R> {
    /// A tokenizer with the default buffer size and depth limit.
    pub fn new(src: R) -> Self {
        Self::with_capacity(src, BUF_SIZE)
    }

    /// A tokenizer with a buffer of `cap` bytes.
    pub fn with_capacity(src: R, cap: usize) -> Self {
        Self::over(src, Buf::Owned(vec![0; cap.max(64)]))
    }

    fn over(src: R, buf: Buf<'w>) -> Self {
        let (end, eof) = match &buf {
            Buf::Owned(_) => (0, false),
            Buf::Whole(s) => (s.len(), true),
        };
        Tokenizer {
            src,
            buf,
            pos: 0,
            end,
            eof,
            base: 0,
            line: 1,
            line_start: 0,
            stack: Vec::with_capacity(32),
            state: State::Root,
            max_depth: MAX_DEPTH,
            watcher: None,
            on_read: None,
            skimmed: VecDeque::new(),
            skim: Skim::default(),
            ahead: None,
        }
    }

    /// Sets the nesting limit.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Watches the raw bytes for known secret values.
    pub fn watch(mut self, watcher: Watcher<'w>) -> Self {
        self.watcher = Some(watcher);
        self
    }

    /// Reports read sizes to `f`.
    pub fn on_read(mut self, f: &'w (dyn Fn(u64) + Sync)) -> Self {
        self.on_read = Some(f);
        self
    }

    /// Bytes consumed so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Current nesting depth.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Known-secret matches found so far and not yet taken.
    pub fn pending_matches(&mut self) -> Option<&mut VecDeque<(u64, u64, usize)>> {
        self.watcher.as_mut().map(|w| &mut w.pending)
    }

    /// Skips the rest of the container whose opening token was just returned, checking it
    /// at SIMD speed ([`super::skim`]), and the needle-free siblings that follow it in the
    /// same array when a helper checked them as a run ([`super::ahead`]). Returns how many
    /// containers were skipped: 0, with nothing consumed, when it must be read token by
    /// token instead: it is invalid (the tokens will say where), larger than [`SKIM_MAX`],
    /// holds a known-secret match, or (with `needles`) mentions a needle. In the last case
    /// the needle-free containers inside are remembered, so skipping them later costs
    /// nothing. The caller must want each container skimmed; siblings of the same bracket
    /// in one array are alike in that.
    pub fn skip_containers(&mut self, needles: bool) -> Result<u32, ParseError> {
        let Some(&open) = self.stack.last() else {
            return Ok(0);
        };
        if !matches!(self.state, State::ObjFirst | State::ArrFirst) {
            return Ok(0);
        }
        let here = self.base + self.pos as u64;
        if let Some(ahead) = self
            .ahead
            .filter(|_| self.stack.len() + DEPTH <= self.max_depth)
        {
            let in_array = self.stack.len() >= 2 && self.stack[self.stack.len() - 2] == b'[';
            match ahead.take(here) {
                Seen::Free(e) if e.count == 1 || in_array => {
                    self.jump(e.end, e.lines, e.line_start);
                    return Ok(e.count);
                }
                Seen::NotFree if needles => return Ok(0),
                Seen::Free(_) | Seen::NotFree | Seen::Unknown => {}
            }
        }
        while self.skimmed.front().is_some_and(|e| e.start < here) {
            self.skimmed.pop_front();
        }
        let buffered = self.base + self.end as u64;
        let hit = self.skimmed.front().copied();
        if let Some(e) = hit.filter(|e| e.start == here && e.end <= buffered) {
            self.skimmed.pop_front();
            if self.known_before(e.end) {
                return Ok(0);
            }
            self.jump(e.end, e.lines, e.line_start);
            return Ok(1);
        }
        let mut start = self.pos;
        let mut skim = std::mem::take(&mut self.skim);
        skim.reset(here, open == b'{', needles);
        let skipped = self.run_skim(&mut skim, &mut start);
        self.skim = skim;
        if !matches!(skipped, Ok(true)) {
            self.pos = start;
        }
        skipped.map(u32::from)
    }

    fn run_skim(&mut self, skim: &mut Skim, start: &mut usize) -> Result<bool, ParseError> {
        let depth_left = self.max_depth - (self.stack.len() - 1);
        loop {
            // At most SKIM_MAX bytes, also when the whole document is in memory: a skim that
            // finds a needle is read again, so nesting must not multiply unbounded skims.
            let limit = self.end.min(*start + SKIM_MAX);
            let eof = self.eof && limit == self.end;
            match skim.run(&self.buf[..limit], self.base, eof, depth_left) {
                Stop::Closed { end, needle } => {
                    if needle {
                        self.skimmed.extend(skim.entries.iter().copied());
                        return Ok(false);
                    }
                    if self.known_before(end) {
                        return Ok(false);
                    }
                    self.jump(end, skim.lines, skim.line_start.unwrap_or(0));
                    return Ok(true);
                }
                Stop::More if self.end - *start < SKIM_MAX => {
                    let (shift, _) = self.fill(*start)?;
                    *start -= shift;
                }
                Stop::More | Stop::Invalid => return Ok(false),
            }
        }
    }

    /// Whether a known-secret match starts before absolute offset `end`.
    fn known_before(&self, end: u64) -> bool {
        self.watcher
            .as_ref()
            .and_then(|w| w.pending.front())
            .is_some_and(|m| m.0 < end)
    }

    /// Moves past a skimmed container ending at absolute offset `end` (buffered).
    fn jump(&mut self, end: u64, lines: u64, line_start: u64) {
        self.pos = (end - self.base) as usize;
        if lines > 0 {
            self.line += lines;
            self.line_start = line_start;
        }
        self.stack.pop();
        self.after_value();
    }

    /// Reads the rest of the input (after an early stop) so watchers see every byte.
    pub fn drain(&mut self) -> Result<(), ParseError> {
        while !self.eof {
            self.pos = self.end;
            self.fill(self.end)?;
        }
        self.pos = self.end;
        Ok(())
    }

    fn pos_of(&self, idx: usize) -> (u64, u64, u64) {
        let abs = self.base + idx as u64;
        (abs, self.line, abs - self.line_start + 1)
    }

    fn err_syntax(&self, msg: &'static str) -> ParseError {
        let (_, line, col) = self.pos_of(self.pos);
        ParseError::Syntax { msg, line, col }
    }

    fn err_truncated(&self) -> ParseError {
        let (_, line, col) = self.pos_of(self.pos);
        ParseError::Truncated { line, col }
    }

    /// Refills the buffer keeping bytes from `keep` on. Returns the shift applied to indices
    /// and whether new bytes arrived.
    fn fill(&mut self, keep: usize) -> Result<(usize, bool), ParseError> {
        let Buf::Owned(buf) = &mut self.buf else {
            return Ok((0, false));
        };
        if self.eof {
            return Ok((0, false));
        }
        let overlap = self.watcher.as_ref().map_or(0, |w| w.overlap);
        let keep = keep.min(self.end.saturating_sub(overlap));
        if keep > 0 {
            buf.copy_within(keep..self.end, 0);
            self.end -= keep;
            self.pos -= keep;
            self.base += keep as u64;
        }
        if self.end == buf.len() {
            if buf.len() >= MAX_TOKEN {
                return Err(ParseError::TokenTooLarge(MAX_TOKEN));
            }
            let new_len = (buf.len() * 2).min(MAX_TOKEN);
            buf.resize(new_len, 0);
        }
        let n = loop {
            match self.src.read(&mut buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok((keep, false));
        }
        if let Some(f) = self.on_read {
            f(n as u64);
        }
        let old_end = self.end;
        self.end += n;
        if let Some(w) = self.watcher.as_mut() {
            let from = old_end.saturating_sub(w.overlap);
            let old_end_abs = self.base + old_end as u64;
            for m in w.ac.find_overlapping_iter(&buf[from..self.end]) {
                let s = self.base + (from + m.start()) as u64;
                let e = self.base + (from + m.end()) as u64;
                if e > old_end_abs {
                    w.pending.push_back((s, e, m.pattern().as_usize()));
                }
            }
        }
        Ok((keep, true))
    }

    /// Skips whitespace, counting lines. Leaves `pos < end` unless at end of input.
    #[inline]
    fn skip_ws(&mut self) -> Result<(), ParseError> {
        loop {
            while self.pos < self.end {
                // Indentation of pretty-printed JSON: skip 8 spaces at a time.
                while self.pos + 8 <= self.end && self.buf[self.pos..self.pos + 8] == *b"        " {
                    self.pos += 8;
                }
                if self.pos >= self.end {
                    break;
                }
                match self.buf[self.pos] {
                    b' ' | b'\t' | b'\r' => self.pos += 1,
                    b'\n' => {
                        self.pos += 1;
                        self.line += 1;
                        self.line_start = self.base + self.pos as u64;
                    }
                    _ => return Ok(()),
                }
            }
            let (_, more) = self.fill(self.pos)?;
            if !more {
                return Ok(());
            }
        }
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token<'_>, ParseError> {
        self.next_with_matches().map(|(t, _)| t)
    }

    /// The next token and the known-secret matches pending so far (split borrows).
    // The scan loop's hot path (once per token): the inliner's own choice, which varies with
    // how many readers the tokenizer is built for, cost the state audit 5-10%.
    #[inline(always)]
    #[allow(clippy::type_complexity)]
    pub fn next_with_matches(
        &mut self,
    ) -> Result<(Token<'_>, Option<&mut VecDeque<(u64, u64, usize)>>), ParseError> {
        let t = self.advance()?;
        let tok = Token {
            kind: t.kind,
            raw: &self.buf[t.start..t.end],
            escaped: t.escaped,
            offset: t.offset,
            line: t.line,
            col: t.col,
        };
        Ok((tok, self.watcher.as_mut().map(|w| &mut w.pending)))
    }

    fn simple(&self, kind: Kind, at: usize) -> RawTok {
        let (offset, line, col) = self.pos_of(at);
        RawTok {
            kind,
            start: at,
            end: at,
            escaped: false,
            offset,
            line,
            col,
        }
    }

    fn after_value(&mut self) {
        self.state = if self.stack.is_empty() {
            State::Done
        } else {
            State::After
        };
    }

    fn close(&mut self, c: u8) -> Result<RawTok, ParseError> {
        let open = if c == b'}' { b'{' } else { b'[' };
        if self.stack.last() != Some(&open) {
            return Err(self.err_syntax("mismatched closing bracket"));
        }
        self.stack.pop();
        let t = self.simple(
            if c == b'}' {
                Kind::EndObject
            } else {
                Kind::EndArray
            },
            self.pos,
        );
        self.pos += 1;
        self.after_value();
        Ok(t)
    }

    #[inline(always)]
    fn advance(&mut self) -> Result<RawTok, ParseError> {
        loop {
            self.skip_ws()?;
            if self.pos >= self.end {
                return match self.state {
                    State::Done => Ok(self.simple(Kind::End, self.pos)),
                    State::Root => Err(ParseError::Syntax {
                        msg: "empty input",
                        line: self.line,
                        col: 1,
                    }),
                    _ => Err(self.err_truncated()),
                };
            }
            let c = self.buf[self.pos];
            match self.state {
                State::Done => {
                    return Err(self.err_syntax("unexpected data after the JSON document"))
                }
                State::Colon => {
                    if c != b':' {
                        return Err(self.err_syntax("expected ':' after an object key"));
                    }
                    self.pos += 1;
                    self.state = State::Value;
                }
                State::After => match c {
                    b',' => {
                        self.pos += 1;
                        self.state = if self.stack.last() == Some(&b'{') {
                            State::ObjNext
                        } else {
                            State::Value
                        };
                    }
                    b'}' | b']' => return self.close(c),
                    _ => return Err(self.err_syntax("expected ',' or a closing bracket")),
                },
                State::ObjFirst | State::ObjNext => {
                    if c == b'"' {
                        let mut t = self.string()?;
                        t.kind = Kind::Key;
                        self.state = State::Colon;
                        return Ok(t);
                    }
                    if c == b'}' && self.state == State::ObjFirst {
                        return self.close(c);
                    }
                    return Err(self.err_syntax("expected an object key"));
                }
                State::Root | State::Value | State::ArrFirst => {
                    if c == b']' && self.state == State::ArrFirst {
                        return self.close(c);
                    }
                    return self.value(c);
                }
            }
        }
    }

    fn value(&mut self, c: u8) -> Result<RawTok, ParseError> {
        match c {
            b'{' | b'[' => {
                if self.stack.len() >= self.max_depth {
                    let (_, line, col) = self.pos_of(self.pos);
                    return Err(ParseError::TooDeep {
                        limit: self.max_depth,
                        line,
                        col,
                    });
                }
                self.stack.push(c);
                let t = self.simple(
                    if c == b'{' {
                        Kind::StartObject
                    } else {
                        Kind::StartArray
                    },
                    self.pos,
                );
                self.pos += 1;
                self.state = if c == b'{' {
                    State::ObjFirst
                } else {
                    State::ArrFirst
                };
                Ok(t)
            }
            b'"' => {
                let t = self.string()?;
                self.after_value();
                Ok(t)
            }
            b'-' | b'0'..=b'9' => {
                let t = self.number()?;
                self.after_value();
                Ok(t)
            }
            b't' => self.literal(b"true", Kind::True),
            b'f' => self.literal(b"false", Kind::False),
            b'n' => self.literal(b"null", Kind::Null),
            _ => Err(self.err_syntax("expected a JSON value")),
        }
    }

    fn literal(&mut self, word: &'static [u8], kind: Kind) -> Result<RawTok, ParseError> {
        while self.end - self.pos < word.len() {
            let (_, more) = self.fill(self.pos)?;
            if !more {
                return Err(self.err_truncated());
            }
        }
        if &self.buf[self.pos..self.pos + word.len()] != word {
            return Err(self.err_syntax("invalid literal"));
        }
        let t = self.simple(kind, self.pos);
        self.pos += word.len();
        self.after_value();
        Ok(t)
    }

    fn number(&mut self) -> Result<RawTok, ParseError> {
        let mut start = self.pos;
        let mut i = start + 1;
        loop {
            while i < self.end
                && matches!(self.buf[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            {
                i += 1;
            }
            if i < self.end || self.eof {
                break;
            }
            let (shift, more) = self.fill(start)?;
            start -= shift;
            i -= shift;
            if !more {
                break;
            }
        }
        let raw = &self.buf[start..i];
        if raw == b"-" || raw.last().is_some_and(|b| !b.is_ascii_digit()) {
            self.pos = start;
            return Err(self.err_syntax("invalid number"));
        }
        let (offset, line, col) = self.pos_of(start);
        self.pos = i;
        Ok(RawTok {
            kind: Kind::Number,
            start,
            end: i,
            escaped: false,
            offset,
            line,
            col,
        })
    }

    // Kept out of line so that `advance` stays small enough for the scan loop.
    #[inline(never)]
    fn string(&mut self) -> Result<RawTok, ParseError> {
        let (offset, line, col) = self.pos_of(self.pos);
        let mut quote = self.pos;
        let mut i = quote + 1;
        let mut escaped = false;
        loop {
            match memchr::memchr2(b'"', b'\\', &self.buf[i..self.end]) {
                Some(k) => {
                    let j = i + k;
                    if self.buf[j] == b'"' {
                        self.pos = j + 1;
                        return Ok(RawTok {
                            kind: Kind::Str,
                            start: quote + 1,
                            end: j,
                            escaped,
                            offset,
                            line,
                            col,
                        });
                    }
                    escaped = true;
                    if j + 2 <= self.end {
                        i = j + 2;
                        continue;
                    }
                    i = j;
                }
                None => i = self.end,
            }
            let (shift, more) = self.fill(quote)?;
            quote -= shift;
            i -= shift;
            if !more {
                self.pos = self.end;
                return Err(ParseError::Truncated { line, col });
            }
        }
    }
}

/// Decodes JSON string escapes of `raw` into `out` (appending). Invalid escapes are kept
/// verbatim; lone surrogates become U+FFFD. Never fails: callers only inspect the result.
pub fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        let Some(k) = memchr::memchr(b'\\', &raw[i..]) else {
            out.extend_from_slice(&raw[i..]);
            return;
        };
        out.extend_from_slice(&raw[i..i + k]);
        i += k;
        let Some(&e) = raw.get(i + 1) else {
            out.push(b'\\');
            return;
        };
        i += 2;
        let simple = match e {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        if e != b'u' {
            out.extend_from_slice(&[b'\\', e]);
            continue;
        }
        let Some(hi) = hex4(raw.get(i..i + 4)) else {
            out.extend_from_slice(b"\\u");
            continue;
        };
        i += 4;
        let cp = if (0xD800..0xDC00).contains(&hi) {
            let lo = if raw.get(i..i + 2) == Some(b"\\u") {
                hex4(raw.get(i + 2..i + 6))
            } else {
                None
            };
            match lo {
                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                }
                _ => 0xFFFD,
            }
        } else {
            hi
        };
        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
        let mut tmp = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
    }
}

fn hex4(b: Option<&[u8]>) -> Option<u32> {
    let b = b?;
    let s = std::str::from_utf8(b).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Toks = Vec<(Kind, Vec<u8>, u64, u64)>;

    #[test]
    fn a_skim_stops_at_skim_max_also_over_a_whole_document() {
        // A needle-free container larger than SKIM_MAX is read token by token, whether
        // the document is streamed or in memory, so nested skims stay bounded.
        let filler = "1,".repeat(SKIM_MAX / 2 + 10);
        for (n, skipped) in [(10, 1), (SKIM_MAX / 2 + 10, 0)] {
            let doc = format!("[{}2]", &filler[..2 * n]);
            let mut whole = Tokenizer::whole(doc.as_bytes());
            assert_eq!(whole.next_token().unwrap().kind, Kind::StartArray);
            assert_eq!(whole.skip_containers(false).unwrap(), skipped, "whole {n}");
            let mut streamed = Tokenizer::new(doc.as_bytes());
            assert_eq!(streamed.next_token().unwrap().kind, Kind::StartArray);
            assert_eq!(
                streamed.skip_containers(false).unwrap(),
                skipped,
                "streamed {n}"
            );
        }
    }

    fn kinds(input: &[u8], cap: usize) -> Result<Toks, ParseError> {
        let mut t = Tokenizer::with_capacity(input, cap);
        let mut out = Vec::new();
        loop {
            let tok = t.next_token()?;
            let k = tok.kind;
            out.push((k, tok.raw.to_vec(), tok.line, tok.col));
            if k == Kind::End {
                return Ok(out);
            }
        }
    }

    #[test]
    fn tokens_and_positions_survive_tiny_buffers() {
        let doc = b"{\n  \"a\\\"b\": [1, -2.5e3, true, null],\n  \"k\": \"v\\\\\"\n}\n";
        for cap in [1, 2, 3, 7, 64, 4096] {
            let toks = kinds(doc, cap).unwrap();
            let ks: Vec<Kind> = toks.iter().map(|t| t.0).collect();
            use Kind::*;
            assert_eq!(
                ks,
                vec![
                    StartObject,
                    Key,
                    StartArray,
                    Number,
                    Number,
                    True,
                    Null,
                    EndArray,
                    Key,
                    Str,
                    EndObject,
                    End
                ],
                "cap {cap}"
            );
            assert_eq!(toks[1].1, b"a\\\"b");
            assert_eq!((toks[1].2, toks[1].3), (2, 3));
            assert_eq!(toks[4].1, b"-2.5e3");
            assert_eq!(toks[9].1, b"v\\\\");
            assert_eq!((toks[9].2, toks[9].3), (3, 8));
        }
    }

    #[test]
    fn rejects_bad_documents() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\":}",
            b"[1,]",
            b"[1 2]",
            b"{\"a\" 1}",
            b"tru",
            b"{} {}",
            b"\"abc",
            b"[}",
            b"-",
            b"\x00\x01",
        ] {
            assert!(kinds(bad, 4).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn depth_limit_is_an_error_not_a_crash() {
        let doc = "[".repeat(100_000);
        assert!(matches!(
            kinds(doc.as_bytes(), 1024),
            Err(ParseError::TooDeep { .. })
        ));
    }

    #[test]
    fn unescape_handles_unicode_and_surrogates() {
        let mut out = Vec::new();
        unescape(br#"client\u005fsecret \ud83d\ude00 \n \x"#, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "client_secret \u{1F600} \n \\x"
        );
    }
}
