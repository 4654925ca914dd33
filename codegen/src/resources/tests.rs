use std::collections::BTreeSet;

use super::members::{field_ident, id_ident};
use super::relationships::target_type;
use crate::rust_names::pascal_case;

fn known() -> BTreeSet<String> {
    [
        "sites",
        "contacts",
        "contact_tags",
        "offers",
        "customers",
        "order_items",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

#[test]
fn relationship_targets_follow_the_rule_then_the_exceptions() {
    let known = known();
    assert_eq!(target_type("site", &known), ("sites".into(), true));
    assert_eq!(target_type("customer", &known), ("customers".into(), true));
    assert_eq!(target_type("offers", &known), ("offers".into(), true));
    assert_eq!(
        target_type("order_items", &known),
        ("order_items".into(), true)
    );
    // Exception: a contact's `tags` are `contact_tags`.
    assert_eq!(target_type("tags", &known), ("contact_tags".into(), true));
    // Neither says: an untyped id (the guess is only the `type` of new identifiers).
    assert_eq!(target_type("blog", &known), ("blogs".into(), false));
    assert_eq!(
        target_type("modules", &known),
        ("course_modules".into(), false)
    );
}

#[test]
fn names_are_rust_names() {
    assert_eq!(
        pascal_case("kajabi_payments_payouts"),
        "KajabiPaymentsPayouts"
    );
    assert_eq!(id_ident("contact_tags").to_string(), "ContactTagId");
    let mut taken = BTreeSet::from(["id".to_string()]);
    assert_eq!(
        field_ident("type", &mut taken).unwrap().to_string(),
        "r#type"
    );
    assert!(field_ident("id", &mut taken).is_none());
    assert!(field_ident("1st", &mut taken).is_none());
    assert_eq!(
        field_ident("custom-1", &mut taken).unwrap().to_string(),
        "custom_1"
    );
}
