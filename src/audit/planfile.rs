//! Saved plan files (`terraform plan -out`): zip archives holding `tfplan` (protobuf with
//! msgpack values), `tfstate`, `tfstate-prev` and the configuration under `tfconfig/`.

use std::io::{Read, Seek};

use super::assign::find_assignments;
use super::input::{finish_drafts, judge_document, Ctx, InputReport, Origin};
use super::kinds::DocKind;
use super::rules::RuleId;
use super::scan::scan_document;
use super::tfplan::VarDecl;
use super::InputError;
use crate::audit::finding::{push_pointer_segment, Finding};

/// Members larger than this (decompressed) are not read further: guards against zip bombs.
const MAX_MEMBER: u64 = 2 * 1024 * 1024 * 1024;
/// Configuration sources are read whole; larger ones are skipped.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

/// Audits a zip archive; one without a `tfplan` entry is not a plan file.
pub fn audit_zip<R: Read + Seek>(r: R, file: &str, origin: Origin, ctx: &Ctx) -> InputReport {
    let mut zip = match zip::ZipArchive::new(r) {
        Ok(z) => z,
        Err(e) if origin == Origin::WalkedLenient => {
            tracing::debug!("{file}: not a readable zip: {e}");
            return InputReport::default();
        }
        Err(e) => return InputReport::error(file, format!("cannot read zip archive: {e}")),
    };
    if zip.index_for_name("tfplan").is_none() {
        return match origin {
            Origin::WalkedLenient => InputReport::default(),
            _ => InputReport::error(
                file,
                "zip archive without a `tfplan` entry: not a Terraform plan file",
            ),
        };
    }
    let mut rep = InputReport {
        scanned: true,
        ..Default::default()
    };
    // `tfplan` is audited last, with the root module's sources read by then.
    let mut tfplan = None;
    let mut root_sources = Vec::new();
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                rep.errors.push(InputError {
                    file: file.to_string(),
                    message: format!("zip entry #{i}: {e}"),
                });
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(n) => n.to_string(),
            Err(e) => {
                rep.errors.push(InputError {
                    file: file.to_string(),
                    message: format!("zip entry #{i}: {e}"),
                });
                continue;
            }
        };
        let mut limited = (&mut entry).take(MAX_MEMBER);
        match name.as_str() {
            "tfstate" | "tfstate-prev" => {
                let on_read = ctx.on_read.as_deref().map(|f| f as &(dyn Fn(u64) + Sync));
                let doc = scan_document(limited, 0, ctx.known.as_ref(), on_read);
                let kind = doc.kind;
                let failed = doc.error.is_some();
                let mut sub = judge_document(doc, file, Some(&name), Origin::Explicit);
                if !failed
                    && kind != DocKind::StateV4
                    && sub.errors.is_empty()
                    && sub.notices.is_empty()
                {
                    sub.errors.push(InputError {
                        file: format!("{file} [{name}]"),
                        message: format!("expected a state v4 document, found {}", kind.name()),
                    });
                }
                merge(&mut rep, sub);
            }
            _ if name.starts_with("tfconfig/") => {
                let mut text = Vec::new();
                if let Err(e) = limited.take(MAX_TEXT).read_to_end(&mut text) {
                    rep.errors.push(InputError {
                        file: format!("{file} [{name}]"),
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
                rep.bytes += text.len() as u64;
                if let Some(root) = name.strip_prefix("tfconfig/m-/") {
                    let tf = root.ends_with(".tf") || root.ends_with(".tf.json");
                    if let (true, false, Ok(src)) =
                        (tf, root.contains('/'), std::str::from_utf8(&text))
                    {
                        root_sources.push((root.to_string(), src.to_string()));
                    }
                }
                let src = String::from_utf8_lossy(&text);
                for a in find_assignments(&src, true) {
                    let mut ip = String::new();
                    push_pointer_segment(&mut ip, &a.key);
                    let mut f = Finding {
                        rule: if a.rule == RuleId::ClientSecret {
                            RuleId::ClientSecretAssignment
                        } else {
                            a.rule
                        },
                        file: file.to_string(),
                        member: Some(name.clone()),
                        address: None,
                        pointer: String::new(),
                        inner_pointer: Some(ip),
                        line: a.line,
                        column: a.column,
                        masked: a.masked,
                        fingerprint: String::new(),
                    };
                    f.compute_fingerprint();
                    rep.findings.push(f);
                }
                known_in_bytes(&mut rep, &text[..], file, &name, ctx, true);
            }
            "tfplan" => {
                let mut bytes = Vec::new();
                if let Err(e) = limited.read_to_end(&mut bytes) {
                    rep.errors.push(InputError {
                        file: format!("{file} [{name}]"),
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
                rep.bytes += bytes.len() as u64;
                known_in_bytes(&mut rep, &bytes, file, &name, ctx, false);
                tfplan = Some(bytes);
            }
            _ => {
                // Anything else: raw known-secret search.
                let mut counter = CountingReader {
                    inner: limited,
                    n: 0,
                };
                if let Some(k) = ctx.known.as_ref() {
                    match k.find_in_stream(&mut counter) {
                        Ok(hits) => push_known(&mut rep, hits, k, file, &name, None),
                        Err(e) => rep.errors.push(InputError {
                            file: format!("{file} [{name}]"),
                            message: format!("cannot read: {e}"),
                        }),
                    }
                } else if let Err(e) = std::io::copy(&mut counter, &mut std::io::sink()) {
                    rep.errors.push(InputError {
                        file: format!("{file} [{name}]"),
                        message: format!("cannot read: {e}"),
                    });
                }
                rep.bytes += counter.n;
            }
        }
    }
    if let Some(bytes) = tfplan {
        // Terraform reads a module's files in name order.
        root_sources.sort();
        let decls = super::tfplan::root_variables(&root_sources);
        audit_tfplan(&mut rep, &bytes, &decls, file);
    }
    rep
}

/// Audits the decoded `tfplan` ([`super::tfplan`]) as plan JSON; findings point into that
/// JSON (as `terraform show -json` would print it) and are placed at line 1, column = the
/// byte offset + 1 of their variable, change or output in `tfplan`.
fn audit_tfplan(rep: &mut InputReport, bytes: &[u8], decls: &[VarDecl], file: &str) {
    let decoded = match super::tfplan::decode(bytes, decls) {
        Ok(d) => d,
        Err(e) => {
            rep.errors.push(InputError {
                file: format!("{file} [tfplan]"),
                message: format!("cannot decode the plan: {e}"),
            });
            return;
        }
    };
    let doc = super::scan::scan_whole(decoded.json.as_bytes(), 0, None, None);
    if let Some(e) = doc.error {
        rep.errors.push(InputError {
            file: format!("{file} [tfplan]"),
            message: format!("cannot audit the decoded plan: {e}"),
        });
    }
    // Positions are not part of the fingerprint: placing them afterwards changes nothing.
    for mut f in finish_drafts(doc.drafts, file, Some("tfplan")) {
        f.line = 1;
        f.column = decoded.offset_of(&f.pointer) + 1;
        rep.findings.push(f);
    }
}

struct CountingReader<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// Known secrets in a member read whole; `lines`: placed by line and column in its text,
/// else at line 1 and the byte offset (binary members such as `tfplan`).
fn known_in_bytes(
    rep: &mut InputReport,
    bytes: &[u8],
    file: &str,
    member: &str,
    ctx: &Ctx,
    lines: bool,
) {
    if let Some(k) = ctx.known.as_ref() {
        if let Ok(hits) = k.find_in_stream(bytes) {
            push_known(rep, hits, k, file, member, lines.then_some(bytes));
        }
    }
}

fn push_known(
    rep: &mut InputReport,
    hits: Vec<(u64, usize)>,
    k: &super::known::Known,
    file: &str,
    member: &str,
    text: Option<&[u8]>,
) {
    for (off, pid) in hits {
        let (line, column) = match text {
            Some(t) => line_col(t, off as usize),
            None => (1, off + 1),
        };
        let mut f = Finding {
            rule: RuleId::KnownSecret,
            file: file.to_string(),
            member: Some(member.to_string()),
            address: None,
            pointer: String::new(),
            inner_pointer: Some(format!("/@{off}")),
            line,
            column,
            masked: k.masked(pid),
            fingerprint: String::new(),
        };
        f.compute_fingerprint();
        rep.findings.push(f);
    }
}

fn line_col(text: &[u8], off: usize) -> (u64, u64) {
    let before = &text[..off.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, (off - start) as u64 + 1)
}

fn merge(into: &mut InputReport, sub: InputReport) {
    into.findings.extend(sub.findings);
    into.errors.extend(sub.errors);
    into.notices.extend(sub.notices);
    into.bytes += sub.bytes;
}
