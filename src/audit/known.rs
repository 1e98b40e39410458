//! Known secret values (`--known-secret`, `--known-secrets-file`) and their encodings.

use std::io::Read;

use aho_corasick::AhoCorasick;
use anyhow::{bail, Context};
use base64::Engine;

use super::mask::mask;

/// Values shorter than this would match too much to be useful.
pub const MIN_LEN: usize = 6;

/// A matcher over every known value in every encoding we look for.
pub struct Known {
    ac: AhoCorasick,
    max_len: usize,
    /// Masked original value, per pattern id.
    masks: Vec<String>,
    count: usize,
}

impl std::fmt::Debug for Known {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Known({} values)", self.count)
    }
}

/// The byte patterns under which `v` may appear: raw, JSON-escaped, URL-encoded, and base64
/// (standard and URL-safe) at each of the 3 alignments, without the edge characters that
/// depend on neighbouring bytes.
pub fn variants(v: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![v.as_bytes().to_vec()];
    let escaped = serde_json::to_string(v).unwrap_or_default();
    out.push(escaped.as_bytes()[1..escaped.len() - 1].to_vec());
    out.push(
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
            .into_bytes(),
    );
    let raw = v.as_bytes();
    for engine in [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        for align in 0..3usize {
            let mut bytes = vec![0u8; align];
            bytes.extend_from_slice(raw);
            let enc = engine.encode(&bytes);
            let skip = (align * 8).div_ceil(6);
            let total_bits = bytes.len() * 8;
            let keep_end = if total_bits % 6 == 0 {
                enc.len()
            } else {
                enc.len() - 1
            };
            if keep_end > skip + 4 {
                out.push(enc.as_bytes()[skip..keep_end].to_vec());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Known {
    /// Builds the matcher; `Ok(None)` when there are no values.
    pub fn new(values: &[String]) -> anyhow::Result<Option<Known>> {
        let mut patterns = Vec::new();
        let mut masks = Vec::new();
        for v in values {
            if v.chars().count() < MIN_LEN {
                bail!(
                    "a known secret is shorter than {MIN_LEN} characters; it would match too much"
                );
            }
            for p in variants(v) {
                patterns.push(p);
                masks.push(mask(v));
            }
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        let max_len = patterns.iter().map(Vec::len).max().unwrap_or(0);
        let ac = AhoCorasick::new(&patterns).context("building the known-secret matcher")?;
        Ok(Some(Known {
            ac,
            max_len,
            masks,
            count: values.len(),
        }))
    }

    /// The Aho-Corasick automaton.
    pub fn matcher(&self) -> &AhoCorasick {
        &self.ac
    }

    /// Length of the longest pattern.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Masked form of the value behind pattern `pid`.
    pub fn masked(&self, pid: usize) -> String {
        self.masks.get(pid).cloned().unwrap_or_default()
    }

    /// `text` with every known secret (in any of its encodings) replaced by its masked form;
    /// `None` when there is none. Locations (pointers, addresses) are built from keys, and a
    /// map keyed by a secret would otherwise print it.
    pub fn redact(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut last = 0;
        for m in self.ac.find_iter(text) {
            // Patterns may end inside a multi-byte character; cut on char boundaries.
            let (start, end) = (floor_char(text, m.start()), ceil_char(text, m.end()));
            if start < last {
                continue;
            }
            out.push_str(&text[last..start]);
            out.push_str(&format!("~{}~", self.masked(m.pattern().as_usize())));
            last = end;
        }
        (last > 0).then(|| {
            out.push_str(&text[last..]);
            out
        })
    }

    /// Byte offsets and pattern ids of every match in a byte stream (binary members).
    pub fn find_in_stream<R: Read>(&self, r: R) -> std::io::Result<Vec<(u64, usize)>> {
        let mut out = Vec::new();
        for m in self.ac.stream_find_iter(r) {
            let m = m?;
            out.push((m.start() as u64, m.pattern().as_usize()));
        }
        Ok(out)
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Reads `--known-secrets-file`: one value per line (trailing `\r` removed, empty lines skipped).
pub fn read_file(path: &str) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading --known-secrets-file {path}"))?;
    Ok(text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Extracts the secret from a Secrets Manager value: the `client_secret` of a JSON object,
/// or the whole string when it is not JSON.
pub fn secret_from_value(value: &str) -> anyhow::Result<String> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(map)) => {
            match map.get("client_secret").or_else(|| map.get("clientSecret")) {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                _ => bail!("the secret's JSON value has no string `client_secret`"),
            }
        }
        _ => Ok(value.to_string()),
    }
}

/// Fetches `--known-secret aws-sm:NAME` values from AWS Secrets Manager.
pub async fn fetch_aws_sm(names: &[String]) -> anyhow::Result<Vec<String>> {
    let conf = aws_config::load_from_env().await;
    crate::endpoints::check_aws_endpoints("AWS_ENDPOINT_URL_SECRETS_MANAGER", conf.endpoint_url())?;
    let client = aws_sdk_secretsmanager::Client::new(&conf);
    let mut out = Vec::new();
    for name in names {
        let resp = client
            .get_secret_value()
            .secret_id(name)
            .send()
            .await
            .map_err(aws_sdk_secretsmanager::Error::from)
            .with_context(|| format!("reading known secret aws-sm:{name} from Secrets Manager"))?;
        let Some(s) = resp.secret_string() else {
            bail!("aws-sm:{name} has no string value");
        };
        out.push(secret_from_value(s).with_context(|| format!("aws-sm:{name}"))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_encoding_at_every_alignment() {
        let secret = "FAKEsecret0123456789abcdefXYZ";
        let k = Known::new(&[secret.to_string()]).unwrap().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut hays: Vec<Vec<u8>> = vec![
            format!("x{secret}y").into_bytes(),
            serde_json::to_string(&format!("a\"{secret}"))
                .unwrap()
                .into_bytes(),
            format!(
                "q={}",
                percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            )
            .into_bytes(),
        ];
        for prefix in ["", "a", "ab", "abc"] {
            hays.push(b64.encode(format!("{prefix}{secret}tail")).into_bytes());
            hays.push(b64.encode(format!("{prefix}{secret}")).into_bytes());
        }
        for h in hays {
            assert!(
                !k.find_in_stream(&h[..]).unwrap().is_empty(),
                "{}",
                String::from_utf8_lossy(&h)
            );
        }
        assert!(k
            .find_in_stream(&b"FAKEsecret0123456789abcdefXY"[..])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn rejects_short_values_and_extracts_client_secret() {
        assert!(Known::new(&["abc".into()]).is_err());
        assert_eq!(
            secret_from_value(r#"{"client_id":"x","client_secret":"FAKEsecret0123"}"#).unwrap(),
            "FAKEsecret0123"
        );
        assert_eq!(secret_from_value("plainvalue").unwrap(), "plainvalue");
        assert!(secret_from_value(r#"{"x":1}"#).is_err());
    }
}
