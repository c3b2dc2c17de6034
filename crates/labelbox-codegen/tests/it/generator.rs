//! The real generator over temporary operation documents: bad documents fail with a message
//! naming the file, the operation and the bad name; good ones give the expected modules.
//!
//! The GraphQL documents here are adversarial fixtures, written inline on purpose.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use labelbox_codegen::{check, CodegenError, Generator, SchemaSource};

/// A fresh folder under the target directory holding the given documents.
fn documents(files: &[(&str, &str)]) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "codegen-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

/// Generates from one document against the bundled schema and returns the error message.
fn error_for(file_name: &str, document: &str) -> String {
    let dir = documents(&[(file_name, document)]);
    let error = Generator::bundled()
        .queries_dir(&dir)
        .generate()
        .expect_err("generation should fail");
    assert!(
        matches!(error, CodegenError::Invalid(_)),
        "unexpected error kind: {error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&dir.join(file_name).display().to_string()),
        "the message does not name the file:\n{message}"
    );
    message
}

fn assert_names(message: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            message.contains(needle),
            "the message does not contain {needle:?}:\n{message}"
        );
    }
}

#[test]
fn a_field_that_does_not_exist_is_named() {
    let message = error_for(
        "my_keys.graphql",
        "query MyKeys {\n  user {\n    apiKeys {\n      id\n      nmae\n    }\n  }\n}\n",
    );
    assert_names(&message, &["operation `MyKeys`", "nmae", "ApiKey", ":5:"]);
}

#[test]
fn a_variable_of_the_wrong_type_is_named() {
    let message = error_for(
        "revoke.graphql",
        "mutation Revoke($id: Int!) {\n  updateApiKey(where: { id: $id }, data: { revoked: true }) {\n    id\n  }\n}\n",
    );
    assert_names(&message, &["operation `Revoke`", "$id", "Int!", "ID!"]);
}

#[test]
fn an_unknown_argument_is_named() {
    let message = error_for(
        "roles.graphql",
        "query Roles {\n  roles(first: 10) {\n    id\n  }\n}\n",
    );
    assert_names(&message, &["operation `Roles`", "first", "roles"]);
}

#[test]
fn an_unknown_type_is_named() {
    let message = error_for(
        "user.graphql",
        "query UserById($id: UserId!) {\n  user(where: { id: $id }) {\n    id\n  }\n}\n",
    );
    assert_names(&message, &["operation `UserById`", "UserId"]);
}

#[test]
fn an_unknown_input_field_is_named() {
    let message = error_for(
        "create.graphql",
        "mutation Create($name: String!, $email: String!) {\n  createApiKey(data: { name: $name, targetUserEmailId: $email, expiresIn: 60 }) {\n    id\n  }\n}\n",
    );
    assert_names(&message, &["operation `Create`", "expiresIn"]);
}

#[test]
fn a_syntax_error_is_reported_with_its_place() {
    let message = error_for("broken.graphql", "query Broken {\n  user {\n    id\n  \n");
    assert_names(&message, &["broken.graphql:", "syntax error"]);
}

#[test]
fn an_undefined_fragment_is_named() {
    let message = error_for(
        "frag.graphql",
        "query WithFragment {\n  user {\n    ...Missing\n  }\n}\n",
    );
    assert_names(&message, &["operation `WithFragment`", "Missing"]);
}

#[test]
fn an_anonymous_operation_is_refused() {
    let message = error_for("anon.graphql", "{ user { id } }\n");
    assert_names(&message, &["anonymous operation", "give it a name"]);
}

#[test]
fn an_operation_named_like_a_rust_keyword_is_refused() {
    let message = error_for("match.graphql", "query Match { user { id } }\n");
    assert_names(&message, &["operation `Match`", "`match`", "rename"]);
}

#[test]
fn two_operations_with_one_module_name_are_refused() {
    let dir = documents(&[
        ("a.graphql", "query MyUser { user { id } }\n"),
        ("b.graphql", "query MyUser { user { email } }\n"),
    ]);
    let message = Generator::bundled()
        .queries_dir(&dir)
        .generate()
        .unwrap_err()
        .to_string();
    assert_names(&message, &["b.graphql", "a.graphql", "`my_user`", "unique"]);
}

#[test]
fn every_problem_of_every_file_is_reported_at_once() {
    let dir = documents(&[
        ("one.graphql", "query One { user { id emial } }\n"),
        ("two.graphql", "query Two { organization { id nme } }\n"),
    ]);
    let error = Generator::bundled()
        .queries_dir(&dir)
        .generate()
        .unwrap_err();
    assert_eq!(error.diagnostics().map(|d| d.len()), Some(2), "{error}");
    assert_names(
        &error.to_string(),
        &["one.graphql", "emial", "two.graphql", "nme"],
    );
}

#[test]
fn an_empty_folder_is_an_error() {
    let dir = documents(&[]);
    let message = Generator::bundled()
        .queries_dir(&dir)
        .generate()
        .unwrap_err()
        .to_string();
    assert_names(&message, &["no .graphql operation document"]);
}

#[test]
fn an_invalid_schema_is_reported_against_the_schema_file() {
    let dir = documents(&[
        ("schema.graphql", "type Query { user: Usr }\n"),
        ("q.graphql", "query Q { user }\n"),
    ]);
    let message = Generator::new(dir.join("schema.graphql"))
        .query_file(dir.join("q.graphql"))
        .generate()
        .unwrap_err()
        .to_string();
    assert_names(&message, &["schema.graphql", "Usr"]);
}

#[test]
fn a_panic_of_graphql_client_codegen_becomes_an_error_naming_the_file() {
    // graphql_client_codegen unwraps the parse of each derive as a Rust path: an invalid one
    // panics inside the codegen.
    let dir = documents(&[("ok.graphql", "query MyUser { user { id } }\n")]);
    let error = Generator::bundled()
        .queries_dir(&dir)
        .derives(&["Debug", "not a path"])
        .generate()
        .unwrap_err();
    let message = error.to_string();
    assert_names(
        &message,
        &[
            "ok.graphql",
            "operation `MyUser`",
            "graphql_client_codegen panicked",
            "not a path",
        ],
    );
    assert!(!message.contains("stack backtrace"), "{message}");
}

#[test]
fn a_valid_document_generates_its_module() {
    let dir = documents(&[(
        "my_key_names.graphql",
        "query MyKeyNames($id: ID!) {\n  user(where: { id: $id }) {\n    email\n    apiKeys { ...KeyFields }\n  }\n}\n\nfragment KeyFields on ApiKey { id name createdAt }\n",
    )]);
    let generated = Generator::bundled().queries_dir(&dir).generate().unwrap();
    let operations = generated.operations();
    assert_eq!(operations.len(), 1);
    assert_eq!(operations[0].name, "MyKeyNames");
    assert_eq!(operations[0].module, "my_key_names");
    assert_eq!(operations[0].file, dir.join("my_key_names.graphql"));
    let code = generated.code();
    for needle in [
        "pub mod my_key_names {",
        "pub struct MyKeyNames;",
        "impl graphql_client::GraphQLQuery for MyKeyNames",
        "pub struct Variables {",
        "pub id: ID,",
        "pub struct ResponseData {",
        "pub struct KeyFields {",
        "type DateTime = ::labelbox_schema::scalars::DateTime;",
        "#[derive(Serialize, Debug, Clone, PartialEq)]",
        "pub use self::my_key_names::*;",
    ] {
        assert!(code.contains(needle), "missing {needle:?} in:\n{code}");
    }
}

#[test]
fn options_reach_the_generated_code() {
    let dir = documents(&[("q.graphql", "query Q { user { createdAt } }\n")]);
    let generated = Generator::bundled()
        .queries_dir(&dir)
        .derives(&["Debug", "Serialize", "Eq", "PartialEq"])
        .custom_scalars_module("crate::my_scalars")
        .generate()
        .unwrap();
    let code = generated.code();
    assert!(
        code.contains("type DateTime = crate::my_scalars::DateTime;"),
        "{code}"
    );
    assert!(
        code.contains("#[derive(Deserialize, Debug, Eq, PartialEq)]"),
        "{code}"
    );
}

#[test]
fn one_operation_can_have_its_own_response_derives() {
    let dir = documents(&[
        ("secret.graphql", "mutation Secret { createApiKey(data: {name: \"n\", targetUserEmailId: \"e\"}) { id jwt } }\n"),
        ("plain.graphql", "query Plain { roles { id } }\n"),
    ]);
    let generated = Generator::bundled()
        .queries_dir(&dir)
        .response_derives_for("Secret", &["Clone", "Deserialize"])
        .generate()
        .unwrap();
    let code = generated.code();
    let (plain, secret) = code.split_at(code.find("pub mod secret").unwrap());
    // The chosen operation's response types have no Debug; the others keep the defaults.
    assert!(secret.contains("#[derive(Deserialize, Clone)]"), "{secret}");
    assert!(!secret.contains("#[derive(Deserialize, Debug"), "{secret}");
    assert!(
        plain.contains("#[derive(Deserialize, Debug, Clone, PartialEq)]"),
        "{plain}"
    );
}

#[test]
fn generate_to_writes_the_file_and_watched_paths_cover_the_inputs() {
    let dir = documents(&[
        ("b.graphql", "query B { roles { id } }\n"),
        ("a.graphql", "query A { organization { id } }\n"),
        ("notes.txt", "not a document"),
    ]);
    let out = dir.join("out/operations.rs");
    let generator = Generator::bundled().queries_dir(&dir);
    let generated = generator.generate_to(&out).unwrap();
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, generated.code());
    let names: Vec<_> = generated
        .operations()
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(names, ["A", "B"], "files are read in name order");

    let watched = generator.watched_paths();
    assert!(watched.contains(&dir), "{watched:?}");
    assert!(watched.contains(&dir.join("a.graphql")), "{watched:?}");
    assert!(watched.contains(&dir.join("b.graphql")), "{watched:?}");
    assert!(!watched.contains(&dir.join("notes.txt")), "{watched:?}");
    assert!(
        watched
            .iter()
            .any(|p| p.ends_with("schema/labelbox.graphql")),
        "{watched:?}"
    );
}

#[test]
fn schema_given_as_text_works() {
    let dir = documents(&[("q.graphql", "query Hello { hello }\n")]);
    let schema = SchemaSource::Sdl {
        name: "inline.graphql".to_owned(),
        sdl: "type Query { hello: String }\n".to_owned(),
    };
    let generated = Generator::with_schema(schema.clone())
        .queries_dir(&dir)
        .generate()
        .unwrap();
    assert!(generated.code().contains("pub mod hello {"));

    let bad = documents(&[("q.graphql", "query Hello { goodbye }\n")]);
    let message = Generator::with_schema(schema)
        .queries_dir(&bad)
        .generate()
        .unwrap_err()
        .to_string();
    assert_names(&message, &["goodbye"]);
}

#[test]
fn check_validates_without_generating() {
    let good = documents(&[("q.graphql", "query Q { roles { id name } }\n")]);
    check(&SchemaSource::Bundled, &[good]).unwrap();

    let bad = documents(&[("q.graphql", "query Q { roles { id nam } }\n")]);
    let diagnostics = check(&SchemaSource::Bundled, &[bad.join("q.graphql")]).unwrap_err();
    assert_eq!(diagnostics.len(), 1);
    let diagnostic = diagnostics.iter().next().unwrap();
    assert_eq!(diagnostic.file(), Some(bad.join("q.graphql").as_path()));
    assert_eq!(diagnostic.definition(), Some("operation `Q`"));
    assert_eq!(diagnostic.line_column(), Some((1, 22)));
    assert!(diagnostic.message().contains("nam"), "{diagnostic}");
}

#[test]
fn the_workspace_queries_generate() {
    let queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries");
    let generated = Generator::bundled()
        .queries_dir(&queries)
        .generate()
        .unwrap();
    let modules: Vec<_> = generated
        .operations()
        .iter()
        .map(|o| o.module.as_str())
        .collect();
    assert!(modules.contains(&"list_api_keys"), "{modules:?}");
    assert!(modules.contains(&"create_api_key"), "{modules:?}");
}

#[test]
fn the_query_text_is_the_document_without_comments_or_layout() {
    let dir = documents(&[(
        "find_user.graphql",
        "# Documentation for developers, not for the wire.\n\
         query FindUser {\n  # a comment inside the selection\n  organization {\n    \
         users(where: { email: \"a#b@example.com\" }, first: 1) { ...U } # trailing\n  }\n}\n\n\
         # The fragment.\nfragment U on User { id\n  email }\n",
    )]);
    let generated = Generator::bundled().queries_dir(&dir).generate().unwrap();
    let code = generated.code();
    let expected =
        "query FindUser { organization { users(where: {email: \\\"a#b@example.com\\\"}, \
                    first: 1) { ...U } } } fragment U on User { id email }";
    assert!(
        code.contains(&format!("pub const QUERY: &str = \"{expected}\";")),
        "{code}"
    );
    assert!(!code.contains("Documentation for developers"), "{code}");
    assert!(!code.contains("trailing"), "{code}");
    assert!(
        code.contains("pub const OPERATION_NAME: &str = \"FindUser\";"),
        "{code}"
    );
}
