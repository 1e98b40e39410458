//! The fault matrix: every external call × every failure mode, applied persistently
//! (`times: null`) during the command that makes the call. Each row records the exit code, the
//! first line of the message and the state left; checks the exit code against its documented
//! meaning; then clears the faults, runs what Terraform runs next (the same command) and checks
//! the invariant, and finally destroys and checks nothing is left. Every run's output, its
//! private TMPDIR and /proc cmdline samples are searched for secrets.

use std::time::Duration;

use serde_json::{json, Value};

use super::common::*;
use crate::support::Harness;

/// The state a row starts from.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// Nothing exists.
    Fresh,
    /// A created client with its secret stored.
    Created,
    /// A create killed right after POST /clients executed: a pending record without a client
    /// id and a client carrying its marker (the only state in which create lists clients).
    KilledCreate,
    /// Created, then destroyed with a 7-day recovery window: the record is scheduled for
    /// deletion (the only state in which create calls RestoreSecret).
    Scheduled,
}

struct Row {
    call: Call,
    cmd: &'static str,
    setup: Setup,
    fault: &'static str,
}

const EMU_FAULTS: [&str; 7] = ["timeout", "drop", "429", "500", "503", "401", "403"];
const AWS_FAULTS: [&str; 8] = [
    "timeout",
    "drop",
    "429",
    "500",
    "503",
    "401",
    "403",
    "AccessDenied",
];

/// The closest real thing for each fault on each side (see docs/reliability.md).
fn rule(call: Call, fault: &str) -> Value {
    match (call, fault) {
        // Longer than GCOAUTH_HTTP_TIMEOUT_SECONDS (3 s); `after`: the call did execute,
        // which is the hard case (a create that happened but was never confirmed).
        (Call::Emu(..), "timeout") => json!({"delay_ms": 5000, "phase": "after"}),
        // Longer than the SDK's 20 s attempt timeout (its operation timeout is 60 s).
        (Call::Aws(_), "timeout") => json!({"delay_ms": 25000, "phase": "after"}),
        // Connection reset after the call executed (the response is lost).
        (_, "drop") => json!({"drop": true, "phase": "after"}),
        (Call::Emu(..), s) => json!({"status": s.parse::<u16>().unwrap()}),
        // Secrets Manager throttles with HTTP 400 ThrottlingException, not 429.
        (Call::Aws(_), "429") => json!({"fault": "throttling"}),
        (Call::Aws(_), "500") => json!({"fault": "internal"}),
        (Call::Aws(_), "503") => json!({"fault": "unavailable"}),
        // A bad/unknown access key: UnrecognizedClientException (HTTP 400).
        (Call::Aws(_), "401") => {
            json!({"status": 400, "body": {"__type": "UnrecognizedClientException", "Message": "The security token included in the request is invalid."}})
        }
        // AWS answers HTTP 403 to requests whose signature is incomplete.
        (Call::Aws(_), "403") => {
            json!({"status": 403, "body": {"__type": "IncompleteSignatureException", "Message": "Request is missing Authentication Token (injected)."}})
        }
        (Call::Aws(_), "AccessDenied") => json!({"fault": "access_denied"}),
        other => panic!("no rule for {other:?}"),
    }
}

fn rows() -> Vec<Row> {
    let genesys: [(Call, &str, Setup); 7] = [
        (TOKEN, "create", Setup::Fresh),
        (LIST, "create", Setup::KilledCreate),
        (CREATE, "create", Setup::Fresh),
        (GET, "destroy", Setup::Created),
        (UPDATE, "destroy", Setup::Created),
        (DELETE, "destroy", Setup::Created),
        (REGENERATE, "rotate", Setup::Created),
    ];
    let aws: [(&str, &str, Setup); 6] = [
        ("DescribeSecret", "create", Setup::Fresh),
        ("CreateSecret", "create", Setup::Fresh),
        ("PutSecretValue", "create", Setup::Fresh),
        ("TagResource", "create", Setup::Fresh),
        ("DeleteSecret", "destroy", Setup::Created),
        ("RestoreSecret", "create", Setup::Scheduled),
    ];
    let mut rows = Vec::new();
    for (call, cmd, setup) in genesys {
        for fault in EMU_FAULTS {
            rows.push(Row {
                call,
                cmd,
                setup,
                fault,
            });
        }
    }
    for (action, cmd, setup) in aws {
        for fault in AWS_FAULTS {
            rows.push(Row {
                call: Call::Aws(action),
                cmd,
                setup,
                fault,
            });
        }
    }
    rows
}

struct Outcome {
    code: i32,
    message: String,
    left: String,
    recovered: String,
    violations: Vec<String>,
    samples: usize,
    tmp_files: usize,
    secs: f64,
    /// Exit 3 whose message hedges ("may") and where nothing was in fact left behind.
    hedged: bool,
}

fn setup(h: &Harness, setup: Setup, spec: &mut Value) {
    match setup {
        Setup::Fresh => {}
        Setup::Created => {
            let out = h.client("create", spec);
            assert_eq!(out.code, 0, "setup create: {out:?}");
        }
        Setup::Scheduled => {
            spec["store"]["recovery_window_days"] = json!(7);
            assert_eq!(h.client("create", spec).code, 0, "setup create");
            assert_eq!(h.client("destroy", spec).code, 0, "setup destroy");
            assert_eq!(snapshot(h).record, Record::Scheduled);
        }
        Setup::KilledCreate => {
            add_fault(
                h,
                CREATE,
                json!({"phase": "after", "delay_ms": 60_000, "times": 1}),
            );
            let mut child = h
                .command(
                    &["client", "create"],
                    Some(spec),
                    &[("GCOAUTH_HTTP_TIMEOUT_SECONDS", Some("120"))],
                )
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            wait_for(Duration::from_secs(30), || !h.live_clients().is_empty())
                .expect("setup: the killed create made its client");
            child.kill().unwrap();
            child.wait().unwrap();
            clear_all_faults(h);
        }
    }
}

fn run_row(row: &Row) -> Outcome {
    let started = std::time::Instant::now();
    let h = Harness::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = h.spec(S);
    setup(&h, row.setup, &mut spec);
    let pre = snapshot(&h);
    let pre_fp = match &pre.record {
        Record::Stored { fp, .. } => Some(*fp),
        _ => None,
    };
    if row.cmd == "rotate" {
        spec["rotation_id"] = json!("r2");
    }
    let mut v = Vec::new();
    let mut r = rule(row.call, row.fault);
    r["times"] = Value::Null;
    add_fault(&h, row.call, r);
    let before_calls = call_count(&h, row.call);
    let (out, mut samples) = run_watched(&h, row.cmd, &spec, tmp.path());
    if call_count(&h, row.call) == before_calls {
        v.push(format!(
            "TEST: {} never called {}",
            row.cmd,
            row.call.label()
        ));
    }
    let post = snapshot(&h);
    let msg = message(&out, &h);
    let err_line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("gcoauth: error: "))
        .unwrap_or("");
    let hedged = out.code == 3
        && err_line.contains(" may ")
        && invariant(&post).is_empty()
        && post.live.is_subset(&pre.live)
        && post.good_pair() == pre.good_pair();
    v.extend(check_exit(
        row.cmd,
        out.code,
        &out.stderr,
        &h,
        &pre,
        &post,
        pre_fp,
    ));

    // Recovery: what Terraform runs next, with the fault gone.
    clear_all_faults(&h);
    let (rec, n) = run_watched(&h, row.cmd, &spec, tmp.path());
    samples += n;
    let after = snapshot(&h);
    if rec.code != 0 {
        v.push(format!(
            "recovery `{}` exited {}: {}",
            row.cmd,
            rec.code,
            message(&rec, &h)
        ));
    }
    match row.cmd {
        "destroy" => v.extend(expect_gone(&after)),
        _ => v.extend(expect_present(&after)),
    }
    if row.cmd == "rotate"
        && matches!(after.record, Record::Stored { fp, .. } if Some(fp) == pre_fp)
    {
        v.push("recovery rotate did not rotate".into());
    }
    // And the resource can always be destroyed afterwards, leaving nothing.
    if row.cmd != "destroy" {
        let (fin, n) = run_watched(&h, "destroy", &spec, tmp.path());
        samples += n;
        if fin.code != 0 {
            v.push(format!(
                "final destroy exited {}: {}",
                fin.code,
                message(&fin, &h)
            ));
        }
        v.extend(
            expect_gone(&snapshot(&h))
                .into_iter()
                .map(|s| format!("final destroy: {s}")),
        );
    }
    let tmp_files = record_tree(&h, tmp.path());
    if let Some(l) = leaks(&h) {
        v.push(format!("leak: {l}"));
    }
    Outcome {
        code: out.code,
        message: msg,
        left: post.describe(),
        recovered: after.describe(),
        violations: v,
        samples,
        tmp_files,
        secs: started.elapsed().as_secs_f64(),
        hedged,
    }
}

/// The documented meaning of the exit codes: 0 done; 1 failed and nothing left behind (and
/// nothing lost); 2 invalid input (never the right answer to an outage); 3 failed and
/// something left behind, named in the message.
#[allow(clippy::too_many_arguments)]
fn check_exit(
    cmd: &str,
    code: i32,
    stderr: &str,
    h: &Harness,
    pre: &Snap,
    post: &Snap,
    pre_fp: Option<u64>,
) -> Vec<String> {
    let mut v = Vec::new();
    let new_clients: Vec<&String> = post.live.difference(&pre.live).collect();
    let new_record = !pre.record_exists() && post.record_exists();
    let lost = pre.good_pair().is_some() && post.good_pair() != pre.good_pair();
    let broken = !invariant(post).is_empty() && invariant(pre).is_empty();
    let left_behind = !new_clients.is_empty() || new_record || lost || broken;
    match code {
        0 => {
            v.extend(match cmd {
                "destroy" => expect_gone(post),
                _ => expect_present(post),
            });
            if cmd == "rotate"
                && matches!(post.record, Record::Stored { fp, .. } if Some(fp) == pre_fp)
            {
                v.push("exit 0 but not rotated".into());
            }
        }
        1 => {
            if left_behind {
                v.push(format!(
                    "exit 1 but something was left behind or lost: {} new client(s), new record {new_record}, stored pair lost {lost}, invariant newly broken {broken}",
                    new_clients.len()
                ));
            }
        }
        3 => {
            let err = stderr
                .lines()
                .find(|l| l.starts_with("gcoauth: error: "))
                .unwrap_or("");
            // After a 5xx, a timeout or a lost connection gcoauth cannot know whether the call
            // executed; exit 3 saying it "may" have is the honest answer even when, as it
            // turns out, it did not. Without such a hedge, exit 3 with nothing left is wrong.
            if !left_behind && !err.contains(" may ") {
                v.push("exit 3 but nothing was left behind".into());
            }
            for id in &new_clients {
                if !err.contains(id.as_str()) {
                    v.push("exit 3 without naming the client left behind".into());
                }
            }
            if (new_record || lost || broken) && !err.contains(&h.secret_name(S)) {
                v.push("exit 3 without naming the secret".into());
            }
        }
        other => v.push(format!(
            "exit {other} is not a documented answer to an outage"
        )),
    }
    v
}

fn table(name: &str, rows: &[&Row], outs: &[&Outcome]) -> (String, Vec<String>) {
    let mut md = String::from("| call | command (setup) | fault | exit | message (first line) | left after the failure | after recovery | verdict |\n|---|---|---|---|---|---|---|---|\n");
    let mut bad = Vec::new();
    for (row, o) in rows.iter().zip(outs) {
        let what = format!("{} × {} ({})", row.call.label(), row.fault, row.cmd);
        let verdict = verdict(&what, &o.violations, &mut bad);
        md.push_str(&format!(
            "| {} | `{}` ({:?}) | {} | {} | {} | {} | {} | {} |\n",
            row.call.label(),
            row.cmd,
            row.setup,
            row.fault,
            o.code,
            if o.message.is_empty() {
                "—".into()
            } else {
                o.message.clone()
            },
            o.left,
            o.recovered,
            verdict
        ));
    }
    let mut by_code = std::collections::BTreeMap::new();
    for o in outs {
        *by_code.entry(o.code).or_insert(0) += 1;
    }
    let codes: Vec<String> = by_code
        .iter()
        .map(|(c, n)| format!("exit {c}: {n}"))
        .collect();
    let hedged = outs.iter().filter(|o| o.code == 3 && o.hedged).count();
    let samples: usize = outs.iter().map(|o| o.samples).sum();
    let files: usize = outs.iter().map(|o| o.tmp_files).sum();
    let slowest = outs.iter().map(|o| o.secs).fold(0.0, f64::max);
    md.push_str(&format!(
        "\n{name}: {} rows; {}; {} violations; {hedged} of the exit-3 rows left nothing behind in fact (the call's outcome was unknown to gcoauth and the message says it \"may\" have happened). Leak search: every run's stdout+stderr, {samples} /proc cmdline samples, {files} files in the rows' private TMPDIRs: 0 hits (a hit is a violation). Slowest row {slowest:.0} s.\n",
        rows.len(),
        codes.join(", "),
        bad.len()
    ));
    (md, bad)
}

fn run_side(name: &str, aws: bool) {
    let all = rows();
    // Slow rows first (timeouts wait out budgets), so the tail of the run is short.
    let mut mine: Vec<&Row> = all
        .iter()
        .filter(|r| matches!(r.call, Call::Aws(_)) == aws)
        .collect();
    mine.sort_by_key(|r| match r.fault {
        "timeout" => 0,
        "drop" | "429" | "500" | "503" => 1,
        _ => 2,
    });
    let results = par_map(&mine, threads(), |r| run_row(r));
    let outs: Vec<Outcome> = results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|p| Outcome {
                code: -1,
                message: String::new(),
                left: "?".into(),
                recovered: "?".into(),
                violations: vec![format!("row panicked: {p}")],
                samples: 0,
                tmp_files: 0,
                secs: 0.0,
                hedged: false,
            })
        })
        .collect();
    // Present in a stable order (by call, then fault), whatever order they ran in.
    let order = |r: &Row| {
        let faults: &[&str] = if aws { &AWS_FAULTS } else { &EMU_FAULTS };
        (r.call.label(), faults.iter().position(|f| *f == r.fault))
    };
    let mut pairs: Vec<(&Row, &Outcome)> = mine.iter().copied().zip(outs.iter()).collect();
    let key_order: Vec<String> = all.iter().map(|r| r.call.label()).collect();
    pairs.sort_by_key(|(r, _)| {
        let (label, f) = order(r);
        (key_order.iter().position(|l| *l == label), f)
    });
    let (rs, os): (Vec<&Row>, Vec<&Outcome>) = pairs.into_iter().unzip();
    let (md, bad) = table(name, &rs, &os);
    publish(name, &md);
    assert!(
        bad.is_empty(),
        "fault-matrix violations:\n{}",
        bad.join("\n")
    );
}

#[test]
fn fault_matrix_genesys() {
    run_side("matrix-genesys", false);
}

#[test]
fn fault_matrix_aws() {
    run_side("matrix-aws", true);
}
