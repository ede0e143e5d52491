"""Golden conversations: whole conversations as people type them, with reviewed snapshots."""
