"""The Textual TUI: `tracker` with no arguments opens it (see app.run_app)."""
