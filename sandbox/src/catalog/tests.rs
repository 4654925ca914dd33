//! The catalog built from the embedded spec: resources, actions and example bodies.

use super::*;

#[test]
fn resource_names() {
    assert_eq!(resource_name("/v1/contacts/{id}"), "contacts");
    assert_eq!(
        resource_name("/v1/contacts/{contact_id}/relationships/tags"),
        "tags"
    );
    assert_eq!(resource_name("/v1/me"), "me");
    assert_eq!(resource_name("/things"), "things");
}

#[test]
fn the_embedded_spec_yields_a_route_per_operation() {
    let catalog = Catalog::shared().expect("catalog");
    assert_eq!(catalog.routes.len(), catalog.spec.operations.len());
    let find = |method: &str, path: &str| {
        catalog
            .routes
            .iter()
            .find(|r| r.op.method == method && r.op.path == path)
            .expect("operation exists")
    };
    let contacts = catalog.target("contacts").expect("contacts");
    assert_eq!(catalog.resources[contacts].path, "/v1/contacts");
    assert_eq!(catalog.resources[contacts].kind, "contacts");
    assert_eq!(
        find("POST", "/v1/contacts").action,
        Action::Create(contacts)
    );
    assert_eq!(
        find("GET", "/v1/contacts/{id}").action,
        Action::Show(contacts)
    );
    assert_eq!(find("GET", "/v1/contacts").action, Action::List(contacts));
    assert_eq!(
        find("POST", "/v1/contacts/{contact_id}/relationships/tags").action,
        Action::Relationship(contacts, "tags".into())
    );
    let tags = catalog.target("tags").expect("tags");
    assert_eq!(catalog.resources[tags].path, "/v1/contact_tags");
    assert_eq!(catalog.target("customer"), catalog.target("customers"));
    let hooks = catalog.target("hooks").expect("hooks");
    assert_eq!(
        find("DELETE", "/v1/hooks/{id}").action,
        Action::Delete(hooks)
    );
    assert_eq!(
        find("GET", "/v1/hooks/tag_added_sample").action,
        Action::Fixed
    );
    assert_eq!(find("GET", "/v1/me").action, Action::Fixed);
    let purchases = catalog.target("purchases").expect("purchases");
    assert_eq!(
        find("POST", "/v1/purchases/{id}/deactivate").action,
        Action::Member(purchases)
    );
    assert!(catalog.target("kajabi_payments_payouts").is_some());
    let forms = catalog.target("forms").expect("forms");
    let submit = find("POST", "/v1/forms/{id}/submit");
    assert_eq!(submit.action, Action::Member(forms));
    assert_eq!(submit.creates_in, catalog.target("form_submissions"));
    assert_eq!(
        find("POST", "/v1/purchases/{id}/deactivate").creates_in,
        None
    );
    assert_eq!(find("POST", "/v1/oauth/token").kind, Kind::Token);
    let version = find("GET", "/v1/version").example.as_ref().expect("body");
    assert_eq!(version["meta"]["version"], json!(catalog.spec.version));
    assert_eq!(version["meta"]["title"], "Kajabi API");
}
