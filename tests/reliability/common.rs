//! What the crash and fault-matrix tests share: snapshots of the world (live clients, the
//! record), the invariant, fault plumbing for both control planes, a /proc-sampling runner, a
//! small parallel row runner and the markdown writer.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{Harness, Out};

/// Every row has its own harness (emulator, proxy, secret prefix), so one suffix suffices.
pub const S: &str = "r";

/// The record (the Secrets Manager secret) as the tests see it.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Absent,
    /// Scheduled for deletion (restorable): counts as gone.
    Scheduled,
    /// Exists without a value (an intent record).
    Empty {
        status: String,
    },
    /// Has a value; `valid` = verify-secret says it is the client's live secret. `fp` is a
    /// hash of the stored secret (the secret itself is never kept in a printable structure).
    Stored {
        client_id: String,
        valid: bool,
        status: String,
        fp: u64,
    },
}

/// Live (not deleted) clients and the record, at one moment.
#[derive(Clone, Debug)]
pub struct Snap {
    pub live: BTreeSet<String>,
    /// Live clients whose state is not `active`: their secret mints no token, so a stored
    /// secret of such a client does not work even though verify-secret accepts it.
    pub inactive: BTreeSet<String>,
    pub record: Record,
}

pub fn fingerprint(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

pub fn snapshot(h: &Harness) -> Snap {
    let clients = h.live_clients();
    let ids = |active: Option<bool>| {
        clients
            .iter()
            .filter(|c| active.is_none_or(|a| (c["state"] == "active") == a))
            .filter_map(|c| c["id"].as_str().map(str::to_string))
            .collect::<BTreeSet<_>>()
    };
    let (live, inactive) = (ids(None), ids(Some(false)));
    let record = match h.tags(S) {
        None => Record::Absent,
        Some(_) if !h.secret_exists(S) => Record::Scheduled,
        Some(tags) => {
            let status = tags.get("gcoauth:status").cloned().unwrap_or_default();
            match h.stored(S) {
                None => Record::Empty { status },
                Some(v) => {
                    let client_id = v["client_id"].as_str().unwrap_or_default().to_string();
                    let secret = v["client_secret"].as_str().unwrap_or_default();
                    Record::Stored {
                        valid: h.verify_secret(&client_id, secret),
                        fp: fingerprint(secret),
                        client_id,
                        status,
                    }
                }
            }
        }
    };
    Snap {
        live,
        inactive,
        record,
    }
}

impl Snap {
    /// Short description for the tables: `1 client; record active, stored (works)`.
    pub fn describe(&self) -> String {
        let rec = match &self.record {
            Record::Absent => "no record".to_string(),
            Record::Scheduled => "record scheduled for deletion".to_string(),
            Record::Empty { status } => format!("record {status}, no value"),
            Record::Stored {
                client_id,
                valid,
                status,
                ..
            } => {
                let whose = if !self.live.contains(client_id) {
                    "its client gone"
                } else if self.inactive.contains(client_id) {
                    "client inactive"
                } else if *valid {
                    "works"
                } else {
                    "STALE"
                };
                format!("record {status}, stored ({whose})")
            }
        };
        format!(
            "{} client{}; {rec}",
            self.live.len(),
            if self.live.len() == 1 { "" } else { "s" }
        )
    }

    /// The stored client id when the stored value is the live secret of a live client.
    pub fn good_pair(&self) -> Option<&str> {
        match &self.record {
            Record::Stored {
                client_id,
                valid: true,
                ..
            } if self.live.contains(client_id) && !self.inactive.contains(client_id) => {
                Some(client_id)
            }
            _ => None,
        }
    }

    pub fn record_exists(&self) -> bool {
        matches!(self.record, Record::Empty { .. } | Record::Stored { .. })
    }
}

/// The invariant of the issue: every client that exists has its secret stored (and the stored
/// value is its live secret), every stored secret's client exists, no client nothing records.
pub fn invariant(s: &Snap) -> Vec<String> {
    let mut v = Vec::new();
    let recorded = match &s.record {
        Record::Stored {
            client_id, valid, ..
        } => {
            if !s.live.contains(client_id) {
                v.push("the stored secret's client does not exist".to_string());
            } else if !valid {
                v.push("the stored secret is not the client's live secret".to_string());
            } else if s.inactive.contains(client_id) {
                v.push(
                    "the stored secret's client is inactive (its secret mints no token)"
                        .to_string(),
                );
            }
            Some(client_id.as_str())
        }
        _ => None,
    };
    let orphans = s
        .live
        .iter()
        .filter(|id| Some(id.as_str()) != recorded)
        .count();
    if orphans > 0 {
        v.push(format!("{orphans} client(s) whose secret nothing stores"));
    }
    v
}

/// After a successful create/rotate: exactly one client, its live secret stored, active.
pub fn expect_present(s: &Snap) -> Vec<String> {
    let mut v = invariant(s);
    if s.live.len() != 1 {
        v.push(format!("expected 1 live client, found {}", s.live.len()));
    }
    match &s.record {
        Record::Stored { status, .. } if status == "active" => {}
        Record::Stored { status, .. } => v.push(format!("record status {status}, not active")),
        other => v.push(format!("expected a stored secret, found {other:?}")),
    }
    v
}

/// After a successful destroy: no client, no record (or one scheduled for deletion).
pub fn expect_gone(s: &Snap) -> Vec<String> {
    let mut v = Vec::new();
    if !s.live.is_empty() {
        v.push(format!("{} client(s) left after destroy", s.live.len()));
    }
    if s.record_exists() {
        v.push(format!("record left after destroy: {:?}", s.record));
    }
    v
}

/// One external call, on either control plane.
#[derive(Clone, Copy, Debug)]
pub enum Call {
    /// Genesys (emulator): method, path pattern, stats key (`token` = the token endpoint).
    Emu(&'static str, &'static str, &'static str),
    /// Secrets Manager (AWS proxy): the action.
    Aws(&'static str),
}

pub const TOKEN: Call = Call::Emu("POST", "/oauth/token", "token");
pub const LIST: Call = Call::Emu("GET", "/api/v2/oauth/clients", "GET /api/v2/oauth/clients");
pub const CREATE: Call = Call::Emu(
    "POST",
    "/api/v2/oauth/clients",
    "POST /api/v2/oauth/clients",
);
pub const GET: Call = Call::Emu(
    "GET",
    "/api/v2/oauth/clients/*",
    "GET /api/v2/oauth/clients/{id}",
);
pub const UPDATE: Call = Call::Emu(
    "PUT",
    "/api/v2/oauth/clients/*",
    "PUT /api/v2/oauth/clients/{id}",
);
pub const DELETE: Call = Call::Emu(
    "DELETE",
    "/api/v2/oauth/clients/*",
    "DELETE /api/v2/oauth/clients/{id}",
);
pub const REGENERATE: Call = Call::Emu(
    "POST",
    "/api/v2/oauth/clients/*/secret",
    "POST /api/v2/oauth/clients/{id}/secret",
);

impl Call {
    pub fn label(&self) -> String {
        match self {
            Call::Emu(_, _, "token") => "token".into(),
            Call::Emu(_, _, key) => (*key).to_string(),
            Call::Aws(a) => (*a).to_string(),
        }
    }
}

pub fn proxy_get(h: &Harness, path: &str) -> Value {
    h.get_json(&format!("{}{path}", h.proxy_url()))
}

/// How many requests for `call` the emulator / proxy has received (counted on arrival).
pub fn call_count(h: &Harness, call: Call) -> u64 {
    match call {
        Call::Emu(_, _, "token") => h.stats()["token_requests"].as_u64().unwrap_or(0),
        Call::Emu(_, _, key) => h.stats()["api_requests"][key].as_u64().unwrap_or(0),
        Call::Aws(action) => proxy_get(h, "/__proxy/stats")["actions"][action]
            .as_u64()
            .unwrap_or(0),
    }
}

/// Adds a fault rule for `call`; `rule` holds the rest (`status`, `delay_ms`, `phase`, ...).
pub fn add_fault(h: &Harness, call: Call, rule: Value) {
    let mut r = rule.as_object().cloned().unwrap_or_default();
    match call {
        Call::Emu(method, path, _) => {
            r.insert("method".into(), json!(method));
            r.insert("path".into(), json!(path));
            h.fault(Value::Object(r));
        }
        Call::Aws(action) => {
            r.insert("action".into(), json!(action));
            h.aws_fault(Value::Object(r));
        }
    }
}

pub fn clear_all_faults(h: &Harness) {
    h.clear_faults();
    h.clear_aws_faults();
}

/// Polls `cond` every 20 ms until it holds; Err after `limit`.
pub fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) -> Result<(), ()> {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The `gcoauth: error: ...` line of a run, with ids, markers and the per-run prefix masked
/// so tables are stable across runs, cut to a readable length, `|` escaped for markdown.
pub fn message(out: &Out, h: &Harness) -> String {
    let line = out
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("gcoauth: error: "))
        .unwrap_or("");
    let line = line.replace(&h.secret_name(S), "<secret>");
    let mut s = mask_hex_runs(&line);
    if s.chars().count() > 150 {
        s = s.chars().take(150).collect::<String>() + "…";
    }
    s.replace('|', "\\|")
}

/// Replaces UUIDs (client ids, contextIds) with `<id>` and 32-hex markers with `<marker>`.
fn mask_hex_runs(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_hexdigit() || b[j] == '-') {
            j += 1;
        }
        let run: String = b[i..j].iter().collect();
        let hex = run.chars().filter(char::is_ascii_hexdigit).count();
        if j > i && run.len() == 36 && hex == 32 {
            out.push_str("<id>");
            i = j;
        } else if j > i && run.len() == 32 && hex == 32 {
            out.push_str("<marker>");
            i = j;
        } else if j > i {
            out.push_str(&run);
            i = j;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Runs `gcoauth client <cmd>` with TMPDIR pointed at `tmp`, sampling every ~20 ms the
/// cmdline of the process and of any descendant, and the environ of descendants (gcoauth
/// itself is given the admin secret in its environment by design; a child must not inherit
/// more than that and none is expected). Output and samples are recorded in the harness so
/// `assert_no_leaks` searches them. Returns the run and the number of samples taken.
pub fn run_watched(h: &Harness, cmd: &str, spec: &Value, tmp: &Path) -> (Out, usize) {
    let tmp_s = tmp.to_str().unwrap().to_string();
    let mut child = h
        .command(
            &["client", cmd],
            Some(spec),
            &[("TMPDIR", Some(tmp_s.as_str()))],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gcoauth runs");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let pid = child.id();
    let mut samples = 0usize;
    let mut seen = BTreeSet::new();
    let status = loop {
        for (p, is_root) in descendants(pid) {
            if let Ok(c) = std::fs::read(format!("/proc/{p}/cmdline")) {
                samples += 1;
                seen.insert(String::from_utf8_lossy(&c).replace('\0', " "));
            }
            if !is_root {
                if let Ok(e) = std::fs::read(format!("/proc/{p}/environ")) {
                    seen.insert(String::from_utf8_lossy(&e).replace('\0', "\n"));
                }
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Out {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    };
    h.record_output(format!("{}\n{}", out.stdout, out.stderr));
    for s in seen {
        h.record_output(s);
    }
    (out, samples)
}

/// `pid` and its descendants (via /proc/<pid>/task/<tid>/children), with a root flag.
fn descendants(pid: u32) -> Vec<(u32, bool)> {
    let mut out = vec![(pid, true)];
    let mut i = 0;
    while i < out.len() {
        let p = out[i].0;
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for t in tasks.flatten() {
                if let Ok(kids) = std::fs::read_to_string(t.path().join("children")) {
                    out.extend(
                        kids.split_whitespace()
                            .filter_map(|k| k.parse().ok())
                            .map(|k| (k, false)),
                    );
                }
            }
        }
        i += 1;
    }
    out
}

/// Records every file under `dir` in the harness's leak search; returns how many.
pub fn record_tree(h: &Harness, dir: &Path) -> usize {
    let mut n = 0;
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            if let Ok(b) = std::fs::read(e.path()) {
                h.record_output(String::from_utf8_lossy(&b).into_owned());
                n += 1;
            }
        }
    }
    n
}

/// `assert_no_leaks` as a value instead of a panic.
pub fn leaks(h: &Harness) -> Option<String> {
    catch_unwind(AssertUnwindSafe(|| h.assert_no_leaks()))
        .err()
        .map(|e| panic_text(&e))
}

pub fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Runs `f` over `items` on `threads` threads (slow items should come first); a panicking
/// row becomes `Err(text)` instead of taking the others down.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<Result<R, String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<R, String>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= items.len() {
                    break;
                }
                let r = catch_unwind(AssertUnwindSafe(|| f(&items[i]))).map_err(|e| panic_text(&e));
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

/// Row-level parallelism: GCOAUTH_RELIABILITY_THREADS, default 8 (rows mostly wait on
/// timeouts and retry budgets, not on CPU).
pub fn threads() -> usize {
    std::env::var("GCOAUTH_RELIABILITY_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

/// Writes a table to `$GCOAUTH_RELIABILITY_OUT/<name>.md` when set (scripts/reliability.sh
/// assembles docs/reliability.md from these), and prints it (shown by nextest on failure).
#[allow(clippy::print_stdout)] // the table is the test's report
pub fn publish(name: &str, md: &str) {
    println!("{md}");
    if let Ok(dir) = std::env::var("GCOAUTH_RELIABILITY_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.md")), md).unwrap();
    }
}

/// The table cell for a row: `ok`, or the violations (pipes escaped for markdown); a
/// violating row is also added to `bad` as `what: violations` for the test's failure message.
pub fn verdict(what: &str, violations: &[String], bad: &mut Vec<String>) -> String {
    if violations.is_empty() {
        return "ok".to_string();
    }
    let joined = violations.join("; ");
    bad.push(format!("{what}: {joined}"));
    format!("**VIOLATION**: {}", joined.replace('|', "\\|"))
}
