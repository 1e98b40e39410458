//! Helpers: run the binary with a clean environment, locate fixtures, parse reports.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every fake secret planted in the fixtures.
pub const SECRETS: &[&str] = &[
    "FAKEsecret0123456789abcdefXYZ",
    "FAKEplanSecret9876543210zyxQ",
    "FAKE-admin-token-123456",
    "FAKEbackendSecretKey0123456789abcdef",
    "FAKEv3output0123456789",
    "FAKEtfdataSecret123456",
];

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audit")
        .join(rel)
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// (rule, pointer, inner_pointer) of each finding.
    pub fn hits(&self) -> Vec<(String, String, Option<String>)> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["pointer"].as_str().unwrap().to_string(),
                    f["inner_pointer"].as_str().map(str::to_string),
                )
            })
            .collect()
    }

    pub fn assert_no_secret(&self) {
        assert_no_secret(&self.stdout);
        assert_no_secret(&self.stderr);
    }
}

/// Fails if `text` contains a planted secret or a long piece of one.
pub fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "output contains secret {s}");
        // Any 8-character window past the 2 shown characters.
        for start in 2..s.len().saturating_sub(8) {
            let piece = &s[start..start + 8];
            assert!(
                !text.contains(piece),
                "output contains a piece of a secret: {piece}"
            );
        }
    }
}

pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gcoauth"));
    c.env_clear();
    c.env("PATH", std::env::var("PATH").unwrap_or_default());
    c.env(
        "HOME",
        std::env::var("HOME").unwrap_or_else(|_| "/tmp".into()),
    );
    c.arg("audit");
    c
}

pub fn run(args: &[&str]) -> Run {
    run_with(cmd(), args, None)
}

pub fn run_stdin(args: &[&str], input: &[u8]) -> Run {
    run_with(cmd(), args, Some(input))
}

pub fn run_with(mut c: Command, args: &[&str], input: Option<&[u8]>) -> Run {
    c.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = c.spawn().expect("spawn gcoauth");
    if let Some(data) = input {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(data).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn f(rel: &str) -> String {
    fixture(rel).display().to_string()
}
