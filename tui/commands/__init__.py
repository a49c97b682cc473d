"""Scripted subcommands of ``legwork``, one module each.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args, database, handle) -> int`` (the exit status). None imports Textual.
"""

# The subcommands in the order ``legwork --help`` lists them.
MODULES = {
    "today": "tui.commands.today",
    "numbers": "tui.commands.numbers",
    "standup": "tui.commands.standup",
    "import": "tui.commands.import_csv",
    "export": "tui.commands.export",
    "rep": "tui.commands.rep",
    "team": "tui.commands.team",
    "stages": "tui.commands.stages",
    "lost-reasons": "tui.commands.lost_reasons",
    "currency": "tui.commands.currency",
    "timezone": "tui.commands.timezone",
    "settings": "tui.commands.settings",
    "audit": "tui.commands.audit",
}
