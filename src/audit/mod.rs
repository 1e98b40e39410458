//! `gcoauth audit`: find leaked client secrets in Terraform state, plans and plan files.
//!
//! Inputs are recognised by content ([`kinds`]), JSON is streamed through a fixed buffer
//! ([`tokenizer`]) into a structure-aware scanner ([`scan`]) so memory stays flat on
//! state files of hundreds of MB; what no rule can fire in is only checked, at SIMD speed
//! ([`skim`]), by a second thread for large files ([`ahead`]); files are audited in
//! parallel (rayon).

pub mod ahead;
pub mod assign;
pub mod baseline;
pub mod finding;
pub mod input;
pub mod kinds;
pub mod known;
#[cfg(unix)]
pub mod mapped;
pub mod mask;
pub mod planfile;
pub mod report;
pub mod rules;
pub mod s3;
pub mod scan;
pub mod skim;
pub mod tfplan;
pub mod tokenizer;
pub mod walk;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use input::{audit_file, Ctx, InputReport, Origin};
use report::{Format, Report};

/// Bounds the files handed to the scanners and not done with yet: each holds its directory
/// open, and more open descriptors make the kernel grow the descriptor table, which waits
/// for an RCU grace period (millisecond stalls).
struct Gate {
    count: AtomicUsize,
    limit: usize,
}

/// A place in a [`Gate`], given back when dropped (also when a scan panics).
struct Pass<'a>(&'a Gate);

impl Gate {
    fn new() -> Self {
        Gate {
            count: AtomicUsize::new(0),
            limit: (4 * rayon::current_num_threads()).max(32),
        }
    }

    /// Waits for a place. The walk runs on a pool thread, which scans queued files while it
    /// waits: a thread of its own measured 6% slower on the 10,000-file tree (three threads
    /// on two cores), at the price that a large file scanned here pauses the walk.
    fn enter(&self) -> Pass<'_> {
        while self.count.load(Ordering::Acquire) >= self.limit {
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                std::thread::yield_now();
            }
        }
        self.count.fetch_add(1, Ordering::AcqRel);
        Pass(self)
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Arguments of `gcoauth audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Files, directories (walked recursively), `s3://bucket/prefix`, or `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<String>,
    /// A known secret to look for in any encoding: `aws-sm:NAME` reads the `client_secret`
    /// of a JSON secret in AWS Secrets Manager. Repeatable.
    #[arg(long, value_name = "SPEC")]
    pub known_secret: Vec<String>,
    /// File with known secret values, one per line.
    #[arg(long, value_name = "FILE")]
    pub known_secrets_file: Vec<String>,
    /// Accept findings whose fingerprints are in FILE (a baseline or a previous JSON report).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<String>,
    /// Write the fingerprints of all current findings to FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<String>,
    /// Exit 0 even when leaks or errors are found (report-only runs).
    #[arg(long)]
    pub exit_zero: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// An input that could not be audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub file: String,
    pub message: String,
}

/// Something worth knowing that is neither a leak nor an error (e.g. encrypted state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub file: String,
    pub message: String,
}

/// Scans raw bytes as one JSON document with default settings (for fuzzing and tests):
/// never panics, whatever the input.
pub fn scan_bytes(data: &[u8]) -> scan::DocScan {
    scan::scan_document(data, 0, None, None)
}

/// Everything [`scan_bytes`] reports, as text, for a streamed scan, an in-place scan and the
/// token-by-token reference (no skimming): the fuzzer checks they agree.
#[doc(hidden)]
pub fn scan_bytes_every_way(data: &[u8]) -> [String; 3] {
    scan::every_way(data)
}

/// The exit code for a finished report: 1 on leaks, 2 on errors without leaks, else 0.
pub fn exit_code(report: &Report, exit_zero: bool) -> u8 {
    if exit_zero {
        0
    } else if !report.findings.is_empty() {
        1
    } else if !report.errors.is_empty() {
        2
    } else {
        0
    }
}

fn load_known(args: &AuditArgs) -> anyhow::Result<Option<known::Known>> {
    let mut values = Vec::new();
    let mut sm = Vec::new();
    for spec in &args.known_secret {
        match spec.strip_prefix("aws-sm:") {
            Some(name) if !name.is_empty() => sm.push(name.to_string()),
            _ => bail!("--known-secret {spec:?}: expected aws-sm:NAME"),
        }
    }
    if !sm.is_empty() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        values.extend(rt.block_on(known::fetch_aws_sm(&sm))?);
    }
    for f in &args.known_secrets_file {
        values.extend(known::read_file(f)?);
    }
    known::Known::new(&values)
}

fn progress_bar(args: &AuditArgs) -> Option<indicatif::ProgressBar> {
    // Only on a terminal. The total is unknown while directories are still being walked, so
    // it shows bytes and rate; it is cleared when the scan ends.
    if args.no_progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes} scanned, {bytes_per_sec} ({elapsed})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Runs the audit. `Ok` carries the exit code (0 clean, 1 leak, 2 error without leak); an
/// `Err` means bad usage and exits 2.
pub fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let baseline = args.baseline.as_deref().map(baseline::read).transpose()?;
    let known = load_known(&args)?;

    // Sort the arguments; directories are walked below while their files are being scanned.
    let mut local: Vec<&str> = Vec::new();
    let mut s3_urls = Vec::new();
    let mut stdin_used = false;
    for p in &args.paths {
        if p == "-" {
            if stdin_used {
                bail!("`-` (stdin) given more than once");
            }
            stdin_used = true;
        } else if p.starts_with("s3://") {
            s3_urls.push(p.clone());
        } else {
            local.push(p);
        }
    }

    let bar = progress_bar(&args);
    let on_read: Option<Box<dyn Fn(u64) + Send + Sync>> = bar
        .clone()
        .map(|b| Box::new(move |n| b.inc(n)) as Box<dyn Fn(u64) + Send + Sync>);
    let ctx = Arc::new(Ctx { known, on_read });

    let mut reports: Vec<InputReport> = Vec::new();
    if stdin_used {
        reports.push(input::audit_stream(std::io::stdin().lock(), "-", &ctx));
    }
    // One task per file on the rayon pool; the walk (on a pool thread) hands files out as it
    // finds them, so on a tree of many small states it overlaps the scanning.
    let found = std::sync::Mutex::new(Vec::new());
    let push = |r: InputReport| found.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    let gate = Gate::new();
    rayon::scope(|scope| {
        let scan = |open: Box<dyn FnOnce() -> std::io::Result<std::fs::File> + Send>,
                    display: String,
                    origin: Origin| {
            let pass = gate.enter();
            let (ctx, push) = (&ctx, &push);
            scope.spawn(move |_| {
                let _pass = pass;
                push(match open() {
                    Ok(f) => audit_file(f, &display, origin, ctx),
                    Err(e) => InputReport::error(&display, format!("cannot open: {e}")),
                });
            });
        };
        for p in &local {
            let path = Path::new(p);
            match std::fs::metadata(path) {
                Ok(m) if m.is_dir() => walk::walk_each(path, |w| match w {
                    walk::Walked::File(f) => {
                        let display = f.path.display().to_string();
                        let origin = f.origin;
                        scan(Box::new(move || f.open()), display, origin);
                    }
                    walk::Walked::Error(file, message) => push(InputReport::error(&file, message)),
                }),
                Ok(_) => {
                    let path = path.to_path_buf();
                    scan(
                        Box::new(move || std::fs::File::open(path)),
                        p.to_string(),
                        Origin::Explicit,
                    )
                }
                Err(e) => push(InputReport::error(p, format!("cannot open: {e}"))),
            }
        }
    });
    reports.extend(found.into_inner().unwrap_or_else(|e| e.into_inner()));
    if !s3_urls.is_empty() {
        reports.extend(s3::audit_all(&s3_urls, ctx.clone())?);
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    // Merge in a deterministic order.
    let mut report = Report {
        findings: Vec::new(),
        files_scanned: 0,
        bytes_scanned: 0,
        errors: Vec::new(),
        notices: Vec::new(),
        baselined: 0,
    };
    for r in reports {
        report.findings.extend(r.findings);
        report.errors.extend(r.errors);
        report.notices.extend(r.notices);
        report.bytes_scanned += r.bytes;
        report.files_scanned += u64::from(r.scanned);
    }
    if let Some(k) = &ctx.known {
        for f in &mut report.findings {
            let mut changed = false;
            for field in [&mut f.pointer, &mut f.file] {
                if let Some(r) = k.redact(field) {
                    *field = r;
                    changed = true;
                }
            }
            for field in [&mut f.inner_pointer, &mut f.address, &mut f.member]
                .into_iter()
                .flatten()
            {
                if let Some(r) = k.redact(field) {
                    *field = r;
                    changed = true;
                }
            }
            if changed {
                f.compute_fingerprint();
            }
        }
    }
    finding::sort_and_dedup(&mut report.findings);
    report
        .errors
        .sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
    report
        .notices
        .sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &report.findings)?;
    }
    if let Some(accepted) = &baseline {
        let before = report.findings.len();
        report
            .findings
            .retain(|f| !accepted.contains(&f.fingerprint));
        report.baselined = before - report.findings.len();
    }
    for e in &report.errors {
        tracing::debug!("input error: {}: {}", e.file, e.message);
    }

    // Render.
    let mut sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating --output {path}"))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let written = match args.format {
        Format::Text => report::text::write(&mut sink, &report, color, started.elapsed()),
        Format::Json => report::json::write(&mut sink, &report),
        Format::Sarif => report::sarif::write(&mut sink, &report),
    };
    written
        .and_then(|_| sink.flush())
        .context("writing the report")?;
    if args.format != Format::Text && !report.errors.is_empty() {
        // Machine formats may go to a file; say on stderr that the run was incomplete.
        let mut err = std::io::stderr().lock();
        for e in &report.errors {
            let _ = writeln!(err, "gcoauth: {}: {}", e.file, e.message);
        }
    }
    Ok(ExitCode::from(exit_code(&report, args.exit_zero)))
}
