"""MARC input and output for komplekt: read, understand and write MARC21 and UNIMARC.

Pure: bytes and files in, records and normalised views out. No database.
"""
