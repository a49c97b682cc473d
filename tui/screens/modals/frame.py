"""The house modal's frame: centred on the screen, a rounded box on the surface colour.

Every picker and small dialog is drawn in it; a modal's own ``DEFAULT_CSS`` adds what
is its own (list heights, hints) after ``modal_frame_css(...)``.
"""

from __future__ import annotations


def modal_frame_css(screen: str, width: int, border: str = "$primary", box: str = "Vertical") -> str:
    """``screen``'s frame: ``box`` is ``width`` cells wide (at most the terminal's), ``border`` its colour."""
    return f"""
    {screen} {{ align: center middle; }}
    {screen} > {box} {{
        width: {width}; max-width: 100%; height: auto; max-height: 100%;
        border: round {border}; background: $surface; padding: 0 1;
    }}"""
