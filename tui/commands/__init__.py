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
    "rep": "tui.commands.rep",
    "team": "tui.commands.team",
    "stages": "tui.commands.stages",
    "lost-reasons": "tui.commands.lost_reasons",
    "currency": "tui.commands.currency",
    "timezone": "tui.commands.timezone",
    "settings": "tui.commands.settings",
    "audit": "tui.commands.audit",
}

# One line each, for ``legwork --help`` and the top of each command's own help.
SUMMARIES = {
    "today": "print your task queue for today (overdue, today, coming up), one line per task",
    "numbers": "print the activity numbers per rep and team, with the forecast",
    "standup": "print the stand-up agenda (numbers, then the deals that need a decision) as text or Markdown",
    "import": "import deals (or --kind activities, tasks, notes, events, accounts, contacts) from a CSV or JSON file",
    "export": "export deals, activities, tasks, notes or the deals' history (events) as CSV or JSON, or your open tasks as a calendar (.ics)",
    "keys": "add, remove or list the SSH keys that sign reps in on a team server",
    "rep": "add, change, deactivate and list reps (managers; a rep edits their own details)",
    "team": "add, change and list teams and their members (managers)",
    "stages": "list and change the pipelines' stages: names, order, probability, rot days (managers)",
    "lost-reasons": "list and change the reasons a deal is lost for (managers)",
    "currency": "show the currency, or set it (managers): a three-letter code such as EUR",
    "timezone": "show the team's timezone, or set it (managers), e.g. Europe/Berlin",
    "settings": "show the team's settings, or set open editing (managers): settings open-editing true|false",
    "audit": "print who changed the team's reps, teams, stages and settings, and when",
}
