"""Import deals, activities, tasks and notes from another CRM's export or a spreadsheet.

``import_file`` reads the file, maps its columns to fields (import_fields.py),
reads every row into plain values (import_values.py) and checks it against the
store's rules, then — unless it is a dry run — writes everything in ONE
transaction with bulk Core inserts: the rows, and the deal events the store
would have recorded (``created``, ``converted``, ``won`` / ``lost``,
``activity_logged``, ``task_added``, ``task_done``, ``note_added``), with the
importing rep as who, so every timeline stays true.

A real run is all or nothing. By default a file with any refused row imports
nothing (the report lists every refused row and why); with ``skip_invalid`` the
valid rows go in and the refused ones are left out. Either way the report says
which happened.

Re-importing a file creates no duplicates. A deal is known by its external id,
else by a stable key — a hash of owner, title and account — which is stored as
its external id; existing deals without an external id are known by the same key
(``deal_keys``), which is also what ``legwork export`` writes for them. Work rows
are known by their deal and content (an activity by its type, moment and
outcome; a task by its title and due day; a note by its body; plus its creation
time when the file gives one).

Speed: rows go in with ids given here — SQLite takes its write lock first
(``BEGIN IMMEDIATE``) and counts on from the highest id; PostgreSQL reserves ids
from its sequences and loads the rows with ``COPY`` — so 50,000 deals with their
accounts, contacts and events go in in seconds (bench/import_probe.py).

Where each stage lives: ``run`` (import_file, import_table), ``reading`` (file →
table → mapping, control characters, date order), ``report`` (options and report
types), ``base`` (the planner every kind builds on, reps, the deal index, limits),
``deal_plan`` / ``deal_stages`` / ``deal_write`` (deal rows: planned, their stages
read, written), ``work`` (tasks, notes and what the activity and events imports
build on). The other kinds' planners are ``store.import_work`` (activities),
``store.import_events``, ``store.import_directory`` (accounts, contacts); the deal
keys are ``store.deal_keys``. This module is the public face: import from here.
"""

from store.deal_keys import deal_keys, stable_key
from store.import_files import UnreadableFile
from store.importer.reading import read_mapping
from store.importer.report import ImportOptions, ImportReport, RowProblem
from store.importer.run import import_file, import_table

__all__ = [
    "ImportOptions",
    "ImportReport",
    "RowProblem",
    "UnreadableFile",
    "deal_keys",
    "import_file",
    "import_table",
    "read_mapping",
    "stable_key",
]
