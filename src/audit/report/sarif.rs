//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (hand-written model with only
//! the fields GitHub reads).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::Report;
use crate::audit::rules::{RuleId, Severity};

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Level,
    properties: RuleProps,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProps {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Physical,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    start_column: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical {
    fully_qualified_name: String,
    kind: &'static str,
}

fn level(r: RuleId) -> &'static str {
    match r.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn uri(file: &str) -> String {
    if file == "-" {
        return "stdin".into();
    }
    if file.starts_with("s3://") {
        return file.into();
    }
    let encoded = percent_encoding::utf8_percent_encode(file, &URI_SET).to_string();
    if file.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.trim_start_matches("./").to_string()
    }
}

const URI_SET: percent_encoding::AsciiSet = percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Writes the report as SARIF 2.1.0.
pub fn write(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let rules = RuleId::ALL
        .iter()
        .map(|r| Rule {
            id: r.id(),
            name: r
                .id()
                .split('-')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect(),
            short_description: Text {
                text: r.description().into(),
            },
            full_description: Text {
                text: format!("{}.", r.description()),
            },
            help: Help {
                text: r.help().into(),
                markdown: format!("**{}**\n\n{}", r.description(), r.help()),
            },
            default_configuration: Level { level: level(*r) },
            properties: RuleProps {
                tags: vec!["security", "secret", "terraform"],
                precision: "high",
                security_severity: if r.severity() == Severity::Error {
                    "9.0"
                } else {
                    "7.0"
                },
            },
        })
        .collect();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let mut loc = f.address.clone().unwrap_or_default();
            if let Some(m) = &f.member {
                loc = format!("{loc} in plan member {m}");
            }
            let inner = f
                .inner_pointer
                .as_deref()
                .map(|p| format!(" -> {p}"))
                .unwrap_or_default();
            let mut fp = BTreeMap::new();
            fp.insert("gcoauthFingerprint/v1", f.fingerprint.clone());
            SarifResult {
                rule_id: f.rule.id(),
                rule_index: RuleId::ALL.iter().position(|r| *r == f.rule).unwrap_or(0),
                level: level(f.rule),
                message: Text {
                    text: format!(
                        "{}. {} at {}{} (value {}).",
                        f.rule.description(),
                        loc.trim(),
                        f.pointer,
                        inner,
                        f.masked
                    ),
                },
                locations: vec![Location {
                    physical_location: Physical {
                        artifact_location: Artifact { uri: uri(&f.file) },
                        region: Region {
                            start_line: f.line.max(1),
                            start_column: f.column.max(1),
                        },
                    },
                    logical_locations: f
                        .address
                        .iter()
                        .map(|a| Logical {
                            fully_qualified_name: a.clone(),
                            kind: "resource",
                        })
                        .collect(),
                }],
                partial_fingerprints: fp,
            }
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "gcoauth-audit",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/gcoauth/gcoauth/blob/main/docs/audit.md",
                    rules,
                },
            },
            results,
            column_kind: "utf16CodeUnits",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
