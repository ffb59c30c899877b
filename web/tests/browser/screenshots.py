"""The docs' screenshots (docs/screenshots/), taken with the browser tests' own setup.

Not part of the test suite (its name is not test_*.py): `bash scripts/screenshots` runs it, with
gunicorn, the production settings, seed_demo and Debian's Chromium from conftest.py.
"""

from pathlib import Path

from dataset.management.commands.seed_demo import DEMO_PASSWORD

TARGET = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
PAGES = {"feed": "/", "compose": "/compose/", "profile": "/people/2/"}
# The light theme's files keep their names (<page>-<device>.png); the dark one's end in -dark.
THEMES = {"light": "", "dark": "-dark"}


def test_take_screenshots(sign_in, page):
    """Writes <page>-<device>[-dark].png for each page at desktop and phone width, in both themes."""
    sign_in("demo", DEMO_PASSWORD)
    TARGET.mkdir(parents=True, exist_ok=True)
    for theme, suffix in THEMES.items():
        page.emulate_media(color_scheme=theme)
        for device, size in SIZES.items():
            page.set_viewport_size(size)
            for name, path in PAGES.items():
                page.goto(path)
                page.screenshot(path=str(TARGET / f"{name}-{device}{suffix}.png"))
