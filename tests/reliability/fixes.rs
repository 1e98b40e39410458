//! Focused guards for the two exit-code fixes the fault matrix found (docs/reliability.md,
//! "Violations found and fixed"): both runs used to exit 1 ("nothing left behind") while
//! something was left behind.

use serde_json::json;

use super::common::*;
use crate::support::Harness;

/// destroy: PUT state=inactive succeeded, DELETE refused. The client is now inactive, so the
/// stored secret mints no token: exit 3 naming the client, and a retried destroy finishes.
#[test]
fn destroy_that_deactivated_but_could_not_delete_exits_3() {
    let h = Harness::new();
    let spec = h.spec(S);
    assert_eq!(h.client("create", &spec).code, 0);
    add_fault(&h, DELETE, json!({"status": 403, "times": null}));
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 3, "{out:?}");
    let id = h.live_clients()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(h.live_clients()[0]["state"], "inactive");
    assert!(
        out.stderr.contains(&id) && out.stderr.contains("set inactive"),
        "{}",
        out.stderr
    );
    clear_all_faults(&h);
    assert_eq!(h.client("destroy", &spec).code, 0);
    assert!(expect_gone(&snapshot(&h)).is_empty());
    h.assert_no_leaks();
}

/// create: CreateSecret executed but every answer was lost. The empty record exists: exit 3
/// naming the secret (not exit 1), and a re-run create reuses it.
#[test]
fn create_secret_with_lost_answers_exits_3_naming_the_secret() {
    let h = Harness::new();
    let spec = h.spec(S);
    add_fault(
        &h,
        Call::Aws("CreateSecret"),
        json!({"drop": true, "phase": "after", "times": null}),
    );
    let out = h.client("create", &spec);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains(&h.secret_name(S)), "{}", out.stderr);
    assert!(
        snapshot(&h).record_exists(),
        "the record was in fact created"
    );
    clear_all_faults(&h);
    assert_eq!(h.client("create", &spec).code, 0);
    assert!(expect_present(&snapshot(&h)).is_empty());
    h.assert_no_leaks();
}
