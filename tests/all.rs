//! The integration-test binary. Modules:
//! * `harness` — run a program in a clean sandboxed environment, capture its output;
//! * `diff` — differential tests against Debian's virsh (`tests/diff/*.cases`);
//! * `hardening` — bounds for generated inputs virsh has no usable answer to;
//! * `docs` — the examples in `commands/*.md`, `examples/xml`, `examples/node` and
//!   `examples/scripts` run, through virtsh and the oracle;
//! * `first_steps` — what a new user meets where virsh has no answer (commands virtsh
//!   lacks, `--json` after the command, what `version` says);
//! * `pipes` — virtsh in a pipeline whose reader goes away, as virsh behaves there;
//! * `signals` — fatal signals during a command: same status as virsh, no files left.
//!
//! Run one case file: `cargo test --test all diff::lifecycle`.

mod diff;
mod docs;
mod first_steps;
mod generated;
mod hardening;
mod harness;
mod interactive;
mod json;
mod pipes;
mod signals;
