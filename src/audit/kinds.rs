//! Input kinds, recognised by content (never by file name).

/// What a JSON document is, decided from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// Terraform state format 4 (`terraform.tfstate`, `state pull`).
    StateV4,
    /// Legacy state format 1-3 (`modules[].resources{}.primary.attributes`).
    StateV3,
    /// Terraform's backend config cache (`.terraform/terraform.tfstate`).
    BackendCache,
    /// `terraform show -json` of a plan.
    PlanJson,
    /// `terraform show -json` of a state.
    ShowState,
    /// OpenTofu encrypted state or plan (`encryption_version`): not audited.
    Encrypted,
    /// Valid JSON but not a Terraform document.
    Unknown,
}

impl DocKind {
    /// Human name for reports.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::StateV4 => "state v4",
            DocKind::StateV3 => "legacy state v3",
            DocKind::BackendCache => "backend config cache",
            DocKind::PlanJson => "plan JSON",
            DocKind::ShowState => "state JSON (terraform show -json)",
            DocKind::Encrypted => "OpenTofu encrypted state",
            DocKind::Unknown => "unrecognised JSON",
        }
    }
}

/// Top-level keys seen in a document (bit flags) and the `version` number.
#[derive(Debug, Default, Clone, Copy)]
pub struct TopKeys {
    bits: u32,
    /// Value of a top-level numeric `version`.
    pub version: Option<u64>,
}

macro_rules! top_keys {
    ($($name:ident = $bit:expr => $key:literal),* $(,)?) => {
        impl TopKeys {
            $(pub const $name: u32 = 1 << $bit;)*
            /// Records a top-level key.
            pub fn see(&mut self, key: &[u8]) {
                self.bits |= match key { $($key => Self::$name,)* _ => 0 };
            }
        }
    };
}

top_keys! {
    RESOURCES = 0 => b"resources",
    OUTPUTS = 1 => b"outputs",
    LINEAGE = 2 => b"lineage",
    TF_VERSION = 3 => b"terraform_version",
    MODULES = 4 => b"modules",
    BACKEND = 5 => b"backend",
    FORMAT_VERSION = 6 => b"format_version",
    PLANNED = 7 => b"planned_values",
    CHANGES = 8 => b"resource_changes",
    PRIOR = 9 => b"prior_state",
    CONFIGURATION = 10 => b"configuration",
    VALUES = 11 => b"values",
    ENC_VERSION = 12 => b"encryption_version",
    ENC_DATA = 13 => b"encrypted_data",
    META = 14 => b"meta",
    SERIAL = 15 => b"serial",
    VERSION = 16 => b"version",
    REMOTE = 17 => b"remote",
}

impl TopKeys {
    fn has(&self, bits: u32) -> bool {
        self.bits & bits == bits
    }

    /// Whether the keys seen so far already look like a Terraform document (used to decide
    /// if a parse failure in a walked `*.json` file is worth an error).
    pub fn looks_terraform(&self) -> bool {
        self.bits
            & (Self::TF_VERSION
                | Self::LINEAGE
                | Self::FORMAT_VERSION
                | Self::ENC_VERSION
                | Self::RESOURCES
                | Self::MODULES
                | Self::SERIAL)
            != 0
    }

    /// Classifies a completely parsed document.
    pub fn classify(&self) -> DocKind {
        if self.has(Self::ENC_VERSION) && (self.has(Self::ENC_DATA) || self.has(Self::META)) {
            return DocKind::Encrypted;
        }
        match self.version {
            Some(4)
                if self.bits
                    & (Self::RESOURCES
                        | Self::OUTPUTS
                        | Self::LINEAGE
                        | Self::TF_VERSION
                        | Self::SERIAL)
                    != 0 =>
            {
                return DocKind::StateV4
            }
            Some(1..=3) if self.has(Self::MODULES) => return DocKind::StateV3,
            Some(1..=3) if self.has(Self::BACKEND) || self.has(Self::REMOTE) => {
                return DocKind::BackendCache
            }
            _ => {}
        }
        if self.has(Self::FORMAT_VERSION) {
            if self.bits & (Self::PLANNED | Self::CHANGES | Self::CONFIGURATION) != 0 {
                return DocKind::PlanJson;
            }
            if self.has(Self::VALUES) || self.bits & !(Self::FORMAT_VERSION | Self::TF_VERSION) == 0
            {
                return DocKind::ShowState;
            }
        }
        DocKind::Unknown
    }
}

/// The first bytes of a zip archive (saved plan files are zips).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

/// Whether the first non-whitespace byte opens a JSON object or array.
pub fn looks_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(keys: &[&str], version: Option<u64>) -> DocKind {
        let mut t = TopKeys {
            version,
            ..Default::default()
        };
        for k in keys {
            t.see(k.as_bytes());
        }
        t.classify()
    }

    #[test]
    fn classification() {
        assert_eq!(
            kind(
                &[
                    "version",
                    "terraform_version",
                    "serial",
                    "lineage",
                    "outputs",
                    "resources"
                ],
                Some(4)
            ),
            DocKind::StateV4
        );
        assert_eq!(
            kind(&["version", "serial", "modules"], Some(3)),
            DocKind::StateV3
        );
        assert_eq!(
            kind(&["version", "terraform_version", "backend"], Some(3)),
            DocKind::BackendCache
        );
        assert_eq!(
            kind(
                &["format_version", "planned_values", "resource_changes"],
                None
            ),
            DocKind::PlanJson
        );
        assert_eq!(
            kind(&["format_version", "terraform_version", "values"], None),
            DocKind::ShowState
        );
        assert_eq!(kind(&["format_version"], None), DocKind::ShowState);
        assert_eq!(
            kind(&["meta", "encrypted_data", "encryption_version"], None),
            DocKind::Encrypted
        );
        assert_eq!(kind(&["name", "version"], Some(4)), DocKind::Unknown);
        assert_eq!(kind(&["dependencies"], None), DocKind::Unknown);
    }
}
