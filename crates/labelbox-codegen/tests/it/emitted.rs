//! What the generator writes beyond graphql_client's code: each operation's kind as a
//! constant and an `Operation` impl, and a redacting `Debug` for fields declared sensitive.

use std::path::{Path, PathBuf};

use labelbox_codegen::Generator;

fn documents(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("codegen-emitted-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// The code of the module `pub mod <module>`, up to the next generated module.
fn module<'a>(code: &'a str, module: &str) -> &'a str {
    let start = code.find(&format!("pub mod {module} ")).unwrap();
    let rest = &code[start + 1..];
    let end = rest
        .find("\npub mod ")
        .map_or(code.len(), |i| start + 1 + i);
    &code[start..end]
}

#[test]
fn each_operation_gets_its_kind_and_an_operation_impl() {
    let dir = documents(
        "kinds",
        &[
            ("a.graphql", "# mutation in a comment\nquery Reader { roles { id } }\n"),
            ("b.graphql", "mutation Writer { updateApiKey(where: {id: \"k\"}, data: {revoked: true}) { id } }\n"),
        ],
    );
    let code = Generator::bundled().queries_dir(&dir).generate().unwrap();
    let code = code.code();
    let reader = module(code, "reader");
    assert!(
        reader.contains(
            "pub const OPERATION_KIND: ::labelbox_schema::OperationKind = ::labelbox_schema::OperationKind::Query;"
        ),
        "{reader}"
    );
    assert!(
        reader.contains("impl ::labelbox_schema::Operation for Reader"),
        "{reader}"
    );
    let writer = module(code, "writer");
    assert!(
        writer.contains("= ::labelbox_schema::OperationKind::Mutation;"),
        "{writer}"
    );
    let own = Generator::bundled()
        .queries_dir(&dir)
        .schema_crate("crate::runtime")
        .generate()
        .unwrap();
    assert!(own
        .code()
        .contains("impl crate::runtime::Operation for Writer"));
}

#[test]
fn a_sensitive_field_is_redacted_in_debug_and_the_rest_keeps_derived_debug() {
    let dir = documents(
        "redact",
        &[(
            "secret.graphql",
            "mutation Secret { createApiKey(data: {name: \"n\", targetUserEmailId: \"e\"}) { id jwt } }\n",
        )],
    );
    let generated = Generator::bundled()
        .queries_dir(&dir)
        .redact_in_debug("Secret.createApiKey.jwt")
        .generate()
        .unwrap();
    let code = generated.code();
    assert!(
        code.contains("impl ::std::fmt::Debug for SecretCreateApiKey"),
        "{code}"
    );
    assert!(code.contains(".field(\"jwt\", &\"[REDACTED]\")"), "{code}");
    assert!(code.contains(".field(\"id\", &self.id)"), "{code}");
    // The holder lost its derived Debug; ResponseData keeps it.
    let holder = code.find("pub struct SecretCreateApiKey").unwrap();
    let derive = code[..holder].rfind("#[derive(").unwrap();
    assert!(
        !code[derive..holder].contains("Debug"),
        "{}",
        &code[derive..holder]
    );
    let response = code.find("pub struct ResponseData").unwrap();
    let derive = code[..response].rfind("#[derive(").unwrap();
    assert!(
        code[derive..response].contains("Debug"),
        "{}",
        &code[derive..response]
    );
}

#[test]
fn a_sensitive_field_inside_a_fragment_is_found() {
    let dir = documents(
        "fragment",
        &[(
            "secret.graphql",
            "fragment Key on ApiKeyWithJwt { id jwt }\n\
             mutation Secret { createApiKey(data: {name: \"n\", targetUserEmailId: \"e\"}) { ...Key } }\n",
        )],
    );
    let generated = Generator::bundled()
        .queries_dir(&dir)
        .redact_in_debug("Secret.createApiKey.jwt")
        .generate()
        .unwrap();
    assert!(
        generated
            .code()
            .contains(".field(\"jwt\", &\"[REDACTED]\")"),
        "{}",
        generated.code()
    );
}

#[test]
fn a_sensitive_path_that_names_nothing_fails_the_generation() {
    let dir = documents(
        "typo",
        &[(
            "secret.graphql",
            "mutation Secret { createApiKey(data: {name: \"n\", targetUserEmailId: \"e\"}) { id jwt } }\n",
        )],
    );
    for (path, needle) in [
        ("Secret.createApiKey.jtw", "Secret.createApiKey.jtw"),
        ("Secret.createApiKeys.jwt", "Secret.createApiKeys.jwt"),
        ("Other.createApiKey.jwt", "`Other`"),
        ("Secret", "`Secret` without a field"),
    ] {
        let error = Generator::bundled()
            .queries_dir(&dir)
            .redact_in_debug(path)
            .generate()
            .unwrap_err()
            .to_string();
        assert!(error.contains(needle), "{path}: {error}");
    }
}
