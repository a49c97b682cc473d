"""Import a deal history that ``legwork export events`` wrote (placeholder)."""

from __future__ import annotations

from store.importer import _WorkImport


class EventImport(_WorkImport):
    kind = "events"
    noun = "event"
