//! Exit codes, decided in one place.
//!
//! Provisioning (`gcoauth client ...`): 0 done; 1 failed, nothing left behind; 2 invalid input
//! or usage, no API write happened; 3 failed and something was left behind (the message says
//! what and how to clean it up). Audit: 0 no leak; 1 leak; 2 no leak but an error.

use std::process::ExitCode;

/// How a provisioning command failed, which fixes its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Failed; nothing was created or everything created was rolled back (exit 1).
    Clean,
    /// Invalid input or usage; no API write happened (exit 2).
    Usage,
    /// Failed and something was left behind (exit 3).
    LeftBehind,
}

impl FailureKind {
    /// The process exit code for this kind.
    pub fn code(self) -> u8 {
        match self {
            FailureKind::Clean => 1,
            FailureKind::Usage => 2,
            FailureKind::LeftBehind => 3,
        }
    }
}

/// An error that carries its exit code. Anything else reaching `main` exits 1.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// Which exit code.
    pub kind: FailureKind,
    /// What the user reads on stderr (never secret material).
    pub message: String,
}

impl Failure {
    /// A failure with nothing left behind (exit 1).
    pub fn clean(message: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Clean,
            message: message.into(),
        }
    }
    /// Invalid input or usage (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Usage,
            message: message.into(),
        }
    }
    /// Something was left behind (exit 3).
    pub fn left_behind(message: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::LeftBehind,
            message: message.into(),
        }
    }
}

/// Maps an error chain to the exit code: the first [`Failure`] in the chain wins, else 1.
pub fn code_for(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return ExitCode::from(f.kind.code());
        }
    }
    ExitCode::from(1)
}

/// True when the chain holds a broken pipe (output piped into `head`): exit 0 like ripgrep.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An error's text without a trailing period, to continue it with another sentence.
pub fn sentence(e: &impl std::fmt::Display) -> String {
    e.to_string().trim_end().trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_kind_codes() {
        assert_eq!(FailureKind::Clean.code(), 1);
        assert_eq!(FailureKind::Usage.code(), 2);
        assert_eq!(FailureKind::LeftBehind.code(), 3);
    }

    #[test]
    fn code_found_through_context() {
        let e = anyhow::Error::new(Failure::left_behind("x")).context("outer");
        assert_eq!(code_for(&e), ExitCode::from(3));
        assert_eq!(code_for(&anyhow::anyhow!("plain")), ExitCode::from(1));
    }
}
