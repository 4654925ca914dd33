//! Naming by rule: a path's group, a method name's action, a parameter's flag.

/// The first segment of the path's resource part ([`kajabi_spec::names::resource_segments`]:
/// whatever version prefix precedes it), kebab-case.
pub fn group_of(path: &str) -> Option<String> {
    let segments = kajabi_spec::names::resource_segments(path);
    let first = segments.first()?;
    (!first.starts_with('{')).then(|| kebab(first))
}

pub(super) fn resource_of(path: &str) -> Option<String> {
    group_of(path).map(|g| g.replace('-', "_"))
}

/// The method name without the group's words (the last one plural or singular), kebab-case.
pub fn action_of(name: &str, group: &str) -> String {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let plural: Vec<String> = group.split('-').map(str::to_string).collect();
    let mut singular = plural.clone();
    if let Some(last) = singular.last_mut() {
        *last = singularize(last);
    }
    for candidate in [&plural, &singular] {
        let n = candidate.len();
        if let Some(at) = (0..=words.len().saturating_sub(n)).find(|&i| {
            words.len() >= n && words[i..i + n].iter().zip(candidate).all(|(w, c)| w == c)
        }) {
            let rest: Vec<&str> = words[..at]
                .iter()
                .chain(&words[at + n..])
                .copied()
                .collect();
            return rest.join("-");
        }
    }
    words.join("-")
}

/// A word in the singular, by English's regular rules (`tags` → `tag`, `categories` →
/// `category`).
pub fn singularize(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word.to_string()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_string()
    } else {
        word.to_string()
    }
}

fn kebab(text: &str) -> String {
    text.replace('_', "-").to_ascii_lowercase()
}

/// A readable flag name: every run of other characters than letters and digits becomes one
/// `-` (`filter[site_id]` → `filter-site-id`, `filter[exclude_product_types][]` →
/// `filter-exclude-product-types`).
pub fn flag_name(wire: &str) -> String {
    let mut flag = String::new();
    for c in wire.chars() {
        if c.is_ascii_alphanumeric() {
            flag.push(c.to_ascii_lowercase());
        } else if !flag.is_empty() && !flag.ends_with('-') {
            flag.push('-');
        }
    }
    flag.trim_end_matches('-').to_string()
}

/// A word in the plural, by English's regular rules (`site` → `sites`, `category` →
/// `categories`); a word ending in `s` is taken as plural already.
pub(super) fn pluralize(word: &str) -> String {
    if word.ends_with('s') {
        word.to_string()
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{word}s")
    }
}
