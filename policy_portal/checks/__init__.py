"""Warnings and rules for staff that go beyond one file: plain English, reviews due,
out-of-date translations, what a pull request may change."""
