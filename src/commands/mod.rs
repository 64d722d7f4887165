//! Commands: one file per command, declared once.
