//! `test:///PATH.xml`: a host described by a node file.

use crate::api::{Error, Result};

use super::state::State;

/// Loads a node file into a fresh private state.
pub fn load(path: &str) -> Result<State> {
    let _ = path;
    Err(Error::internal("node files are not supported yet"))
}
