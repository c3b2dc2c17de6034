//! Hand-written `Debug` for generated types that hold a secret: `CreateApiKey`'s response
//! carries the new key's JWT, which must never reach a log or a panic message.

use std::fmt;

use crate::create_api_key::{CreateApiKeyCreateApiKey, ResponseData};

impl fmt::Debug for CreateApiKeyCreateApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateApiKeyCreateApiKey")
            .field("id", &self.id)
            .field("jwt", &"[REDACTED]")
            .finish()
    }
}

impl fmt::Debug for ResponseData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseData")
            .field("create_api_key", &self.create_api_key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::create_api_key::ResponseData;

    #[test]
    fn the_created_keys_jwt_is_not_in_debug_output() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
        let data: ResponseData = serde_json::from_value(serde_json::json!({
            "createApiKey": {"id": "ck1", "jwt": jwt}
        }))
        .unwrap();
        assert_eq!(data.create_api_key.as_ref().unwrap().jwt, jwt);
        for text in [format!("{data:?}"), format!("{data:#?}")] {
            assert!(!text.contains(jwt), "{text}");
            assert!(!text.contains("eyJ"), "{text}");
            assert!(
                text.contains("ck1") && text.contains("[REDACTED]"),
                "{text}"
            );
        }
    }
}
