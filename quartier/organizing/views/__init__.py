"""Pages for local groups and events, by subject. Views validate, call `actions`, render."""
