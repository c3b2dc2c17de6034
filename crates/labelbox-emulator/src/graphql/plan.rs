//! The fields a prepared query selects, collected once per prepared document (kept with it
//! in the document cache) for the direct JSON writer (`writer.rs`).
//!
//! Only documents whose selections need neither field merging nor directives get a plan:
//! each response key selected once per object, fragments (named or inline) only on the
//! object type they are spread in, no directive anywhere, no introspection field. Any
//! other query has no plan and is answered by apollo-compiler's executor, which implements
//! the spec's field collection, merging and `@skip`/`@include`.

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::executable::{Operation, OperationType, Selection};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Node, Schema};

/// The fields of a query operation, in response order.
pub(crate) struct Plan {
    pub fields: Vec<PlannedField>,
    /// Fields planned, nested ones included (for the document cache's memory estimate).
    pub count: usize,
}

/// A field as the writer answers it.
pub(crate) struct PlannedField {
    /// Its response key (the alias, or the name).
    pub key: Name,
    pub name: Name,
    /// Each argument the field's definition declares.
    pub args: Vec<PlannedArg>,
    /// The fields selected on its object value; empty for a leaf.
    pub sub: Vec<PlannedField>,
}

/// An argument: its declared type and default, and the value written in the document.
pub(crate) struct PlannedArg {
    pub name: Name,
    pub ty: Node<Type>,
    pub value: Option<Node<Value>>,
    pub default: Option<Node<Value>>,
}

/// The plan of the query `op` of `doc`; `None` for a mutation and for a query that needs
/// field merging, a directive, an abstract type or introspection.
pub(crate) fn plan(
    schema: &Valid<Schema>,
    doc: &Valid<ExecutableDocument>,
    op: &Operation,
) -> Option<Plan> {
    if op.operation_type != OperationType::Query || !op.directives.is_empty() {
        return None;
    }
    let mut plan = Plan {
        fields: Vec::new(),
        count: 0,
    };
    let mut count = 0;
    collect(
        schema,
        doc,
        "Query",
        &op.selection_set.selections,
        &mut plan.fields,
        &mut count,
    )?;
    plan.count = count;
    Some(plan)
}

/// Appends the fields of `selections` on the object type `type_name` to `out`.
fn collect(
    schema: &Valid<Schema>,
    doc: &Valid<ExecutableDocument>,
    type_name: &str,
    selections: &[Selection],
    out: &mut Vec<PlannedField>,
    count: &mut usize,
) -> Option<()> {
    for selection in selections {
        if !selection.directives().is_empty() {
            return None;
        }
        match selection {
            Selection::Field(field) => {
                let name = field.name.as_str();
                if name.starts_with("__") && name != "__typename" {
                    return None;
                }
                let key = field.response_key();
                if out.iter().any(|planned| planned.key == *key) {
                    return None;
                }
                let mut sub = Vec::new();
                if !field.selection_set.selections.is_empty() {
                    let inner = field.ty().inner_named_type();
                    if !matches!(schema.types.get(inner), Some(ExtendedType::Object(_))) {
                        return None;
                    }
                    collect(
                        schema,
                        doc,
                        inner.as_str(),
                        &field.selection_set.selections,
                        &mut sub,
                        count,
                    )?;
                }
                let args = field
                    .definition
                    .arguments
                    .iter()
                    .map(|def| PlannedArg {
                        name: def.name.clone(),
                        ty: def.ty.clone(),
                        value: field
                            .arguments
                            .iter()
                            .find(|a| a.name == def.name)
                            .map(|a| a.value.clone()),
                        default: def.default_value.clone(),
                    })
                    .collect();
                *count += 1;
                out.push(PlannedField {
                    key: key.clone(),
                    name: field.name.clone(),
                    args,
                    sub,
                });
            }
            Selection::FragmentSpread(spread) => {
                let fragment = doc.fragments.get(&spread.fragment_name)?;
                if fragment.type_condition().as_str() != type_name {
                    return None;
                }
                collect(
                    schema,
                    doc,
                    type_name,
                    &fragment.selection_set.selections,
                    out,
                    count,
                )?;
            }
            Selection::InlineFragment(inline) => {
                if inline
                    .type_condition
                    .as_ref()
                    .is_some_and(|condition| condition.as_str() != type_name)
                {
                    return None;
                }
                collect(
                    schema,
                    doc,
                    type_name,
                    &inline.selection_set.selections,
                    out,
                    count,
                )?;
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(query: &str) -> Option<Plan> {
        let schema =
            Schema::parse_and_validate(include_str!("../../schema/labelbox.graphql"), "s.graphql")
                .unwrap();
        let doc = ExecutableDocument::parse_and_validate(&schema, query, "q.graphql").unwrap();
        let op = doc.operations.get(None).unwrap();
        plan(&schema, &doc, op)
    }

    fn keys(fields: &[PlannedField]) -> Vec<&str> {
        fields.iter().map(|f| f.key.as_str()).collect()
    }

    /// Named and inline fragments on the object type they are spread in are collected into
    /// its fields, in order; every argument the definition declares is planned.
    #[test]
    fn fragments_on_the_same_type_are_collected_once() {
        let plan = plan_of(
            "{ user { id ...F ... on User { email } ... { apiKeys { n: name } } } organization { users(first: 1) { id } } }
             fragment F on User { name }",
        )
        .unwrap();
        assert_eq!(keys(&plan.fields), ["user", "organization"]);
        assert_eq!(
            keys(&plan.fields[0].sub),
            ["id", "name", "email", "apiKeys"]
        );
        assert_eq!(keys(&plan.fields[0].sub[3].sub), ["n"]);
        let users = &plan.fields[1].sub[0];
        let args: Vec<&str> = users.args.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(args, ["where", "skip", "first"]);
        assert!(users.args[2].value.is_some() && users.args[1].value.is_none());
        assert_eq!(plan.count, 9);
    }

    /// Documents that need field merging, directives or introspection have no plan: the
    /// executor answers them.
    #[test]
    fn merging_directives_and_introspection_have_no_plan() {
        for query in [
            "{ user { id id } }",
            "{ user { id ... on User { id } } }",
            "{ user { apiKeys { id } apiKeys { name } } }",
            "{ user { id @include(if: true) } }",
            "{ user { id ... @skip(if: false) { email } } }",
            "{ __schema { queryType { name } } }",
            "{ __type(name: \"User\") { name } }",
            "mutation { updateUser(where: {id: \"x\"}, data: {}) { id } }",
        ] {
            assert!(plan_of(query).is_none(), "{query}");
        }
        assert!(plan_of("{ __typename user { __typename } }").is_some());
    }
}
