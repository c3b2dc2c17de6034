//! `check`, `affected_operations` and `diff_report` on the real schema and queries/.

use crate::common;

use std::path::{Path, PathBuf};

use common::{checked_in_queries, checked_in_schema, edit_object, without_field, workspace};
use labelbox_schema_tools::{affected_operations, check, diff_report, load_queries};

fn schema_path() -> PathBuf {
    workspace().join("schema/labelbox.graphql")
}

fn names(ops: &[labelbox_schema_tools::BrokenOperation]) -> Vec<String> {
    ops.iter().map(|o| o.operation.clone()).collect()
}

#[test]
fn the_checked_in_queries_validate() {
    let queries = checked_in_queries();
    assert!(queries.len() >= 10);
    assert!(
        queries.windows(2).all(|w| w[0].0 < w[1].0),
        "sorted by file name"
    );
    check(&schema_path(), &checked_in_schema(), &queries).unwrap();
}

#[test]
fn removing_a_field_names_the_operation_that_uses_it() {
    let old = checked_in_schema();
    let new = without_field(&old, "ApiKey", "expiresAtEpoch");
    let broken = affected_operations(&old, &new, &checked_in_queries()).unwrap();
    assert_eq!(names(&broken), ["ListApiKeys", "Overview"]);
    assert_eq!(broken[1].file, workspace().join("queries/overview.graphql"));
    let op = &broken[0];
    assert_eq!(op.file, workspace().join("queries/list_api_keys.graphql"));
    assert_eq!(op.changes, ["ApiKey.expiresAtEpoch"]);
    // The field is selected in a fragment: one diagnostic, attributed to the operation.
    assert_eq!(op.diagnostics.len(), 1, "{:?}", op.diagnostics);
    let d = &op.diagnostics[0];
    assert!(d.message.contains("expiresAtEpoch"), "{}", d.message);
    assert_eq!(d.operations, ["ListApiKeys"]);
    let text = d.to_string();
    assert!(
        text.starts_with(&format!(
            "{}:",
            workspace().join("queries/list_api_keys.graphql").display()
        )),
        "{text}"
    );
    assert!(text.contains("in operation `ListApiKeys`"), "{text}");
    assert!(d.line.is_some() && d.column.is_some());
    assert!(d.report.contains("expiresAtEpoch"));
}

#[test]
fn a_field_made_nullable_breaks_every_operation_reading_it_without_failing_validation() {
    let old = checked_in_schema();
    let new = edit_object(&old, "User", |fields| {
        let email = fields.get_mut("email").unwrap();
        email.make_mut().ty = apollo_compiler::ast::Type::Named(apollo_compiler::name!("String"));
    });
    let report = diff_report(&old, &new, &checked_in_queries()).unwrap();
    assert_eq!(report.changes.len(), 1);
    assert_eq!(
        names(&report.broken_operations),
        [
            "CreateApiKeyPreflight",
            "CreateInvite",
            "CurrentUser",
            "OrganizationMembers",
            "OrganizationMembersPage",
            "OrganizationMembersWithRoles",
            "OrganizationUsersByEmail",
            "Overview",
            "UserById",
            "Users",
            "UsersByEmail"
        ]
    );
    for op in &report.broken_operations {
        assert_eq!(op.changes, ["User.email"]);
        assert!(op.diagnostics.is_empty());
    }
    assert_eq!(report.exit_code(), 1);
    let text = report.to_string();
    assert!(text.contains("Broken operations (11):"), "{text}");
    assert!(text.contains("broken by: User.email"), "{text}");
}

#[test]
fn a_new_required_argument_breaks_the_operations_selecting_the_field() {
    let old = checked_in_schema();
    let new = edit_object(&old, "Organization", |fields| {
        let users = fields.get_mut("users").unwrap().make_mut();
        let mut tenant = (*users.arguments[0]).clone();
        tenant.name = apollo_compiler::name!("tenant");
        tenant.ty = apollo_compiler::ast::Type::NonNullNamed(apollo_compiler::name!("ID")).into();
        tenant.description = None;
        users.arguments.push(tenant.into());
    });
    let report = diff_report(&old, &new, &checked_in_queries()).unwrap();
    assert_eq!(
        names(&report.broken_operations),
        [
            "CreateApiKeyPreflight",
            "OrganizationMembers",
            "OrganizationMembersPage",
            "OrganizationMembersWithRoles",
            "OrganizationUsersByEmail",
            "Overview"
        ]
    );
    for op in &report.broken_operations {
        assert_eq!(op.changes, ["Organization.users.tenant"]);
        assert_eq!(op.diagnostics.len(), 1);
        assert!(op.diagnostics[0].message.contains("tenant"));
    }
}

#[test]
fn safe_and_dangerous_changes_break_nothing() {
    let old = checked_in_schema();
    let new = format!("{old}\nextend type ApiKey {{ note: String }}\nextend input UpdateApiKeyInput {{ name: String }}\n");
    let report = diff_report(&old, &new, &checked_in_queries()).unwrap();
    assert_eq!(report.changes.len(), 2, "{:?}", report.changes);
    assert!(report.broken_operations.is_empty());
    assert_eq!(report.exit_code(), 0);
    assert!(report.to_string().ends_with("No operation is broken.\n"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["broken_operations"], serde_json::json!([]));
    assert_eq!(json["changes"][0]["criticality"], "SAFE");
    assert_eq!(json["changes"][1]["criticality"], "DANGEROUS");
}

#[test]
fn check_names_file_operation_and_bad_name() {
    let queries = vec![
        (
            PathBuf::from("queries/good.graphql"),
            "query Good { roles { id } }".to_owned(),
        ),
        (
            PathBuf::from("queries/bad.graphql"),
            "query First { roles { id } }\nquery Second { user { ...F } }\nfragment F on User { emial }\n"
                .to_owned(),
        ),
    ];
    let errors = check(
        Path::new("schema/labelbox.graphql"),
        &checked_in_schema(),
        &queries,
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.file, PathBuf::from("queries/bad.graphql"));
    assert_eq!(e.operations, ["Second"]);
    assert_eq!((e.line, e.column), (Some(3), Some(22)));
    assert!(e.message.contains("emial"), "{}", e.message);
    assert!(e.message.contains("User"), "{}", e.message);
    assert!(
        e.to_string()
            .starts_with("queries/bad.graphql:3:22: in operation `Second`: "),
        "{e}"
    );
}

#[test]
fn check_reports_an_invalid_schema_and_syntax_errors() {
    let errors = check(Path::new("broken.graphql"), "type Query { a: Nope }", &[]).unwrap_err();
    assert_eq!(errors[0].file, PathBuf::from("broken.graphql"));
    assert!(errors[0].message.contains("Nope"));

    let errors = check(
        &schema_path(),
        &checked_in_schema(),
        &[(
            PathBuf::from("q.graphql"),
            "query Q { roles { id }".to_owned(),
        )],
    )
    .unwrap_err();
    assert!(
        errors.iter().any(|e| e.message.contains("syntax error")),
        "{errors:?}"
    );
    assert_eq!(errors[0].operations, ["Q"]);
}

#[test]
fn load_queries_reads_graphql_files_only() {
    let dir = std::env::temp_dir().join(format!("schema-tools-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.graphql"), "query B { roles { id } }").unwrap();
    std::fs::write(dir.join("a.graphql"), "query A { roles { id } }").unwrap();
    std::fs::write(dir.join("notes.md"), "not GraphQL").unwrap();
    let files = load_queries(&dir).unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a.graphql", "b.graphql"]);
    assert_eq!(load_queries(&dir.join("a.graphql")).unwrap().len(), 1);
    assert!(matches!(
        load_queries(&dir.join("missing.graphql")),
        Err(labelbox_schema_tools::Error::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn load_queries_reads_gql_files_like_the_build() {
    let dir = std::env::temp_dir().join(format!("schema-tools-load-gql-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.graphql"), "query A { roles { id } }").unwrap();
    std::fs::write(dir.join("b.gql"), "query B { roles { id } }").unwrap();
    let files = load_queries(&dir).unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a.graphql", "b.gql"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
