//! Checkpoint commands (help keyword `checkpoint`).
