//! `docs/threat-model.md` stays true: every threat row names a mitigation and at least one
//! test, and every test it names exists (the file, and a `fn` of that name in it).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `path::name` references in a cell: backticked text with a `.rs` file and a function.
fn test_refs(cell: &str) -> Vec<(String, String)> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| {
            let (file, rest) = code.split_once(".rs::")?;
            let name = rest.rsplit("::").next()?;
            Some((format!("{file}.rs"), name.to_owned()))
        })
        .collect()
}

#[test]
fn every_threat_has_a_mitigation_and_an_existing_test() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("docs/threat-model.md"))
        .expect("docs/threat-model.md exists");
    let mut rows = 0;
    let mut problems = Vec::new();
    let mut in_threats = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("## ") {
            in_threats = line.starts_with("## Threats");
        }
        if !in_threats || !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        if cells.first() == Some(&"threat") {
            continue;
        }
        rows += 1;
        let at = format!("docs/threat-model.md:{}", n + 1);
        if cells.len() != 3 {
            problems.push(format!(
                "{at}: {} cells, expected threat | mitigation | test",
                cells.len()
            ));
            continue;
        }
        if cells[1].len() < 10 {
            problems.push(format!("{at}: no mitigation"));
        }
        let refs = test_refs(cells[2]);
        if refs.is_empty() {
            problems.push(format!("{at}: names no test (`path/file.rs::function`)"));
        }
        for (file, name) in refs {
            match std::fs::read_to_string(root.join(&file)) {
                Err(e) => problems.push(format!("{at}: {file}: {e}{}", moved_hint(&root, &file))),
                Ok(source) => {
                    let found = source.contains(&format!("fn {name}("))
                        || source.contains(&format!("fn {name}<"));
                    if !found {
                        problems.push(format!("{at}: no `fn {name}` in {file}"));
                    }
                }
            }
        }
    }
    assert!(
        rows >= 30,
        "only {rows} threat rows found: is the table format intact?"
    );
    assert!(
        problems.is_empty(),
        "docs/threat-model.md is out of date:\n{}",
        problems.join("\n")
    );
}

/// A crate's integration tests are modules of its one test binary, `tests/it/`: a row that
/// names `crates/<crate>/tests/<file>.rs` gets the path the file has now, if it moved there.
fn moved_hint(root: &Path, file: &str) -> String {
    let Some((dir, name)) = file.rsplit_once("/tests/") else {
        return String::new();
    };
    let moved = format!("{dir}/tests/it/{name}");
    if !name.contains('/') && root.join(&moved).is_file() {
        format!(" (the file is now `{moved}`)")
    } else {
        String::new()
    }
}

#[test]
fn a_row_naming_a_test_file_before_its_move_to_tests_it_is_told_the_new_path() {
    let root = repo();
    assert_eq!(
        moved_hint(&root, "crates/labelbox-sdk/tests/no_secrets.rs"),
        " (the file is now `crates/labelbox-sdk/tests/it/no_secrets.rs`)"
    );
    assert_eq!(
        moved_hint(&root, "crates/labelbox-sdk/tests/allocations.rs"),
        ""
    );
    assert_eq!(
        test_refs("`crates/labelbox-sdk/tests/it/no_secrets.rs::every_error_is_clean`"),
        [(
            "crates/labelbox-sdk/tests/it/no_secrets.rs".to_owned(),
            "every_error_is_clean".to_owned()
        )]
    );
}
