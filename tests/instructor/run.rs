//! Running the real binary for the instructor-tool tests.

use assert_cmd::Command;

/// Runs ormscope with `args`: its exit status, standard output and standard error (never a panic).
pub fn ormscope(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("ormscope")
        .expect("the ormscope binary is built")
        .args(args)
        .output()
        .expect("ormscope runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    )
}
