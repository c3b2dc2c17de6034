//! Test helpers: run the introspection query against an SDL with apollo-compiler's own
//! introspection executor, so no introspection JSON is written by hand.
#![allow(dead_code)]

use std::path::PathBuf;

use apollo_compiler::executable::ExecutableDocument;
use apollo_compiler::request::coerce_variable_values;
use apollo_compiler::response::JsonMap;
use apollo_compiler::Schema;
use labelbox_schema_tools::INTROSPECTION_QUERY;

/// The workspace root.
pub use labelbox_test_support::workspace_root as workspace;

/// The checked-in `schema/labelbox.graphql`.
pub fn checked_in_schema() -> String {
    std::fs::read_to_string(workspace().join("schema/labelbox.graphql")).unwrap()
}

/// The checked-in `queries/*.graphql`.
pub fn checked_in_queries() -> Vec<(PathBuf, String)> {
    labelbox_schema_tools::load_queries(&workspace().join("queries")).unwrap()
}

/// The full GraphQL response (`{"data": {"__schema": ...}}`) to the standard introspection
/// query against `sdl`.
pub fn introspect(sdl: &str) -> serde_json::Value {
    let schema = Schema::parse_and_validate(sdl, "schema.graphql").unwrap();
    let doc = ExecutableDocument::parse_and_validate(
        &schema,
        INTROSPECTION_QUERY,
        "introspection.graphql",
    )
    .unwrap();
    let op = doc.operations.get(Some("IntrospectionQuery")).unwrap();
    let variables = coerce_variable_values(&schema, op, &JsonMap::new()).unwrap();
    let response = apollo_compiler::introspection::partial_execute(
        &schema,
        &schema.implementers_map(),
        &doc,
        op,
        &variables,
    )
    .unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    serde_json::to_value(&response).unwrap()
}

/// The introspection answer with `types`, `directives` and each interface's `possibleTypes`
/// (sets, listed in definition order) sorted by name, so that two schemas that differ only
/// in definition order compare equal.
pub fn normalised_introspection(sdl: &str) -> serde_json::Value {
    let mut json = introspect(sdl);
    let schema = json
        .get_mut("data")
        .and_then(|d| d.get_mut("__schema"))
        .unwrap();
    for key in ["types", "directives"] {
        let list = schema.get_mut(key).unwrap().as_array_mut().unwrap();
        list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    }
    for ty in schema["types"].as_array_mut().unwrap() {
        if ty["kind"] == "INTERFACE" {
            let possible = ty["possibleTypes"].as_array_mut().unwrap();
            possible.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        }
    }
    json
}

/// Asserts that two SDL documents describe the same schema (compared through their
/// normalised introspection), naming the first type that differs.
pub fn assert_same_schema(actual: &str, expected: &str) {
    let (a, e) = (
        normalised_introspection(actual),
        normalised_introspection(expected),
    );
    if a == e {
        return;
    }
    let types = |j: &serde_json::Value| j["data"]["__schema"]["types"].as_array().unwrap().clone();
    let (at, et) = (types(&a), types(&e));
    for (x, y) in at.iter().zip(et.iter()) {
        assert_eq!(x, y, "type `{}` differs; actual SDL:\n{actual}", y["name"]);
    }
    assert_eq!(
        at.len(),
        et.len(),
        "type count differs; actual SDL:\n{actual}"
    );
    assert_eq!(
        a["data"]["__schema"]["directives"], e["data"]["__schema"]["directives"],
        "directives differ"
    );
    panic!("root types differ; actual SDL:\n{actual}");
}

/// `sdl` with one field of an object type removed (edited through apollo-compiler, so it
/// works whatever the file's formatting).
pub fn without_field(sdl: &str, type_name: &str, field: &str) -> String {
    edit_object(sdl, type_name, |fields| {
        assert!(
            fields.shift_remove(field).is_some(),
            "no field {type_name}.{field}"
        );
    })
}

/// `sdl` with the fields of an object type edited by `edit`.
pub fn edit_object(
    sdl: &str,
    type_name: &str,
    edit: impl FnOnce(
        &mut apollo_compiler::collections::IndexMap<
            apollo_compiler::Name,
            apollo_compiler::schema::Component<apollo_compiler::schema::FieldDefinition>,
        >,
    ),
) -> String {
    let mut schema = Schema::parse(sdl, "schema.graphql").unwrap();
    match schema.types.get_mut(type_name) {
        Some(apollo_compiler::schema::ExtendedType::Object(object)) => {
            edit(&mut object.make_mut().fields)
        }
        _ => panic!("no object type {type_name}"),
    }
    schema.to_string()
}
