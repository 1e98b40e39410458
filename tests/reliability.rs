//! Crash safety and the fault matrix (see docs/reliability.md).

mod support;
