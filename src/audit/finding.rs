//! The finding model shared by scanners and reports.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::rules::RuleId;

/// One leak. Holds no secret: only the masked hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub file: String,
    /// Zip entry of a saved plan file, if any.
    pub member: Option<String>,
    /// Resource address (`module.x.type.name[0]`), `output.NAME`, `var.NAME`, if known.
    pub address: Option<String>,
    /// RFC 6901 pointer to the leaking value in its document.
    pub pointer: String,
    /// Pointer inside a decoded string value (JSON-encoded or `KEY=VALUE` text), if any.
    pub inner_pointer: Option<String>,
    pub line: u64,
    pub column: u64,
    pub masked: String,
    pub fingerprint: String,
}

impl Finding {
    /// Computes the fingerprint from the finding's location (never from the value).
    pub fn compute_fingerprint(&mut self) {
        let mut h = Sha256::new();
        for part in [
            self.rule.id(),
            self.file.as_str(),
            self.member.as_deref().unwrap_or(""),
            self.address.as_deref().unwrap_or(""),
            self.pointer.as_str(),
            self.inner_pointer.as_deref().unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        self.fingerprint = hex::encode(&h.finalize()[..16]);
    }

    /// Sort key for deterministic output.
    pub fn sort_key(&self) -> (&str, &str, u64, u64, &str, &str, usize) {
        (
            self.file.as_str(),
            self.member.as_deref().unwrap_or(""),
            self.line,
            self.column,
            self.pointer.as_str(),
            self.inner_pointer.as_deref().unwrap_or(""),
            self.rule.priority(),
        )
    }
}

/// Appends one RFC 6901 pointer segment (`/` + escaped `seg`).
pub fn push_pointer_segment(out: &mut String, seg: &str) {
    out.push('/');
    for c in seg.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Sorts findings and keeps one per location (the highest-priority rule).
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|later, first| {
        later.file == first.file
            && later.member == first.member
            && later.pointer == first.pointer
            && later.inner_pointer == first.inner_pointer
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(rule: RuleId, pointer: &str) -> Finding {
        let mut f = Finding {
            rule,
            file: "a.tfstate".into(),
            member: None,
            address: Some("x.y".into()),
            pointer: pointer.into(),
            inner_pointer: None,
            line: 3,
            column: 5,
            masked: "ab…(40 chars)".into(),
            fingerprint: String::new(),
        };
        f.compute_fingerprint();
        f
    }

    #[test]
    fn fingerprint_ignores_value_and_position_but_not_location() {
        let a = f(RuleId::ClientSecret, "/a");
        let mut b = a.clone();
        b.masked = "zz…(9 chars)".into();
        b.line = 99;
        b.compute_fingerprint();
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, f(RuleId::ClientSecret, "/b").fingerprint);
        assert_ne!(a.fingerprint, f(RuleId::KnownSecret, "/a").fingerprint);
        assert_eq!(a.fingerprint.len(), 32);
    }

    #[test]
    fn dedup_keeps_most_specific_rule() {
        let mut v = vec![
            f(RuleId::SensitiveOutput, "/a"),
            f(RuleId::ClientSecret, "/a"),
            f(RuleId::KnownSecret, "/b"),
        ];
        sort_and_dedup(&mut v);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].rule, RuleId::ClientSecret);
    }

    #[test]
    fn pointer_escaping() {
        let mut s = String::new();
        push_pointer_segment(&mut s, "a/b~c");
        assert_eq!(s, "/a~1b~0c");
    }
}
