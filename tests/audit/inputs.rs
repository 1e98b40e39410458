//! Directory walks, saved plan files and known secrets in raw plan bytes.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{cmd, f, fixture, run};

fn copy(from: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixture(from), to).unwrap();
}

#[test]
fn directory_walk_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy("tf/leaky.tfstate", &d.join("env/prod/terraform.tfstate"));
    copy(
        "tf/leaky.tfstate.backup",
        &d.join("env/prod/terraform.tfstate.backup"),
    );
    copy(
        "tf/workspaces/terraform.tfstate.d/dev/terraform.tfstate",
        &d.join("env/prod/terraform.tfstate.d/dev/terraform.tfstate"),
    );
    copy(
        "hand/backend-cache-s3.tfstate",
        &d.join("env/prod/.terraform/terraform.tfstate"),
    );
    copy("tf/leaky-plan.json", &d.join("plans/plan-prod.json"));
    copy("tf/literal.tfplan", &d.join("plans/plan.out"));
    copy(
        "hand/oauth-client.tfstate",
        &d.join(".git/objects/leaky.tfstate"),
    );
    copy("hand/not-terraform.json", &d.join("package.json"));
    std::fs::write(
        d.join("README.md"),
        "client_secret = \"FAKEsecret0123456789abcdefXYZ\"\n",
    )
    .unwrap();
    std::fs::write(d.join("notes.zip"), b"PK\x03\x04 not really a zip").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d, d.join("env/loop")).unwrap();
    let r = run(&[d.to_str().unwrap(), "--format", "json"]);
    r.assert_no_secret();
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    let mut files: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x["file"]
                .as_str()
                .unwrap()
                .strip_prefix(d.to_str().unwrap())
                .unwrap()
                .to_string()
        })
        .collect();
    files.dedup();
    assert_eq!(
        files,
        vec![
            "/env/prod/.terraform/terraform.tfstate",
            "/env/prod/terraform.tfstate",
            "/env/prod/terraform.tfstate.backup",
            "/env/prod/terraform.tfstate.d/dev/terraform.tfstate",
            "/plans/plan-prod.json",
            "/plans/plan.out",
        ]
    );
    assert_eq!(v["files_scanned"], 6);
}

#[test]
fn walked_broken_state_is_an_error_but_broken_generic_json_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    copy(
        "hand/truncated.tfstate",
        &dir.path().join("a/terraform.tfstate"),
    );
    std::fs::write(
        dir.path().join("a/tsconfig.json"),
        "{ \"compilerOptions\": { // comment\n } }",
    )
    .unwrap();
    let r = run(&[dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 2);
    let errs = r.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("terraform.tfstate"));
}

#[test]
fn an_empty_walked_state_is_a_notice_but_an_empty_named_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("w")).unwrap();
    let empty = dir.path().join("w/terraform.tfstate");
    std::fs::write(&empty, b"").unwrap();
    let r = run(&[dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let notices = r.json()["notices"].to_string();
    assert!(notices.contains("empty file"), "{notices}");
    let r = run(&[empty.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        r.code, 2,
        "named explicitly, an empty file is not silently clean"
    );
}

#[test]
fn saved_plan_members_and_known_secrets_in_tfplan_bytes() {
    // Without known secrets: tfstate and tfstate-prev are audited as state.
    let r = run(&[&f("tf/leaky.tfplan"), "--format", "json"]);
    assert_eq!(r.code, 1);
    r.assert_no_secret();
    // With them: the sensitive variable's value inside the compressed protobuf/msgpack
    // `tfplan` entry is found too.
    let r = run(&[
        &f("tf/leaky.tfplan"),
        "--format",
        "json",
        "--known-secrets-file",
        &f("hand/known-secrets.txt"),
    ]);
    r.assert_no_secret();
    let v = r.json();
    let in_tfplan: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["member"] == "tfplan")
        .collect();
    assert!(
        in_tfplan.iter().any(|x| x["rule"] == "known-secret"),
        "{}",
        r.stdout
    );
    // The clean plan has neither.
    assert_eq!(
        run(&[
            &f("tf/clean.tfplan"),
            "--known-secrets-file",
            &f("hand/known-secrets.txt")
        ])
        .code,
        0
    );
    // A zip that is not a plan file, named explicitly, is an error.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    w.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut w, b"hello").unwrap();
    w.finish().unwrap();
    let r = run(&[p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 2);
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("tfplan"));
}

/// A saved plan's `tfplan` entry (protobuf + msgpack) holds the variables and planned values
/// in clear, and is decoded: it gives the findings `terraform show -json` of the same plan
/// gives for its variables, resource changes and output changes (same rules, addresses
/// and pointers), with no known secret needed.
#[test]
fn tfplan_findings_match_the_plan_json() {
    let key = |x: &serde_json::Value| {
        (
            x["rule"].as_str().unwrap().to_string(),
            x["address"].as_str().map(String::from),
            x["pointer"].as_str().unwrap().to_string(),
            x["inner_pointer"].as_str().map(String::from),
        )
    };
    for name in ["leaky", "clean", "literal", "objects"] {
        let saved = run(&[&f(&format!("tf/{name}.tfplan")), "--format", "json"]);
        saved.assert_no_secret();
        let mut got: Vec<_> = saved.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["member"] == "tfplan")
            .map(key)
            .collect();
        let shown = run(&[&f(&format!("tf/{name}-plan.json")), "--format", "json"]);
        let mut want: Vec<_> = shown.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| {
                let p = x["pointer"].as_str().unwrap();
                ["/variables/", "/resource_changes/", "/output_changes/"]
                    .iter()
                    .any(|prefix| p.starts_with(prefix))
            })
            .map(key)
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
        if matches!(name, "leaky" | "objects") {
            assert!(!got.is_empty(), "{name}");
            assert_eq!(saved.code, 1, "{name}");
        }
    }
    // The object variable, jsonencode() and .env text: only in `tfplan`, all found.
    let saved = run(&[&f("tf/objects.tfplan"), "--format", "json"]);
    let rules: std::collections::BTreeSet<String> = saved.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap().to_string())
        .collect();
    for rule in [
        "client-secret",
        "client-secret-assignment",
        "sensitive-variable",
        "terraform-data-sensitive",
    ] {
        assert!(rules.contains(rule), "{rule}: {}", saved.stdout);
    }
}

/// A `tfplan` entry that cannot be decoded is an error, never a clean plan.
#[test]
fn an_undecodable_tfplan_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plan.out");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    w.start_file("tfplan", zip::write::SimpleFileOptions::default())
        .unwrap();
    // Field 3 (a resource change) announces 16 bytes and has 2.
    std::io::Write::write_all(&mut w, &[0x08, 0x03, 0x1a, 0x10, 0x6a, 0x00]).unwrap();
    w.finish().unwrap();
    let r = run(&[p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot decode the plan"));
}

#[test]
fn literal_secret_in_plan_config() {
    let r = run(&[&f("tf/literal.tfplan"), "--format", "json"]);
    assert_eq!(r.code, 1);
    let v = r.json();
    let x = &v["findings"][0];
    assert_eq!(x["rule"], "client-secret-assignment");
    assert_eq!(x["member"], "tfconfig/m-/main.tf");
    assert_eq!(
        (x["line"].as_u64(), x["column"].as_u64()),
        (Some(7), Some(41))
    );
    let r = run(&[&f("tf/literal-plan.json"), "--format", "json"]);
    assert_eq!(r.json()["findings"][0]["address"], "terraform_data.x");
}

#[test]
fn a_known_secret_used_as_a_key_or_index_key_is_masked_in_locations() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "FAKEsecretKEY0123456789abcdef";
    let known = dir.path().join("known.txt");
    std::fs::write(&known, format!("{secret}\n")).unwrap();
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "x", "outputs": {},
        "resources": [{"mode": "managed", "type": "terraform_data", "name": "t",
            "provider": "provider[\"terraform.io/builtin/terraform\"]",
            "instances": [{"index_key": secret, "schema_version": 0,
                "attributes": {"id": "1", "triggers_replace": {"value": {secret: "x"}, "type": ["object", {secret: "string"}]}},
                "sensitive_attributes": []}]}]
    });
    let path = dir.path().join("keyed.tfstate");
    std::fs::write(&path, state.to_string()).unwrap();
    for format in ["json", "text", "sarif"] {
        let r = run(&[
            path.to_str().unwrap(),
            "--format",
            format,
            "--known-secrets-file",
            known.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{format}: {}", r.stdout);
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "{format} printed the secret:\n{}",
            r.stdout
        );
    }
}

/// A state big enough for the second core's helper ([`gcoauth::audit::ahead::MIN_SIZE`]),
/// pretty-printed like Terraform, with leaks early (the scanner's own part), in the middle
/// and at the end (the helper's part), and a sensitive `terraform_data` input.
fn big_state(resources: usize) -> String {
    let mut rs = Vec::new();
    for i in 0..resources {
        let (rtype, attrs, marks) = match i {
            7 | 9_000 => (
                "genesyscloud_oauth_client",
                serde_json::json!({"name": format!("c{i}"), "client_secret": "FAKEsecret0123456789abcdefXYZ"}),
                serde_json::json!([]),
            ),
            _ if i == resources - 2 => (
                "terraform_data",
                serde_json::json!({"input": {"value": "FAKEtfdataSecret123456", "type": "string"}, "output": {"value": "FAKEtfdataSecret123456", "type": "string"}}),
                serde_json::json!([[{"type": "get_attr", "value": "input"}]]),
            ),
            _ => (
                "aws_instance",
                serde_json::json!({
                    "ami": "ami-0123456789abcdef0", "id": format!("i-{i:017}"), "instance_type": "t3.micro",
                    "tags": {"Name": format!("web-{i}"), "team": "platform"},
                    "root_block_device": [{"volume_size": 8, "encrypted": true, "iops": 3000, "throughput": null}],
                    "user_data": "#!/bin/sh\necho ready > /tmp/ready\n",
                }),
                serde_json::json!([]),
            ),
        };
        rs.push(serde_json::json!({
            "mode": "managed", "type": rtype, "name": format!("r{i}"),
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 1, "attributes": attrs, "sensitive_attributes": marks,
                           "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="}],
        }));
    }
    let last = resources - 1;
    rs[last]["instances"][0]["attributes"]["client_secret"] =
        "FAKEsecret0123456789abcdefXYZ".into();
    serde_json::to_string_pretty(&serde_json::json!({
        "version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "x",
        "outputs": {}, "resources": rs,
    }))
    .unwrap()
}

#[test]
fn small_streamed_and_piped_states_are_audited_alike() {
    // Under 1 MiB a file is read whole and scanned in place; from 1 MiB on it is streamed
    // (from 16 MB mapped, tested below); stdin is always streamed.
    for (n, small) in [(300, true), (3_000, false)] {
        let doc = big_state(n);
        assert_eq!(doc.len() < 1024 * 1024, small, "{} bytes", doc.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terraform.tfstate");
        std::fs::write(&path, &doc).unwrap();
        let from_file = run(&[path.to_str().unwrap(), "--format", "json"]);
        let from_dir = run(&[dir.path().to_str().unwrap(), "--format", "json"]);
        let piped = crate::util::run_stdin(&["-", "--format", "json"], doc.as_bytes());
        let hits = from_file.hits();
        assert_eq!(hits.len(), 4, "{hits:?}");
        assert_eq!(from_dir.hits(), hits);
        assert_eq!(piped.hits(), hits);
        for r in [&from_file, &from_dir, &piped] {
            assert_eq!(r.code, 1, "{}", r.stderr);
            r.assert_no_secret();
            assert_eq!(r.json()["bytes_scanned"], doc.len(), "{n}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_audited_whatever_its_size() {
    // `gcoauth audit <(terraform show -json plan.out)` names a pipe: it cannot be mapped or
    // read twice, so it is streamed, also past the first MiB.
    for n in [300, 3_000] {
        let doc = big_state(n);
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("state.pipe");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let writer = {
            let (fifo, doc) = (fifo.clone(), doc.clone());
            std::thread::spawn(move || std::fs::write(fifo, doc).unwrap())
        };
        let r = run(&[fifo.to_str().unwrap(), "--format", "json"]);
        writer.join().unwrap();
        assert_eq!(r.code, 1, "{n}: {}", r.stderr);
        r.assert_no_secret();
        assert_eq!(r.hits().len(), 4, "{n}: {}", r.stdout);
        assert_eq!(r.json()["bytes_scanned"], doc.len());
    }
}

#[cfg(unix)]
#[test]
fn a_tree_wider_than_the_open_file_limit_is_walked_whole() {
    // Files queued for the scanners keep their directory open: the walk must wait for them
    // rather than run out of descriptors (here 48, with 300 directories).
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        copy(
            "tf/leaky.tfstate",
            &dir.path().join(format!("s{i:03}/terraform.tfstate")),
        );
    }
    let mut c = Command::new("sh");
    c.args(["-c", "ulimit -n 48 && exec \"$0\" audit \"$@\""])
        .arg(env!("CARGO_BIN_EXE_gcoauth"))
        .args([dir.path().to_str().unwrap(), "--format", "json"]);
    let r = crate::util::run_with(c, &[], None);
    let v = r.json();
    assert_eq!(v["errors"], serde_json::json!([]), "{}", r.stderr);
    assert_eq!(v["files_scanned"], 300);
    assert_eq!(r.code, 1);
}

#[test]
fn a_big_state_is_audited_the_same_with_the_second_core() {
    let n = 30_000;
    let doc = big_state(n);
    assert!(doc.len() > 16 * 1024 * 1024, "{} bytes", doc.len());
    let dir = tempfile::tempdir().unwrap();
    let pretty = dir.path().join("pretty.tfstate");
    let minified = dir.path().join("minified.tfstate");
    std::fs::write(&pretty, &doc).unwrap();
    let compact: serde_json::Value = serde_json::from_str(&doc).unwrap();
    std::fs::write(&minified, serde_json::to_string(&compact).unwrap()).unwrap();
    let expect = vec![
        (
            "client-secret".to_string(),
            "/resources/7/instances/0/attributes/client_secret".to_string(),
        ),
        (
            "client-secret".into(),
            "/resources/9000/instances/0/attributes/client_secret".into(),
        ),
        (
            "terraform-data-sensitive".into(),
            format!("/resources/{}/instances/0/attributes/input/value", n - 2),
        ),
        (
            "terraform-data-sensitive".into(),
            format!("/resources/{}/instances/0/attributes/output/value", n - 2),
        ),
        (
            "client-secret".into(),
            format!("/resources/{}/instances/0/attributes/client_secret", n - 1),
        ),
    ];
    for path in [&pretty, &minified] {
        let r = run(&[path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        r.assert_no_secret();
        let mut got: Vec<(String, String)> =
            r.hits().into_iter().map(|(rule, p, _)| (rule, p)).collect();
        got.sort();
        let mut want = expect.clone();
        want.sort();
        assert_eq!(got, want, "{}", path.display());
        // Line numbers survive the jumps: the last finding's line is where the text is.
        let v = r.json();
        let last = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|f| f["line"].as_u64())
            .unwrap()
            .clone();
        let text = std::fs::read_to_string(path).unwrap();
        let line = text
            .lines()
            .nth(last["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let col = last["column"].as_u64().unwrap() as usize - 1;
        assert!(
            line[col..].starts_with('"'),
            "{}: line {} col {}",
            path.display(),
            last["line"],
            col + 1
        );
    }
    // Damage far into the helper's part: an error, never a clean verdict.
    let mut broken = doc.clone().into_bytes();
    let at = broken.len() * 3 / 4;
    let brace = at + broken[at..].iter().position(|&b| b == b'{').unwrap();
    broken[brace] = b'<';
    std::fs::write(&pretty, &broken).unwrap();
    let r = run(&[pretty.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        r.code, 1,
        "leaks before the damage are still reported: {}",
        r.stderr
    );
    let v = r.json();
    assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{v}");
    broken.truncate(broken.len() - 10);
    std::fs::write(&pretty, &broken).unwrap();
    let r = run(&[pretty.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.json()["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn a_file_that_shrinks_while_audited_is_an_error_never_a_clean_verdict() {
    // Big enough that the audit (a debug build) is still running when the file shrinks.
    // Whether it was then still to be opened, or being read in place (the cut then reads
    // as zeros, see src/audit/mapped.rs), the file is reported as an error, leaks found
    // before the cut still count, and the process is not killed by a signal.
    let doc = big_state(80_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shrinking.tfstate");
    std::fs::write(&path, &doc).unwrap();
    let child = cmd()
        .args([path.to_str().unwrap(), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1000)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {:?}: {stderr}", out.status));
    assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{v}");
    let leaks = !v["findings"].as_array().unwrap().is_empty();
    assert_eq!(out.status.code(), Some(if leaks { 1 } else { 2 }), "{v}");
}
