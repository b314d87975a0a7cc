//! Fuzz target `redact`: see `kubeglass::fuzzing::redact_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeglass::fuzzing::redact_text(data));
