//! Crash safety: SIGKILL gcoauth inside every external call of create, rotate and destroy, then
//! run what Terraform runs next, and check the invariant.
//!
//! A window is held open with a fault rule that only delays (60 s, longer than any row): phase
//! `before` = the request arrived and is not executed yet; phase `after` = it was executed and
//! the response is held. The killed run gets a long HTTP timeout so it cannot time out of the
//! window on its own. We know the process is inside the window when the call's counter rises
//! (both servers count on arrival) and, for `after`, when the call's effect is visible.

use std::time::Duration;

use serde_json::{json, Value};

use super::common::*;
use crate::support::Harness;

/// What a call visibly did, to know an `after` window is reached (the call has executed).
#[derive(Clone, Copy, Debug)]
enum Effect {
    None,
    RecordExists,
    ClientExists,
    IdTagged,
    ValueStored,
    Status(&'static str),
    OldSecretDead,
    NewValueStored,
    ClientInactive,
    ClientGone,
    RecordGone,
}

/// What the tests know from before the killed run.
#[derive(Default)]
struct Pre {
    client_id: String,
    old_secret: String,
}

impl Effect {
    fn holds(self, h: &Harness, pre: &Pre) -> bool {
        let tag = |k: &str| {
            h.tags(S)
                .and_then(|t| t.get(k).cloned())
                .unwrap_or_default()
        };
        match self {
            Effect::None => true,
            Effect::RecordExists => h.tags(S).is_some(),
            Effect::ClientExists => !h.live_clients().is_empty(),
            Effect::IdTagged => !tag("gcoauth:client-id").is_empty(),
            Effect::ValueStored => h.stored(S).is_some(),
            Effect::Status(s) => tag("gcoauth:status") == s,
            Effect::OldSecretDead => !h.verify_secret(&pre.client_id, &pre.old_secret),
            Effect::NewValueStored => h
                .stored(S)
                .is_some_and(|v| v["client_secret"].as_str() != Some(pre.old_secret.as_str())),
            Effect::ClientInactive => h.live_clients().iter().any(|c| c["state"] == "inactive"),
            Effect::ClientGone => h.live_clients().is_empty(),
            Effect::RecordGone => !h.secret_exists(S),
        }
    }
}

struct Step {
    cmd: &'static str,
    /// The n-th call of its kind in the command (`skip` for the fault rule).
    label: &'static str,
    call: Call,
    skip: u32,
    phase: &'static str,
    effect: Effect,
}

const fn st(
    cmd: &'static str,
    label: &'static str,
    call: Call,
    skip: u32,
    phase: &'static str,
    effect: Effect,
) -> Step {
    Step {
        cmd,
        label,
        call,
        skip,
        phase,
        effect,
    }
}

/// Every external call of each command, in order, with the window(s) worth killing in:
/// reads only `before` (executing a read changes nothing), writes `before` and `after`.
fn steps() -> Vec<Step> {
    use Effect as E;
    let (d, t, cs, tr, pv) = (
        Call::Aws("DescribeSecret"),
        TOKEN,
        Call::Aws("CreateSecret"),
        Call::Aws("TagResource"),
        Call::Aws("PutSecretValue"),
    );
    vec![
        st("create", "1 DescribeSecret", d, 0, "before", E::None),
        st("create", "2 token", t, 0, "before", E::None),
        st(
            "create",
            "3 CreateSecret (record, pending)",
            cs,
            0,
            "before",
            E::None,
        ),
        st(
            "create",
            "3 CreateSecret (record, pending)",
            cs,
            0,
            "after",
            E::RecordExists,
        ),
        st("create", "4 POST client", CREATE, 0, "before", E::None),
        st(
            "create",
            "4 POST client",
            CREATE,
            0,
            "after",
            E::ClientExists,
        ),
        st(
            "create",
            "5 TagResource client-id",
            tr,
            0,
            "before",
            E::None,
        ),
        st(
            "create",
            "5 TagResource client-id",
            tr,
            0,
            "after",
            E::IdTagged,
        ),
        st("create", "6 PutSecretValue", pv, 0, "before", E::None),
        st("create", "6 PutSecretValue", pv, 0, "after", E::ValueStored),
        st(
            "create",
            "7 TagResource status=active",
            tr,
            1,
            "before",
            E::None,
        ),
        st(
            "create",
            "7 TagResource status=active",
            tr,
            1,
            "after",
            E::Status("active"),
        ),
        st("rotate", "1 DescribeSecret", d, 0, "before", E::None),
        st("rotate", "2 token", t, 0, "before", E::None),
        st("rotate", "3 GET client", GET, 0, "before", E::None),
        st(
            "rotate",
            "4 TagResource status=rotating",
            tr,
            0,
            "before",
            E::None,
        ),
        st(
            "rotate",
            "4 TagResource status=rotating",
            tr,
            0,
            "after",
            E::Status("rotating"),
        ),
        st(
            "rotate",
            "5 POST .../secret (regenerate)",
            REGENERATE,
            0,
            "before",
            E::None,
        ),
        st(
            "rotate",
            "5 POST .../secret (regenerate)",
            REGENERATE,
            0,
            "after",
            E::OldSecretDead,
        ),
        st("rotate", "6 PutSecretValue", pv, 0, "before", E::None),
        st(
            "rotate",
            "6 PutSecretValue",
            pv,
            0,
            "after",
            E::NewValueStored,
        ),
        st(
            "rotate",
            "7 TagResource status=active",
            tr,
            1,
            "before",
            E::None,
        ),
        st(
            "rotate",
            "7 TagResource status=active",
            tr,
            1,
            "after",
            E::Status("active"),
        ),
        st("destroy", "1 DescribeSecret", d, 0, "before", E::None),
        st("destroy", "2 token", t, 0, "before", E::None),
        st("destroy", "3 GET client", GET, 0, "before", E::None),
        st(
            "destroy",
            "4 PUT state=inactive",
            UPDATE,
            0,
            "before",
            E::None,
        ),
        st(
            "destroy",
            "4 PUT state=inactive",
            UPDATE,
            0,
            "after",
            E::ClientInactive,
        ),
        st("destroy", "5 DELETE client", DELETE, 0, "before", E::None),
        st(
            "destroy",
            "5 DELETE client",
            DELETE,
            0,
            "after",
            E::ClientGone,
        ),
        st("destroy", "6 GET (confirm gone)", GET, 1, "before", E::None),
        st(
            "destroy",
            "7 DeleteSecret",
            Call::Aws("DeleteSecret"),
            0,
            "before",
            E::None,
        ),
        st(
            "destroy",
            "7 DeleteSecret",
            Call::Aws("DeleteSecret"),
            0,
            "after",
            E::RecordGone,
        ),
    ]
}

/// What Terraform runs after each killed command: a killed create taints the resource
/// (re-created on the next apply → `create`; or the user destroys → `destroy`), a killed
/// rotate taints the rotation resource (→ `rotate`; or `destroy`), a killed destroy is retried.
fn recoveries(cmd: &str) -> &'static [&'static str] {
    match cmd {
        "create" => &["create", "destroy"],
        "rotate" => &["rotate", "destroy"],
        _ => &["destroy"],
    }
}

struct Row {
    cmd: &'static str,
    label: &'static str,
    phase: &'static str,
    recovery: &'static str,
    left: String,
    /// The state at the kill broke the invariant (what recovery had to repair).
    left_broken: bool,
    recovered: String,
    violations: Vec<String>,
}

fn run_row(step: &Step, recovery: &'static str) -> Row {
    let h = Harness::new();
    let mut spec: Value = h.spec(S);
    let mut pre = Pre::default();
    if step.cmd != "create" {
        let out = h.client("create", &spec);
        assert_eq!(out.code, 0, "setup create: {out:?}");
        let v = h.stored(S).expect("setup stored a secret");
        pre.client_id = v["client_id"].as_str().unwrap().into();
        pre.old_secret = v["client_secret"].as_str().unwrap().into();
        if step.cmd == "rotate" {
            spec["rotation_id"] = json!("r2");
        }
    }
    let mut violations = Vec::new();
    let base = call_count(&h, step.call);
    add_fault(
        &h,
        step.call,
        json!({"phase": step.phase, "delay_ms": 60_000, "times": 1, "skip": step.skip}),
    );
    // A long HTTP timeout: the killed run must still be waiting when SIGKILL arrives.
    let mut child = h
        .command(
            &["client", step.cmd],
            Some(&spec),
            &[("GCOAUTH_HTTP_TIMEOUT_SECONDS", Some("120"))],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let reached = wait_for(Duration::from_secs(30), || {
        call_count(&h, step.call) > base + u64::from(step.skip)
    })
    .and_then(|()| wait_for(Duration::from_secs(30), || step.effect.holds(&h, &pre)));
    if reached.is_err() {
        violations.push("TEST: the window was never reached".into());
    }
    if child.try_wait().unwrap().is_some() {
        violations.push("TEST: gcoauth had already exited before the kill".into());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let left = snapshot(&h);
    clear_all_faults(&h);
    let out = h.client(recovery, &spec);
    let after = snapshot(&h);
    if out.code != 0 {
        violations.push(format!(
            "`{recovery}` exited {}: {}",
            out.code,
            message(&out, &h)
        ));
    }
    match recovery {
        "destroy" => violations.extend(expect_gone(&after)),
        _ => violations.extend(expect_present(&after)),
    }
    if recovery == "rotate" {
        if let Record::Stored { fp, .. } = after.record {
            if fp == fingerprint(&pre.old_secret) {
                violations.push("rotate did not rotate (old secret still stored)".into());
            }
        }
    }
    if let Some(l) = leaks(&h) {
        violations.push(format!("leak: {l}"));
    }
    Row {
        cmd: step.cmd,
        label: step.label,
        phase: step.phase,
        recovery,
        left_broken: !invariant(&left).is_empty(),
        left: left.describe(),
        recovered: after.describe(),
        violations,
    }
}

#[test]
fn sigkill_at_every_step_then_recovery_keeps_the_invariant() {
    let all = steps();
    let jobs: Vec<(&Step, &'static str)> = all
        .iter()
        .flat_map(|s| recoveries(s.cmd).iter().map(move |r| (s, *r)))
        .collect();
    let results = par_map(&jobs, threads(), |(s, r)| run_row(s, r));
    let mut md = String::from(
        "| command | killed in (call, window) | left at the kill | recovery | after recovery | verdict |\n|---|---|---|---|---|---|\n",
    );
    let (mut ok, mut bad, mut broken) = (0, Vec::new(), 0);
    for ((step, rec), res) in jobs.iter().zip(results) {
        let row = res.unwrap_or_else(|panic| Row {
            cmd: step.cmd,
            label: step.label,
            phase: step.phase,
            recovery: rec,
            left: "?".into(),
            left_broken: false,
            recovered: "?".into(),
            violations: vec![format!("row panicked: {panic}")],
        });
        broken += usize::from(row.left_broken);
        ok += usize::from(row.violations.is_empty());
        let what = format!(
            "{} {} ({}) → {}",
            row.cmd, row.label, row.phase, row.recovery
        );
        let verdict = verdict(&what, &row.violations, &mut bad);
        md.push_str(&format!(
            "| {} | {} ({}) | {} | `{}` | {} | {} |\n",
            row.cmd, row.label, row.phase, row.left, row.recovery, row.recovered, verdict
        ));
    }
    md.push_str(&format!(
        "\n{} kill points × recoveries = {} rows: {ok} ok, {} violations.\n",
        all.len(),
        jobs.len(),
        bad.len()
    ));
    md.push_str(&format!("{broken} rows were killed in a state that breaks the invariant (an orphan client, a stale or dangling stored secret) and were repaired by the recovery.\n"));
    publish("crash", &md);
    // The checker is not vacuous: kills after the client exists and before its secret is
    // stored (or after a regenerate) must leave states it flags.
    assert!(
        broken >= 10,
        "expected the invariant checker to flag the mid-create/rotate kill states, got {broken}"
    );
    assert!(
        bad.is_empty(),
        "crash-safety violations:\n{}",
        bad.join("\n")
    );
}
