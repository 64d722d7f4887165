//! The integration-test binary. Modules:
//! * `harness` — run a program in a clean sandboxed environment, capture its output;
//! * `diff` — differential tests against Debian's virsh (`tests/diff/*.cases`);
//! * `hardening` — bounds for generated inputs virsh has no usable answer to;
//! * `docs` — the examples in `commands/*.md`, `examples/xml`, `examples/node` and
//!   `examples/scripts` run, through virtsh and the oracle.
//!
//! Run one case file: `cargo test --test all diff::lifecycle`.

mod diff;
mod docs;
mod generated;
mod hardening;
mod harness;
mod interactive;
mod json;
