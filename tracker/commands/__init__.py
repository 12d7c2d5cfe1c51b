"""CLI commands, one module per family; tracker.cli registers each module's COMMANDS."""
