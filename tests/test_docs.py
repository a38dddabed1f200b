"""Every setting is documented in the README, with the two set-up commands."""
from pathlib import Path

from graphsvc.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_readme():
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README and s.name not in README]
    assert not missing, f"undocumented settings: {missing}"


def test_every_setting_has_help():
    assert all(s.help.strip() for s in SETTINGS)


def test_readme_gives_the_two_commands():
    assert "make run" in README and "make test" in README
