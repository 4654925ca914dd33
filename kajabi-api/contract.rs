//! The contract between the generated code and the hand-written layer: the one place where
//! either names the other.
//!
//! **Generated → hand.** The code `kajabi-codegen` generates (`$OUT_DIR/codegen.rs`, included
//! by `generated.rs`) reaches the hand-written layer only through the paths below
//! (`crate::contract::…`); it names no other module of this crate. Each item is listed with
//! what the generator emits against it, so that a change to one of them is a change to the
//! contract, made here and in `codegen/`. `kajabi-codegen`'s `contract` test fails if the
//! generated code names any other `crate::` path.
//!
//! **Hand → generated.** The hand-written layer takes from the generated code the client
//! (`Client`), the operation table (`OPERATIONS`), the webhook events, and, for the
//! operations it calls itself, the entry points of [`by_role`]: the operations the spec model
//! gives the `TokenGrant` and `Revoke` roles, with their types, chosen by the generator. It
//! never names a generated operation or a generated type of the document by hand;
//! `tests/tests/architecture.rs` derives those names from the operation table and fails if a
//! hand-written file outside this module contains one.
//!
//! ARCHITECTURE.md ("The contract between generated and hand-written code") draws both
//! directions.

// Generated → hand: what the generated code uses, by the hand module that provides it.

/// The generated `Client`'s inner state (progenitor's `with_inner_type`).
pub use crate::auth::Session;
/// The list builders and flat list handles implement `Paginate` (`fetch` returns a
/// `PageFuture`).
pub use crate::pagination::{PageFuture, Paginate};
/// The error every generated call returns; the secret type of credential fields; the
/// per-call options every builder and handle carries (`with`).
pub use crate::{CallOptions, Error, SecretString};

/// Each generated `send` hands its built request to `call::send`.
pub(crate) mod call {
    pub(crate) use crate::call::send;
}

/// The decoders of a success status: a JSON body (`Json`) or none (`Empty`).
pub(crate) mod body {
    pub(crate) use crate::body::{Empty, Json};
}

/// `Client::call_operation`: its boxed call, its arguments from JSON, its JSON answer.
pub(crate) mod by_name {
    pub(crate) use crate::by_name::{arg, json, Call};
}

/// The `Paginate` impls of list builders: progenitor's page fields read and written, a page
/// made from a list response's `links` and `meta`.
pub(crate) mod pagination {
    pub(crate) use crate::pagination::{page_param, set_page_param, Links, Meta};
    pub use crate::pagination::{Page, PageFuture};
}

/// `OPERATIONS`: one entry per operation, with its role.
pub(crate) mod operation {
    pub use crate::operation::{Operation, Role};
}

/// The flat resources: ids, the residue of a flat value, the conversions between flat and
/// generated values, the handles' reads.
pub(crate) mod flat {
    pub(crate) use crate::flat::{
        document, flat, identifiers, ids, page, read, resource_id, round_trip, with_id, Build, Lift,
    };
    pub use crate::flat::{AnyId, Extra};
}

/// The webhook events: their envelope and each event's payload.
pub(crate) mod webhooks {
    pub(crate) use crate::webhooks::Envelope;
    pub use crate::webhooks::Payload;
}

// Hand → generated: what the hand-written layer takes from the generated code.

/// The webhook events, re-exported by `webhooks`.
pub use crate::generated::webhooks::{Event, EVENTS};
/// The client and the generated modules, re-exported at the crate's root.
pub use crate::generated::{builder, resources, types, Client};
pub(crate) use crate::generated::{by_role, OPERATIONS};
