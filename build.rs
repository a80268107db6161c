//! Builds the course (`lessons/*.toml`, with the databases lessons bring, `lessons/data/*.sql`)
//! and the demos (`demos/*.orm`) into the binary, so an
//! installed or moved ormscope still has them: each file becomes an `include_str!` in a table
//! written to `OUT_DIR`, which rustc tracks file by file.

use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    for (folder, extension, name) in [
        ("lessons", "toml", "lessons.rs"),
        ("demos", "orm", "demos.rs"),
    ] {
        let dir = Path::new(&root).join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let table = table_of(&dir, extension);
        std::fs::write(Path::new(&out).join(name), table).expect("OUT_DIR is writable");
    }
    let data = Path::new(&root).join("lessons").join("data");
    println!("cargo:rerun-if-changed={}", data.display());
    let table = table_of(&data, "sql").replace("    (\"", "    (\"data/");
    std::fs::write(Path::new(&out).join("lesson_data.rs"), table).expect("OUT_DIR is writable");
}

/// `&[(file name, text)]` for the files of `dir` ending in `.extension`, sorted by name.
fn table_of(dir: &Path, extension: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == extension))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut table = String::from("&[\n");
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        table.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    table.push(']');
    table
}
