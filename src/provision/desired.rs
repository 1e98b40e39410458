//! The client request a spec asks for, and whether a live client already matches it.

use std::collections::BTreeSet;

use super::record::description_with_marker;
use crate::genesys::{ClientRequest, OAuthClient, RoleDivision};
use crate::spec::Spec;

/// The `OAuthClientRequest` for this spec, with gcoauth's marker in the description.
pub fn request_for(spec: &Spec, marker: &str) -> ClientRequest {
    let c = &spec.client;
    ClientRequest {
        name: c.name.clone(),
        description: description_with_marker(&c.description, marker),
        authorized_grant_type: c.grant_type.clone(),
        access_token_validity_seconds: c.access_token_validity_seconds,
        registered_redirect_uri: c.redirect_uris.clone(),
        scope: c.scopes.clone(),
        role_divisions: c
            .roles
            .iter()
            .map(|r| RoleDivision {
                role_id: r.role_id.clone(),
                division_id: r.division_id.clone(),
            })
            .collect(),
        state: c.state.clone(),
    }
}

/// Whether the live client differs from the request in any field gcoauth manages.
/// Lists compare as sets: the API does not promise to keep their order.
pub fn differs(live: &OAuthClient, want: &ClientRequest) -> bool {
    fn set<T: Ord + Clone>(v: &[T]) -> BTreeSet<T> {
        v.iter().cloned().collect()
    }
    let grant = if live.authorized_grant_type == "SAML2BEARER" {
        "SAML2-BEARER"
    } else {
        live.authorized_grant_type.as_str()
    };
    live.name != want.name
        || live.description.as_deref().unwrap_or("") != want.description
        || grant != want.authorized_grant_type
        || live.access_token_validity_seconds.unwrap_or(86_400)
            != want.access_token_validity_seconds
        || set(&live.registered_redirect_uri) != set(&want.registered_redirect_uri)
        || set(&live.scope) != set(&want.scope)
        || set(&live.role_divisions) != set(&want.role_divisions)
        || live.state != want.state
}

/// Whether the client carries this marker (gcoauth's proof of ownership).
pub fn has_marker(client: &OAuthClient, marker: &str) -> bool {
    client
        .description
        .as_deref()
        .is_some_and(|d| d.contains(&super::record::marker_text(marker)))
}
