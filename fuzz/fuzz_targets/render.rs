//! Fuzz target `render`: see `kubeglass::fuzzing::render`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeglass::fuzzing::render(data));
