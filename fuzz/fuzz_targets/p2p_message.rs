//! `tributary_fuzzing::p2p_message`: what runs and what the input is, in its docs.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = tributary_fuzzing::p2p_message(data);
});
