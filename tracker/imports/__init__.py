"""Bulk files turned into records (the Papers with Code archive, ...): no network here."""
