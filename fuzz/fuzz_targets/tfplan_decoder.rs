//! Fuzzes the saved plan's `tfplan` decoder (protobuf + cty msgpack): any bytes must decode
//! or give an error, never panic, and what decodes must be JSON the scanner accepts whole.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sensitive = ["a".to_string()];
    if let Ok(d) = gcoauth::audit::tfplan::decode(data, &sensitive) {
        let scan = gcoauth::audit::scan::scan_whole(d.json.as_bytes(), 0, None, None);
        assert!(scan.error.is_none(), "{:?}: {}", scan.error, d.json);
    }
});
