"""The `cleaner` command line."""
