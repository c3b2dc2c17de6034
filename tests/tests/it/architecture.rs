//! ARCHITECTURE.md stays true: its crate map has one row per workspace member (and no row for
//! a crate that is not one), and every repository path it names in backticks exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn architecture() -> String {
    std::fs::read_to_string(repo().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md exists")
}

/// The texts in backticks in `text`.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// A path without its trailing `/`: `tests/` and `tests` name the same folder.
fn normalised(path: &str) -> String {
    path.trim_end_matches('/').to_owned()
}

/// The `members` of the root Cargo.toml's `[workspace]` table.
fn workspace_members() -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let start = manifest
        .find("members = [")
        .expect("the root Cargo.toml lists `members = [...]`");
    let list = &manifest[start + "members = [".len()..];
    let list = &list[..list.find(']').expect("`members` ends with `]`")];
    list.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| line.split(','))
        .map(|item| item.trim().trim_matches('"'))
        .filter(|item| !item.is_empty())
        .map(normalised)
        .collect()
}

/// One row of the crate map: its path cell's paths, and whether it names a crate (a
/// backticked name in the `crate` column).
struct Row {
    paths: Vec<String>,
    is_crate: bool,
}

/// The rows of the table under `## Crate map`.
fn crate_map() -> Vec<Row> {
    let text = architecture();
    let mut in_map = false;
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.starts_with("## ") {
            in_map = line.trim() == "## Crate map";
            continue;
        }
        if !in_map || !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // cells[0] is the empty text before the first `|`.
        if cells.get(1) == Some(&"path") {
            continue; // the header
        }
        let (Some(path), Some(krate)) = (cells.get(1), cells.get(2)) else {
            panic!("a crate-map row without path and crate columns: {line}");
        };
        rows.push(Row {
            paths: code_spans(path).into_iter().map(normalised).collect(),
            is_crate: !code_spans(krate).is_empty(),
        });
    }
    assert!(
        !rows.is_empty(),
        "ARCHITECTURE.md has no `## Crate map` table"
    );
    rows
}

#[test]
fn crate_map_rows_are_the_workspace_members() {
    let members = workspace_members();
    let rows: BTreeSet<String> = crate_map()
        .into_iter()
        .filter(|row| row.is_crate)
        .flat_map(|row| row.paths)
        .collect();
    let missing: Vec<&String> = members.difference(&rows).collect();
    let extra: Vec<&String> = rows.difference(&members).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ARCHITECTURE.md's crate map and the root Cargo.toml's [workspace] members differ.\n\
         members without a crate-map row (add a row `| `PATH` | `CRATE` | ... |`): {missing:?}\n\
         crate-map rows that are not workspace members: {extra:?}"
    );
}

/// Names of a kind of file rather than of one file (consumers' `build.rs`).
const KINDS_OF_FILE: &[&str] = &["build.rs"];

/// Whether a backticked text reads as a path of the repository (not an extension such as
/// `.graphql`, a URL or a server route, a Rust path or a kind of file).
fn looks_like_path(span: &str) -> bool {
    // `/graphql`, `/_emulator/*`: routes of a server, not files.
    !span.starts_with('.')
        && !span.starts_with('/')
        && !KINDS_OF_FILE.contains(&span)
        && !span.contains(char::is_whitespace)
        && !span.contains("://")
        && !span.contains("::")
        && (span.contains('/')
            || [".rs", ".md", ".toml", ".graphql", ".sh"]
                .iter()
                .any(|ext| span.ends_with(ext)))
}

/// Whether `path` (maybe a `*` glob in its last part) exists below `base`.
fn exists_below(base: &Path, path: &str) -> bool {
    let Some((dir, pattern)) = path.rsplit_once('/').filter(|(_, last)| last.contains('*')) else {
        return base.join(path).exists();
    };
    let (prefix, suffix) = pattern.split_once('*').unwrap();
    std::fs::read_dir(base.join(dir)).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
    })
}

/// Whether a file or folder called `name` exists anywhere in the repository (outside build
/// output and `.git`).
fn exists_anywhere(dir: &Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name == name {
            return true;
        }
        let skip = matches!(file_name.as_ref(), "target" | ".git" | "conformance-venv");
        !skip && entry.path().is_dir() && exists_anywhere(&entry.path(), name)
    })
}

#[test]
fn every_path_architecture_names_exists() {
    let root = repo();
    let members = workspace_members();
    let mut missing = Vec::new();
    let mut checked = 0;
    let mut in_map = false;
    for (n, line) in architecture().lines().enumerate() {
        if line.starts_with("## ") {
            in_map = line.trim() == "## Crate map";
        }
        // In a crate-map row, a short path (`transport.rs`, `commands/`) is that crate's.
        let row_crate: Option<PathBuf> = in_map
            .then(|| code_spans(line).first().map(|p| normalised(p)))
            .flatten()
            .filter(|p| members.contains(p))
            .map(|p| root.join(p));
        for span in code_spans(line) {
            if !looks_like_path(span) {
                continue;
            }
            checked += 1;
            let mut bases = vec![root.clone(), root.join("crates")];
            if let Some(dir) = &row_crate {
                bases.extend([dir.clone(), dir.join("src")]);
            }
            let found = bases.iter().any(|base| exists_below(base, span))
                || (row_crate.is_none() && !span.contains('/') && exists_anywhere(&root, span));
            if !found {
                missing.push(format!("line {}: `{span}`", n + 1));
            }
        }
    }
    assert!(
        checked > 10,
        "only {checked} paths found: is the parser right?"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist (fix the document or the tree):\n{}",
        missing.join("\n")
    );
}
