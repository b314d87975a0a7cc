//! Every committed fuzz corpus file (`fuzz/corpus/<target>/`, seeds and what the fuzzers
//! kept) replayed through its entry point in `kubeglass::fuzzing`, in `cargo test`: the
//! inputs that once found a crash, a wrong round trip or a control character in the output
//! stay fixed without nightly or cargo-fuzz. (docs/reliability.md lists the findings.)

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = file.unwrap().path();
        // A fuzzer running beside the test may have just replaced the file.
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "no corpus in {}", dir.display());
}

#[test]
fn command_messages_of_the_corpus_parse_and_round_trip() {
    replay("command", kubeglass::fuzzing::command_message);
}

#[test]
fn kubeconfigs_of_the_corpus_load_or_fail_cleanly() {
    replay("kubeconfig", kubeglass::fuzzing::kubeconfig);
}

#[test]
fn sqs_answers_of_the_corpus_are_read_or_typed_as_errors() {
    replay("sqs", kubeglass::fuzzing::sqs_response);
}

#[test]
fn api_data_of_the_corpus_renders_without_control_characters() {
    replay("render", kubeglass::fuzzing::render);
}

#[test]
fn log_streams_of_the_corpus_are_read_redacted_and_grepped() {
    replay("logs", kubeglass::fuzzing::logs);
}

#[test]
fn texts_of_the_corpus_are_redacted_and_a_planted_credential_never_returns() {
    replay("redact", kubeglass::fuzzing::redact_text);
}
