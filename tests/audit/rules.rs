//! Every rule has positive and negative fixtures.

use crate::util::{f, run};

fn expect(fixture: &str, expected: &[(&str, &str, Option<&str>)]) {
    let r = run(&[&f(fixture), "--format", "json"]);
    r.assert_no_secret();
    let hits = r.hits();
    let want: Vec<(String, String, Option<String>)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.map(str::to_string)))
        .collect();
    assert_eq!(hits, want, "{fixture}: {}", r.stdout);
    assert_eq!(
        r.code,
        if expected.is_empty() { 0 } else { 1 },
        "{fixture}: {}",
        r.stderr
    );
}

#[test]
fn client_secret_positive_and_negative() {
    expect(
        "hand/oauth-client.tfstate",
        &[(
            "client-secret",
            "/resources/0/instances/0/attributes/client_secret",
            None,
        )],
    );
    expect(
        "hand/escaped-key.tfstate",
        &[(
            "client-secret",
            "/resources/0/instances/0/attributes/client_secret",
            None,
        )],
    );
    expect(
        "hand/integration-credential-plan.json",
        &[(
            "client-secret",
            "/resource_changes/0/change/after/fields/clientSecret",
            None,
        )],
    );
    expect(
        "hand/secretsmanager-json.tfstate",
        &[(
            "client-secret",
            "/resources/0/instances/0/attributes/secret_string",
            Some("/client_secret"),
        )],
    );
    expect("hand/oauth-client-clean.tfstate", &[]);
    expect("hand/integration-credential-plan-clean.json", &[]);
    expect("hand/secretsmanager-json-clean.tfstate", &[]);
}

#[test]
fn resource_address_and_position() {
    let r = run(&[&f("hand/oauth-client.tfstate"), "--format", "json"]);
    let v = r.json();
    let x = &v["findings"][0];
    assert_eq!(
        x["address"],
        "module.genesys_integration.genesyscloud_oauth_client.ci_pipeline[\"prod\"]"
    );
    assert_eq!(
        (x["line"].as_u64(), x["column"].as_u64()),
        (Some(21), Some(30))
    );
    assert_eq!(x["masked"], "FA…(29 chars)");
    let r = run(&[
        &f("hand/integration-credential-plan.json"),
        "--format",
        "json",
    ]);
    assert_eq!(
        r.json()["findings"][0]["address"],
        "module.genesys_integration.genesyscloud_integration_credential.ci_pipeline_cred"
    );
    assert_eq!(r.json()["findings"][0]["line"], 1);
}

#[test]
fn genesys_oauth_client_object() {
    expect(
        "hand/genesys-api-response.tfstate",
        &[(
            "genesys-oauth-client-secret",
            "/resources/0/instances/0/attributes/content",
            Some("/secret"),
        )],
    );
    expect("hand/genesys-api-response-clean.tfstate", &[]);
}

#[test]
fn client_secret_assignment_in_text() {
    expect(
        "hand/dotenv.tfstate",
        &[(
            "client-secret-assignment",
            "/resources/0/instances/0/attributes/content",
            Some("/GENESYSCLOUD_OAUTHCLIENT_SECRET"),
        )],
    );
    expect("hand/dotenv-clean.tfstate", &[]);
}

#[test]
fn provider_credential() {
    expect(
        "hand/provider-credential-plan.json",
        &[
            ("provider-credential", "/configuration/provider_config/genesyscloud/expressions/access_token/constant_value", None),
            ("provider-credential", "/configuration/root_module/resources/0/provisioners/0/expressions/environment/constant_value/GENESYSCLOUD_ACCESS_TOKEN", None),
        ],
    );
    expect("hand/provider-credential-plan-clean.json", &[]);
}

#[test]
fn backend_credential() {
    expect(
        "hand/backend-cache-s3.tfstate",
        &[
            ("backend-credential", "/backend/config/access_key", None),
            ("backend-credential", "/backend/config/secret_key", None),
        ],
    );
    expect("tf/backend-cache-local.tfstate", &[]);
}

#[test]
fn sensitive_variable() {
    expect(
        "hand/sensitive-variable-plan.json",
        &[("sensitive-variable", "/variables/admin_token/value", None)],
    );
    expect("hand/sensitive-variable-plan-clean.json", &[]);
}

#[test]
fn legacy_v3_state() {
    expect(
        "hand/legacy-v3.tfstate",
        &[
            ("client-secret", "/modules/0/resources/azurerm_kubernetes_cluster.aks.0/primary/attributes/service_principal.1234.client_secret", None),
            ("sensitive-output", "/modules/1/outputs/cs/value", None),
        ],
    );
    let r = run(&[&f("hand/legacy-v3.tfstate"), "--format", "json"]);
    let v = r.json();
    assert_eq!(
        v["findings"][0]["address"],
        "azurerm_kubernetes_cluster.aks[0]"
    );
    assert_eq!(v["findings"][1]["address"], "module.auth.output.cs");
    expect("hand/legacy-v3-clean.tfstate", &[]);
}

/// Made by real terraform: sensitive outputs, terraform_data copies, plan variables.
#[test]
fn terraform_made_state() {
    let state = [
        ("client-secret", "/outputs/client_secret/value", None),
        ("sensitive-output", "/outputs/copied/value", None),
        (
            "client-secret",
            "/resources/0/instances/0/attributes/input/value/client_secret",
            None,
        ),
        (
            "client-secret",
            "/resources/0/instances/0/attributes/output/value/client_secret",
            None,
        ),
        (
            "terraform-data-sensitive",
            "/resources/1/instances/0/attributes/input/value",
            None,
        ),
        (
            "terraform-data-sensitive",
            "/resources/1/instances/0/attributes/output/value",
            None,
        ),
    ];
    expect("tf/leaky.tfstate", &state);
    expect("tf/leaky.tfstate.backup", &state);
    expect("tf/destroyed.tfstate.backup", &state);
    expect("tf/destroyed.tfstate", &[]);
    expect("tf/clean.tfstate", &[]);
    expect("tf/clean-plan.json", &[]);
    expect("tf/clean-show.json", &[]);
    expect("tf/clean.tfplan", &[]);
    expect(
        "tf/leaky-show.json",
        &[
            ("client-secret", "/values/outputs/client_secret/value", None),
            ("sensitive-output", "/values/outputs/copied/value", None),
            (
                "client-secret",
                "/values/root_module/resources/0/values/input/client_secret",
                None,
            ),
            (
                "client-secret",
                "/values/root_module/resources/0/values/output/client_secret",
                None,
            ),
            (
                "terraform-data-sensitive",
                "/values/root_module/resources/1/values/input",
                None,
            ),
            (
                "terraform-data-sensitive",
                "/values/root_module/resources/1/values/output",
                None,
            ),
        ],
    );
}

#[test]
fn terraform_made_plan_json() {
    let r = run(&[&f("tf/leaky-plan.json"), "--format", "json"]);
    r.assert_no_secret();
    assert_eq!(r.code, 1);
    let hits = r.hits();
    let has = |rule: &str, ptr: &str| hits.iter().any(|(r, p, _)| r == rule && p == ptr);
    assert!(
        has("client-secret", "/variables/client_secret/value"),
        "{hits:?}"
    );
    assert!(
        has("client-secret", "/output_changes/client_secret/after"),
        "{hits:?}"
    );
    assert!(
        has("sensitive-output", "/output_changes/copied/before"),
        "{hits:?}"
    );
    assert!(
        has(
            "terraform-data-sensitive",
            "/resource_changes/1/change/after/input"
        ),
        "{hits:?}"
    );
    assert!(
        has(
            "terraform-data-sensitive",
            "/resource_changes/1/change/before/output"
        ),
        "{hits:?}"
    );
    assert!(
        has(
            "sensitive-output",
            "/prior_state/values/outputs/copied/value"
        ),
        "{hits:?}"
    );
    assert!(
        has(
            "client-secret",
            "/planned_values/root_module/resources/0/values/input/client_secret"
        ),
        "{hits:?}"
    );
    // Marker trees are not values, and the non-sensitive `name` output is not a leak.
    assert!(
        !hits.iter().any(|(_, p, _)| p.contains("sensitive")
            || p.contains("after_unknown")
            || p.contains("/name")),
        "{hits:?}"
    );
    let v = r.json();
    let var = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["pointer"] == "/variables/client_secret/value")
        .unwrap();
    assert_eq!(var["address"], "var.client_secret");
}

#[test]
fn known_secret_in_any_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let s = "FAKEsecret0123456789abcdefXYZ";
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("x:{s}"));
    let b64b = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("xy:{s}"),
    );
    let doc = serde_json::json!({"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "l", "outputs": {}, "resources": [
        {"mode": "managed", "type": "x", "name": "a", "instances": [{"attributes": {"a_b64_1": b64, "a_b64_2": b64b, "note": format!("prefix \"{s}\" suffix")}}]}
    ]});
    let p = dir.path().join("k.tfstate");
    std::fs::write(&p, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let r = run(&[
        p.to_str().unwrap(),
        "--format",
        "json",
        "--known-secrets-file",
        &f("hand/known-secrets.txt"),
    ]);
    r.assert_no_secret();
    let ptrs: Vec<String> = r
        .hits()
        .into_iter()
        .filter(|h| h.0 == "known-secret")
        .map(|h| h.1)
        .collect();
    assert_eq!(
        ptrs,
        vec![
            "/resources/0/instances/0/attributes/a_b64_1",
            "/resources/0/instances/0/attributes/a_b64_2",
            "/resources/0/instances/0/attributes/note"
        ]
    );
    // Without the known value, nothing there is a leak.
    assert_eq!(run(&[p.to_str().unwrap()]).code, 0);
}
