//! `--format json`: the report as one JSON document.

use std::io::Write;

use super::Report;

/// Writes the report as pretty JSON.
pub fn write(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
