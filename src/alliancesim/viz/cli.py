"""``alliancesim viz``: serve the browser app and print its address.

The app runs in Solara's own server (``solara run``, production mode, no browser opened, no
telemetry) as a child process; this command checks its inputs first, waits until the server
answers, prints the address, and stops the server on Ctrl-C. It binds to 127.0.0.1 unless told
otherwise, and warns when told to listen on another address.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from ..errors import ConfigError
from ..scenarios import list_scenarios

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
#: Seconds to wait for the server to answer before giving up.
STARTUP_TIMEOUT_S = 120.0
APP_MODULE = "alliancesim.viz.app"
#: Environment variable through which the server learns the scenario to open with.
SCENARIO_ENV = "ALLIANCESIM_VIZ_SCENARIO"


def register(subparsers: Any) -> None:
    """Add the ``viz`` sub-command to the ``alliancesim`` parser."""
    parser = subparsers.add_parser(
        "viz", help="serve the interactive browser app (Mesa SolaraViz)",
        description="Serve the interactive browser app and print its address. Works with no "
                    "internet access. Stop it with Ctrl-C.")
    parser.add_argument("--scenario", default="baseline",
                        help="scenario the page opens with (default baseline; see "
                             "`alliancesim scenarios`)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine "
                             "only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.set_defaults(handler=serve_command)


def check_inputs(scenario: str, host: str, port: int) -> None:
    """Refuse a scenario, port or address the server could not use.

    Raises:
        ConfigError: naming the option, the value and what is allowed.
    """
    scenarios = list_scenarios()
    if scenario not in scenarios:
        raise ConfigError(f"--scenario '{scenario}' is not a shipped scenario; choose one of "
                          f"{', '.join(scenarios)}")
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port {port} is out of range; use a port from 1 to 65535")
    if importlib.util.find_spec("solara") is None:
        raise ConfigError("the browser app needs the 'viz' extra: pip install "
                          "'alliancesim[viz]'")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ConfigError(f"--host '{host}' is not an address of this machine ({err})") from None
    family, _kind, _proto, _name, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server does: connections of a server stopped a moment ago do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror}); choose "
                              f"another --port or --host") from None


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port",
            str(port), "--production", "--no-open"]


def server_environment(scenario: str) -> dict[str, str]:
    """Environment of the server: the first scenario, no telemetry, quiet cookie warnings."""
    env = dict(os.environ)
    env[SCENARIO_ENV] = scenario
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    # Solara warns on every page load over plain http that cookies cannot be samesite=none;
    # that only matters when the page is embedded in another site's frame.
    env["PYTHONWARNINGS"] = ",".join(
        filter(None, [env.get("PYTHONWARNINGS"), "ignore:Cookies with samesite=none"]))
    return env


def address(host: str, port: int) -> str:
    """The URL a browser opens."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def wait_until_listening(host: str, port: int, process: subprocess.Popen,
                         timeout: float = STARTUP_TIMEOUT_S) -> bool:
    """True once the server accepts connections; False if it exited or the time ran out."""
    target = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((target, port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.25)
    return False


def serve_command(args: argparse.Namespace) -> int:
    """Handler of ``alliancesim viz``: serve until Ctrl-C; exit code of the server."""
    check_inputs(args.scenario, args.host, args.port)
    if args.host not in LOCAL_HOSTS:
        print(f"warning: listening on {args.host}: anyone who can reach this machine on port "
              f"{args.port} can use the app. Use --host 127.0.0.1 to keep it local.",
              file=sys.stderr)
    process = subprocess.Popen(server_command(args.host, args.port),
                               env=server_environment(args.scenario))
    # Stopped by a service manager or a test (SIGTERM): stop the server too, as for Ctrl-C.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not wait_until_listening(args.host, args.port, process):
            _stop(process)
            print(f"error: the app server did not start (exit code {process.returncode}); "
                  "see its messages above", file=sys.stderr)
            return 1
        print(f"alliancesim viz: serving scenario '{args.scenario}' at "
              f"{address(args.host, args.port)} (Ctrl-C stops it)", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        _stop(process)
        print("alliancesim viz: stopped", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            _stop(process)


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
