"""Presenters: typed response models, and the functions that build them, shared by REST and the CLI."""
