//! Baselines: accepted findings, by fingerprint.

use std::collections::BTreeSet;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::finding::Finding;

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    tool: String,
    fingerprints: BTreeSet<String>,
}

#[derive(Deserialize)]
struct ReportFile {
    findings: Vec<FingerprintOnly>,
}

#[derive(Deserialize)]
struct FingerprintOnly {
    fingerprint: String,
}

/// Reads a baseline written by `--write-baseline`, or a previous `--format json` report.
pub fn read(path: &str) -> anyhow::Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading baseline {path}"))?;
    if let Ok(b) = serde_json::from_str::<BaselineFile>(&text) {
        return Ok(b.fingerprints);
    }
    let r: ReportFile = serde_json::from_str(&text)
        .with_context(|| format!("{path} is neither a gcoauth baseline nor a JSON report"))?;
    Ok(r.findings.into_iter().map(|f| f.fingerprint).collect())
}

/// Writes the fingerprints of `findings` as a baseline.
pub fn write(path: &str, findings: &[Finding]) -> anyhow::Result<()> {
    let b = BaselineFile {
        version: 1,
        tool: "gcoauth audit".into(),
        fingerprints: findings.iter().map(|f| f.fingerprint.clone()).collect(),
    };
    let mut text = serde_json::to_string_pretty(&b)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("writing baseline {path}"))
}
