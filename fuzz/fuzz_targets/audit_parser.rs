//! Fuzzes the audit input parser: any bytes must give a result or an error, never a panic,
//! a hang or a stack overflow; and skimming (the SIMD fast path) must report exactly what
//! the token-by-token reference reports.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = gcoauth::audit::scan_bytes(data);
    // A document that failed to parse must say so; findings never carry the raw value.
    if r.error.is_none() {
        assert!(r.bytes as usize <= data.len());
    }
    let [skimmed, reference] = gcoauth::audit::scan_bytes_both_ways(data);
    assert_eq!(skimmed, reference);
});
