//! When to retry and how long to wait: 429 honouring `Retry-After` (capped), the token
//! endpoint's `400 invalid_request` "rate limit exceeded", 5xx except 501, and transport
//! errors; full-jitter exponential backoff inside a bounded total time.

use std::time::Duration;

/// Retry and timeout settings. Defaults suit a Terraform apply; tests shorten them through
/// `GCOAUTH_RETRY_MAX_SECONDS` and `GCOAUTH_HTTP_TIMEOUT_SECONDS`.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Stop retrying once this much time has passed since the first attempt.
    pub max_elapsed: Duration,
    /// Timeout of one HTTP request (connect + response).
    pub request_timeout: Duration,
    /// First backoff step.
    pub base_delay: Duration,
    /// Largest backoff step.
    pub max_delay: Duration,
    /// Largest `Retry-After` honoured; a longer one is waited only up to this.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_elapsed: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Defaults, overridden by `GCOAUTH_RETRY_MAX_SECONDS` and `GCOAUTH_HTTP_TIMEOUT_SECONDS`
    /// (seconds, fractions allowed, at most a day); anything else is a usage error.
    pub fn from_env() -> Result<Self, String> {
        let mut p = RetryPolicy::default();
        if let Some(d) = env_seconds("GCOAUTH_RETRY_MAX_SECONDS", false)? {
            p.max_elapsed = d;
        }
        if let Some(d) = env_seconds("GCOAUTH_HTTP_TIMEOUT_SECONDS", true)? {
            p.request_timeout = d;
        }
        Ok(p)
    }

    /// Backoff before attempt `attempt + 1` (attempt counts from 0): full jitter over an
    /// exponentially growing window, so parallel Terraform resources don't retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let window = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_delay);
        let ms = window.as_millis().max(1) as u64;
        Duration::from_millis(ms / 4 + fastrand::u64(0..=ms - ms / 4))
    }

    /// Wait for a 429: the server's `Retry-After` (capped) plus a little jitter, or backoff.
    pub fn after_429(&self, retry_after: Option<Duration>, attempt: u32) -> Duration {
        match retry_after {
            Some(d) => d.min(self.retry_after_cap) + Duration::from_millis(fastrand::u64(0..250)),
            None => self.backoff(attempt),
        }
    }

    /// Whether a wait of `delay` still fits in the budget, `elapsed` into it.
    pub fn fits(&self, elapsed: Duration, delay: Duration) -> bool {
        elapsed + delay <= self.max_elapsed
    }
}

/// Reads a duration in seconds from `var`; `None` when unset or empty.
fn env_seconds(var: &str, positive: bool) -> Result<Option<Duration>, String> {
    let Some(raw) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let secs: f64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("{var}: {raw:?} is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&secs) || (positive && secs == 0.0) {
        return Err(format!(
            "{var}: {raw:?} must be between {} and 86400 seconds",
            if positive { "more than 0" } else { "0" }
        ));
    }
    Duration::try_from_secs_f64(secs)
        .map(Some)
        .map_err(|e| format!("{var}: {e}"))
}

/// Whether an HTTP status is worth retrying (429 and 5xx except 501 Not Implemented).
pub fn retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status) && status != 501
}

/// Parses `Retry-After` in seconds (the form Genesys sends).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 415, 501] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for attempt in 0..40 {
            let d = p.backoff(attempt);
            assert!(d <= p.max_delay, "{d:?}");
            assert!(d >= Duration::from_millis(1));
        }
        assert!(p.backoff(0) <= Duration::from_millis(500));
    }

    #[test]
    fn retry_after_is_capped() {
        let p = RetryPolicy::default();
        assert!(
            p.after_429(Some(Duration::from_secs(3600)), 0)
                <= p.retry_after_cap + Duration::from_millis(250)
        );
        assert!(p.after_429(Some(Duration::from_secs(2)), 0) >= Duration::from_secs(2));
        assert_eq!(
            parse_retry_after(Some(" 42 ")),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
    }
}
