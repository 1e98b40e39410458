//! The sanitised real-world states in `shared/data/realworld-states` (next to the repo):
//! none may crash or be unparsable, and every `client_secret_keys` pointer of the manifest
//! must be reported.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use crate::util::run;

#[test]
fn realworld_states() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/realworld-states");
    if !dir.is_dir() {
        let _ = writeln!(
            std::io::stderr(),
            "note: {} not found; real-world state test skipped",
            dir.display()
        );
        return;
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest.as_array().unwrap();
    let r = run(&[dir.to_str().unwrap(), "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let v = r.json();
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    assert_eq!(
        v["files_scanned"].as_u64().unwrap() as usize,
        entries.len(),
        "every state is recognised and audited"
    );
    let found: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                Path::new(x["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                x["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = 0;
    for e in entries {
        let file = e["file"].as_str().unwrap();
        for p in e["client_secret_keys"].as_array().into_iter().flatten() {
            expected += 1;
            assert!(
                found.contains(&(file.to_string(), p.as_str().unwrap().to_string())),
                "missed {file} {p}"
            );
        }
    }
    assert_eq!(expected, 9);
}
