//! Auditing one input (a file, stdin's bytes or an S3 object): recognise its kind by content
//! and run the matching scanner.

use std::io::{Read, Seek};

use super::finding::Finding;
use super::kinds::{is_zip, looks_json, DocKind};
use super::known::Known;
use super::scan::{scan_document, scan_file, scan_whole, DocScan, Draft};
use super::{planfile, InputError, Notice};

/// Shared, read-only settings for every input.
pub struct Ctx {
    pub known: Option<Known>,
    /// Called with the size of each read (progress bar).
    pub on_read: Option<Box<dyn Fn(u64) + Send + Sync>>,
}

/// How an input was named, which decides what an unrecognised input means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Named on the command line (or stdin): must be a recognised kind, else an error.
    Explicit,
    /// Found in a directory walk under a Terraform name (`*.tfstate`, ...): must parse.
    WalkedStrict,
    /// Found in a walk or S3 sweep by a generic name (`*.json`) or content sniffing:
    /// silently skipped unless it is a Terraform document.
    WalkedLenient,
}

/// The result of auditing one input.
#[derive(Debug, Default)]
pub struct InputReport {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub notices: Vec<Notice>,
    pub bytes: u64,
    /// Whether the input was a recognised kind and audited (counts as a scanned file).
    pub scanned: bool,
}

impl InputReport {
    /// A report holding one error.
    pub fn error(file: &str, message: impl Into<String>) -> Self {
        InputReport {
            errors: vec![InputError {
                file: file.to_string(),
                message: message.into(),
            }],
            ..Default::default()
        }
    }
}

/// Turns drafts into findings for `file` / `member`.
pub fn finish_drafts(drafts: Vec<Draft>, file: &str, member: Option<&str>) -> Vec<Finding> {
    drafts
        .into_iter()
        .map(|d| {
            let mut f = Finding {
                rule: d.rule,
                file: file.to_string(),
                member: member.map(str::to_string),
                address: d.address,
                pointer: d.pointer,
                inner_pointer: d.inner_pointer,
                line: d.line,
                column: d.column,
                masked: d.masked,
                fingerprint: String::new(),
            };
            f.compute_fingerprint();
            f
        })
        .collect()
}

/// Files smaller than this are read whole and scanned in place (one buffer per thread, reused):
/// on a tree of many small states that saves a buffer per file and the seeks of sniffing.
const SMALL_FILE: u64 = 1024 * 1024;
/// What is read before asking a file's size: most walked files are smaller, so they need no
/// size query; a large file loses no more than this.
const PROBE: u64 = 64 * 1024;

thread_local! {
    static SMALL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Audits a file on disk: a small one is read whole and scanned in place, a larger one is
/// streamed (or mapped, see [`scan_file`]).
pub fn audit_file(mut f: std::fs::File, file: &str, origin: Origin, ctx: &Ctx) -> InputReport {
    let cannot_read = |e: std::io::Error| InputReport::error(file, format!("cannot read: {e}"));
    SMALL.with_borrow_mut(|buf| {
        buf.clear();
        // Reads on up to `upto` bytes in all; whether it got that far (there may be more).
        let read = |f: &mut std::fs::File, buf: &mut Vec<u8>, upto: u64| {
            let more = upto - buf.len() as u64;
            f.take(more).read_to_end(buf).map(|n| n as u64 == more)
        };
        match read(&mut f, buf, PROBE) {
            Ok(false) => return audit_bytes(buf, file, origin, ctx),
            Ok(true) => {}
            Err(e) => return cannot_read(e),
        }
        let size = match f.metadata() {
            Ok(m) => m.len(),
            Err(e) => return cannot_read(e),
        };
        if size < SMALL_FILE {
            match read(&mut f, buf, SMALL_FILE) {
                Ok(false) => return audit_bytes(buf, file, origin, ctx),
                // It grew since: read it as a large file.
                Ok(true) => {}
                Err(e) => return cannot_read(e),
            }
        }
        if let Err(e) = f.rewind() {
            // A pipe, e.g. `gcoauth audit <(terraform show -json plan.out)`: streamed, from
            // what was already read on.
            if e.kind() == std::io::ErrorKind::NotSeekable {
                let first = std::io::Cursor::new(std::mem::take(buf));
                return audit_stream(first.chain(f), file, ctx);
            }
            return cannot_read(e);
        }
        match sniff(&buf[..64], file, origin) {
            Sniffed::Zip => planfile::audit_zip(f, file, origin, ctx),
            Sniffed::Json => {
                let on_read = ctx.on_read.as_deref().map(|f| f as &(dyn Fn(u64) + Sync));
                let doc = scan_file(&f, size, ctx.known.as_ref(), on_read);
                judge_document(doc, file, None, origin)
            }
            Sniffed::Done(rep) => rep,
        }
    })
}

/// Audits an input held in memory (a small file, an S3 object).
pub fn audit_bytes(bytes: &[u8], file: &str, origin: Origin, ctx: &Ctx) -> InputReport {
    match sniff(&bytes[..bytes.len().min(64)], file, origin) {
        Sniffed::Zip => planfile::audit_zip(std::io::Cursor::new(bytes), file, origin, ctx),
        Sniffed::Json => {
            let on_read = ctx.on_read.as_deref().map(|f| f as &(dyn Fn(u64) + Sync));
            let doc = scan_whole(bytes, 0, ctx.known.as_ref(), on_read);
            judge_document(doc, file, None, origin)
        }
        Sniffed::Done(rep) => rep,
    }
}

/// What the first bytes of an input say it is.
enum Sniffed {
    Zip,
    Json,
    /// Neither: the report for it (nothing, a notice or an error, by origin).
    Done(InputReport),
}

fn sniff(head: &[u8], file: &str, origin: Origin) -> Sniffed {
    if is_zip(head) {
        return Sniffed::Zip;
    }
    if looks_json(head) {
        return Sniffed::Json;
    }
    let n = head.len();
    Sniffed::Done(match origin {
        Origin::WalkedLenient => InputReport::default(),
        // Terraform can leave a 0-byte state behind (e.g. after a backend migration): found
        // in a walk it holds nothing to leak, so it is a notice, not an error.
        Origin::WalkedStrict if n == 0 => {
            let mut rep = InputReport::default();
            rep.notices.push(Notice {
                file: file.to_string(),
                message: "empty file: nothing to audit".into(),
            });
            rep
        }
        _ if n == 0 => InputReport::error(file, "empty file: not a Terraform state or plan"),
        _ => InputReport::error(
            file,
            "not a Terraform state, plan JSON or saved plan file (neither JSON nor a zip archive)",
        ),
    })
}

/// Audits a non-seekable stream (stdin): JSON is streamed; only a zip (a saved plan file,
/// which needs random access) is buffered in memory.
pub fn audit_stream<R: Read>(mut r: R, file: &str, ctx: &Ctx) -> InputReport {
    let mut head = [0u8; 64];
    let n = match read_head(&mut r, &mut head) {
        Ok(n) => n,
        Err(e) => return InputReport::error(file, format!("cannot read: {e}")),
    };
    let head = &head[..n];
    if is_zip(head) {
        let mut all = head.to_vec();
        if let Err(e) = r.read_to_end(&mut all) {
            return InputReport::error(file, format!("cannot read: {e}"));
        }
        return audit_bytes(&all, file, Origin::Explicit, ctx);
    }
    if !looks_json(head) {
        let what = if n == 0 {
            "empty input"
        } else {
            "neither JSON nor a zip archive"
        };
        return InputReport::error(
            file,
            format!("not a Terraform state, plan JSON or saved plan file ({what})"),
        );
    }
    let on_read = ctx.on_read.as_deref().map(|f| f as &(dyn Fn(u64) + Sync));
    let doc = scan_document(head.chain(r), 0, ctx.known.as_ref(), on_read);
    judge_document(doc, file, None, Origin::Explicit)
}

fn read_head<R: Read>(r: &mut R, head: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < head.len() {
        match r.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Decides what a scanned JSON document means: findings, an error, a notice or nothing.
pub fn judge_document(
    doc: DocScan,
    file: &str,
    member: Option<&str>,
    origin: Origin,
) -> InputReport {
    let label = match member {
        Some(m) => format!("{file} [{m}]"),
        None => file.to_string(),
    };
    let mut rep = InputReport {
        bytes: doc.bytes,
        ..Default::default()
    };
    if let Some(e) = doc.error {
        if origin == Origin::WalkedLenient && !doc.looks_terraform {
            return InputReport::default();
        }
        // Findings up to the error are kept; the file does not count as scanned because it
        // was not audited completely.
        rep.findings = finish_drafts(doc.drafts, file, member);
        rep.errors.push(InputError {
            file: label,
            message: format!("cannot parse: {e}"),
        });
        return rep;
    }
    match doc.kind {
        DocKind::Unknown => {
            if origin == Origin::WalkedLenient {
                return InputReport::default();
            }
            rep.errors.push(InputError { file: label, message: "valid JSON but not a Terraform state or plan (no `version`/`format_version` of a known kind)".into() });
        }
        DocKind::Encrypted => {
            rep.notices.push(Notice {
                file: label,
                message: "OpenTofu encrypted state: encrypted, not audited".into(),
            });
        }
        _ => {
            rep.scanned = true;
            rep.findings = finish_drafts(doc.drafts, file, member);
        }
    }
    rep
}
