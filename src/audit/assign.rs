//! Finds secret assignments in text: `KEY=VALUE` lines of a rendered `.env` file, YAML-ish
//! `key: value`, and HCL `key = "value"` literals (in a plan file's `tfconfig/` sources).

use super::mask::mask;
use super::rules::{is_placeholder, secret_key_rule, RuleId};

/// One assignment of a secret-named key to a literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub rule: RuleId,
    /// The key as written.
    pub key: String,
    /// 1-based line and byte column of the value within the text.
    pub line: u64,
    pub column: u64,
    pub masked: String,
}

/// Scans `text` line by line. With `hcl`, only quoted literals count (an unquoted value is an
/// expression such as `var.x`).
pub fn find_assignments(text: &str, hcl: bool) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some((key, col, value)) = parse_line(line, hcl) {
            let Some(rule) = secret_key_rule(key.as_bytes()) else {
                continue;
            };
            if is_placeholder(&value) || looks_like_reference(&value) {
                continue;
            }
            out.push(Assignment {
                rule,
                key: key.to_string(),
                line: n as u64 + 1,
                column: col as u64 + 1,
                masked: mask(&value),
            });
        }
    }
    out
}

/// Cheap test for text worth parsing as assignments.
pub fn may_contain_assignment(raw: &[u8]) -> bool {
    (memchr::memchr(b'=', raw).is_some() || memchr::memchr(b':', raw).is_some())
        && super::rules::maybe_secret_key(raw)
}

fn parse_line(line: &str, hcl: bool) -> Option<(&str, usize, String)> {
    let start = line.len() - line.trim_start().len();
    let mut rest = &line[start..];
    let mut offset = start;
    if let Some(r) = rest.strip_prefix("export ") {
        offset += rest.len() - r.len();
        rest = r;
    }
    let quoted_key = rest.starts_with('"') || rest.starts_with('\'');
    let body = if quoted_key { &rest[1..] } else { rest };
    let key_len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    if key_len == 0 {
        return None;
    }
    let key = &body[..key_len];
    let mut after = &body[key_len..];
    if quoted_key {
        after = after.strip_prefix(['"', '\''])?;
    }
    let sep_ws = after.len() - after.trim_start().len();
    after = after.trim_start();
    let sep = after.chars().next()?;
    if sep != '=' && sep != ':' {
        return None;
    }
    let after_sep = &after[1..];
    if after_sep.starts_with('=') {
        return None; // `==` comparison, not an assignment
    }
    let vws = after_sep.len() - after_sep.trim_start().len();
    let v = after_sep.trim_start();
    let value_off = offset + (quoted_key as usize) * 2 + key_len + sep_ws + 1 + vws;
    let value = if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let inner = &v[1..];
        let end = inner.find(q)?;
        inner[..end].to_string()
    } else {
        if hcl {
            return None;
        }
        let v = v
            .split(" #")
            .next()
            .unwrap_or(v)
            .trim_end()
            .trim_end_matches(',');
        // Prose ("client_secret: stored in Vault") is not an assignment: unquoted values
        // cannot contain spaces in .env files.
        if v.starts_with('{') || v.starts_with('[') || v.contains(char::is_whitespace) {
            return None;
        }
        v.to_string()
    };
    Some((key, value_off, value))
}

fn looks_like_reference(v: &str) -> bool {
    [
        "var.",
        "local.",
        "module.",
        "data.",
        "each.",
        "self.",
        "ephemeral.",
    ]
    .iter()
    .any(|p| v.starts_with(p))
        || v.contains("$(")
        || v.starts_with('$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_hcl_forms() {
        let text = "# comment\nCLIENT_ID=abc\nGENESYSCLOUD_OAUTHCLIENT_SECRET=FAKEsecret0123456789abcdefXYZ\nexport client_secret=\"FAKEsecret0123456789abcdefXYZ\"\nclient_secret = var.x\nclientSecret: FAKEsecret0123456789abcdefXYZ\nCLIENT_SECRET=\nCLIENT_SECRET_ARN=arn:aws:x\n";
        let a = find_assignments(text, false);
        assert_eq!(a.iter().map(|x| x.line).collect::<Vec<_>>(), vec![3, 4, 6]);
        assert_eq!(a[0].column, 33);
        assert!(a.iter().all(|x| !x.masked.contains("FAKEsecret")));
        let hcl = "  client_secret = \"FAKEsecret0123456789abcdefXYZ\"\n  client_secret = var.client_secret\n  description = \"the client_secret is stored elsewhere\"\n";
        let h = find_assignments(hcl, true);
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].line, h[0].column), (1, 19));
    }

    #[test]
    fn prose_does_not_match() {
        assert!(find_assignments(
            "Set the client_secret in Vault, not here: it rotates.",
            false
        )
        .is_empty());
        assert!(find_assignments("if client_secret == other", false).is_empty());
        assert!(
            find_assignments("client_secret: stored in Vault, rotated monthly", false).is_empty()
        );
    }
}
