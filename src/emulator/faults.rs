//! Fault injection shared by the emulator and the AWS proxy: ordered rules that fire on
//! matching requests and delay, drop or replace them, before or after the real operation.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use hyper::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::config::nullable;
use super::http::{Dropped, Resp};

/// When a fired rule acts relative to the real operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Delay, then drop or answer with `status` without executing (or execute if neither).
    #[default]
    Before,
    /// Execute, then delay, then drop or replace the response: the operation has happened but
    /// the caller is not (yet, or ever) told.
    After,
}

/// What a fired rule does (the part of a rule common to both servers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultAction {
    /// Respond with this status instead of the real response.
    #[serde(default)]
    pub status: Option<u16>,
    /// Body for `status` (default: a body fitting the endpoint and status).
    #[serde(default)]
    pub body: Option<Value>,
    /// Milliseconds to wait (before or after the operation, per `phase`).
    #[serde(default)]
    pub delay_ms: u64,
    /// Before or after the real operation.
    #[serde(default)]
    pub phase: Phase,
    /// Close the connection without any response.
    #[serde(default)]
    pub drop: bool,
    /// How many times it fires; `null` = forever (default 1).
    #[serde(default, deserialize_with = "nullable", skip_serializing)]
    times: Option<Option<u64>>,
    /// Matching requests let through before it fires (default 0).
    #[serde(default, skip_serializing)]
    skip: u64,
}

/// A rule as listed by `GET .../faults`.
#[derive(Debug, Clone, Serialize)]
struct Rule<M> {
    #[serde(flatten)]
    matcher: M,
    #[serde(flatten)]
    action: FaultAction,
    /// Firings left; `None` = unlimited.
    remaining: Option<u64>,
    /// Matching requests still to let through.
    skip_left: u64,
    fired: u64,
}

/// An ordered rule list. Each rule's matcher `M` decides which requests it sees.
#[derive(Debug)]
pub struct FaultSet<M> {
    rules: Mutex<Vec<Rule<M>>>,
    fired: AtomicU64,
}

impl<M> Default for FaultSet<M> {
    fn default() -> Self {
        FaultSet {
            rules: Mutex::new(Vec::new()),
            fired: AtomicU64::new(0),
        }
    }
}

impl<M: Clone + Serialize> FaultSet<M> {
    fn lock(&self) -> MutexGuard<'_, Vec<Rule<M>>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends a rule; returns its index.
    pub fn add(&self, matcher: M, action: FaultAction) -> Result<usize, String> {
        if let Some(s) = action.status.filter(|s| !(100..=599).contains(s)) {
            return Err(format!("status {s} is not an HTTP status"));
        }
        let remaining = action.times.unwrap_or(Some(1));
        let skip_left = action.skip;
        let mut rules = self.lock();
        rules.push(Rule {
            matcher,
            action,
            remaining,
            skip_left,
            fired: 0,
        });
        Ok(rules.len() - 1)
    }

    /// Removes every rule; returns how many there were.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut *self.lock()).len()
    }

    /// Rules with their counters, as JSON.
    pub fn list(&self) -> Value {
        serde_json::to_value(&*self.lock()).unwrap_or_default()
    }

    /// Total firings since start/reset.
    pub fn fired(&self) -> u64 {
        self.fired.load(Ordering::Relaxed)
    }

    /// Resets the firing counter.
    pub fn reset_fired(&self) {
        self.fired.store(0, Ordering::Relaxed);
    }

    /// The `faults` endpoint both control planes share: POST adds a rule whose matcher members
    /// (`keys`) `build` turns into an `M` (it may also adjust the action), GET lists, DELETE
    /// clears. `None` for any other method.
    pub fn control(
        &self,
        method: &Method,
        body: &[u8],
        keys: &[&str],
        build: impl FnOnce(Map<String, Value>, &mut FaultAction) -> Result<M, String>,
    ) -> Option<Result<Value, String>> {
        Some(match *method {
            Method::POST => split_rule(body, keys).and_then(|(m, mut action)| {
                let matcher = build(m, &mut action)?;
                self.add(matcher, action)
                    .map(|index| json!({"index": index}))
            }),
            Method::GET => Ok(json!({"rules": self.list(), "fired": self.fired()})),
            Method::DELETE => Ok(json!({"cleared": self.clear()})),
            _ => return None,
        })
    }

    /// Walks the rules in order: a matching rule still skipping counts the request and lets it
    /// on to later rules; the first matching rule with firings left fires and ends the walk.
    pub fn check(&self, matches: impl Fn(&M) -> bool) -> Option<(M, FaultAction)> {
        let mut rules = self.lock();
        for rule in rules
            .iter_mut()
            .filter(|r| r.remaining != Some(0) && matches(&r.matcher))
        {
            if rule.skip_left > 0 {
                rule.skip_left -= 1;
                continue;
            }
            if let Some(n) = rule.remaining.as_mut() {
                *n -= 1;
            }
            rule.fired += 1;
            self.fired.fetch_add(1, Ordering::Relaxed);
            return Some((rule.matcher.clone(), rule.action.clone()));
        }
        None
    }
}

/// Splits a rule object into its matcher members (`keys`) and the common [`FaultAction`].
pub fn split_rule(body: &[u8], keys: &[&str]) -> Result<(Map<String, Value>, FaultAction), String> {
    let mut all: Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| format!("rule is not a JSON object: {e}"))?;
    let mut matcher = Map::new();
    for k in keys {
        if let Some(v) = all.remove(*k) {
            matcher.insert((*k).to_owned(), v);
        }
    }
    let action =
        serde_json::from_value(Value::Object(all)).map_err(|e| format!("invalid rule: {e}"))?;
    Ok((matcher, action))
}

/// Runs `operation` under `fault`: see [`Phase`]. `synth` builds the injected response for a
/// status (and the rule's body, if any).
pub async fn apply<F>(
    fault: Option<FaultAction>,
    operation: F,
    synth: impl FnOnce(u16, Option<Value>) -> Resp,
) -> Result<Resp, Dropped>
where
    F: Future<Output = Resp>,
{
    let Some(f) = fault else {
        return Ok(operation.await);
    };
    let delay = Duration::from_millis(f.delay_ms);
    match f.phase {
        Phase::Before => {
            tokio::time::sleep(delay).await;
            match injected(f, synth) {
                Some(outcome) => outcome,
                None => Ok(operation.await),
            }
        }
        Phase::After => {
            let real = operation.await;
            tokio::time::sleep(delay).await;
            injected(f, synth).unwrap_or(Ok(real))
        }
    }
}

/// The injected outcome (drop or status), `None` when the rule only delays.
fn injected(
    f: FaultAction,
    synth: impl FnOnce(u16, Option<Value>) -> Resp,
) -> Option<Result<Resp, Dropped>> {
    if f.drop {
        return Some(Err(Dropped));
    }
    f.status.map(|s| Ok(synth(s, f.body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> FaultAction {
        split_rule(json.as_bytes(), &["path"]).unwrap().1
    }

    #[test]
    fn skip_then_times() {
        let set: FaultSet<String> = FaultSet::default();
        set.add(
            "a".into(),
            rule(r#"{"status": 503, "skip": 1, "times": 2}"#),
        )
        .unwrap();
        let fire = || set.check(|m| m == "a").is_some();
        assert_eq!([fire(), fire(), fire(), fire()], [false, true, true, false]);
        assert!(set.check(|m| m == "b").is_none());
        assert_eq!(set.fired(), 2);
    }

    #[test]
    fn null_times_is_forever_and_order_matters() {
        let set: FaultSet<u8> = FaultSet::default();
        set.add(1, rule(r#"{"status": 500, "times": null}"#))
            .unwrap();
        set.add(1, rule(r#"{"status": 503}"#)).unwrap();
        for _ in 0..5 {
            assert_eq!(set.check(|_| true).unwrap().1.status, Some(500));
        }
    }

    #[test]
    fn rejects_typos_and_bad_status() {
        assert!(split_rule(br#"{"stauts": 500}"#, &["path"]).is_err());
        assert!(split_rule(br#"{"phase": "during"}"#, &["path"]).is_err());
        let set: FaultSet<u8> = FaultSet::default();
        assert!(set.add(0, rule(r#"{"status": 1000}"#)).is_err());
    }
}
