"""Output folders that never destroy a user's files.

Every command that writes a folder (``run``, ``validate``, ``sensitivity``, ``sweep``) goes
through this module:

* :func:`check_target` refuses, with a :class:`~alliancesim.config.ConfigError` naming the
  folder and the way out, a target that is ``/``, the home folder, the current directory or
  one of its parents (even with ``--force``), a file, a symbolic link, a folder that cannot be
  written, or an existing folder that is not recognisably an earlier alliancesim output
  (unless ``--force``).
* :func:`output_folder` hands out a fresh temporary folder beside the target, writes a
  manifest of every file in it, and moves it into place only when complete, so a failed or
  interrupted command leaves the earlier results as they were.

"Recognisably ours" means: the folder holds our manifest (:data:`MANIFEST`) of the given
kind, and every file in it is one the manifest lists (or, for the resumable kinds, sits under
the work folders we create). Folders written before manifests existed are recognised by
their ``run.json`` (or ``validation.csv``/``sensitivity.csv``) and their known file names.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ConfigError

#: The manifest every output folder holds: what wrote it and the files it wrote.
MANIFEST = "alliancesim-output.json"

#: The top-level entries each kind of output folder may hold besides the manifest. For the
#: resumable kinds, files under a work folder (``runs/``, ``sweep/``) are ours too.
KNOWN_ENTRIES: dict[str, frozenset[str]] = {
    "run": frozenset({"timeseries.csv", "members.csv", "capabilities.csv", "contributions.csv",
                      "run.json", "figures"}),
    "validation": frozenset({"validation.csv", "validation_seeds.csv", "validation.md",
                             "runs"}),
    "sensitivity": frozenset({"sensitivity.csv", "convergence.csv", "samples.csv", "figures",
                              "sweep", "batch"}),
}
#: Work folders of the resumable kinds, whose contents the runner manages (a sensitivity
#: analysis' design batch, alliancesim.sweep.batch).
WORK_FOLDERS = {"sensitivity": "batch"}
#: The file that marks a folder written before manifests existed.
LEGACY_MARKERS = {"run": "run.json", "validation": "validation.csv",
                  "sensitivity": "sensitivity.csv"}

#: Output folders are readable by everyone (the umask may narrow this), never 0700.
FOLDER_MODE = 0o755


def _protected(path: Path) -> str | None:
    """Why ``path`` may never be replaced, or None."""
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    if resolved == Path.home().resolve():
        return "it is your home folder"
    if resolved == cwd:
        return "it is the current directory"
    if resolved in cwd.parents:
        return "it holds the current directory"
    if resolved == Path(tempfile.gettempdir()).resolve():
        return "it is the system's temporary folder"
    return None


def _files_under(folder: Path) -> list[str]:
    """Every file and link under ``folder``, as POSIX paths relative to it."""
    out = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in files + [d for d in dirs if (base / d).is_symlink()]:
            out.append((base / name).relative_to(folder).as_posix())
    return sorted(out)


def foreign_entries(folder: Path, kind: str) -> list[str] | None:
    """The entries of ``folder`` alliancesim did not write, or None if it is not ours at all.

    An empty list means the folder is an earlier output of ``kind`` and may be replaced.
    """
    entries = {p.name for p in folder.iterdir()}
    if not entries:
        return []
    if kind == "sweep":  # the sweep runner owns its folder (resume, locks, design checks)
        return [] if (folder / "experiment.json").is_file() else None
    work = WORK_FOLDERS.get(kind)
    manifest_path = folder / MANIFEST
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            listed = set(manifest["files"]) | {MANIFEST}
            if manifest["kind"] != kind:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        extra = [f for f in _files_under(folder) if f not in listed
                 and not (work and f.startswith(f"{work}/"))]
        return extra
    marker = LEGACY_MARKERS.get(kind)
    if marker is None or not (folder / marker).is_file():
        return None
    if kind == "run":
        try:
            if "alliancesim_version" not in json.loads((folder / marker).read_text("utf-8")):
                return None
        except (OSError, ValueError, TypeError):
            return None
    return sorted(entries - KNOWN_ENTRIES[kind])


def check_target(path: str | Path, kind: str, force: bool = False, option: str = "--out",
                 resumable: bool = False) -> Path:
    """Refuse an output folder that cannot or may not be written; returns it as a Path.

    ``resumable`` kinds (sweeps) write in place into an empty folder or one of their own; for
    them a foreign folder is refused whatever ``force`` says.

    Raises:
        ConfigError: naming the folder, what is wrong, and the way out.
    """
    path = Path(path)
    if str(path) == "":
        raise ConfigError(f"{option} is empty: name an output folder")
    why = _protected(path)
    if why:
        raise ConfigError(f"{option} {path}: refusing to write there because {why}; "
                          f"outputs go into a folder of their own. Choose a new sub-folder, "
                          f"e.g. {option} {path / 'out'}")
    if path.is_symlink():
        raise ConfigError(f"{option} {path} is a symbolic link (to {os.readlink(path)}); "
                          f"alliancesim does not write through links. Give the real folder "
                          f"or another {option}")
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option} {path} is a file, not a folder; choose another {option}")
    parent = _existing_ancestor(path.parent)
    if parent is not None and not parent.is_dir():
        raise ConfigError(f"{option} {path}: {parent} is a file, not a folder; choose another "
                          f"{option}")
    if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {path}: cannot write in {parent} ({_why_not(parent)}); "
                          f"choose another {option}")
    if path.is_dir():
        try:
            foreign = foreign_entries(path, kind)
        except PermissionError:
            raise ConfigError(f"{option} {path} cannot be read (permission denied); choose "
                              f"another {option}") from None
        if foreign is None or foreign:
            if foreign:
                what = f"it holds files alliancesim did not write ({_listing(foreign)})"
            else:
                what = (f"it is not an earlier alliancesim {kind} output (it holds "
                        f"{_listing(sorted(p.name for p in path.iterdir()))})")
            if resumable:
                raise ConfigError(f"{option} {path} already exists and {what}; choose another "
                                  f"(new or empty) {option}")
            if not force:
                raise ConfigError(f"{option} {path} already exists and {what}; nothing was "
                                  f"written. Choose another {option}, or pass --force to "
                                  f"replace that folder and everything in it")
        if not os.access(path, os.W_OK | os.X_OK) or (
                not resumable and not os.access(path.parent, os.W_OK | os.X_OK)):
            raise ConfigError(f"{option} {path} is not writable ({_why_not(path)}); choose "
                              f"another {option}")
    return path


def _why_not(folder: Path) -> str:
    """Why a folder cannot be written: a read-only file system, or permissions."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        pass
    return "permission denied"


def _listing(names: list[str], most: int = 4) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _existing_ancestor(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return None


def write_manifest(folder: Path, kind: str) -> None:
    """List every file in ``folder`` in its manifest (so a later run may replace it)."""
    files = [f for f in _files_under(folder) if f != MANIFEST]
    manifest = {"kind": kind, "written_by": "alliancesim", "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def _make_readable(folder: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    for root, dirs, _ in os.walk(folder):
        for d in dirs:
            os.chmod(Path(root) / d, FOLDER_MODE & ~umask)
    os.chmod(folder, FOLDER_MODE & ~umask)


@contextmanager
def output_folder(target: str | Path, kind: str, force: bool = False,
                  option: str = "--out") -> Iterator[Path]:
    """A fresh temporary folder beside ``target``, moved into place when the block succeeds.

    The target is checked first (:func:`check_target`). On success the manifest is written
    and the folder renamed into place; an earlier output there is moved aside first and
    removed only after the new one is in place. On any error the temporary folder is removed
    and the target is left as it was.
    """
    target = check_target(target, kind, force=force, option=option)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    except OSError as err:
        raise ConfigError(f"{option} {target}: cannot create the folder "
                          f"({err.strerror or err})") from None
    try:
        yield tmp
        write_manifest(tmp, kind)
        _make_readable(tmp)
        install(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def install(tmp: Path, target: Path) -> None:
    """Move the complete folder ``tmp`` to ``target``, replacing what ``target`` holds."""
    if not target.exists():
        os.rename(tmp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old / "previous")
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old / "previous", target)
        old.rmdir()
        raise
    shutil.rmtree(old, ignore_errors=True)


def disk_error_message(err: OSError, what: str,
                       kept: str = "nothing was written and earlier results are untouched",
                       advice: str = "Free some space or choose another --out") -> str:
    """One line for an OSError while writing ``what`` (full disk, quota, permissions)."""
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
              errno.EROFS: "the file system is read-only",
              errno.EACCES: "permission denied",
              errno.EPERM: "permission denied"}.get(err.errno or -1, err.strerror or str(err))
    return f"could not write {what}: {reason}; {kept}. {advice}"


@contextmanager
def work_folder(target: str | Path, kind: str, force: bool = False,
                option: str = "--out", fresh: bool = False) -> Iterator[Path]:
    """The folder a resumable command (``validate``, ``sensitivity``) works in.

    An absent or empty target, or an earlier output of the same kind, is worked in in place
    (so an interrupted command can be resumed); a foreign folder is refused unless ``force``,
    and then the command works in a temporary folder that replaces it only when complete. If
    the block fails on bad input (:class:`ConfigError`) in a folder this call created, the
    folder is removed again. ``fresh`` starts again (in a temporary folder) even in an
    earlier output of the same kind.
    """
    target = check_target(target, kind, force=force, option=option)
    replace = target.is_dir() and (foreign_entries(target, kind) != []
                                   or (fresh and any(target.iterdir())))
    if replace:  # only reached with force
        with output_folder(target, kind, force=True, option=option) as tmp:
            yield tmp
        return
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        write_manifest(target, kind)
        _make_readable(target)
    except OSError as err:
        raise ConfigError(f"{option} {target}: cannot create the folder "
                          f"({err.strerror or err})") from None
    try:
        yield target
    except ConfigError:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise
    write_manifest(target, kind)
    _make_readable(target)

