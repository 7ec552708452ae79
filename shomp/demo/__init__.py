"""Demo data for development: `manage.py seed_demo` (run by `manage.py run`), never in production."""
