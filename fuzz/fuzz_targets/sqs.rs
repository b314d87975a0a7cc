//! Fuzz target `sqs`: see `kubeglass::fuzzing::sqs_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeglass::fuzzing::sqs_response(data));
