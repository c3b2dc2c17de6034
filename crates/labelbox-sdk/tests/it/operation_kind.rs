//! Retries follow the operation's kind: the generated constant for codegen's operations
//! (`Client::execute`), the parsed document for a consumer's hand-written `GraphQLQuery`
//! (`Client::execute_with_parsed_kind`), which comments, strings and aliases that spell
//! `mutation` do not fool.

use crate::support;

use labelbox_sdk::schema::graphql_client::{GraphQLQuery, QueryBody};
use labelbox_sdk::{Operation, OperationKind};
use serde_json::{json, Value};
use support::{client, Reply, TestServer};

/// A hand-written operation, as a consumer without labelbox-codegen would write one.
macro_rules! hand_written {
    ($name:ident, $document:expr) => {
        struct $name;

        impl GraphQLQuery for $name {
            type Variables = ();
            type ResponseData = Value;

            fn build_query(variables: ()) -> QueryBody<()> {
                QueryBody {
                    variables,
                    query: $document,
                    operation_name: "Probe",
                }
            }
        }
    };
}

hand_written!(
    QueryMentioningMutation,
    "# not a mutation, despite this comment\n\
     query Probe($note: String = \"mutation Probe { x }\") {\n\
       mutation: user(note: \"\"\"mutation\"\"\") { id }\n\
     }"
);
hand_written!(
    MutationAfterAFragment,
    "fragment F on User { id }\n# query Probe\nmutation Probe { revoke { ...F } }"
);
hand_written!(
    NamedQueryBesideAMutation,
    "mutation Other { revoke { id } }\nquery Probe { user { id } }"
);
hand_written!(Unparsable, "query Probe { user { id }");

/// A server whose first answer is lost (the connection drops), then answers.
async fn first_answer_lost() -> TestServer {
    TestServer::replies(vec![
        Reply::Drop,
        Reply::data(json!({"user": {"id": "u1"}})),
    ])
    .await
}

#[tokio::test]
async fn a_hand_written_query_is_retried_whatever_its_text_says_about_mutations() {
    for run in 0..2 {
        let server = first_answer_lost().await;
        let client = client(&server.url);
        let data = match run {
            0 => {
                client
                    .execute_with_parsed_kind::<QueryMentioningMutation>(())
                    .await
            }
            _ => {
                client
                    .execute_with_parsed_kind::<NamedQueryBesideAMutation>(())
                    .await
            }
        }
        .unwrap();
        assert_eq!(data["user"]["id"], "u1");
        assert_eq!(server.request_count(), 2, "run {run}: a query is retried");
        assert_eq!(
            server.requests()[0].header("x-sdk-method"),
            Some("Client:execute_with_parsed_kind")
        );
    }
}

#[tokio::test]
async fn a_hand_written_mutation_or_unreadable_document_is_not_sent_twice() {
    for run in 0..2 {
        let server = first_answer_lost().await;
        let client = client(&server.url);
        let error = match run {
            0 => {
                client
                    .execute_with_parsed_kind::<MutationAfterAFragment>(())
                    .await
            }
            _ => client.execute_with_parsed_kind::<Unparsable>(()).await,
        }
        .unwrap_err();
        assert!(error.is_retryable(), "{error:?}");
        assert_eq!(server.request_count(), 1, "run {run}: sent once");
    }
}

#[test]
fn generated_operations_carry_their_kind() {
    use labelbox_sdk::schema::{create_api_key, current_user, revoke_api_key};
    assert_eq!(current_user::CurrentUser::KIND, OperationKind::Query);
    assert_eq!(create_api_key::CreateApiKey::KIND, OperationKind::Mutation);
    assert_eq!(revoke_api_key::OPERATION_KIND, OperationKind::Mutation);
}
