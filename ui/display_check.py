"""Can Qt show a window here? Checked before the GUI starts, so a missing system library is a message.

Qt's platform plugins (xcb for X11, wayland) load shared libraries from the system that the
PySide6 wheels do not carry. When one is missing Qt aborts with "Could not load the Qt platform
plugin ... Reinstalling the application may fix this problem", which names neither the library nor
the package. This module asks the dynamic linker which libraries the chosen plugin cannot find
(``ldd``), adds the ones Qt opens only at run time (xcb-cursor since Qt 6.5), and names the Debian
packages that provide them, by Debian's naming rule for library packages (the library's name and
its major version: ``libxcb-icccm.so.4`` is in ``libxcb-icccm4``, ``libxkbcommon-x11.so.0`` in
``libxkbcommon-x11-0``).

``python -m ui.display_check [--install]`` prints what is missing and, with ``--install`` as root
where apt-get exists, installs it (``make run`` does this before starting the application).
No Qt module is imported here: only the PySide6 package, to find its plugins folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Libraries Qt's xcb plugin opens at run time (dlopen), so ``ldd`` cannot see that they are missing.
RUNTIME_LIBRARIES = {"xcb": ("libxcb-cursor.so.0",)}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
_SONAME = re.compile(r"^(lib[\w.+-]+?)\.so\.(\d+)")


@dataclass
class DisplayCheck:
    """What stands between this machine and a window: no display, or libraries to install."""

    platform: str
    missing_libraries: list[str] = field(default_factory=list)
    no_display: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing_libraries and not self.no_display

    @property
    def packages(self) -> list[str]:
        return sorted({debian_package(library) for library in self.missing_libraries})

    def message(self) -> str:
        if self.no_display:
            return ("Pathway Planner needs a display to open its window, and this session has none "
                    "(neither DISPLAY nor WAYLAND_DISPLAY is set). Run it from a desktop session, or "
                    "use its commands (pathway-planner --help), which need no display.")
        if not self.missing_libraries:
            return "Everything Qt needs to open a window is installed."
        one = len(self.missing_libraries) == 1
        return (f"Qt cannot open a window on this machine: its {self.platform} platform needs "
                f"{', '.join(sorted(self.missing_libraries))}, which {'is' if one else 'are'} not installed. "
                f"Install {'it' if len(self.packages) == 1 else 'them'} with:\n"
                f"    sudo apt-get install {' '.join(self.packages)}\n"
                "then start Pathway Planner again.")


def debian_package(library: str) -> str:
    """The Debian package that ships a shared library, by Debian's naming rule for library packages."""
    match = _SONAME.match(library)
    if not match:
        return library
    name, version = match.groups()
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def chosen_platform(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """The platform plugin Qt will use here; None when there is nothing to check (offscreen, minimal...)."""
    requested = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested if requested in ("xcb", "wayland") else None
    if environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "xcb"


def plugins_folder() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    folder = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms"
    return folder if folder.is_dir() else None


def unresolved_libraries(binary: Path) -> list[str]:
    """The libraries the dynamic linker cannot find for ``binary`` (``ldd``); none if ldd is absent."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        result = subprocess.run([ldd, str(binary)], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(_NOT_FOUND.findall(result.stdout)))


def loadable(library: str) -> bool:
    import ctypes

    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def check(environ: dict[str, str] | os._Environ[str] = os.environ) -> DisplayCheck | None:
    """What is missing for the platform Qt will use; None when nothing needs checking."""
    platform = chosen_platform(environ)
    if platform is None:
        return None
    result = DisplayCheck(platform)
    if platform == "xcb" and not environ.get("DISPLAY"):
        result.no_display = True
    if platform == "wayland" and not environ.get("WAYLAND_DISPLAY"):
        result.no_display = True
    folder = plugins_folder()
    plugin = folder / f"libq{platform}.so" if folder else None
    if plugin is None or not plugin.exists():
        return result if result.no_display else None
    missing = set(unresolved_libraries(plugin))
    missing.update(lib for lib in RUNTIME_LIBRARIES.get(platform, ()) if not loadable(lib))
    result.missing_libraries = sorted(missing)
    return result


def install(packages: Sequence[str]) -> bool:
    """Install Debian packages with apt-get when running as root; False when that is not possible."""
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    print(f"Installing what Qt needs to open a window: {' '.join(packages)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_command = [apt, "install", "-y", "-qq", "--no-install-recommends", *packages]
    if subprocess.run(install_command, env=env, check=False).returncode == 0:
        return True
    subprocess.run([apt, "update", "-qq"], env=env, check=False)
    return subprocess.run(install_command, env=env, check=False).returncode == 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    result = check()
    if result is None or result.ok:
        return 0
    if result.missing_libraries and "--install" in args and install(result.packages):
        result = check()
        if result is None or result.ok:
            return 0
    print(f"pathway-planner: {result.message()}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
