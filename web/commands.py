"""`pochuan user ...`: accounts, roles and case assignments of the web app."""
from __future__ import annotations

import os
import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from graphsvc import audit
from graphsvc.cliutil import emit, json_option, say
from graphsvc.settings import data_dir

from . import users

__all__ = ["register"]


def _data():
    """Return the app's data folder, created if needed."""
    return data_dir(current_app.config["POCHUAN_DATA"])


def _who() -> str:
    """Return the CLI user for the audit trail."""
    return os.environ.get("USER") or "cli"


@click.group("user")
def user_group():
    """Add web users and give them cases."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="investigator 侦查员 | loader 录入员 | supervisor 督导 | admin 管理员")
@click.option("--case", "cases", multiple=True, help="Case number the user may open (repeatable).")
@click.option("--unit", default=None, help="Unit (单位); a supervisor sees every case of their unit.")
@click.option("--password", default=None, help="Password (at least 8); a random one is printed when omitted.")
@json_option
@with_appcontext
def user_add(name, role, cases, unit, password, as_json):
    """Create a web user with a hashed password."""
    generated = password is None
    password = password or secrets.token_urlsafe(9)
    user = users.add_user(_data(), name, role, password, unit=unit, cases=cases)
    audit.record(_data(), _who(), "user_add", None, {"name": name, "role": user["role"], "cases": list(cases)})
    out = {**user, **({"password": password} if generated else {})}
    emit(out, as_json, lambda d: say(f"user {d['name']} ({d['role_name']} {d['role']}) cases: "
                                     f"{', '.join(d['cases']) or '-'}" + (f"\npassword: {password}" if generated else "")))


@user_group.command("assign")
@click.argument("name")
@click.option("--case", "cases", multiple=True, required=True, help="Case number (repeatable).")
@click.option("--remove", is_flag=True, help="Take the cases away instead.")
@json_option
@with_appcontext
def user_assign(name, cases, remove, as_json):
    """Give a user access to cases (or take it away with --remove)."""
    for c in cases:
        (users.unassign if remove else users.assign)(_data(), name, c)
    audit.record(_data(), _who(), "user_change", None, {"name": name, "remove" if remove else "assign": list(cases)})
    emit(users.get_user(_data(), name), as_json, lambda d: say(f"user {d['name']} cases: {', '.join(d['cases']) or '-'}"))


@user_group.command("passwd")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_passwd(name, password):
    """Set a user's password (ends their open sessions)."""
    users.set_password(_data(), name, password)
    audit.record(_data(), _who(), "user_change", None, {"name": name, "password": True})
    say(f"password of {name} changed")


@user_group.command("list")
@json_option
@with_appcontext
def user_list(as_json):
    """List users, roles, units and cases."""
    emit(users.list_users(_data()), as_json, lambda rows: [say(
        f"{u['name']:<16} {u['role_name']} {u['role']:<12} unit={u['unit'] or '-'} cases={','.join(u['cases']) or '-'}"
        + ("" if u["active"] else " (disabled)")) for u in rows])


DEMO_PASSWORD = "pochuan-demo"


@user_group.command("demo")
@click.option("--case", "cases", multiple=True, required=True, help="Demo case number(s) to open to the accounts.")
@json_option
@with_appcontext
def user_demo(cases, as_json):
    """Create (or reset) the demo accounts demo (侦查员), demo-loader (录入员), demo-super (督导), demo-admin."""
    data = _data()
    made = []
    for name, role in (("demo", "investigator"), ("demo-loader", "loader"), ("demo-super", "supervisor"),
                       ("demo-admin", "admin")):
        if users.user_exists(data, name):
            users.set_password(data, name, DEMO_PASSWORD)
            users.set_active(data, name, True)
        else:
            users.add_user(data, name, role, DEMO_PASSWORD, unit="演示单位 demo unit")
        for c in cases:
            users.assign(data, name, c)
        made.append({"name": name, "role": role, "password": DEMO_PASSWORD, "cases": list(cases)})
    audit.record(data, _who(), "user_add", None, {"demo": [m["name"] for m in made], "cases": list(cases)})
    emit(made, as_json, lambda rows: say("演示账号 demo accounts (password " + DEMO_PASSWORD + "): " +
                                         ", ".join(f"{r['name']} ({users.ROLE_NAMES[r['role']]})" for r in rows)))


def register(cli: click.Group) -> None:
    """Add the user commands to the `pochuan` group."""
    cli.add_command(user_group)
