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
    "keys": "tui.commands.keys",
}
