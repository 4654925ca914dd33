//! One sandbox's installed faults and the record of what they answered.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::time::Instant;

use super::{Fault, FaultError, FaultId, FaultRecord, Target};
use crate::catalog::Catalog;

/// At most this many records are kept; the oldest go first.
const MAX_RECORDS: usize = 10_000;

/// The faults of one sandbox (never shared between sandboxes).
pub(crate) struct Plan {
    started: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u64,
    active: Vec<Active>,
    records: VecDeque<FaultRecord>,
}

struct Active {
    id: FaultId,
    fault: Fault,
    /// The route it matches; `None`: every route.
    route: Option<usize>,
    /// Answers left; `None`: until removed.
    left: Option<usize>,
}

/// What a fault is matched against.
pub(crate) struct Request<'a> {
    /// The index of the operation's route.
    pub(crate) route: usize,
    pub(crate) operation: &'a str,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    /// Path parameters by the spec's name.
    pub(crate) params: &'a [(String, String)],
    /// The raw query string.
    pub(crate) query: &'a str,
    /// The `X-Request-Id` its answer carries.
    pub(crate) request_id: &'a str,
}

impl Plan {
    pub(crate) fn new() -> Plan {
        Plan {
            started: crate::clock::monotonic(),
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Installs `fault` after the ones already there (the first that matches answers).
    pub(crate) fn install(&self, catalog: &Catalog, fault: Fault) -> Result<FaultId, FaultError> {
        let route = resolve(catalog, &fault)?;
        let mut state = self.lock();
        state.next += 1;
        let id = FaultId(state.next);
        let left = fault.times;
        state.active.push(Active {
            id,
            fault,
            route,
            left,
        });
        Ok(id)
    }

    /// Removes fault `id`; whether it was there.
    pub(crate) fn remove(&self, id: FaultId) -> bool {
        let mut state = self.lock();
        let before = state.active.len();
        state.active.retain(|a| a.id != id);
        state.active.len() != before
    }

    /// Removes every fault and forgets the records.
    pub(crate) fn clear(&self) {
        let mut state = self.lock();
        state.active.clear();
        state.records.clear();
    }

    /// The installed faults, with the answers each has left (`None`: until removed).
    pub(crate) fn active(&self) -> Vec<(FaultId, Fault, Option<usize>)> {
        let state = self.lock();
        state
            .active
            .iter()
            .map(|a| (a.id, a.fault.clone(), a.left))
            .collect()
    }

    /// Every request a fault answered, oldest first.
    pub(crate) fn records(&self) -> Vec<FaultRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// The fault that answers `request`, if any: counted, recorded, and removed once it has
    /// answered its `times`.
    pub(crate) fn take(&self, request: &Request<'_>) -> Option<Fault> {
        let mut state = self.lock();
        let index = state
            .active
            .iter()
            .position(|a| a.route.is_none_or(|r| r == request.route) && fits(&a.fault, request))?;
        let active = &mut state.active[index];
        let (id, fault) = (active.id, active.fault.clone());
        if let Some(left) = active.left.as_mut() {
            *left -= 1;
            if *left == 0 {
                state.active.remove(index);
            }
        }
        if state.records.len() == MAX_RECORDS {
            state.records.pop_front();
        }
        state.records.push_back(FaultRecord {
            fault: id,
            operation: request.operation.to_string(),
            method: request.method.to_string(),
            path: request.path.to_string(),
            request_id: request.request_id.to_string(),
            at: self.started.elapsed(),
        });
        Some(fault)
    }
}

/// Whether `request` has the parameter value `fault` asks for, if it asks for one.
fn fits(fault: &Fault, request: &Request<'_>) -> bool {
    let Some((name, value)) = &fault.param else {
        return true;
    };
    request.params.iter().any(|(n, v)| n == name && v == value)
        || form_urlencoded::parse(request.query.as_bytes()).any(|(n, v)| n == *name && v == *value)
}

/// The route `fault` matches (`None`: every route), after checking it against the spec.
pub(crate) fn resolve(catalog: &Catalog, fault: &Fault) -> Result<Option<usize>, FaultError> {
    fault.validate()?;
    let ops = catalog.routes.iter().map(|r| &r.op);
    let found = match &fault.target {
        Target::Any => return Ok(None),
        Target::Operation(name) => {
            ops.clone().position(|op| &op.name == name).ok_or_else(|| {
                let names: Vec<String> = ops.map(|op| op.name.clone()).collect();
                FaultError::unknown(
                    format!("the spec has no operation `{name}`"),
                    nearest(name, names),
                )
            })?
        }
        Target::Route { method, path } => ops
            .clone()
            .position(|op| op.method.eq_ignore_ascii_case(method) && &op.path == path)
            .ok_or_else(|| {
                let wanted = format!("{method} {path}");
                let routes: Vec<String> = ops
                    .map(|op| format!("{} {}", op.method.to_ascii_uppercase(), op.path))
                    .collect();
                FaultError::unknown(
                    format!("the spec has no operation `{wanted}`"),
                    nearest(&wanted, routes),
                )
            })?,
    };
    if let Some((name, _)) = &fault.param {
        let op = &catalog.routes[found].op;
        if !op.parameters.iter().any(|p| &p.name == name) {
            let names = op.parameters.iter().map(|p| p.name.clone()).collect();
            return Err(FaultError::unknown(
                format!("`{}` has no parameter `{name}`", op.name),
                nearest(name, names),
            ));
        }
    }
    Ok(Some(found))
}

/// The (at most three) `candidates` nearest to `wanted`, by edit distance ignoring case.
fn nearest(wanted: &str, mut candidates: Vec<String>) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    candidates.sort_by_cached_key(|c| (distance(&wanted, &c.to_lowercase()), c.clone()));
    candidates.truncate(3);
    candidates
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("getcontact", "getcontact"), 0);
        assert_eq!(distance("getcontct", "getcontact"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn unknown_names_list_the_nearest() {
        let catalog = Catalog::shared().unwrap();
        let error = resolve(&catalog, &Fault::on("get_contct").status(403)).unwrap_err();
        assert_eq!(
            error.nearest().first().map(String::as_str),
            Some("get_contact")
        );
        assert!(
            error.to_string().contains("no operation `get_contct`"),
            "{error}"
        );
        let error = resolve(&catalog, &Fault::on("GET /v1/contact/{id}").status(403)).unwrap_err();
        assert_eq!(
            error.nearest().first().map(String::as_str),
            Some("GET /v1/contacts/{id}")
        );
        let error = resolve(
            &catalog,
            &Fault::on("get_contact").when("idd", "1").status(403),
        )
        .unwrap_err();
        assert_eq!(error.nearest().first().map(String::as_str), Some("id"));
        assert!(resolve(&catalog, &Fault::on("*").status(500))
            .unwrap()
            .is_none());
    }

    #[test]
    fn the_distance_is_levenshtein() {
        for (a, b, expected) in [
            ("kitten", "sitting", 3),
            ("abc", "", 3),
            ("", "abc", 3),
            ("flaw", "lawn", 2),
            ("same", "same", 0),
        ] {
            assert_eq!(distance(a, b), expected, "{a} -> {b}");
        }
    }
}
