//! Fuzzes the saved plan's `tfplan` decoder (protobuf + cty msgpack): any bytes must decode
//! or give an error, never panic, and what decodes must be JSON the scanner accepts whole.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decls = [gcoauth::audit::tfplan::VarDecl {
        name: "a".to_string(),
        sensitive: true,
        default: Some("\"x\"".to_string()),
    }];
    if let Ok(d) = gcoauth::audit::tfplan::decode(data, &decls) {
        let scan = gcoauth::audit::scan::scan_whole(d.json.as_bytes(), 0, None, None);
        assert!(scan.error.is_none(), "{:?}: {}", scan.error, d.json);
    }
});
