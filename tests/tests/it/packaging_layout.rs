//! The published crates carry what their build needs, with the top-level `schema/` and
//! `queries/` as the one source of truth: the crates that read them hold symlinks to them
//! (`cargo package` stores the files the links point at; `scripts/package-check.sh` proves the
//! packages build on their own), and nothing a build compiles reaches outside its package.

use std::path::{Component, Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The crates `scripts/package-check.sh` packages.
const PUBLISHED: &[&str] = &[
    "labelbox-codegen",
    "labelbox-schema",
    "labelbox-core",
    "labelbox-sdk",
    "labelbox-serve",
    "labelbox-emulator",
    "labelbox-schema-tools",
    "labelbox-console",
    "labelbox-cli",
];

/// (crate, link in the crate, what it points at from the repository root).
const LINKS: &[(&str, &str, &str)] = &[
    ("labelbox-codegen", "schema", "schema"),
    ("labelbox-schema", "schema", "schema"),
    ("labelbox-schema", "queries", "queries"),
    ("labelbox-emulator", "schema", "schema"),
];

fn check_link(krate: &str, link: &str, target: &str) {
    let root = repo();
    let path = root.join("crates").join(krate).join(link);
    let relative = format!("../../{target}");
    let fix =
        format!("fix: rm -rf crates/{krate}/{link} && ln -s {relative} crates/{krate}/{link}");
    let meta = std::fs::symlink_metadata(&path)
        .unwrap_or_else(|e| panic!("crates/{krate}/{link} is missing ({e}); {fix}"));
    assert!(
        meta.file_type().is_symlink(),
        "crates/{krate}/{link} must be a symlink to the top-level {target} (the one source of \
         truth), not a copy that can drift; {fix}"
    );
    assert_eq!(
        std::fs::read_link(&path).unwrap(),
        PathBuf::from(&relative),
        "crates/{krate}/{link} points elsewhere; {fix}"
    );
    assert_eq!(
        path.canonicalize().unwrap(),
        root.join(target).canonicalize().unwrap(),
        "crates/{krate}/{link} does not resolve to the top-level {target}; {fix}"
    );
}

#[test]
fn crates_reach_schema_and_queries_through_symlinks_to_the_top_level() {
    for (krate, link, target) in LINKS {
        check_link(krate, link, target);
    }
}

#[test]
fn every_published_crate_carries_its_readme_and_both_licenses() {
    let root = repo();
    for krate in PUBLISHED {
        for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
            check_link_file(krate, license);
        }
        let readme = root.join("crates").join(krate).join("README.md");
        let text = std::fs::read_to_string(&readme)
            .unwrap_or_else(|e| panic!("crates/{krate}/README.md: {e}"));
        assert!(
            text.starts_with(&format!("# {krate}\n")),
            "{}",
            readme.display()
        );
    }
}

fn check_link_file(krate: &str, file: &str) {
    let root = repo();
    let path = root.join("crates").join(krate).join(file);
    let fix = format!("fix: ln -sf ../../{file} crates/{krate}/{file}");
    let meta = std::fs::symlink_metadata(&path)
        .unwrap_or_else(|e| panic!("crates/{krate}/{file} is missing ({e}); {fix}"));
    assert!(
        meta.file_type().is_symlink(),
        "crates/{krate}/{file} is not a symlink; {fix}"
    );
    assert_eq!(
        path.canonicalize().unwrap(),
        root.join(file).canonicalize().unwrap(),
        "{fix}"
    );
}

/// The manifest of every published crate has what crates.io and docs.rs show, and is not
/// marked unpublishable.
#[test]
fn every_published_manifest_has_real_metadata() {
    for krate in PUBLISHED {
        let manifest =
            std::fs::read_to_string(repo().join("crates").join(krate).join("Cargo.toml")).unwrap();
        for key in [
            "\ndescription = ",
            "\nlicense.workspace = true",
            "\nrepository.workspace = true",
            "\nrust-version.workspace = true",
            "\nreadme = \"README.md\"",
            "\nkeywords = [",
            "\ncategories = [",
            "\n[package.metadata.docs.rs]",
        ] {
            assert!(
                manifest.contains(key),
                "crates/{krate}/Cargo.toml lacks `{}`",
                key.trim()
            );
        }
        assert!(
            !manifest.contains("publish"),
            "crates/{krate}/Cargo.toml must not say `publish` (the workspace default is false)"
        );
    }
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `path` (relative to `base`) stays inside `krate_dir` without following symlinks.
fn stays_inside(krate_dir: &Path, base: &Path, path: &str) -> bool {
    let mut resolved = base.to_path_buf();
    for component in Path::new(path).components() {
        match component {
            Component::ParentDir => {
                if !resolved.pop() {
                    return false;
                }
            }
            Component::Normal(part) => resolved.push(part),
            _ => return false,
        }
    }
    resolved.starts_with(krate_dir)
}

/// `include_str!("...")`, `include_bytes!` and `include!` with a literal path in `src/` and
/// `build.rs` resolve inside the crate (a path out of it builds here and breaks the package).
#[test]
fn no_build_input_lies_outside_its_package() {
    let mut offenders = Vec::new();
    let mut seen = 0;
    for krate in PUBLISHED {
        let dir = repo().join("crates").join(krate);
        let mut files = Vec::new();
        rust_sources(&dir.join("src"), &mut files);
        if dir.join("build.rs").exists() {
            let text = std::fs::read_to_string(dir.join("build.rs")).unwrap();
            if text.contains("\"../") || text.contains("(\"..\")") {
                offenders.push(format!(
                    "crates/{krate}/build.rs names a path above the crate"
                ));
            }
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for macro_name in ["include_str!(\"", "include_bytes!(\"", "include!(\""] {
                for (at, _) in text.match_indices(macro_name) {
                    let rest = &text[at + macro_name.len()..];
                    let literal = &rest[..rest.find('"').unwrap()];
                    seen += 1;
                    if !stays_inside(&dir, file.parent().unwrap(), literal) {
                        offenders.push(format!("{}: {macro_name}{literal}\")", file.display()));
                    }
                }
            }
        }
    }
    assert!(
        seen >= 4,
        "found only {seen} include macros: the scan is broken"
    );
    assert!(
        offenders.is_empty(),
        "these build inputs lie outside their package, so `cargo package` would break; \
         reach the top-level files through the crate's symlinks instead:\n{}",
        offenders.join("\n")
    );
}

/// The package names of the workspace members (root `Cargo.toml`).
fn workspace_members() -> Vec<String> {
    let root = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let list = root
        .split_once("members = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .expect("members = [...] in Cargo.toml")
        .0;
    list.split(',')
        .map(|entry| entry.trim().trim_matches('"'))
        .filter(|dir| !dir.is_empty())
        .map(|dir| {
            let manifest = std::fs::read_to_string(repo().join(dir).join("Cargo.toml")).unwrap();
            manifest
                .lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .and_then(|rest| rest.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{dir}/Cargo.toml has no name"))
                .to_owned()
        })
        .collect()
}

/// `scripts/package-check.sh` packages exactly the published crates and leaves out every
/// other member by name, so a new member fails here until someone decides which it is.
#[test]
fn the_package_check_covers_every_workspace_member() {
    let script = std::fs::read_to_string(repo().join("scripts/package-check.sh")).unwrap();
    let crates_line = script
        .split_once("CRATES=(")
        .and_then(|(_, rest)| rest.split_once(')'))
        .expect("CRATES=(...) in scripts/package-check.sh")
        .0;
    let packaged: Vec<&str> = crates_line.split_whitespace().collect();
    assert_eq!(
        packaged, PUBLISHED,
        "scripts/package-check.sh's CRATES and PUBLISHED here differ"
    );

    for member in workspace_members() {
        let published = PUBLISHED.contains(&member.as_str());
        let excluded = script.contains(&format!("--exclude {member} "))
            || script.contains(&format!("--exclude {member}\n"));
        assert!(
            published != excluded,
            "workspace member {member}: add it to CRATES in scripts/package-check.sh and to \
             PUBLISHED in tests/tests/it/packaging_layout.rs (a crate for crates.io: README, \
             licenses, metadata), or to the script's `--exclude` list (publish = false)"
        );
    }
}
