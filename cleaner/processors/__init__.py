"""Built-in processors; each registers itself with `cleaner.registry` when imported."""
