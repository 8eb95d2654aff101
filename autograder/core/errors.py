"""Errors a user of the command line can cause, or an assignment that cannot be released: the CLI prints their
message on one line and exits 2."""


class UsageError(Exception):
    """An unknown assignment, a missing directory, a bad database URL, ..."""


class ReleaseError(Exception):
    """nbgrader could not generate the assignment, or solution code / hidden tests survived into it."""
