"""Errors a user of the command line can cause: the CLI prints their message on one line and exits 2."""


class UsageError(Exception):
    """An unknown assignment, a missing directory, a bad database URL, ..."""
