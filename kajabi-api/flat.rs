//! The resource-independent half of the flat layer ([`crate::resources`]): typed ids, and the
//! moves between a JSON:API object and a flat struct that the generated code makes per field.
//!
//! A flat value is read from a JSON:API object by *lifting* each declared member out of it
//! ([`Lift`]); whatever is left (the `type`, `links`, `meta`, members the spec does not
//! declare, `null`s, identifiers' `type`s) is the value's `extra` residue. Writing it back
//! ([`Build`]) starts from that residue and puts each field where it came from, so that
//! `object -> flat -> object` gives back the same JSON.
//!
//! The handles read their flat values straight from the response body ([`read`], [`page`]),
//! on the operation's own call path: a generated document type would drop the members the
//! spec does not declare before they could reach `extra`.

use reqwest::Request;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};

use crate::{body::Json, contract::Client, pagination::Page, CallOptions, Error, Operation};

/// A JSON object: the `extra` residue of a flat value.
pub type Extra = Map<String, Value>;

/// Declares a newtype over a resource's string id.
macro_rules! resource_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as Kajabi spells it.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
    ($(#[$meta:meta])* $name:ident, $type_:literal) => {
        $crate::flat::resource_id!($(#[$meta])* $name);

        impl $name {
            /// The JSON:API `type` of the resources this id names.
            pub const TYPE: &'static str = $type_;
        }
    };
}
pub(crate) use resource_id;

resource_id!(
    /// The id of a resource whose type the spec does not say (a relationship whose target
    /// neither the naming rule nor the table of exceptions knows).
    AnyId
);

/// Takes a flat value's fields out of a JSON:API object; see the module docs.
#[derive(Debug)]
pub(crate) struct Lift {
    rest: Extra,
}

impl Lift {
    /// Starts from `value`, which must be an object.
    pub(crate) fn new(value: Value) -> Result<Self, String> {
        match value {
            Value::Object(rest) => Ok(Lift { rest }),
            other => Err(format!(
                "expected a JSON:API object, found {}",
                kind(&other)
            )),
        }
    }

    fn object_at(&mut self, path: &[&str]) -> Option<&mut Extra> {
        path.iter().try_fold(&mut self.rest, |map, key| {
            map.get_mut(*key)?.as_object_mut()
        })
    }

    /// The member `name` of the object at `path`, if it is there, not `null`, and of type
    /// `T`; it leaves the residue then. Anything else stays in the residue, so nothing is lost.
    pub(crate) fn take<T: DeserializeOwned>(&mut self, path: &[&str], name: &str) -> Option<T> {
        let map = self.object_at(path)?;
        let value = T::deserialize(map.get(name).filter(|v| !v.is_null())?).ok()?;
        map.remove(name);
        Some(value)
    }

    /// Like [`Lift::take`] for a member the value cannot do without.
    pub(crate) fn require<T: DeserializeOwned>(
        &mut self,
        path: &[&str],
        name: &str,
    ) -> Result<T, String> {
        self.take(path, name)
            .ok_or_else(|| format!("`{}` is missing or of another type", dotted(path, name)))
    }

    /// The id of a to-one relationship (`relationships.<name>.data.id`).
    pub(crate) fn one<I: From<String>>(&mut self, path: &[&str], name: &str) -> Option<I> {
        let mut at = path.to_vec();
        at.extend(["relationships", name, "data"]);
        self.take::<String>(&at, "id").map(I::from)
    }

    /// The ids of a to-many relationship (`relationships.<name>.data[].id`), if every
    /// identifier has a string id.
    pub(crate) fn many<I: From<String>>(&mut self, path: &[&str], name: &str) -> Option<Vec<I>> {
        let mut at = path.to_vec();
        at.extend(["relationships", name]);
        let data = self.object_at(&at)?.get_mut("data")?.as_array_mut()?;
        let ids: Vec<String> = data
            .iter()
            .map(|item| item.get("id")?.as_str().map(str::to_string))
            .collect::<Option<_>>()?;
        for item in data.iter_mut().filter_map(Value::as_object_mut) {
            item.remove("id");
        }
        Some(ids.into_iter().map(I::from).collect())
    }

    /// What was not lifted.
    pub(crate) fn finish(self) -> Extra {
        self.rest
    }
}

/// Puts a flat value's fields back into its residue; see the module docs.
#[derive(Debug)]
pub(crate) struct Build {
    doc: Extra,
}

impl Build {
    /// Starts from a residue.
    pub(crate) fn new(extra: &Extra) -> Self {
        Build { doc: extra.clone() }
    }

    /// The object at `path`, created (or replacing a non-object) where missing.
    pub(crate) fn object_at(&mut self, path: &[&str]) -> &mut Extra {
        let mut map = &mut self.doc;
        for key in path {
            let slot = map
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            map = slot.as_object_mut().expect("made an object above");
        }
        map
    }

    fn existing(&mut self, path: &[&str]) -> Option<&mut Extra> {
        path.iter()
            .try_fold(&mut self.doc, |map, key| map.get_mut(*key)?.as_object_mut())
    }

    /// Sets `name` at `path` when `value` is set; an unset field leaves the residue as is.
    pub(crate) fn put<T: Serialize>(&mut self, path: &[&str], name: &str, value: Option<&T>) {
        if let Some(value) = value.and_then(|v| serde_json::to_value(v).ok()) {
            self.object_at(path).insert(name.to_string(), value);
        }
    }

    /// Sets `name` at `path` unless the residue already has it (a document's `type`).
    pub(crate) fn default(&mut self, path: &[&str], name: &str, value: &str) {
        self.object_at(path)
            .entry(name.to_string())
            .or_insert_with(|| Value::String(value.to_string()));
    }

    /// Writes a to-one relationship back: the id into the residue's identifier, or a new
    /// identifier of type `type_`; an unset field drops an identifier that was lifted.
    pub(crate) fn one(&mut self, path: &[&str], name: &str, type_: &str, id: Option<&str>) {
        let mut at = path.to_vec();
        at.extend(["relationships", name]);
        match id {
            Some(id) => {
                let relationship = self.object_at(&at);
                let data = relationship
                    .entry("data")
                    .or_insert_with(|| Value::Object(Map::new()));
                if !data.is_object() {
                    *data = Value::Object(Map::new());
                }
                let data = data.as_object_mut().expect("made an object above");
                data.entry("type")
                    .or_insert_with(|| Value::String(type_.to_string()));
                data.insert("id".into(), Value::String(id.to_string()));
            }
            None => {
                if let Some(relationship) = self.existing(&at) {
                    if relationship.get("data").is_some_and(Value::is_object) {
                        relationship.remove("data");
                    }
                }
            }
        }
    }

    /// Writes a to-many relationship back, reusing the residue's identifiers in order.
    pub(crate) fn many<I: AsRef<str>>(
        &mut self,
        path: &[&str],
        name: &str,
        type_: &str,
        ids: Option<&[I]>,
    ) {
        let mut at = path.to_vec();
        at.extend(["relationships", name]);
        match ids {
            Some(ids) => {
                let relationship = self.object_at(&at);
                let old = match relationship.remove("data") {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                };
                let mut old = old.into_iter();
                let items = ids
                    .iter()
                    .map(|id| {
                        let mut item = match old.next() {
                            Some(Value::Object(item)) => item,
                            _ => Map::from_iter([("type".into(), Value::from(type_))]),
                        };
                        item.insert("id".into(), Value::from(id.as_ref()));
                        Value::Object(item)
                    })
                    .collect();
                relationship.insert("data".into(), Value::Array(items));
            }
            None => {
                if let Some(relationship) = self.existing(&at) {
                    if relationship.get("data").is_some_and(Value::is_array) {
                        relationship.remove("data");
                    }
                }
            }
        }
    }

    /// The object.
    pub(crate) fn finish(self) -> Value {
        Value::Object(self.doc)
    }
}

/// A JSON:API document as the flat layer reads it: its `data`; other top-level members
/// (`links`, `meta`, `included`, ...) are not part of a resource.
#[derive(serde::Deserialize)]
struct Document<F> {
    data: F,
}

/// A list page as the flat layer reads it: its `data`, and the `links` and `meta` the page
/// stream follows.
#[derive(serde::Deserialize)]
struct ListDocument<F> {
    data: Vec<F>,
    #[serde(default)]
    links: Option<crate::pagination::Links>,
    #[serde(default)]
    meta: Option<crate::pagination::Meta>,
}

/// Sends the request `build` builds down the operation's call path ([`crate::call::send`],
/// as its generated `send` does) and reads the response's `data` into `F` from the body.
pub(crate) async fn read<'a, F: DeserializeOwned + Send>(
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
    build: impl Fn() -> Result<(&'a Client, Request), progenitor_client::Error<()>> + Sync,
    success: Json,
) -> Result<F, Error> {
    let document: progenitor_client::ResponseValue<Document<F>> =
        crate::call::send(operation, options, build, success).await?;
    Ok(document.into_inner().data)
}

/// Like [`read`] for one page of a list: its items with the page's `links` and `meta`.
pub(crate) async fn page<'a, F: DeserializeOwned + Send>(
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
    build: impl Fn() -> Result<(&'a Client, Request), progenitor_client::Error<()>> + Sync,
    success: Json,
) -> Result<Page<F>, Error> {
    let page: progenitor_client::ResponseValue<ListDocument<F>> =
        crate::call::send(operation, options, build, success).await?;
    let page = page.into_inner();
    Ok(Page::new(
        page.data,
        page.links.unwrap_or_default(),
        page.meta.unwrap_or_default(),
    ))
}

/// A request document for a relationship operation: `{"data": [{"type", "id"}, ...]}`.
pub(crate) fn identifiers<I: AsRef<str>>(type_: &str, ids: &[I]) -> Value {
    let data = ids
        .iter()
        .map(|id| serde_json::json!({"type": type_, "id": id.as_ref()}))
        .collect();
    serde_json::json!({ "data": Value::Array(data) })
}

/// A value of the generated document type `T` from JSON the flat layer built.
///
/// Through bytes, as in [`flat`]: the generated types then decode with the one deserializer
/// a response body uses; decoding them from a `Value` too compiled every one of their serde
/// visitors twice more (owned and borrowed `Value`), a sixth of this crate's machine code.
pub(crate) fn document<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, Error> {
    let bytes = serde_json::to_vec(&value)
        .map_err(|e| Error::invalid_request(format!("{what} does not serialize: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::invalid_request(format!("{what} does not fit the operation's body: {e}"))
    })
}

/// A flat value from a generated type's JSON; the generated types hold what the flat ones
/// need, so this fails only if a generated type cannot serialize.
///
/// Through bytes, not a `serde_json::Value`: see [`document`].
pub(crate) fn flat<F: DeserializeOwned, T: Serialize>(value: &T) -> Result<F, Error> {
    let json = serde_json::to_vec(value).map_err(|e| {
        Error::invalid_request(format!("a generated value does not serialize: {e}"))
    })?;
    serde_json::from_slice(&json).map_err(|e| Error::decode(bytes::Bytes::from(json), &e))
}

/// The ids of a relationship response's `data` (`[{"type", "id"}, ...]`).
pub(crate) fn ids<I: From<String>, T: Serialize>(data: &T) -> Result<Vec<I>, Error> {
    let ids: Vec<AnyId> = flat::<Vec<Identifier>, T>(data)?
        .into_iter()
        .map(|identifier| identifier.id)
        .collect();
    Ok(ids
        .into_iter()
        .map(|id| I::from(id.into_string()))
        .collect())
}

#[derive(serde::Deserialize)]
struct Identifier {
    id: AnyId,
}

/// `body` with its `data` (one resource object, or an array of them) read into `F` and
/// written back: what the round-trip tests compare with the body.
pub(crate) fn round_trip<F: DeserializeOwned + Serialize>(
    mut body: Value,
) -> Result<Value, serde_json::Error> {
    if let Some(data) = body.get_mut("data") {
        *data = match data.take() {
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| serde_json::to_value(F::deserialize(item)?))
                    .collect::<Result<_, _>>()?,
            ),
            one => serde_json::to_value(F::deserialize(one)?)?,
        };
    }
    Ok(body)
}

/// Sets `data.id` of a request document (an update names the resource it changes).
pub(crate) fn with_id(mut document: Value, id: &str) -> Value {
    if let Some(data) = document.get_mut("data").and_then(Value::as_object_mut) {
        data.insert("id".into(), Value::String(id.to_string()));
    }
    document
}

fn dotted(path: &[&str], name: &str) -> String {
    path.iter()
        .chain(std::iter::once(&name))
        .copied()
        .collect::<Vec<_>>()
        .join(".")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
