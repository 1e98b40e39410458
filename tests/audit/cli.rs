//! Exit codes, formats, baselines, stdin and `--output`.

use crate::util::{assert_no_secret, f, run, run_stdin};

#[test]
fn exit_codes() {
    assert_eq!(run(&[&f("tf/clean.tfstate")]).code, 0);
    assert_eq!(run(&[&f("tf/leaky.tfstate")]).code, 1);
    assert_eq!(run(&[&f("hand/truncated.tfstate")]).code, 2);
    assert_eq!(
        run(&[&f("tf/leaky.tfstate"), &f("hand/truncated.tfstate")]).code,
        1,
        "a leak wins over an error"
    );
    assert_eq!(run(&[&f("tf/leaky.tfstate"), "--exit-zero"]).code, 0);
    assert_eq!(run(&[&f("hand/truncated.tfstate"), "--exit-zero"]).code, 0);
    assert_eq!(
        run(&[&f("hand/not-terraform.json")]).code,
        2,
        "an explicit unrecognised file is an error"
    );
    assert_eq!(run(&[&f("tf/TERRAFORM_VERSION")]).code, 2);
    assert_eq!(run(&[&f("does/not/exist.tfstate")]).code, 2);
    assert_eq!(run(&[]).code, 2, "no input is bad usage");
    assert_eq!(
        run(&[&f("tf/clean.tfstate"), "--known-secret", "vault:x"]).code,
        2
    );
    assert_eq!(run(&[&f("tf/clean.tfstate"), "--format", "xml"]).code, 2);
}

#[test]
fn broken_inputs_are_errors_never_clean() {
    for (fx, needle) in [
        ("hand/truncated.tfstate", "truncated"),
        ("hand/garbage.tfstate", "neither JSON nor a zip"),
        ("hand/deep.json", "deeper than 512"),
        ("hand/not-terraform.json", "not a Terraform state"),
    ] {
        let r = run(&[&f(fx), "--format", "json"]);
        assert_eq!(r.code, 2, "{fx}");
        let v = r.json();
        assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{fx}");
        let msg = v["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{fx}: {msg}");
        assert!(
            r.stderr.contains(needle),
            "errors are repeated on stderr for machine formats"
        );
        r.assert_no_secret();
    }
}

#[test]
fn encrypted_state_is_a_notice() {
    let r = run(&[&f("hand/opentofu-encrypted.tfstate"), "--format", "json"]);
    assert_eq!(r.code, 0);
    let v = r.json();
    assert_eq!(v["files_scanned"], 0, "not counted as audited");
    assert!(v["notices"][0]["message"]
        .as_str()
        .unwrap()
        .contains("encrypted, not audited"));
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn json_contract() {
    let r = run(&[
        &f("hand/secretsmanager-json.tfstate"),
        &f("tf/leaky.tfplan"),
        "--format",
        "json",
    ]);
    let v = r.json();
    for key in [
        "findings",
        "files_scanned",
        "bytes_scanned",
        "errors",
        "notices",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["files_scanned"], 2);
    assert!(v["bytes_scanned"].as_u64().unwrap() > 5000);
    for x in v["findings"].as_array().unwrap() {
        for key in [
            "rule",
            "file",
            "member",
            "address",
            "pointer",
            "inner_pointer",
            "line",
            "column",
            "masked",
            "fingerprint",
        ] {
            assert!(x.get(key).is_some(), "finding misses {key}");
        }
        assert_eq!(x["fingerprint"].as_str().unwrap().len(), 32);
    }
    let members: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["member"].as_str())
        .collect();
    assert!(
        members.contains(&"tfstate") && members.contains(&"tfstate-prev"),
        "{members:?}"
    );
    // Deterministic: same bytes twice.
    let again = run(&[
        &f("hand/secretsmanager-json.tfstate"),
        &f("tf/leaky.tfplan"),
        "--format",
        "json",
    ]);
    assert_eq!(r.stdout, again.stdout);
}

#[test]
fn fingerprints_are_stable_and_baseline_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    let b = base.to_str().unwrap();
    let first = run(&[
        &f("tf/leaky.tfstate"),
        "--format",
        "json",
        "--write-baseline",
        b,
    ]);
    assert_eq!(first.code, 1);
    let n = first.json()["findings"].as_array().unwrap().len();
    assert!(n > 0);
    let baseline_text = std::fs::read_to_string(&base).unwrap();
    assert_no_secret(&baseline_text);
    let second = run(&[&f("tf/leaky.tfstate"), "--format", "json", "--baseline", b]);
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert_eq!(second.json()["baselined"], n);
    // A new leak elsewhere is still reported.
    let third = run(&[
        &f("tf/leaky.tfstate"),
        &f("hand/oauth-client.tfstate"),
        "--format",
        "json",
        "--baseline",
        b,
    ]);
    assert_eq!(third.code, 1);
    assert_eq!(third.json()["findings"].as_array().unwrap().len(), 1);
    // A previous JSON report works as a baseline too.
    let report = dir.path().join("report.json");
    std::fs::write(&report, &first.stdout).unwrap();
    assert_eq!(
        run(&[
            &f("tf/leaky.tfstate"),
            "--baseline",
            report.to_str().unwrap()
        ])
        .code,
        0
    );
    assert_eq!(
        run(&[
            &f("tf/leaky.tfstate"),
            "--baseline",
            "/nonexistent/baseline.json"
        ])
        .code,
        2
    );
}

#[test]
fn sarif_shape() {
    let r = run(&[
        &f("tf/leaky.tfstate"),
        &f("hand/oauth-client.tfstate"),
        "--format",
        "sarif",
    ]);
    assert_eq!(r.code, 1);
    r.assert_no_secret();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let run0 = &v["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert!(!driver["name"].as_str().unwrap().is_empty());
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 9);
    for rule in rules {
        for k in ["id", "shortDescription", "fullDescription", "help"] {
            assert!(rule.get(k).is_some(), "rule misses {k}");
        }
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    for res in results {
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let id = res["ruleId"].as_str().unwrap();
        assert_eq!(rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(!loc["artifactLocation"]["uri"].as_str().unwrap().is_empty());
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert_eq!(
            res["partialFingerprints"]["gcoauthFingerprint/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
    let empty = run(&[&f("tf/clean.tfstate"), "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&empty.stdout).unwrap();
    assert!(
        v["runs"][0]["results"].as_array().unwrap().is_empty(),
        "results is [] not null"
    );
}

#[test]
fn text_output_groups_and_summarises() {
    let r = run(&[
        &f("hand/oauth-client.tfstate"),
        &f("hand/truncated.tfstate"),
    ]);
    assert_eq!(r.code, 1);
    r.assert_no_secret();
    let out = &r.stdout;
    assert!(out.contains("oauth-client.tfstate\n  module.genesys_integration.genesyscloud_oauth_client.ci_pipeline[\"prod\"]\n    /resources/0/instances/0/attributes/client_secret  client-secret  FA…(29 chars)  line 21, column 30"), "{out}");
    assert!(
        out.contains("error: ") && out.contains("truncated"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("gcoauth audit: 1 files, ") && last.contains(" 1 findings, 1 errors, "),
        "{last}"
    );
    assert!(!out.contains("\x1b["), "no colour when not a terminal");
}

#[test]
fn stdin_and_output_file() {
    let plan = std::fs::read(crate::util::fixture("tf/leaky-plan.json")).unwrap();
    let r = run_stdin(&["-", "--format", "json"], &plan);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["findings"][0]["file"], "-");
    r.assert_no_secret();
    let zip = std::fs::read(crate::util::fixture("tf/literal.tfplan")).unwrap();
    let r = run_stdin(&["-", "--format", "json"], &zip);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["findings"][0]["member"], "tfconfig/m-/main.tf");
    assert_eq!(run_stdin(&["-"], b"").code, 2, "empty stdin is an error");
    assert_eq!(run_stdin(&["-"], b"{\"version\":4,\"resources\":[").code, 2);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let r = run(&[
        &f("tf/leaky.tfstate"),
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_no_secret(&text);
    assert!(text.contains("\"2.1.0\""));
}

#[test]
fn no_format_ever_prints_a_secret() {
    let dir = crate::util::fixture("");
    for format in ["text", "json", "sarif"] {
        let r = run(&[
            dir.to_str().unwrap(),
            "--format",
            format,
            "--known-secrets-file",
            &f("hand/known-secrets.txt"),
        ]);
        assert_eq!(r.code, 1, "{format}");
        assert!(r.stdout.contains("client-secret"), "{format}");
        r.assert_no_secret();
    }
    let r = run_with_log(&[dir.to_str().unwrap(), "--format", "json"]);
    r.assert_no_secret();
}

fn run_with_log(args: &[&str]) -> crate::util::Run {
    let mut c = crate::util::cmd();
    c.env("RUST_LOG", "trace");
    crate::util::run_with(c, args, None)
}
