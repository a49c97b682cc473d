"""Scripted subcommands of ``legwork``, one module each.

Each module defines ``add_arguments(parser)`` and ``run(args, database, handle) -> int``
(the exit status). None imports Textual. ``legwork`` imports a command's module only
to run it (or to show its own ``--help``): its one line of help lives here, so the
list of commands costs no import.
"""

# The subcommands in the order ``legwork --help`` lists them.
MODULES = {
    "today": "tui.commands.today",
    "numbers": "tui.commands.numbers",
    "standup": "tui.commands.standup",
    "import": "tui.commands.import_csv",
    "export": "tui.commands.export",
    "keys": "tui.commands.keys",
}

# One line each, for ``legwork --help`` and the top of each command's own help.
SUMMARIES = {
    "today": "print your task queue for today (overdue, today, coming up), one line per task",
    "numbers": "print the activity numbers per rep and team, with the forecast",
    "standup": "print the stand-up agenda (numbers, then the deals that need a decision) as text or Markdown",
    "import": "import deals (or --kind activities, tasks, notes, events) from a CSV or JSON file",
    "export": "export deals, activities, tasks, notes or the deals' history (events) as CSV or JSON, or your open tasks as a calendar (.ics)",
    "keys": "add, remove or list the SSH keys that sign reps in on a team server",
}
