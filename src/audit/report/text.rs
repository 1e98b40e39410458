//! `--format text`: findings grouped by file and resource address, then a summary line.

use std::io::Write;
use std::time::Duration;

use super::Report;

/// Writes the human report. `color` adds ANSI styling (only on a terminal).
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    color: bool,
    elapsed: Duration,
) -> std::io::Result<()> {
    let (bold, red, dim, reset) = if color {
        ("\x1b[1m", "\x1b[31m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut last_file: Option<(&str, Option<&str>)> = None;
    let mut last_addr: Option<Option<&str>> = None;
    for f in &report.findings {
        let file_key = (f.file.as_str(), f.member.as_deref());
        if last_file != Some(file_key) {
            match f.member.as_deref() {
                Some(m) => writeln!(out, "{bold}{}{reset} [{m}]", f.file)?,
                None => writeln!(out, "{bold}{}{reset}", f.file)?,
            }
            last_file = Some(file_key);
            last_addr = None;
        }
        if last_addr != Some(f.address.as_deref()) {
            writeln!(
                out,
                "  {}",
                f.address.as_deref().unwrap_or("(no resource address)")
            )?;
            last_addr = Some(f.address.as_deref());
        }
        let inner = f
            .inner_pointer
            .as_deref()
            .map(|p| format!(" -> {p}"))
            .unwrap_or_default();
        let pointer = if f.pointer.is_empty() {
            "(raw bytes)"
        } else {
            f.pointer.as_str()
        };
        writeln!(
            out,
            "    {pointer}{inner}  {red}{}{reset}  {}  {dim}line {}, column {}{reset}",
            f.rule.id(),
            f.masked,
            f.line,
            f.column
        )?;
    }
    for e in &report.errors {
        writeln!(out, "{red}error{reset}: {}: {}", e.file, e.message)?;
    }
    for n in &report.notices {
        writeln!(out, "notice: {}: {}", n.file, n.message)?;
    }
    let baselined = if report.baselined > 0 {
        format!(" ({} accepted by baseline)", report.baselined)
    } else {
        String::new()
    };
    writeln!(
        out,
        "gcoauth audit: {} files, {} bytes, {} findings{baselined}, {} errors, {:.2} s",
        report.files_scanned,
        report.bytes_scanned,
        report.findings.len(),
        report.errors.len(),
        elapsed.as_secs_f64()
    )
}
