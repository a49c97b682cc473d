"""Onboarding at 80×24: an error shows without scrolling."""

from __future__ import annotations

from store import reps
from tests.tui.conftest import settle
from tui.app import LegworkApp
from tui.screens.onboarding import OnboardingScreen


async def test_a_bad_handle_error_is_visible_at_80_by_24(sqlite_db):
    app = LegworkApp(sqlite_db, "Bad Handle!")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, OnboardingScreen)
        await pilot.press(*"Nora Quinn", "ctrl+s")  # saved from the name field, nothing scrolled
        await settle(app, pilot)
        error = screen.query_one("#error")
        assert str(error.render()).lower().startswith("handle 'bad handle!' must be lower-case letters")
        visible = screen.region.shrink((0, 0, 1, 0))  # above the footer
        assert visible.contains_region(error.region)
        shown = "\n".join(strip.text for strip in screen._compositor.render_strips())
        assert "handle 'bad handle!' must be lower-case" in shown.lower()
        assert "Tasks a day" in shown  # and every field still fits
        screen.query_one("#handle").value = "nora"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, OnboardingScreen)
    with sqlite_db.session() as s:
        assert reps.find_rep(s, "nora").name == "Nora Quinn"


async def test_the_first_rep_may_be_the_manager_and_the_next_may_not_choose(sqlite_db):
    app = LegworkApp(sqlite_db, "mara")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, OnboardingScreen)
        shown = "\n".join(strip.text for strip in screen._compositor.render_strips())
        assert "You are the first rep: you can be the team's manager" in shown
        assert "Tasks a day" in shown  # the role row still fits 80×24
        await pilot.press(*"Mara Lind", "enter")  # on to the role
        assert app.focused is screen.query_one("#role")
        await pilot.press("enter", "down", "enter")  # open the choices, take Manager
        await pilot.pause()
        assert screen.query_one("#role").value == "manager"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, OnboardingScreen)
    with sqlite_db.session() as s:
        assert reps.find_rep(s, "mara").is_manager

    app = LegworkApp(sqlite_db, "sly")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, OnboardingScreen)
        shown = "\n".join(strip.text for strip in screen._compositor.render_strips())
        assert "first rep" not in shown and "Role" not in shown
        assert not screen.query("#role")
        await pilot.press(*"Sly Fox", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, OnboardingScreen)
    with sqlite_db.session() as s:
        assert reps.find_rep(s, "sly").role == "rep"
