"""Screens: the three modes (papers, models, tasks), pushed pages and dialogs."""
