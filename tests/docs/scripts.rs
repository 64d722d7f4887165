//! The example scripts (`examples/scripts/`).
