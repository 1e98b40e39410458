//! Fuzzes the audit input parser: any bytes must give a result or an error, never a panic,
//! a hang or a stack overflow; and skimming (the SIMD fast path), streamed or in place, must
//! report exactly what the token-by-token reference reports.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = gcoauth::audit::scan_bytes(data);
    // A document that failed to parse must say so; findings never carry the raw value.
    if r.error.is_none() {
        assert!(r.bytes as usize <= data.len());
    }
    let [streamed, in_place, reference] = gcoauth::audit::scan_bytes_every_way(data);
    assert_eq!(streamed, reference);
    assert_eq!(in_place, reference);
});
