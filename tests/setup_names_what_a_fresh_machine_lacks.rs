//! `scripts/setup.sh` decides by what the build loads, not by a filename a
//! look-alike matches (issue 14): a folder holding only `libclang-cpp.so.14`
//! (package libclang-cpp14, on every new machine of our kind) is a machine
//! without libclang, and the check says so in one line with the command that
//! fixes it, instead of letting bindgen panic ten minutes into the build.
//! The library folders are pointed at a temporary one with
//! `TRIBUTARY_LIBCLANG_DIRS`; `--check-only` installs nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn setup_script() -> PathBuf {
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    crate_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR"))).join("../scripts/setup.sh")
}

/// Run the check with only `libraries` (empty files) in the library folder.
fn check_with(libraries: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    for name in libraries {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let output = Command::new("bash")
        .arg(setup_script())
        .arg("--check-only")
        .env("TRIBUTARY_LIBCLANG_DIRS", dir.path())
        .output()
        .expect("run scripts/setup.sh");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_look_alike_library_is_not_libclang_and_the_check_names_the_fix() {
    for look_alike in
        [&["libclang-cpp.so.14"][..], &["libclang-cpp.so"], &["libclangBasic.a", "libclang-cpp.so.14.0"], &[]]
    {
        let (ok, stderr) = check_with(look_alike);
        assert!(!ok, "{look_alike:?} passed as libclang: {stderr}");
        assert!(stderr.contains("MISSING: libclang"), "{stderr}");
        assert!(stderr.contains("apt-get install libclang-dev"), "{stderr}");
        assert_eq!(stderr.matches("MISSING").count(), 1, "only libclang is missing here: {stderr}");
    }
}

#[test]
fn the_names_bindgen_loads_pass_the_check() {
    for real in ["libclang.so", "libclang-14.so.1", "libclang.so.1", "libclang-14.so", "libclang-14.0.6.so.1"] {
        let (ok, stderr) = check_with(&[real, "libclang-cpp.so.14"]);
        assert!(ok, "{real} should pass: {stderr}");
        assert!(stderr.is_empty(), "{stderr}");
    }
    assert!(Path::new(&setup_script()).exists());
}
