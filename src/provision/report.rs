//! The one JSON line of non-secret facts printed on stdout.

use std::io::Write;

use serde::Serialize;

/// What a command did. Never holds secret material (no field of type `Secret` can be added
/// without a `Serialize` impl, which `Secret` deliberately lacks).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// `created`, `adopted`, `repaired`, `updated`, `rotated`, `unchanged`, `destroyed`, `absent`.
    pub action: &'static str,
    /// The OAuth client id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// The secret's name.
    pub secret_name: String,
    /// The secret's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_arn: Option<String>,
    /// The version id of the stored value, when this run stored one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The Genesys region (or `custom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genesys_region: Option<String>,
}

impl Report {
    /// Prints the report as one JSON line on stdout.
    pub fn emit(&self) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, self)?;
        writeln!(out)?;
        out.flush()
    }
}
