//! Fixed-window request counters: one per token (API) or per client id (token endpoint).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Counts requests per key in fixed windows that start at a key's first request.
#[derive(Debug, Default)]
pub struct FixedWindow {
    windows: HashMap<String, (Instant, u32)>,
}

impl FixedWindow {
    /// Records one request for `key`; `Err(seconds)` (≥ 1, rounded up) when `limit` requests were
    /// already allowed in the current window. Rejected requests are not counted. `None` = no limit.
    pub fn hit(
        &mut self,
        key: &str,
        limit: Option<u32>,
        window: Duration,
        now: Instant,
    ) -> Result<(), u64> {
        let Some(limit) = limit else { return Ok(()) };
        let entry = self.windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let left = (entry.0 + window).saturating_duration_since(now);
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        entry.1 += 1;
        Ok(())
    }

    /// Forgets every window.
    pub fn clear(&mut self) {
        self.windows.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_resets_after_the_window() {
        let mut fw = FixedWindow::default();
        let t0 = Instant::now();
        let w = Duration::from_secs(10);
        assert_eq!(fw.hit("a", Some(2), w, t0), Ok(()));
        assert_eq!(fw.hit("a", Some(2), w, t0), Ok(()));
        assert_eq!(
            fw.hit("a", Some(2), w, t0 + Duration::from_millis(500)),
            Err(10)
        );
        assert_eq!(
            fw.hit("a", Some(2), w, t0 + Duration::from_millis(9_500)),
            Err(1)
        );
        assert_eq!(fw.hit("b", Some(2), w, t0), Ok(()));
        assert_eq!(fw.hit("a", Some(2), w, t0 + w), Ok(()));
        assert_eq!(fw.hit("a", None, w, t0), Ok(()));
    }
}
