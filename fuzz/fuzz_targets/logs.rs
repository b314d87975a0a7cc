//! Fuzz target `logs`: see `kubeglass::fuzzing::logs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeglass::fuzzing::logs(data));
