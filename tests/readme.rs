//! Every `$ cargo run -q --release -- …` example in the README prints exactly what the README
//! shows under it.

use std::process::Command;

#[test]
fn readme_examples_print_what_the_readme_says() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let binary = env!("CARGO_BIN_EXE_ormscope");
    let mut checked = 0;
    for block in readme.split("```text\n").skip(1) {
        let block = block.split("```").next().unwrap_or("");
        for example in block.split("$ cargo run -q --release -- ").skip(1) {
            let (args, expected) = example.split_once('\n').unwrap_or((example, ""));
            let output = Command::new("sh")
                .arg("-c")
                .arg(format!("'{binary}' {args}"))
                .env("NO_COLOR", "1")
                .output()
                .expect("the example runs");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                stdout.trim_end(),
                expected.trim_end(),
                "README example: {args}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} examples found in the README");
}

#[test]
fn the_readme_names_every_built_in_demo() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = flat
        .split("demos are built in,")
        .nth(1)
        .and_then(|rest| rest.split('(').next())
        .expect("the README says which demos are built in");
    let named: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();
    let listing = Command::new(env!("CARGO_BIN_EXE_ormscope"))
        .arg("demo")
        .output()
        .expect("ormscope demo runs");
    let listing = String::from_utf8_lossy(&listing.stdout);
    let built_in: Vec<&str> = listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(named, built_in, "README: {sentence}");
}
