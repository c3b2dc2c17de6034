//! The experimental endpoint, where the official SDK sends its experimental operations
//! (`cancelInvite`): the endpoint with `/_gql` in place of its final `/graphql`. Derived
//! here and nowhere else.

use crate::transport::Transport;
use crate::{ConstructionError, Error};

/// `endpoint` with its final path segment `graphql` replaced by `_gql` (a trailing slash
/// kept out; the query string dropped). The official SDK replaces the text `/graphql`
/// anywhere in the URL; only the path is touched here, so a host named `graphql.…` stays.
/// An endpoint whose path does not end in `/graphql` has no experimental endpoint: a
/// [`ConstructionError::Configuration`], before anything is sent.
pub(crate) fn experimental_endpoint(endpoint: &reqwest::Url) -> Result<reqwest::Url, Error> {
    let path = endpoint.path().trim_end_matches('/');
    let Some(base) = path.strip_suffix("/graphql") else {
        return Err(Error::Construction(ConstructionError::Configuration {
            message: format!(
                "the endpoint's path '{}' does not end in /graphql, so the experimental \
                 endpoint (/_gql in its place) that this operation needs cannot be derived",
                endpoint.path()
            ),
        }));
    };
    let mut url = endpoint.clone();
    url.set_path(&format!("{base}/_gql"));
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

impl Transport {
    /// This transport aimed at the experimental endpoint: the same HTTP client (pool,
    /// proxy and redirect rules), headers, retry policy, limits and key.
    pub(crate) fn experimental(&self) -> Result<Transport, Error> {
        let mut transport = self.clone();
        transport.endpoint = experimental_endpoint(&self.endpoint)?;
        Ok(transport)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(endpoint: &str) -> Result<String, String> {
        experimental_endpoint(&reqwest::Url::parse(endpoint).unwrap())
            .map(|u| u.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn graphql_becomes_gql_in_the_path_only() {
        assert_eq!(
            derived("https://api.labelbox.com/graphql").unwrap(),
            "https://api.labelbox.com/_gql"
        );
        assert_eq!(
            derived("http://127.0.0.1:8080/graphql/").unwrap(),
            "http://127.0.0.1:8080/_gql"
        );
        assert_eq!(
            derived("https://graphql.example.com/v1/graphql?x=1").unwrap(),
            "https://graphql.example.com/v1/_gql"
        );
    }

    #[test]
    fn an_endpoint_without_graphql_at_the_end_has_none() {
        for endpoint in [
            "https://example.com/api",
            "https://example.com/graphqlx",
            "https://example.com/",
        ] {
            let error = derived(endpoint).unwrap_err();
            assert!(error.contains("does not end in /graphql"), "{error}");
        }
    }
}
