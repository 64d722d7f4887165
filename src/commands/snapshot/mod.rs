//! Snapshot commands (help keyword `snapshot`).
