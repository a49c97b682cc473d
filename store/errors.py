"""Errors the store raises. Every message is one line a person can act on."""

from __future__ import annotations


class StoreError(Exception):
    """A rule refused the change; nothing was written."""


class NotFound(StoreError):
    pass


class RuleViolation(StoreError):
    """The change is not allowed (e.g. a won deal moved a stage forward)."""


class InvalidInput(StoreError):
    """A value is malformed (a negative value, an empty title, …)."""


class Forbidden(StoreError):
    """The acting rep may not make this change (someone else's deal, a manager's
    setting); the message says why in one line (store.permissions)."""


class Conflict(StoreError):
    """Another user changed the deal since it was read; reload and try again."""

    def __init__(self, message: str, deal_id: int, current_version: int) -> None:
        super().__init__(message)
        self.deal_id = deal_id
        self.current_version = current_version


class TaskConflict(Conflict):
    """Another user changed (completed, reopened, moved) the task since it was read."""

    def __init__(self, message: str, deal_id: int, current_version: int, task_id: int) -> None:
        super().__init__(message, deal_id, current_version)
        self.task_id = task_id


class DatabaseUnavailable(Exception):
    """The database cannot be opened: bad path, bad URL, server down."""
