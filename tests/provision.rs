//! `gcoauth client ...` end to end: the real binary against the Genesys emulator and a real
//! moto (AWS Secrets Manager) behind the AWS fault proxy. Every test also asserts that no
//! secret reached stdout/stderr (RUST_LOG=trace is on for every run).

mod support;

use serde_json::{json, Value};
use support::Harness;

fn created(h: &Harness, suffix: &str) -> (Value, String) {
    let spec = h.spec(suffix);
    let out = h.client("create", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    let j = out.json();
    (spec, j["client_id"].as_str().unwrap().to_string())
}

#[test]
fn create_stores_a_working_secret_and_prints_only_facts() {
    let h = Harness::new();
    let spec = h.spec("a");
    let out = h.client("create", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    let j = out.json();
    assert_eq!(j["action"], "created");
    let id = j["client_id"].as_str().unwrap();
    assert!(j["secret_arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:secretsmanager:us-east-1:"));
    assert!(j["version_id"].as_str().is_some_and(|v| !v.is_empty()));
    let stored = h.stored("a").expect("secret stored");
    assert_eq!(stored["client_id"], id);
    let secret = stored["client_secret"].as_str().unwrap();
    assert!(h.verify_secret(id, secret), "stored secret is the live one");
    let tags = h.tags("a").unwrap();
    assert_eq!(tags["gcoauth:managed"], "true");
    assert_eq!(tags["gcoauth:client-id"], id);
    assert_eq!(tags["gcoauth:status"], "active");
    let live = h.clients_named("test client a");
    assert_eq!(live.len(), 1);
    assert!(live[0]["description"]
        .as_str()
        .unwrap()
        .starts_with("made by the test suite [gcoauth:"));
    assert!(live[0].get("secret").is_none());
    h.assert_no_leaks();
}

#[test]
fn create_twice_adopts_instead_of_duplicating() {
    let h = Harness::new();
    let (spec, id) = created(&h, "twice");
    let before = h.stored("twice").unwrap();
    let again = h.client("create", &spec);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(again.json()["action"], "adopted");
    assert_eq!(again.json()["client_id"], id.as_str());
    assert_eq!(h.stored("twice").unwrap(), before, "secret unchanged");
    assert_eq!(h.clients_named("test client twice").len(), 1);
    h.assert_no_leaks();
}

#[test]
fn invalid_specs_exit_2_without_any_write() {
    let h = Harness::new();
    let mut unknown = h.spec("inv");
    unknown["colour"] = json!("blue");
    let mut bad_grant = h.spec("inv");
    bad_grant["grant_type"] = json!("CLIENT_CREDENTIALS");
    let mut no_roles = h.spec("inv");
    no_roles["roles"] = json!([]);
    for spec in [unknown, bad_grant, no_roles] {
        let out = h.client("create", &spec);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains("invalid spec"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let missing = h.run(&["client", "create"], None, &[], None);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("GCOAUTH_SPEC"));
    let garbage = h.run(
        &["client", "create", "--spec", "-"],
        None,
        &[],
        Some("{not json"),
    );
    assert_eq!(garbage.code, 2);
    assert!(!h.secret_exists("inv"));
    assert_eq!(
        h.stats()["token_requests"],
        0,
        "not even a token was requested"
    );
    h.assert_no_leaks();
}

#[test]
fn spec_from_file_and_stdin() {
    let h = Harness::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.json");
    std::fs::write(&path, h.spec("file").to_string()).unwrap();
    let out = h.run(
        &["client", "create", "--spec", path.to_str().unwrap()],
        None,
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let out = h.run(
        &["client", "destroy", "--spec", "-"],
        None,
        &[],
        Some(&h.spec("file").to_string()),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!h.secret_exists("file"));
}

#[test]
fn credentials_and_endpoints_are_checked_before_any_write() {
    let h = Harness::new();
    let spec = h.spec("creds");
    let out = h.run(
        &["client", "create"],
        Some(&spec),
        &[("GENESYSCLOUD_OAUTHCLIENT_SECRET", None)],
        None,
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("GENESYSCLOUD_OAUTHCLIENT_SECRET"));
    let out = h.run(
        &["client", "create"],
        Some(&spec),
        &[("GCOAUTH_API_URL", Some("http://api.example.com"))],
        None,
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("loopback"), "{}", out.stderr);
    let out = h.run(
        &["client", "create"],
        Some(&spec),
        &[(
            "GENESYSCLOUD_OAUTHCLIENT_SECRET",
            Some("wrong-secret-value"),
        )],
        None,
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("access token"), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong-secret-value"));
    assert!(!h.secret_exists("creds"), "nothing written");
    assert!(h.clients_named("test client creds").is_empty());
    h.assert_no_leaks();
}

#[test]
fn refuses_a_secret_gcoauth_did_not_create() {
    let h = Harness::new();
    h.foreign_secret("foreign");
    let spec = h.spec("foreign");
    for cmd in ["create", "destroy"] {
        let out = h.client(cmd, &spec);
        assert_eq!(out.code, 2, "{cmd}: {out:?}");
        assert!(
            out.stderr.contains("not created by gcoauth"),
            "{}",
            out.stderr
        );
    }
    assert!(h.secret_exists("foreign"), "left alone");
    assert!(h.clients_named("test client foreign").is_empty());
}

#[test]
fn store_failure_rolls_the_client_back_and_exits_1() {
    let h = Harness::new();
    h.aws_fault(json!({"action": "PutSecretValue", "fault": "access_denied", "times": null}));
    let out = h.client("create", &h.spec("denied"));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("secretsmanager:PutSecretValue"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Rolled back"), "{}", out.stderr);
    assert!(
        h.clients_named("test client denied").is_empty(),
        "no orphaned client"
    );
    assert!(!h.secret_exists("denied"), "the empty record was removed");
    h.clear_aws_faults();
    let out = h.client("create", &h.spec("denied"));
    assert_eq!(out.code, 0, "converges once the store works: {out:?}");
    h.stored("denied");
    h.assert_no_leaks();
}

#[test]
fn failed_rollback_exits_3_names_the_leftovers_and_destroy_cleans_up() {
    let h = Harness::new();
    h.aws_fault(json!({"action": "PutSecretValue", "fault": "access_denied", "times": null}));
    h.fault(json!({"method": "DELETE", "path": "/api/v2/oauth/clients/*", "status": 500, "times": null}));
    let out = h.client("create", &h.spec("stuck"));
    assert_eq!(out.code, 3, "{out:?}");
    let live = h.clients_named("test client stuck");
    assert_eq!(live.len(), 1);
    let id = live[0]["id"].as_str().unwrap();
    assert!(out.stderr.contains(id), "names the client: {}", out.stderr);
    assert!(
        out.stderr.contains(&h.secret_name("stuck")),
        "names the secret: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("gcoauth client destroy"),
        "says how to clean up"
    );
    h.clear_faults();
    h.clear_aws_faults();
    let out = h.client("destroy", &h.spec("stuck"));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(h.clients_named("test client stuck").is_empty());
    assert!(!h.secret_exists("stuck"));
    h.assert_no_leaks();
}

#[test]
fn transient_errors_are_retried() {
    let h = Harness::new();
    h.fault(json!({"method": "POST", "path": "/oauth/token", "status": 503, "times": 1}));
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients", "status": 503, "times": 1}));
    h.fault(json!({"method": "PUT", "path": "/api/v2/oauth/clients/*", "status": 502, "times": 1}));
    let (_, id) = created(&h, "retry");
    assert_eq!(
        h.clients_named("test client retry").len(),
        1,
        "no duplicate from the retried POST"
    );
    let stored = h.stored("retry").unwrap();
    assert!(h.verify_secret(&id, stored["client_secret"].as_str().unwrap()));
    h.assert_no_leaks();
}

#[test]
fn a_lost_create_response_is_found_by_marker_not_duplicated() {
    let h = Harness::new();
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients", "phase": "after", "drop": true, "times": 1}));
    let (_, id) = created(&h, "lost");
    let live = h.clients_named("test client lost");
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["id"], id.as_str());
    let stored = h.stored("lost").unwrap();
    assert!(
        h.verify_secret(&id, stored["client_secret"].as_str().unwrap()),
        "the regenerated secret was stored"
    );
    h.assert_no_leaks();
}

#[test]
fn rate_limits_are_honoured() {
    let h = Harness::new();
    h.emu_post(
        "/__emulator/config",
        json!({"api_rate_limit": 2, "rate_window_secs": 1, "token_rate_limit": 1}),
    );
    let (spec, _) = created(&h, "rl1");
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    let stats = h.stats();
    assert!(
        stats["rate_limited"].as_u64().unwrap() > 0,
        "the API limit was hit: {stats}"
    );
    assert!(
        stats["token_rate_limited"].as_u64().unwrap() > 0,
        "the token limit was hit: {stats}"
    );
}

#[test]
fn permission_errors_name_the_permission() {
    let h = Harness::new();
    h.emu_post("/__emulator/config", json!({"admin_permissions": ["oauth:client:view", "oauth:client:edit", "oauth:client:delete"]}));
    let out = h.client("create", &h.spec("perm"));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("oauth:client:add"), "{}", out.stderr);
    assert!(out.stderr.contains("403"), "{}", out.stderr);
    assert!(!h.secret_exists("perm"), "the intent record was removed");
}

#[test]
fn too_many_clients_is_explained() {
    let h = Harness::new();
    h.emu_post("/__emulator/config", json!({"max_clients": 0}));
    let out = h.client("create", &h.spec("many"));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("auth.too.many.clients"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("limit"), "{}", out.stderr);
}

#[test]
fn update_changes_fields_in_place_keeping_id_and_secret() {
    let h = Harness::new();
    let (mut spec, id) = created(&h, "upd");
    let before = h.stored("upd").unwrap();
    spec["description"] = json!("new words");
    spec["access_token_validity_seconds"] = json!(7200);
    let out = h.client("update", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["action"], "updated");
    assert_eq!(out.json()["client_id"], id.as_str());
    let live = h.clients_named("test client upd");
    assert_eq!(live.len(), 1);
    assert!(live[0]["description"]
        .as_str()
        .unwrap()
        .starts_with("new words [gcoauth:"));
    assert_eq!(live[0]["accessTokenValiditySeconds"], 7200);
    assert_eq!(h.stored("upd").unwrap(), before, "same secret");
    assert!(h.verify_secret(&id, before["client_secret"].as_str().unwrap()));
    let again = h.client("update", &spec);
    assert_eq!(again.json()["action"], "unchanged");
    h.assert_no_leaks();
}

#[test]
fn rotate_replaces_the_secret_and_is_idempotent_per_rotation_id() {
    let h = Harness::new();
    let (mut spec, id) = created(&h, "rot");
    let old = h.stored("rot").unwrap()["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    spec["rotation_id"] = json!("2026-11");
    let out = h.client("rotate", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["action"], "rotated");
    let new = h.stored("rot").unwrap();
    assert_eq!(new["client_id"], id.as_str());
    assert!(!h.verify_secret(&id, &old), "old secret revoked");
    assert!(h.verify_secret(&id, new["client_secret"].as_str().unwrap()));
    let again = h.client("rotate", &spec);
    assert_eq!(
        again.json()["action"],
        "unchanged",
        "same rotation id: no-op"
    );
    assert_eq!(h.stored("rot").unwrap(), new);
    h.assert_no_leaks();
}

#[test]
fn a_rotation_that_could_not_store_exits_3_and_rotate_repairs_it() {
    let h = Harness::new();
    let (mut spec, id) = created(&h, "rotfail");
    spec["rotation_id"] = json!("r2");
    h.aws_fault(json!({"action": "PutSecretValue", "fault": "internal", "times": null}));
    let out = h.client("rotate", &spec);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("Re-run `gcoauth client rotate`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&id));
    h.clear_aws_faults();
    let out = h.client("rotate", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["action"], "rotated");
    let stored = h.stored("rotfail").unwrap();
    assert!(h.verify_secret(&id, stored["client_secret"].as_str().unwrap()));
    h.assert_no_leaks();
}

#[test]
fn destroy_deletes_client_and_secret_and_is_idempotent() {
    let h = Harness::new();
    let (spec, id) = created(&h, "del");
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["action"], "destroyed");
    assert_eq!(out.json()["client_id"], id.as_str());
    assert!(h.clients_named("test client del").is_empty());
    assert!(!h.secret_exists("del"));
    let again = h.client("destroy", &spec);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(again.json()["action"], "absent");
}

#[test]
fn destroy_with_a_recovery_window_schedules_deletion_and_create_restores() {
    let h = Harness::new();
    let mut spec = h.spec("window");
    spec["store"]["recovery_window_days"] = json!(7);
    assert_eq!(h.client("create", &spec).code, 0);
    assert_eq!(h.client("destroy", &spec).code, 0);
    assert!(!h.secret_exists("window"));
    assert!(
        h.tags("window").is_some(),
        "still there, scheduled for deletion"
    );
    let out = h.client("create", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(h.secret_exists("window"), "restored");
    let stored = h.stored("window").unwrap();
    assert!(h.verify_secret(
        stored["client_id"].as_str().unwrap(),
        stored["client_secret"].as_str().unwrap()
    ));
    h.assert_no_leaks();
}

#[test]
fn destroy_works_when_deleted_clients_stay_visible() {
    let h = Harness::new();
    h.emu_post("/__emulator/config", json!({"deleted_visible": true}));
    let (spec, _) = created(&h, "vis");
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(h.clients_named("test client vis").is_empty());
}

#[test]
fn destroy_never_deletes_a_client_it_cannot_prove_it_created() {
    let h = Harness::new();
    let (spec, id) = created(&h, "proof");
    // Someone else's client with the same name, and our record pointed at it by hand.
    let foreign = h.api_create(json!({"name": "test client proof", "authorizedGrantType": "CODE", "registeredRedirectUri": ["https://x.example/cb"]}));
    let tag = aws_sdk_secretsmanager::types::Tag::builder()
        .key("gcoauth:client-id")
        .value(&foreign)
        .build();
    h.rt.block_on(
        h.sm.tag_resource()
            .secret_id(h.secret_name("proof"))
            .tags(tag)
            .send(),
    )
    .unwrap();
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("cannot prove"), "{}", out.stderr);
    let names: Vec<String> = h
        .clients_named("test client proof")
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&foreign), "the foreign client survives");
    assert!(names.contains(&id));
}

#[test]
fn a_killed_create_converges_on_rerun() {
    let h = Harness::new();
    let spec = h.spec("killed");
    // Hold the window "client created, response not yet received" open, then kill.
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients", "phase": "after", "delay_ms": 30000, "times": 1}));
    let mut child = h.spawn(&["client", "create"], &spec);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.clients_named("test client killed").is_empty() {
        assert!(std::time::Instant::now() < deadline, "client never created");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(h.tags("killed").unwrap()["gcoauth:status"], "pending");
    h.clear_faults();
    let out = h.client("create", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["action"], "repaired");
    let live = h.clients_named("test client killed");
    assert_eq!(live.len(), 1, "adopted, not duplicated");
    let stored = h.stored("killed").unwrap();
    assert_eq!(stored["client_id"], live[0]["id"]);
    assert!(h.verify_secret(
        live[0]["id"].as_str().unwrap(),
        stored["client_secret"].as_str().unwrap()
    ));
    h.assert_no_leaks();
}

#[test]
fn a_killed_create_is_cleaned_up_by_destroy() {
    let h = Harness::new();
    let spec = h.spec("killdestroy");
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients", "phase": "after", "delay_ms": 30000, "times": 1}));
    let mut child = h.spawn(&["client", "create"], &spec);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.clients_named("test client killdestroy").is_empty() {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    h.clear_faults();
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        h.clients_named("test client killdestroy").is_empty(),
        "the orphan was found by its marker and deleted"
    );
    assert!(!h.secret_exists("killdestroy"));
}

#[test]
fn lookup_speaks_the_external_protocol_without_the_secret() {
    let h = Harness::new();
    let (_, id) = created(&h, "look");
    let query = json!({"secret_name": h.secret_name("look"), "region": "us-east-1"}).to_string();
    let out = h.run(&["client", "lookup"], None, &[], Some(&query));
    assert_eq!(out.code, 0, "{out:?}");
    let j = out.json();
    let obj = j.as_object().unwrap();
    assert!(
        obj.values().all(Value::is_string),
        "external wants a map of strings: {j}"
    );
    assert_eq!(j["client_id"], id.as_str());
    assert_eq!(j["name"], "test client look");
    assert_eq!(j["state"], "active");
    assert!(j["secret_arn"].as_str().unwrap().contains("secret:"));
    h.stored("look");
    h.assert_no_leaks();
    let missing = h.run(
        &["client", "lookup"],
        None,
        &[],
        Some(&json!({"secret_name": h.secret_name("nope")}).to_string()),
    );
    assert_eq!(missing.code, 1);
    let bad = h.run(&["client", "lookup"], None, &[], Some("[]"));
    assert_eq!(bad.code, 2);
}

#[test]
fn access_token_variable_is_used_instead_of_client_credentials() {
    let h = Harness::new();
    let token = h.admin_token();
    let t = token.as_str();
    let out = h.run(
        &["client", "create"],
        Some(&h.spec("tok")),
        &[
            ("GENESYSCLOUD_OAUTHCLIENT_ID", None),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", None),
            ("GENESYSCLOUD_ACCESS_TOKEN", Some(t)),
        ],
        None,
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stderr.contains(t) && !out.stdout.contains(t),
        "token not printed"
    );
}

#[test]
fn a_create_refused_with_429_until_the_budget_runs_out_exits_1_leaving_nothing() {
    let h = Harness::new();
    h.fault(
        json!({"method": "POST", "path": "/api/v2/oauth/clients", "status": 429, "times": null}),
    );
    let out = h.run(
        &["client", "create"],
        Some(&h.spec("busy")),
        &[("GCOAUTH_RETRY_MAX_SECONDS", Some("2"))],
        None,
    );
    assert_eq!(out.code, 1, "429 proves nothing was created: {out:?}");
    assert!(out.stderr.contains("gave up retrying"), "{}", out.stderr);
    assert!(h.clients_named("test client busy").is_empty());
    assert!(!h.secret_exists("busy"), "the intent record was removed");
}

#[test]
fn a_lost_create_response_followed_by_a_failed_lookup_keeps_the_record_and_exits_3() {
    let h = Harness::new();
    let spec = h.spec("lostlist");
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients", "phase": "after", "status": 503, "times": 1}));
    h.fault(
        json!({"method": "GET", "path": "/api/v2/oauth/clients", "status": 403, "times": null}),
    );
    let out = h.client("create", &spec);
    assert_eq!(
        out.code, 3,
        "the client exists, so this is not a clean failure: {out:?}"
    );
    assert!(
        out.stderr.contains("may or may not have been created"),
        "{}",
        out.stderr
    );
    assert_eq!(h.clients_named("test client lostlist").len(), 1);
    assert!(
        h.tags("lostlist").is_some(),
        "the record (and its marker) is kept"
    );
    h.clear_faults();
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        h.clients_named("test client lostlist").is_empty(),
        "found by marker and deleted"
    );
}

#[test]
fn a_regenerate_refused_after_an_unanswered_attempt_is_not_called_harmless() {
    let h = Harness::new();
    let (mut spec, id) = created(&h, "regen");
    spec["rotation_id"] = json!("next");
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients/*/secret", "phase": "after", "status": 503, "times": 1}));
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients/*/secret", "status": 403, "times": null}));
    let out = h.client("rotate", &spec);
    assert_eq!(
        out.code, 3,
        "the first attempt regenerated the secret: {out:?}"
    );
    assert!(out.stderr.contains("outcome unknown"), "{}", out.stderr);
    h.clear_faults();
    let out = h.client("rotate", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    let stored = h.stored("regen").unwrap();
    assert!(
        h.verify_secret(&id, stored["client_secret"].as_str().unwrap()),
        "repaired"
    );
    h.assert_no_leaks();
}

#[test]
fn destroy_also_deletes_duplicates_carrying_the_marker() {
    let h = Harness::new();
    let (spec, id) = created(&h, "dup");
    let marker = h.tags("dup").unwrap()["gcoauth:marker"].clone();
    let dup = h.api_create(json!({"name": "test client dup", "description": format!("copy [gcoauth:{marker}]"), "authorizedGrantType": "CLIENT-CREDENTIALS", "roleDivisions": [{"roleId": "r", "divisionId": "*"}]}));
    assert_ne!(dup, id);
    let out = h.client("destroy", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        h.clients_named("test client dup").is_empty(),
        "both the recorded client and the duplicate are gone"
    );
}

#[test]
fn a_store_failure_never_deletes_a_client_that_predates_the_run() {
    let h = Harness::new();
    let spec = h.spec("predate");
    h.fault(json!({"method": "POST", "path": "/api/v2/oauth/clients", "phase": "after", "delay_ms": 30000, "times": 1}));
    let mut child = h.spawn(&["client", "create"], &spec);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.clients_named("test client predate").is_empty() {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    h.clear_faults();
    let id = h.clients_named("test client predate")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.aws_fault(json!({"action": "PutSecretValue", "fault": "access_denied", "times": null}));
    let out = h.client("create", &spec);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains(&id) && out.stderr.contains("not rolled back"),
        "{}",
        out.stderr
    );
    assert_eq!(h.clients_named("test client predate").len(), 1, "kept");
    h.clear_aws_faults();
    let out = h.client("create", &spec);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.json()["client_id"],
        id.as_str(),
        "the same client, repaired"
    );
    h.stored("predate");
    h.assert_no_leaks();
}

#[test]
fn adopting_does_not_record_a_rotation_that_did_not_happen() {
    let h = Harness::new();
    let (mut spec, id) = created(&h, "adoptrot");
    let first = h.stored("adoptrot").unwrap();
    spec["rotation_id"] = json!("r1");
    assert_eq!(h.client("create", &spec).json()["action"], "adopted");
    let out = h.client("rotate", &spec);
    assert_eq!(out.json()["action"], "rotated", "{out:?}");
    let now = h.stored("adoptrot").unwrap();
    assert_ne!(now["client_secret"], first["client_secret"]);
    assert!(h.verify_secret(&id, now["client_secret"].as_str().unwrap()));
}

#[test]
fn no_log_directive_reveals_aws_request_traces() {
    let h = Harness::new();
    let out = h.run(
        &["client", "create"],
        Some(&h.spec("tracecap")),
        &[(
            "RUST_LOG",
            Some("trace,aws_smithy_runtime::client::orchestrator=trace,hyper=trace"),
        )],
        None,
    );
    assert_eq!(out.code, 0, "{out:?}");
    for line in out.stderr.lines().filter(|l| l.contains(" TRACE ")) {
        for capped in [" aws_", " hyper", " h2", " rustls", " reqwest"] {
            assert!(!line.contains(capped), "capped crate traced: {line}");
        }
    }
    h.stored("tracecap");
    h.assert_no_leaks();
}

#[test]
fn child_processes_do_not_inherit_the_admin_secret() {
    let h = Harness::new();
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("env.txt");
    let script = dir.path().join("creds.sh");
    std::fs::write(&script, format!("#!/bin/sh\nenv > '{}'\necho '{{\"Version\":1,\"AccessKeyId\":\"test\",\"SecretAccessKey\":\"test\"}}'\n", dump.display())).unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&script).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile p]\ncredential_process = {}\nregion = us-east-1\n",
            script.display()
        ),
    )
    .unwrap();
    let out = h.run(
        &["client", "create"],
        Some(&h.spec("childenv")),
        &[
            ("AWS_ACCESS_KEY_ID", None),
            ("AWS_SECRET_ACCESS_KEY", None),
            ("AWS_PROFILE", Some("p")),
            ("AWS_CONFIG_FILE", Some(config.to_str().unwrap())),
        ],
        None,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let env = std::fs::read_to_string(&dump).expect("the credential_process ran");
    assert!(
        env.contains("GCOAUTH_API_URL="),
        "it saw gcoauth's environment"
    );
    assert!(
        !env.contains(&h.admin_secret),
        "the admin secret was removed before any child started"
    );
    assert!(!env.contains("GENESYSCLOUD_OAUTHCLIENT_SECRET"));
}

#[test]
fn bad_retry_settings_are_usage_errors_not_panics() {
    let h = Harness::new();
    for bad in ["inf", "1e20", "abc", "-1"] {
        let out = h.run(
            &["client", "create"],
            Some(&h.spec("retryenv")),
            &[("GCOAUTH_RETRY_MAX_SECONDS", Some(bad))],
            None,
        );
        assert_eq!(out.code, 2, "{bad}: {out:?}");
        assert!(
            out.stderr.contains("GCOAUTH_RETRY_MAX_SECONDS"),
            "{}",
            out.stderr
        );
    }
    assert!(!h.secret_exists("retryenv"));
}
