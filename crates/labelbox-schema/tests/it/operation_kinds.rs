//! The kind constants labelbox-codegen writes (`OPERATION_KIND`, `Operation::KIND`) equal the
//! kind each document of `queries/` declares, for every generated operation.

use apollo_compiler::ast;
use labelbox_schema::{Operation, OperationKind, OPERATIONS};

/// Every generated operation, with its constant and its trait impl. A new document in
/// `queries/` makes `every_operation_is_listed` fail until it is added here.
macro_rules! generated {
    ($($module:ident :: $operation:ident),* $(,)?) => {
        [$((
            labelbox_schema::$module::OPERATION_NAME,
            labelbox_schema::$module::OPERATION_KIND,
            <labelbox_schema::$module::$operation as Operation>::KIND,
        )),*]
    };
}

fn generated() -> Vec<(&'static str, OperationKind, OperationKind)> {
    generated![
        caller_permissions::CallerPermissions,
        cancel_invite::CancelInvite,
        create_api_key::CreateApiKey,
        create_api_key_preflight::CreateApiKeyPreflight,
        create_invite::CreateInvite,
        current_user::CurrentUser,
        invite_members::InviteMembers,
        invite_preflight::InvitePreflight,
        invites_limit::InvitesLimit,
        list_api_keys::ListApiKeys,
        list_invites::ListInvites,
        organization::Organization,
        organization_members::OrganizationMembers,
        organization_members_page::OrganizationMembersPage,
        organization_members_with_roles::OrganizationMembersWithRoles,
        organization_users_by_email::OrganizationUsersByEmail,
        overview::Overview,
        remove_member::RemoveMember,
        revoke_api_key::RevokeApiKey,
        roles::Roles,
        roles_with_ids_and_permissions::RolesWithIdsAndPermissions,
        roles_with_permissions::RolesWithPermissions,
        set_user_org_role::SetUserOrgRole,
        user_by_id::UserById,
        user_org_role::UserOrgRole,
        user_organization::UserOrganization,
        users::Users,
        users_by_email::UsersByEmail,
    ]
    .to_vec()
}

/// Each named operation of `queries/*.graphql` and its kind, read by apollo-compiler.
fn declared() -> Vec<(String, OperationKind)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../queries");
    let mut declared = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "graphql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let document = ast::Document::parse(text, &path).unwrap();
        for definition in &document.definitions {
            if let ast::Definition::OperationDefinition(operation) = definition {
                let kind = match operation.operation_type {
                    ast::OperationType::Query => OperationKind::Query,
                    ast::OperationType::Mutation => OperationKind::Mutation,
                    ast::OperationType::Subscription => OperationKind::Subscription,
                };
                declared.push((operation.name.as_ref().unwrap().to_string(), kind));
            }
        }
    }
    declared
}

#[test]
fn every_operation_is_listed() {
    let mut listed: Vec<&str> = generated().iter().map(|(name, _, _)| *name).collect();
    let mut all = OPERATIONS.to_vec();
    listed.sort_unstable();
    all.sort_unstable();
    assert_eq!(listed, all);
}

#[test]
fn the_kind_constants_equal_the_documents() {
    let declared = declared();
    assert_eq!(declared.len(), OPERATIONS.len());
    for (name, constant, via_trait) in generated() {
        let (_, kind) = declared.iter().find(|(n, _)| n == name).unwrap();
        assert_eq!(constant, *kind, "{name}");
        assert_eq!(via_trait, *kind, "{name}");
    }
    // The mutations this workspace sends, by name, so that the table above is not
    // vacuous.
    let mutations: Vec<&str> = generated()
        .into_iter()
        .filter(|(_, kind, _)| *kind == OperationKind::Mutation)
        .map(|(name, _, _)| name)
        .collect();
    assert_eq!(
        mutations,
        [
            "CancelInvite",
            "CreateApiKey",
            "CreateInvite",
            "InviteMembers",
            "RemoveMember",
            "RevokeApiKey",
            "SetUserOrgRole"
        ]
    );
}
