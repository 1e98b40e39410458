//! Fuzzes the provisioning spec parser and validator: any bytes in GCOAUTH_SPEC must give a
//! spec or a clear error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(raw) = gcoauth::spec::parse(&text) {
        let _ = raw.validate();
    }
    if let Ok(raw) = gcoauth::spec::parse(&text) {
        let _ = raw.validate_store_only();
    }
});
