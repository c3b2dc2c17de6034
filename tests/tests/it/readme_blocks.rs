//! The top-level README's Rust examples compile: every ```rust block is a doctest of this
//! crate (`src/lib.rs`), except the ones marked `ignore`, which must be code that
//! `examples/consumer` compiles (they need a build script's output).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Each fenced block: (its info string, its lines).
fn fenced_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match current.as_mut() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    current = Some((info.trim().to_owned(), Vec::new()));
                }
            }
            Some((_, lines)) => {
                if trimmed.starts_with("```") {
                    blocks.push(current.take().unwrap());
                } else {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    assert!(current.is_none(), "README.md has an unclosed code block");
    blocks
}

/// The lines that are code: no blanks, no comments, no inner attributes, trimmed.
fn code_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    lines
        .into_iter()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#!["))
        .map(str::to_owned)
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_block_of_the_readme_is_compiled() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let blocks = fenced_blocks(&readme);
    let rust: Vec<_> = blocks
        .iter()
        .filter(|(info, _)| info.split(',').next() == Some("rust"))
        .collect();
    assert!(
        rust.len() >= 4,
        "README.md has {} rust blocks; the parser is broken?",
        rust.len()
    );

    let mut consumer_files = Vec::new();
    rust_files(&repo().join("examples/consumer"), &mut consumer_files);
    let consumer: Vec<(PathBuf, Vec<String>)> = consumer_files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, code_lines(text.lines()))
        })
        .collect();

    let mut ignored = 0;
    for (info, lines) in rust {
        let attrs: Vec<&str> = info.split(',').map(str::trim).collect();
        // A doctest attribute that stops rustdoc from compiling the block is not allowed.
        assert!(
            !attrs.contains(&"compile_fail") && !attrs.contains(&"text"),
            "README.md block ```{info} is not compiled"
        );
        if !attrs.contains(&"ignore") {
            continue;
        }
        ignored += 1;
        let wanted = code_lines(lines.iter().map(String::as_str));
        let found = consumer.iter().any(|(_, have)| {
            have.windows(wanted.len().max(1))
                .any(|window| window == wanted.as_slice())
        });
        assert!(
            found,
            "README.md's ```{info} block is not a doctest, so examples/consumer must compile \
             it, but no file under examples/consumer holds its code lines in this order:\n{}\n\
             Make the block and examples/consumer/src agree.",
            wanted.join("\n")
        );
    }
    assert_eq!(
        ignored, 1,
        "exactly one README block (the consumer's src/lib.rs, which includes the build \
         script's output) may be `ignore`; the others are doctests of labelbox-tests"
    );
}

#[test]
fn the_readme_consumer_operation_is_the_example_s() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let operation =
        std::fs::read_to_string(repo().join("examples/consumer/graphql/my_key_names.graphql"))
            .unwrap();
    // Compared token by token: `apiKeys { id name }` on one line equals it spread over four.
    let tokens = |lines: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        lines
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(str::to_owned)
            .collect()
    };
    let wanted = tokens(&mut operation.lines());
    let found = fenced_blocks(&readme).iter().any(|(info, lines)| {
        info == "graphql" && tokens(&mut lines.iter().map(String::as_str)) == wanted
    });
    assert!(
        found,
        "README.md shows `graphql/my_key_names.graphql`, but no ```graphql block equals \
         examples/consumer/graphql/my_key_names.graphql:\n{}",
        wanted.join(" ")
    );
}

#[test]
fn the_readme_pytest_example_is_the_wheel_s_test_file() {
    let path = "python/labelbox-emulator/tests/test_official_sdk.py";
    let test_file = std::fs::read_to_string(repo().join(path)).unwrap();
    for readme in ["README.md", "python/labelbox-emulator/README.md"] {
        let text = std::fs::read_to_string(repo().join(readme)).unwrap();
        let pytest_blocks: Vec<String> = fenced_blocks(&text)
            .into_iter()
            .filter(|(info, lines)| {
                info == "python" && lines.iter().any(|l| l.contains("def test_"))
            })
            .map(|(_, lines)| lines.join("\n") + "\n")
            .collect();
        assert_eq!(
            pytest_blocks.as_slice(),
            std::slice::from_ref(&test_file),
            "{readme} must show exactly one pytest test, equal to {path} (which CI runs \
             against the wheel: scripts/python-wheel-check.sh)"
        );
    }
}
