"""The command table of ``workshopkit``: every command declared once, with its handler and options."""

from __future__ import annotations

import pytest

from workshopkit.cli import COMMANDS, PATH, PATH_OPTION, Command, main


def _leaves(commands: tuple[Command, ...], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Command]]:
    found = []
    for command in commands:
        words = (*prefix, command.name)
        found += _leaves(command.subcommands, words) if command.subcommands else [(words, command)]
    return found


LEAVES = _leaves(COMMANDS)
IDS = [" ".join(words) for words, _ in LEAVES]


def _help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *words: str) -> str:
    monkeypatch.setenv("COLUMNS", "250")  # one line per option: help texts are found whole
    with pytest.raises(SystemExit) as stop:
        main([*words, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_every_command_is_listed_in_the_help(capsys, monkeypatch):
    text = _help(capsys, monkeypatch)
    for command in COMMANDS:
        assert f"    {command.name} " in text and command.help in text, command.name
    names = [command.name for command in COMMANDS]
    assert len(set(names)) == len(names)


def test_every_group_lists_its_subcommands(capsys, monkeypatch):
    for group in (command for command in COMMANDS if command.subcommands):
        assert group.handler is None and group.dest
        text = _help(capsys, monkeypatch, group.name)
        for sub in group.subcommands:
            assert sub.name in text and sub.help in text


@pytest.mark.parametrize(("words", "command"), LEAVES, ids=IDS)
def test_every_command_has_a_handler_and_its_options_in_its_help(words, command, capsys, monkeypatch):
    assert callable(command.handler)
    text = _help(capsys, monkeypatch, *words)
    for a in command.args:
        assert a.flags[0] in text, a.flags
        if "help" in a.options:
            assert a.options["help"] in text


@pytest.mark.parametrize(("words", "command"), LEAVES, ids=IDS)
def test_shared_options_are_the_shared_declarations(words, command):
    for a in command.args:
        if a.flags == ("path",):
            assert a is PATH
        if a.flags == ("--path",):
            assert a is PATH_OPTION


def test_the_shared_options_are_on_the_commands_that_take_them(capsys, monkeypatch):
    takes = {" ".join(words): {a.flags[0] for a in command.args} for words, command in LEAVES}
    assert {name for name, flags in takes.items() if "path" in flags} == {"check", "build", "clean", "serve", "stats"}
    assert {name for name, flags in takes.items() if "--path" in flags} == {"new module", "new workshop", "event new",
                                                                         "event check", "event build", "event results",
                                                                         "i18n update", "i18n status"}
    assert {name for name, flags in takes.items() if "--out" in flags} == {"schema", "build", "clean", "serve"}
    assert {name for name, flags in takes.items() if "--format" in flags} == {"check", "stats", "i18n status"}
    for name, flags in takes.items():
        text = _help(capsys, monkeypatch, *name.split())
        for option in ("--out", "--format", "--path"):
            assert (option in text) == (option in flags), (name, option)
        assert ("[path]" in text) == ("path" in flags), name
