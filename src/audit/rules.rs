//! The rules: stable ids, descriptions and help, plus the key and value tests they share.

use serde::Serialize;

/// A rule's stable id (kebab-case in every output format).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    /// A key naming a client secret (`client_secret`, `clientSecret`, ...) with a real value.
    ClientSecret,
    /// The `secret` of a Genesys Cloud OAuth client object (beside `authorizedGrantType`).
    GenesysOauthClientSecret,
    /// A Genesys Cloud provider credential such as `GENESYSCLOUD_ACCESS_TOKEN`.
    ProviderCredential,
    /// A credential in Terraform's backend config cache (`.terraform/terraform.tfstate`).
    BackendCredential,
    /// `KEY=VALUE` / `key = "value"` text assigning a client secret (e.g. a rendered `.env`).
    ClientSecretAssignment,
    /// A root output marked sensitive whose value is stored in clear.
    SensitiveOutput,
    /// A plan variable declared sensitive whose value is stored in clear.
    SensitiveVariable,
    /// A sensitive `terraform_data` input, or its unmarked copy in `output`.
    TerraformDataSensitive,
    /// A value given with `--known-secret` / `--known-secrets-file`, in any encoding.
    KnownSecret,
}

/// Severity of a rule (SARIF level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl RuleId {
    /// Every rule, in priority order (when several rules hit one value, the first wins).
    pub const ALL: [RuleId; 9] = [
        RuleId::ClientSecret,
        RuleId::GenesysOauthClientSecret,
        RuleId::ProviderCredential,
        RuleId::BackendCredential,
        RuleId::ClientSecretAssignment,
        RuleId::KnownSecret,
        RuleId::TerraformDataSensitive,
        RuleId::SensitiveOutput,
        RuleId::SensitiveVariable,
    ];

    /// The stable kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            RuleId::ClientSecret => "client-secret",
            RuleId::GenesysOauthClientSecret => "genesys-oauth-client-secret",
            RuleId::ProviderCredential => "provider-credential",
            RuleId::BackendCredential => "backend-credential",
            RuleId::ClientSecretAssignment => "client-secret-assignment",
            RuleId::SensitiveOutput => "sensitive-output",
            RuleId::SensitiveVariable => "sensitive-variable",
            RuleId::TerraformDataSensitive => "terraform-data-sensitive",
            RuleId::KnownSecret => "known-secret",
        }
    }

    /// Priority for de-duplicating several rules on one value (lower wins).
    pub fn priority(self) -> usize {
        RuleId::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or(usize::MAX)
    }

    /// One-line description.
    pub fn description(self) -> &'static str {
        match self {
            RuleId::ClientSecret => "An OAuth client secret is stored in clear text",
            RuleId::GenesysOauthClientSecret => "The secret of a Genesys Cloud OAuth client object is stored in clear text",
            RuleId::ProviderCredential => "A Genesys Cloud provider credential is stored in clear text",
            RuleId::BackendCredential => "A backend credential is stored in Terraform's backend config cache",
            RuleId::ClientSecretAssignment => "Text (e.g. a rendered .env file or .tf source) assigns a client secret in clear",
            RuleId::SensitiveOutput => "A sensitive root output holds a secret in clear text",
            RuleId::SensitiveVariable => "A variable declared sensitive is stored in clear text in the plan",
            RuleId::TerraformDataSensitive => "A sensitive value is stored in a terraform_data resource (its output copy is not even marked)",
            RuleId::KnownSecret => "A known secret value occurs in the input (raw, JSON-escaped, base64 or URL-encoded)",
        }
    }

    /// What to do about it.
    pub fn help(self) -> &'static str {
        match self {
            RuleId::ClientSecret | RuleId::GenesysOauthClientSecret => {
                "Rotate the client secret, then keep it out of Terraform: create the client with `gcoauth client create` from local-exec so the secret goes straight to AWS Secrets Manager, or use a write-only argument (`*_wo`) fed by an ephemeral value. Purge old state versions and backups that hold it."
            }
            RuleId::ProviderCredential => {
                "Rotate the credential and pass it to the provider through the environment or an ephemeral variable instead of configuration or state."
            }
            RuleId::BackendCredential => {
                "Rotate the credential; supply backend credentials through the environment or a credentials file, not -backend-config values (they are cached in .terraform/terraform.tfstate)."
            }
            RuleId::ClientSecretAssignment => {
                "Rotate the secret; do not render secrets into files managed by Terraform (local_file, templates) or literals in .tf sources."
            }
            RuleId::SensitiveOutput => {
                "`sensitive = true` only hides an output in the CLI; the value is still stored in state and plans. Do not output secrets; read them from the secret store where needed."
            }
            RuleId::SensitiveVariable => {
                "Sensitive variables are written in clear into plan files and plan JSON. Declare the variable `ephemeral = true` (Terraform 1.10+) and use it only in write-only arguments, provisioners or providers."
            }
            RuleId::TerraformDataSensitive => {
                "terraform_data persists its input in state and copies it to `output` without the sensitive mark. Pass only identifiers (names, IDs) through terraform_data, never secrets."
            }
            RuleId::KnownSecret => {
                "A value known to be secret is present. Rotate it and find out how it reached state or the plan."
            }
        }
    }

    /// Severity (all rules are leaks for the exit code; this only ranks them).
    pub fn severity(self) -> Severity {
        match self {
            RuleId::SensitiveOutput
            | RuleId::SensitiveVariable
            | RuleId::TerraformDataSensitive => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// Which secret rule a key name triggers, if any. The decoded key is expected; a legacy
/// flatmap key (`a.0.client_secret`) is judged by its last dotted part, so count keys
/// (`client_secret.%`) and references (`client_secret_arn`) do not match.
pub fn secret_key_rule(key: &[u8]) -> Option<RuleId> {
    // The last dotted part first: a long flatmap path must not hide a short secret key.
    let tail = match memchr::memrchr(b'.', key) {
        Some(i) => &key[i + 1..],
        None => key,
    };
    // Cheap pre-check: every name we look for is at least 6 characters, and none is long.
    if tail.len() < 6 || tail.len() > 96 {
        return None;
    }
    let mut norm = [0u8; 96];
    let mut n = 0;
    for &b in tail {
        if b.is_ascii_alphanumeric() {
            norm[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    let norm = &norm[..n];
    if norm.ends_with(b"clientsecret") {
        return Some(RuleId::ClientSecret);
    }
    if norm == b"genesyscloudaccesstoken" {
        return Some(RuleId::ProviderCredential);
    }
    None
}

/// Fast test whether a key (or string) mentions "secret" or "token" in any case. SIMD
/// `memchr` finds the middle letter (`r` of secret, `k` of token); only those spots are
/// checked, so long values cost little.
#[inline]
pub fn maybe_secret_key(key: &[u8]) -> bool {
    if key.len() < 5 {
        return false;
    }
    let at = |i: usize, word: &[u8; 5]| -> bool {
        i >= 2
            && i + 3 <= key.len()
            && key[i - 2..i + 3]
                .iter()
                .zip(word)
                .all(|(a, b)| a | 0x20 == *b)
    };
    let check = |i: usize| at(i, b"ecret") || at(i, b"token");
    if key.len() <= 32 {
        // Short keys: a scalar pass beats setting up SIMD searches.
        return (2..key.len() - 2).any(|i| matches!(key[i] | 0x20, b'r' | b'k') && check(i));
    }
    memchr::memchr3_iter(b'r', b'k', b'R', key).any(check)
        || memchr::memchr_iter(b'K', key).any(check)
}

/// Backend `config` keys that hold credentials (s3, azurerm, gcs, pg, http, consul, cos, oss).
pub fn backend_credential_key(key: &[u8]) -> bool {
    matches!(
        key,
        b"secret_key"
            | b"access_key"
            | b"token"
            | b"password"
            | b"client_secret"
            | b"sas_token"
            | b"client_certificate_password"
            | b"credentials"
            | b"access_token"
            | b"conn_str"
            | b"session_token"
            | b"secret_id"
    )
}

/// Is `v` (decoded) a placeholder or reference rather than a real secret?
pub fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    if t.is_empty() {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "(sensitive value)"
            | "(sensitive)"
            | "sensitive"
            | "redacted"
            | "[redacted]"
            | "(redacted)"
            | "null"
            | "none"
            | "nil"
            | "undefined"
            | "changeme"
            | "todo"
            | "tbd"
            | "secret"
            | "placeholder"
            // cty type names in the `type` half of state's dynamic {"value","type"} wrappers.
            | "string"
            | "number"
            | "bool"
            | "dynamic"
    ) {
        return true;
    }
    // Masks: one repeated character (`********`, `xxxxxxxx`).
    let mut chars = t.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return true;
        }
    }
    if t.contains("${")
        || t.contains("{{")
        || lower.contains("redacted")
        || lower.contains("sensitive value")
    {
        return true;
    }
    if t.starts_with('<') && t.ends_with('>') {
        return true;
    }
    if lower.starts_with("arn:") || lower.starts_with("projects/") || lower.starts_with("vault:") {
        return true;
    }
    false
}

#[cfg(test)]
mod long_key_tests {
    use super::*;

    #[test]
    fn a_long_flatmap_path_is_judged_by_its_last_part() {
        let key = format!(
            "{}.client_secret",
            "module_nested_resource_attribute_path.0".repeat(3)
        );
        assert!(key.len() > 96);
        assert!(secret_key_rule(key.as_bytes()).is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_match_spellings_and_not_references() {
        for k in [
            "client_secret",
            "clientSecret",
            "ClientSecret",
            "client-secret",
            "oauthclient_secret",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET",
            "service_principal.0.client_secret",
            "CLIENT_SECRET",
        ] {
            assert_eq!(
                secret_key_rule(k.as_bytes()),
                Some(RuleId::ClientSecret),
                "{k}"
            );
        }
        assert_eq!(
            secret_key_rule(b"GENESYSCLOUD_ACCESS_TOKEN"),
            Some(RuleId::ProviderCredential)
        );
        for k in [
            "client_secret_arn",
            "client_secret_name",
            "client_secret_id",
            "client_secret_version",
            "client_secret_wo_version",
            "client_secret_ref",
            "client_secret.%",
            "client_secret.#",
            "secret",
            "password",
            "token",
            "access_token",
            "client_id",
            "description",
        ] {
            assert_eq!(secret_key_rule(k.as_bytes()), None, "{k}");
        }
    }

    #[test]
    fn secret_word_precheck() {
        for k in [
            "secret",
            "client_secret",
            "CLIENT_SECRET",
            "ClientSecret",
            "token",
            "ACCESS_TOKEN",
            "xxSeCrEtxx",
        ] {
            assert!(maybe_secret_key(k.as_bytes()), "{k}");
        }
        for k in [
            "secre",
            "ecre",
            "tokens_",
            "arn:aws:iam::x",
            "description",
            "kkkkrrrr",
            "rk",
        ] {
            assert_eq!(maybe_secret_key(k.as_bytes()), k == "tokens_", "{k}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            " ",
            "********",
            "(sensitive value)",
            "REDACTED",
            "${var.client_secret}",
            "<client-secret>",
            "xxxxxxxxxxxx",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for s in ["FAKEsecret0123456789abcdefXYZ", "abc123", "s3cr3t-Value"] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn rule_ids_are_unique_kebab_case() {
        let mut ids: Vec<&str> = RuleId::ALL.iter().map(|r| r.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RuleId::ALL.len());
        for r in RuleId::ALL {
            assert!(r.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.id()));
        }
    }
}
