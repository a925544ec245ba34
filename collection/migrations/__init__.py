"""Alembic migrations for the whole komplekt schema (run through ``collection.migrate``)."""
