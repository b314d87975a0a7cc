//! Fuzz target `command`: see `kubeglass::fuzzing::command_message`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeglass::fuzzing::command_message(data));
