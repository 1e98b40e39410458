//! Reports: the JSON contract, and renderers for text, JSON and SARIF.

pub mod json;
pub mod sarif;
pub mod text;

use serde::Serialize;

use super::finding::Finding;
use super::{InputError, Notice};

/// Everything an audit found, in deterministic order.
#[derive(Debug, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub errors: Vec<InputError>,
    pub notices: Vec<Notice>,
    /// Findings accepted by `--baseline` (not listed).
    pub baselined: usize,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}
