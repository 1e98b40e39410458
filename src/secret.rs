//! The one type that carries secret material (OAuth client secrets, admin credentials, tokens).
//!
//! It is zeroized on drop, prints as `[REDACTED]` through `Debug` and `Display`, and has no
//! `Serialize` impl, so it cannot end up in a log line, an error message or a JSON document by
//! accident. The only way to read it is [`Secret::expose`], which call sites use exactly where
//! the value must leave the process (an HTTP header, the Secrets Manager call).

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

/// A secret string: zeroized on drop, redacted when formatted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value. Takes ownership so no unzeroized copy stays with the caller.
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The secret value. Call only where it must leave the process.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Number of bytes (for messages such as "a 22-character secret").
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads a secret from an environment variable; `None` when unset or empty.
    pub fn from_env(var: &str) -> Option<Self> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Some(Secret::new(v)),
            _ => None,
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("hunter2-very-secret".into());
        assert_eq!(format!("{s}"), "[REDACTED]");
        assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret([REDACTED]))");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn deserializes_from_json_string() {
        #[derive(Deserialize, Debug)]
        struct Body {
            secret: Option<Secret>,
        }
        let b: Body = serde_json::from_str(r#"{"secret":"abc"}"#).unwrap();
        assert_eq!(b.secret.as_ref().unwrap().expose(), "abc");
        assert!(!format!("{b:?}").contains("abc"));
    }
}
