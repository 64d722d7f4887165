//! Backup commands (help keyword `backup`).
