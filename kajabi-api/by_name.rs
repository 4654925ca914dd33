//! Calls by name: JSON in and out for [`crate::Client::call_operation`], the entry to every
//! operation by its name (the generated `call_operation` matches the name and calls here).

use std::{future::Future, pin::Pin};

use progenitor_client::ResponseValue;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::Error;

/// One operation's call, on its way.
pub(crate) type Call<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + Send + 'a>>;

/// A parameter or body of the operation's own type, from JSON.
pub(crate) fn arg<T: DeserializeOwned>(name: &str, value: &Value) -> Result<T, Error> {
    // serde's message would quote the value, which may be a credential.
    T::deserialize(value).map_err(|_| {
        Error::invalid_request(format!("`{name}` does not fit the type the spec gives it"))
    })
}

/// The response body as JSON.
pub(crate) fn json<T: Serialize>(response: ResponseValue<T>) -> Result<Value, Error> {
    serde_json::to_value(response.into_inner())
        .map_err(|e| Error::invalid_request(format!("the response does not serialize: {e}")))
}
