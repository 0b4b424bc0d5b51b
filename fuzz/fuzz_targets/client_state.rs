//! `tributary_fuzzing::client_state`: what runs and what the input is, in its docs.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = tributary_fuzzing::client_state(data);
});
