"""Before the GUI starts: a missing display or system library is a message naming what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui import display_check
from ui.display_check import DisplayCheck, chosen_platform, debian_package


@pytest.mark.parametrize(("library", "package"), [
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
])
def test_libraries_are_named_by_their_debian_package(library: str, package: str) -> None:
    assert debian_package(library) == package


def test_the_platform_qt_will_use() -> None:
    assert chosen_platform({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert chosen_platform({"QT_QPA_PLATFORM": "xcb"}) == "xcb"
    assert chosen_platform({"DISPLAY": ":0"}) == "xcb"
    assert chosen_platform({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}) == "wayland"
    assert chosen_platform({"QT_QPA_PLATFORM": "wayland;xcb"}) == "wayland"


def test_offscreen_needs_no_check() -> None:
    assert display_check.check({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_no_display_is_said_plainly() -> None:
    result = display_check.check({})
    assert result is not None and result.no_display and not result.ok
    assert "DISPLAY" in result.message() and "pathway-planner --help" in result.message()


def test_missing_libraries_name_the_packages_and_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(display_check, "unresolved_libraries",
                        lambda _plugin: ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    monkeypatch.setattr(display_check, "loadable", lambda library: library != "libxcb-cursor.so.0")
    result = display_check.check({"DISPLAY": ":0"})
    assert result is not None and not result.ok
    assert result.packages == ["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1"]
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in result.message()


def test_the_dynamic_linker_is_asked_for_real(tmp_path: Path) -> None:
    # a library linked against one that is then removed: ldd reports it missing, and only it
    import shutil
    import subprocess

    if shutil.which("gcc") is None or shutil.which("ldd") is None:
        pytest.skip("needs gcc and ldd to build a library with a missing dependency")
    (tmp_path / "gone.c").write_text("int gone(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int gone(void);\nint plugin(void) { return gone(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / "libgone.so.3", tmp_path / "gone.c",
                    "-Wl,-soname,libgone.so.3"], check=True)
    (tmp_path / "libgone.so").symlink_to("libgone.so.3")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", tmp_path / "libqplugin.so", tmp_path / "plugin.c",
                    f"-L{tmp_path}", "-lgone"], check=True)
    (tmp_path / "libgone.so.3").unlink()
    assert display_check.unresolved_libraries(tmp_path / "libqplugin.so") == ["libgone.so.3"]
    plugins = display_check.plugins_folder()
    assert plugins is not None
    assert display_check.unresolved_libraries(plugins / "libqoffscreen.so") == []


def test_the_gui_stops_with_the_message_instead_of_qt_aborting(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from ui import app

    monkeypatch.setattr(display_check, "check",
                        lambda: DisplayCheck("xcb", missing_libraries=["libxcb-icccm.so.4"]))
    monkeypatch.setattr(app, "make_app", lambda: pytest.fail("Qt was started without its libraries"))
    assert app.run_gui("sqlite:///:memory:") == 1
    assert "sudo apt-get install libxcb-icccm4" in capsys.readouterr().err
