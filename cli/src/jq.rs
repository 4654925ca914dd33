//! `--jq EXPR`: a jq program, compiled before anything is sent and run on each response (or
//! each item with `--all`) by jaq, so that no `jq` needs to be installed.

use jaq_core::{
    data::JustLut,
    load::{Arena, File, Loader},
    unwrap_valr, Compiler, Ctx, Vars,
};
use jaq_json::Val;
use serde_json::Value;

use crate::failure::Failure;

/// A compiled `--jq` program.
pub(crate) struct Jq {
    filter: jaq_core::Filter<JustLut<Val>>,
}

/// One result of a program: a string (printed raw, as `gh --jq` does) or any other value.
#[derive(Debug, PartialEq)]
pub(crate) enum Output {
    Text(String),
    Json(Value),
    /// A value JSON cannot spell (a byte string, a non-string key, NaN), in jaq's notation.
    Other(String),
}

impl Jq {
    /// Compiles `code`; a syntax error or an unknown name is a usage error naming where.
    pub(crate) fn compile(code: &str) -> Result<Self, Failure> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let program = File { code, path: () };
        let modules = Loader::new(defs)
            .load(&arena, program)
            .map_err(|errors| Failure::usage(load_error(code, errors)))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let names: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, undefined)| undefined)
                    .map(|(name, _)| format!("`{name}`"))
                    .collect();
                Failure::usage(format!(
                    "--jq: {} is not defined; nothing was sent",
                    names.join(", ")
                ))
            })?;
        Ok(Self { filter })
    }

    /// Runs the program on `input`; a runtime error (`.a` on a string, `error(…)`) fails.
    pub(crate) fn run(&self, input: &Value) -> Result<Vec<Output>, Failure> {
        let bytes = serde_json::to_vec(input)
            .map_err(|e| Failure::other(format!("cannot encode the response: {e}")))?;
        let input = jaq_json::read::parse_single(&bytes)
            .map_err(|e| Failure::other(format!("--jq cannot read the response: {e}")))?;
        let ctx = Ctx::<JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        self.filter
            .id
            .run((ctx, input))
            .map(unwrap_valr)
            .map(|result| match result {
                Ok(Val::TStr(text)) => Ok(Output::Text(String::from_utf8_lossy(&text).into())),
                Ok(value) => {
                    let text = value.to_string();
                    Ok(serde_json::from_str(&text)
                        .map(Output::Json)
                        .unwrap_or(Output::Other(text)))
                }
                Err(e) => Err(Failure::usage(format!("--jq failed on the response: {e}"))),
            })
            .collect()
    }
}

/// One line for the first syntax error: what was expected, at which column.
fn load_error(code: &str, errors: jaq_core::load::Errors<&str, ()>) -> String {
    use jaq_core::load::Error;
    let first = errors.into_iter().find_map(|(_, error)| match error {
        Error::Lex(errors) => errors
            .into_iter()
            .next()
            .map(|(expect, rest)| (expect.as_str().to_string(), rest)),
        Error::Parse(errors) => errors
            .into_iter()
            .next()
            .map(|(expect, rest)| (expect.as_str().to_string(), rest)),
        Error::Io(_) => None,
    });
    match first {
        Some((expected, rest)) => {
            // `rest` is the part of `code` from the error on.
            let column = code.len().saturating_sub(rest.len()) + 1;
            format!(
                "--jq: the expression does not parse: expected {expected} at column {column}; nothing was sent"
            )
        }
        None => "--jq: the expression does not parse; nothing was sent".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Jq, Output};

    #[test]
    fn strings_come_out_raw_and_other_values_as_json() {
        let jq = Jq::compile(".data[] | .id, .n").unwrap();
        let out = jq.run(&json!({"data": [{"id": "9", "n": 1}]})).unwrap();
        assert_eq!(out, [Output::Text("9".into()), Output::Json(json!(1))]);
    }

    #[test]
    fn syntax_errors_and_unknown_names_are_usage_errors() {
        let error = Jq::compile(".data[").err().unwrap();
        assert_eq!(error.code, crate::failure::USAGE);
        assert!(
            error.message.contains("does not parse"),
            "{}",
            error.message
        );
        // The column counts from 1, at the character where parsing stopped.
        let error = Jq::compile(".a | )").err().unwrap();
        assert!(error.message.contains("at column 6;"), "{}", error.message);
        let error = Jq::compile("nosuchfunction").err().unwrap();
        assert!(
            error.message.contains("`nosuchfunction`"),
            "{}",
            error.message
        );
    }
}
