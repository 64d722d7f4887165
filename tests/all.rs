//! The integration-test binary. Modules:
//! * `harness` — run a program in a clean sandboxed environment, capture its output;
//! * `diff` — differential tests against Debian's virsh (`tests/diff/*.cases`).
//!
//! Run one case file: `cargo test --test all diff::lifecycle`.

mod diff;
mod generated;
mod harness;
mod interactive;
mod json;
