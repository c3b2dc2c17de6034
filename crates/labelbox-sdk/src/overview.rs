//! [`Client::overview`]: the caller, its organization and what it may do there, in one
//! request.

use labelbox_schema::{organization_members_page, overview};

use crate::convert::{self, user_from_fields};
use crate::listing_data::Listing;
use crate::members::{collect_pages, members_page_from};
use crate::retry::Idempotency;
use crate::{ApiKey, Client, Error, Organization, Role, Roles, User};

const OPERATION: &str = "Overview";

/// What the caller sees of its organization, read by [`Client::overview`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Overview {
    /// The caller: the user the API key acts as.
    pub user: User,
    /// The caller's organization role (id and name; permissions empty), `None` when the
    /// server shows none. The API key may act within a lower role: see
    /// [`Overview::permissions`].
    pub org_role: Option<Role>,
    /// The permissions of the API key's role, as the server lists them.
    pub permissions: Vec<String>,
    /// Every role of the organization with its id, name and permissions, in the server's
    /// order, looked up by normalised name (what [`Client::get_roles_with_permissions`]
    /// returns).
    pub roles: Roles,
    /// The caller's organization.
    pub organization: Organization,
    /// Every member of the organization the caller may see, in the server's order.
    pub members: Vec<User>,
    /// The keys the caller can see (its own, then other users' it may manage), expired
    /// ones included, as the server lists them.
    pub keys: Vec<ApiKey>,
}

/// The `data` of an `Overview` answer (`queries/overview.graphql`): the generated types,
/// and under `keys` the listing's own mapping ([`crate::listing_data`]), so a listed key
/// is decoded one way whichever operation lists it.
#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OverviewData {
    user: Option<overview::OverviewUser>,
    organization_role: Option<overview::OverviewOrganizationRole>,
    roles: Vec<overview::OverviewRoles>,
    organization: Option<overview::OverviewOrganization>,
    keys: Option<Listing>,
}

impl Client {
    /// The caller, its organization role and permissions, the organization's roles, its
    /// members and the keys the caller can see, in one request where
    /// [`Client::get_user`], [`Client::get_user_org_role`], [`Client::get_permissions`],
    /// [`Client::get_roles_with_permissions`], [`Client::get_organization`],
    /// [`Client::get_organization_members`] and [`Client::list_api_keys`] take seven.
    ///
    /// Members are read 100 at a time, as [`Client::get_organization_members`] does: the
    /// first 100 come with the rest in the one request, and only an organization with 100
    /// members or more costs one more request per further 100. Nothing is cached.
    /// `X-SDK-Method: Client:overview` (a later page of members: `Organization:users`).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let overview = labelbox_sdk::Client::from_env()?.overview().await?;
    /// println!(
    ///     "{} in {}: {} members, {} keys",
    ///     overview.user.email,
    ///     overview.organization.name,
    ///     overview.members.len(),
    ///     overview.keys.len()
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub async fn overview(&self) -> Result<Overview, Error> {
        let data = self
            .inner
            .transport
            .call_into::<overview::Overview, OverviewData>(
                overview::Variables,
                "Client:overview",
                Idempotency::Idempotent,
            )
            .await?;
        let mut overview = overview_from(data)?;
        let first = std::mem::take(&mut overview.members);
        overview.members = collect_pages(
            first,
            |u| &u.id,
            |skip| async move {
                let data = self
                    .call_idempotent::<organization_members_page::OrganizationMembersPage>(
                        organization_members_page::Variables { skip },
                        "Organization:users",
                    )
                    .await?;
                members_page_from(data)
            },
        )
        .await?;
        Ok(overview)
    }
}

/// The domain mapping of `Overview` (the first page of members only): a null caller,
/// role, organization or listing is [`Error::MissingData`]; a null permission list (or
/// null entries) is no permissions, as in [`Client::get_permissions`].
pub(crate) fn overview_from(data: OverviewData) -> Result<Overview, Error> {
    let user = data
        .user
        .ok_or_else(|| convert::missing(OPERATION, "user"))?;
    let permissions = data
        .organization_role
        .ok_or_else(|| convert::missing(OPERATION, "organizationRole"))?
        .permissions
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let org = data
        .organization
        .ok_or_else(|| convert::missing(OPERATION, "organization"))?;
    let keys = data
        .keys
        .ok_or_else(|| convert::missing(OPERATION, "keys"))?
        .keys;
    Ok(Overview {
        org_role: user.org_role.map(|r| Role::new(r.name).with_id(r.id)),
        user: user_from_fields!(user.user_fields),
        permissions,
        roles: Roles::new(data.roles.into_iter().map(|r| {
            Role::new(r.name)
                .with_id(r.id)
                .with_permissions(r.permissions)
        })),
        organization: Organization::new(
            org.id,
            org.name,
            org.created_at.into_inner(),
            org.updated_at.into_inner(),
        ),
        members: org
            .users
            .into_iter()
            .map(|u| user_from_fields!(u))
            .collect(),
        keys,
    })
}

#[cfg(test)]
mod tests {
    use labelbox_schema::{current_user, list_api_keys, organization_members, overview};
    use serde_json::json;

    use super::{overview_from, OverviewData};

    fn data(keys: serde_json::Value) -> OverviewData {
        let user = json!({"createdAt": "2026-11-26T08:56:16Z", "email": "ada@example.com",
            "isExternalUser": false, "isViewer": false, "lastLoginAt": null, "nickname": null,
            "name": "Ada", "picture": null, "id": "u1", "updatedAt": "2026-11-26T08:56:16Z"});
        let mut me = user.clone();
        me["orgRole"] = json!({"id": "r4", "name": "Admin"});
        serde_json::from_value(json!({
            "user": me,
            "organizationRole": {"permissions": ["MANAGE_API_KEYS", null]},
            "roles": [{"id": "r1", "name": "Labeler", "permissions": ["LABEL"],
                       "organizationId": "o1"}],
            "organization": {"createdAt": "2026-11-26T08:56:16Z", "name": "Org", "id": "o1",
                             "updatedAt": "2026-11-26T08:56:16Z", "users": [user]},
            "keys": keys,
        }))
        .unwrap()
    }

    #[test]
    fn each_part_maps_to_its_domain_value_and_a_null_one_is_missing_data() {
        let key = json!({"id": "ck1", "name": "ci", "createdAt": "2026-11-26T08:56:16Z",
            "updatedAt": "2026-11-26T08:56:16Z", "revoked": false, "expiresAtEpoch": 1795000000,
            "userId": "u1", "userEmail": "ada@example.com", "createdByUserId": null,
            "allowedIpCidrs": ["10.0.0.0/8"]});
        let overview = overview_from(data(
            json!({"id": "u1", "apiKeys": [key], "apiKeysOtherUsers": []}),
        ))
        .unwrap();
        assert_eq!(overview.user.email, "ada@example.com");
        assert_eq!(overview.org_role.unwrap().name, "Admin");
        assert_eq!(overview.permissions, ["MANAGE_API_KEYS"]);
        assert_eq!(overview.roles[0].permissions, ["LABEL"]);
        assert_eq!(overview.organization.name, "Org");
        assert_eq!(overview.members[0].id, overview.user.id);
        assert_eq!(overview.keys[0].id.as_str(), "ck1");
        assert_eq!(overview.keys[0].allowed_ip_cidrs.len(), 1);
        let missing = overview_from(data(json!(null))).unwrap_err();
        assert_eq!(missing.to_string(), "The Overview response has no keys");
    }

    /// A document's tokens, spaced out, as one string.
    fn spaced(document: &str) -> String {
        let spaced = document
            .replace('{', " { ")
            .replace('}', " } ")
            .replace(':', " : ");
        spaced.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text from `fragment <name>` to its closing brace, spaced out.
    fn fragment(document: &str, name: &str) -> String {
        let document = spaced(document);
        let start = document
            .find(&format!("fragment {name} "))
            .unwrap_or_else(|| panic!("no fragment {name}"));
        let end = start + document[start..].find('}').expect("an unclosed fragment");
        document[start..=end].to_owned()
    }

    /// The overview selects each part as its own operation does: under `keys` exactly the
    /// listing's selection (whose mapping decodes it), the users as the caller's and the
    /// members' queries.
    #[test]
    fn the_parts_are_the_listing_s_and_the_users_selections() {
        let listing = spaced(list_api_keys::QUERY);
        let selection =
            &listing[listing.find("user {").unwrap()..listing.find(" } fragment").unwrap()];
        assert!(
            spaced(overview::QUERY).contains(&format!("keys : {selection}")),
            "queries/overview.graphql's `keys` and queries/list_api_keys.graphql's `user` differ"
        );
        assert_eq!(
            fragment(overview::QUERY, "ApiKeyFields"),
            fragment(list_api_keys::QUERY, "ApiKeyFields")
        );
        let users = fragment(overview::QUERY, "UserFields");
        assert_eq!(users, fragment(current_user::QUERY, "UserFields"));
        assert_eq!(users, fragment(organization_members::QUERY, "UserFields"));
    }
}
