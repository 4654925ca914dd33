//! The command table written out: as Rust for the binary, as text for people.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ArgLocation, CliArg, CliCommand, CliRelationship};

/// The table as Rust: `static COMMANDS: &[Command]`, of the types `cli/src/table.rs`
/// declares (`Command`, `Arg`, `Body`, `Relationship`, `Location`, `Kind`).
pub fn render_rust(commands: &[CliCommand]) -> String {
    let items = commands.iter().map(|c| {
        let (group, action, operation, method, path, summary, paginated) = (
            &c.group,
            &c.action,
            &c.operation,
            &c.method,
            &c.path,
            &c.summary,
            c.paginated,
        );
        let secret_members = &c.secret_members;
        let example = option(c.example.as_deref());
        let args = c.args.iter().map(arg_tokens);
        let body = match &c.body {
            Some(b) => {
                let (media, schema) = (&b.media, &b.schema);
                let data_type = match &b.data_type {
                    Some(t) => quote!(Some(#t)),
                    None => quote!(None),
                };
                let attributes = b.attributes.iter().map(arg_tokens);
                let id_param = option(b.id_param.as_deref());
                let relationships = b.relationships.iter().map(relationship_tokens);
                let linkage = match &b.linkage {
                    Some(l) => {
                        let l = relationship_tokens(l);
                        quote!(Some(#l))
                    }
                    None => quote!(None),
                };
                quote!(Some(Body {
                    media: #media,
                    schema: #schema,
                    data_type: #data_type,
                    attributes: &[#(#attributes),*],
                    id_param: #id_param,
                    relationships: &[#(#relationships),*],
                    linkage: #linkage,
                }))
            }
            None => quote!(None),
        };
        quote! {
            Command {
                group: #group,
                action: #action,
                operation: #operation,
                method: #method,
                path: #path,
                summary: #summary,
                args: &[#(#args),*],
                body: #body,
                paginated: #paginated,
                secret_members: &[#(#secret_members),*],
                example: #example,
            }
        }
    });
    let tokens = quote! {
        /// Every operation's command, generated from the spec by `kajabi_codegen::cli`.
        pub(crate) static COMMANDS: &[Command] = &[#(#items),*];
    };
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

fn option(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

fn relationship_tokens(r: &CliRelationship) -> TokenStream {
    let (name, flag, resource_type, many, required) =
        (&r.name, &r.flag, &r.resource_type, r.many, r.required);
    quote! {
        Relationship {
            name: #name,
            flag: #flag,
            resource_type: #resource_type,
            many: #many,
            required: #required,
        }
    }
}

fn arg_tokens(arg: &CliArg) -> TokenStream {
    let (wire, flag, required, multiple, help) =
        (&arg.wire, &arg.flag, arg.required, arg.multiple, &arg.help);
    let location = format_ident!("{}", format!("{:?}", arg.location));
    let kind = format_ident!("{}", format!("{:?}", arg.kind));
    let values = &arg.values;
    quote! {
        Arg {
            wire: #wire,
            flag: #flag,
            location: Location::#location,
            required: #required,
            kind: Kind::#kind,
            multiple: #multiple,
            values: &[#(#values),*],
            help: #help,
        }
    }
}

/// The table for people: one line per command, `kajabi GROUP ACTION <POSITIONAL>…` with the
/// required flags, the method, the path and the SDK method (`(--all)` when it pages); pinned
/// by the CLI's snapshot test.
pub fn render_text(commands: &[CliCommand]) -> String {
    let lines: Vec<(String, &CliCommand)> = commands
        .iter()
        .map(|c| {
            let mut usage = format!("kajabi {} {}", c.group, c.action);
            for arg in c.args.iter().filter(|a| a.location == ArgLocation::Path) {
                usage.push_str(&format!(" <{}>", arg.flag));
            }
            for arg in c
                .args
                .iter()
                .filter(|a| a.location != ArgLocation::Path && a.required)
            {
                usage.push_str(&format!(" --{} <{}>", arg.flag, arg.wire));
            }
            (usage, c)
        })
        .collect();
    let width = lines.iter().map(|(u, _)| u.len()).max().unwrap_or(0);
    let path_width = commands.iter().map(|c| c.path.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (usage, c) in lines {
        let line = format!(
            "{usage:<width$}  {:<6} {:<path_width$}  {}{}",
            c.method,
            c.path,
            c.operation,
            if c.paginated { " (--all)" } else { "" }
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
