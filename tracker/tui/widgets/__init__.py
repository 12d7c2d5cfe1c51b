"""Widgets of the TUI; they receive data as attributes and post messages up."""
