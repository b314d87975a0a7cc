//! Fuzz target `kubeconfig`: see `kubeglass::fuzzing::kubeconfig`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeglass::fuzzing::kubeconfig(data));
