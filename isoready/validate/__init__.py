"""Validate: cross-record checks, every problem at once; the redactor."""
