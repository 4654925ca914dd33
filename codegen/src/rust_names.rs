//! How the spec's snake_case names become Rust type names, the way progenitor spells them.

/// `list_contacts` → `ListContacts`: progenitor's builder struct for an operation id, and the
/// flat types' names (`kajabi_payments_payouts` → `KajabiPaymentsPayouts`). Any character that
/// is not a letter or digit separates words.
pub(crate) fn pascal_case(snake: &str) -> String {
    snake
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
