//! Method names synthesized from an operation's HTTP method and path.
//!
//! Kajabi's document has no `operationId`, and progenitor needs one. A name is a pure function
//! of method and path, never of summaries or descriptions, so that an upstream documentation
//! change cannot rename a method. Upstream `operationId`s, should they ever appear, are ignored
//! for the same reason: adopting them would rename every method at once.
//!
//! Names come from the resource part of the path, whatever prefix precedes it, so that the same
//! API under another prefix gets the same names (Kajabi has moved paths between prefixes):
//! [`resource_segments`] drops everything up to a version segment (`/v1`, `/v2`, `/api/v1`),
//! and [`shared_prefix`] is the literal prefix every path shares (`/api` when all paths start
//! with it), dropped as well. The rules, on the resource part:
//!
//! | shape | GET | POST | PUT / PATCH | DELETE |
//! | --- | --- | --- | --- | --- |
//! | `/contacts` | `list_contacts` | `create_contact` | `update_contact` | `delete_contact` |
//! | `/me` (singular noun) | `get_me` | `create_me` | `update_me` | `delete_me` |
//! | `/contacts/{id}` | `get_contact` | `create_contact` | `update_contact` | `delete_contact` |
//! | `/contacts/{id}/relationships/tags` | `get_contact_tags` | `add_contact_tags` | `replace_contact_tags` | `remove_contact_tags` |
//! | `/purchases/{id}/cancel_subscription` | `get_purchase_cancel_subscription` | `cancel_purchase_subscription` | … | … |
//! | `/hooks/tag_added_sample` | `get_hook_tag_added_sample` | `create_hook_tag_added_sample` | … | … |
//! | `/oauth/token`, `/oauth/revoke` | | `create_token`, `revoke_token` | | |

/// The name of the operation at `method` (any case) and `path`, in a document whose paths
/// share the first `shared` segments of their resource parts ([`shared_prefix`]).
pub fn operation_name(method: &str, path: &str, shared: usize) -> String {
    let method = method.to_ascii_lowercase();
    let segments = resource_segments(path);
    let segments = &segments[shared.min(segments.len())..];
    let verb = crud_verb(&method);
    let name = match segments {
        // OAuth endpoints act on "the token": `/oauth/token` creates one, `/oauth/revoke` revokes one.
        ["oauth", "token"] => format!("{verb}_token"),
        ["oauth", action] if method == "post" => format!("{action}_token"),
        [resource] if method == "get" && singular(resource) != *resource => {
            format!("list_{resource}")
        }
        [resource] => format!("{verb}_{}", singular(resource)),
        [resource, param] if is_param(param) => format!("{verb}_{}", singular(resource)),
        [resource, param, "relationships", related] if is_param(param) => {
            let verb = match method.as_str() {
                // `list_contact_tags` is taken by `GET /contact_tags`.
                "get" => "get",
                "post" => "add",
                "delete" => "remove",
                _ => "replace",
            };
            format!("{verb}_{}_{related}", singular(resource))
        }
        [resource, param, action] if is_param(param) && method == "post" => {
            // `cancel_subscription` on a purchase reads best as `cancel_purchase_subscription`.
            match action.split_once('_') {
                Some((head, rest)) => format!("{head}_{}_{rest}", singular(resource)),
                None => format!("{action}_{}", singular(resource)),
            }
        }
        [resource, param, sub] if is_param(param) => {
            format!("{verb}_{}_{sub}", singular(resource))
        }
        [resource, sub] => format!("{verb}_{}_{sub}", singular(resource)),
        _ => {
            // Anything deeper: every literal segment in order, parameters dropped.
            let words: Vec<&str> = segments.iter().copied().filter(|s| !is_param(s)).collect();
            format!("{verb}_{}", words.join("_"))
        }
    };
    sanitize(&name)
}

fn crud_verb(method: &str) -> &'static str {
    match method {
        "get" | "head" => "get",
        "post" => "create",
        "put" | "patch" => "update",
        "delete" => "delete",
        _ => "call",
    }
}

/// The segments of `path` after its version prefix: everything up to and including the first
/// version segment (`v1`, `v2`) among the leading literal segments is dropped; a path without
/// one is kept whole.
pub fn resource_segments(path: &str) -> Vec<&str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let version = segments
        .iter()
        .take_while(|s| !is_param(s))
        .position(|s| is_version(s));
    match version {
        Some(at) => segments[at + 1..].to_vec(),
        None => segments,
    }
}

/// How many leading segments the resource parts of all `paths` share, where dropping them
/// still leaves a literal segment in every path and no path has an id right after them:
/// `/api/contacts` and `/api/hooks` share one (`api`); `/contacts` and `/contacts/{id}` share
/// none, or `/contacts/{id}` would lose its noun; `/things/{id}/parts` and `/things/all` share
/// none, as `things` is a resource.
pub fn shared_prefix<'a>(paths: impl IntoIterator<Item = &'a str>) -> usize {
    let parts: Vec<Vec<&str>> = paths.into_iter().map(resource_segments).collect();
    let Some(first) = parts.first() else {
        return 0;
    };
    let mut shared = 0;
    while let Some(segment) = first.get(shared) {
        let next = shared + 1;
        let all_share = parts.iter().all(|p| p.get(shared) == Some(segment));
        let nouns_left = parts.iter().all(|p| p[next..].iter().any(|s| !is_param(s)));
        // A segment an id follows somewhere is a resource (`/things/{id}`), not a prefix.
        let names_a_resource = parts
            .iter()
            .any(|p| p.get(next).is_some_and(|s| is_param(s)));
        if is_param(segment) || !all_share || !nouns_left || names_a_resource {
            break;
        }
        shared = next;
    }
    shared
}

fn is_version(segment: &str) -> bool {
    segment.len() > 1
        && segment.starts_with('v')
        && segment[1..].bytes().all(|b| b.is_ascii_digit())
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// English singular of the last word of a snake_case noun; good enough for resource names.
pub fn singular(noun: &str) -> String {
    let (head, last) = match noun.rsplit_once('_') {
        Some((head, last)) => (Some(head), last),
        None => (None, noun),
    };
    let last = if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "ches", "shes", "xes"]
        .iter()
        .any(|suffix| last.ends_with(suffix))
    {
        last[..last.len() - 2].to_string()
    } else if last.ends_with('s') && !last.ends_with("ss") && last.len() > 1 {
        last[..last.len() - 1].to_string()
    } else {
        last.to_string()
    };
    match head {
        Some(head) => format!("{head}_{last}"),
        None => last,
    }
}

/// English plural of a singular resource noun (`contact` → `contacts`, `category` →
/// `categories`); a word ending in `s` is taken as plural already.
pub fn plural(word: &str) -> String {
    if word.ends_with('s') {
        word.to_string()
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{word}s")
    }
}

/// Keep the name a valid Rust identifier whatever the path held (dashes, dots, ...).
fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crud_names_follow_method_and_path() {
        let cases = [
            ("GET", "/v1/contacts", "list_contacts"),
            ("POST", "/v1/contacts", "create_contact"),
            ("GET", "/v1/contacts/{id}", "get_contact"),
            ("PATCH", "/v1/contacts/{id}", "update_contact"),
            ("DELETE", "/v1/contacts/{id}", "delete_contact"),
            ("GET", "/v1/me", "get_me"),
            ("GET", "/v1/version", "get_version"),
            (
                "GET",
                "/v1/kajabi_payments_payouts",
                "list_kajabi_payments_payouts",
            ),
            (
                "GET",
                "/v1/kajabi_payments_payouts/{id}",
                "get_kajabi_payments_payout",
            ),
        ];
        for (method, path, want) in cases {
            assert_eq!(operation_name(method, path, 0), want, "{method} {path}");
        }
    }

    #[test]
    fn relationships_actions_and_oauth() {
        let cases = [
            (
                "POST",
                "/v1/contacts/{contact_id}/relationships/tags",
                "add_contact_tags",
            ),
            (
                "DELETE",
                "/v1/contacts/{contact_id}/relationships/tags",
                "remove_contact_tags",
            ),
            (
                "PATCH",
                "/v1/contacts/{contact_id}/relationships/tags",
                "replace_contact_tags",
            ),
            (
                "GET",
                "/v1/offers/{offer_id}/relationships/products",
                "get_offer_products",
            ),
            (
                "POST",
                "/v1/purchases/{id}/cancel_subscription",
                "cancel_purchase_subscription",
            ),
            (
                "POST",
                "/v1/purchases/{id}/reactivate",
                "reactivate_purchase",
            ),
            ("POST", "/v1/forms/{id}/submit", "submit_form"),
            (
                "GET",
                "/v1/hooks/tag_added_sample",
                "get_hook_tag_added_sample",
            ),
            ("POST", "/v1/oauth/token", "create_token"),
            ("POST", "/v1/oauth/revoke", "revoke_token"),
        ];
        for (method, path, want) in cases {
            assert_eq!(operation_name(method, path, 0), want, "{method} {path}");
        }
    }

    #[test]
    fn names_are_identifiers_even_for_odd_paths() {
        assert_eq!(
            operation_name("GET", "/v2/a-b/{x}/c.d/{y}/e", 0),
            "get_a_b_c_d_e"
        );
        assert_eq!(operation_name("get", "/", 0), "get");
    }

    #[test]
    fn singular_handles_common_plurals() {
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("blog_posts"), "blog_post");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("access"), "access");
        assert_eq!(singular("me"), "me");
    }

    #[test]
    fn names_do_not_depend_on_the_prefix() {
        for prefix in ["/v1", "/v2", "/api/v1", "/api/v3", ""] {
            let path = |rest: &str| format!("{prefix}{rest}");
            assert_eq!(operation_name("GET", &path("/hooks"), 0), "list_hooks");
            assert_eq!(operation_name("GET", &path("/hooks/{id}"), 0), "get_hook");
            assert_eq!(
                operation_name("POST", &path("/oauth/token"), 0),
                "create_token"
            );
        }
    }

    #[test]
    fn a_prefix_shared_by_every_path_is_not_part_of_any_name() {
        let paths = ["/api/hooks", "/api/hooks/{id}", "/api/contacts"];
        let shared = shared_prefix(paths);
        assert_eq!(shared, 1);
        assert_eq!(operation_name("GET", paths[0], shared), "list_hooks");
        assert_eq!(operation_name("GET", paths[1], shared), "get_hook");
        // Nothing is shared where dropping it would leave a path without its noun.
        assert_eq!(shared_prefix(["/contacts", "/contacts/{id}"]), 0);
        assert_eq!(shared_prefix(["/v1/contacts", "/api/v1/hooks"]), 0);
        assert_eq!(shared_prefix(["/x/{id}", "/x/{id}/y"]), 0);
        assert_eq!(shared_prefix(["/things/{id}/parts", "/things/all"]), 0);
        assert_eq!(shared_prefix(Vec::<&str>::new()), 0);
    }
}
