"""``alliancesim viz``: serve the browser app and print its address.

The app runs in Solara's own server application (``solara.server.starlette``) under uvicorn,
in this process, as ``solara run`` does, with production mode, no telemetry and no version
check. The command checks its inputs first, prints the address once the server listens, and
stops on Ctrl-C or SIGTERM (uvicorn's own shutdown). It binds to 127.0.0.1 unless told
otherwise; told to listen on all addresses, it prints this machine's network addresses — the
ones students type — and warns that anyone who can reach them can use the app.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from ..scenarios import list_scenarios

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ALL_ADDRESSES = ("0.0.0.0", "::")
APP_MODULE = "alliancesim.viz.app"
#: Environment variable through which the server learns the scenario to open with.
SCENARIO_ENV = "ALLIANCESIM_VIZ_SCENARIO"
#: Seconds uvicorn waits for open pages to disconnect when stopping.
SHUTDOWN_TIMEOUT_S = 5


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
                             "only; 0.0.0.0: every network of this machine, for a class)")
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


def server_environment(scenario: str) -> dict[str, str]:
    """Settings of the Solara server, read from the environment when it is imported."""
    return {
        SCENARIO_ENV: scenario,
        "SOLARA_APP": APP_MODULE,
        "SOLARA_MODE": "production",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        # The page is drawn for a light theme (fixed, see app.py) and needs no Solara badge
        # floating over its bottom corner.
        "SOLARA_THEME_VARIANT": "light",
        "SOLARA_THEME_SHOW_BANNER": "False",
    }


def network_addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks (not the loopback), best first."""
    found: list[str] = []
    try:  # the address of the interface that routes outward (nothing is sent)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    found += [info[4][0] for info in infos]
    return [a for a in dict.fromkeys(found) if not a.startswith("127.")]


def addresses(host: str, port: int) -> list[str]:
    """The URLs a browser opens: the network addresses first when listening on all."""
    hosts = [host]
    if host in ALL_ADDRESSES:
        hosts = [*network_addresses(), "127.0.0.1"]
    return [f"http://{f'[{h}]' if ':' in h else h}:{port}/" for h in hosts]


def announce(scenario: str, host: str, port: int) -> None:
    """Print where the app is served (first line: the address to type)."""
    urls = addresses(host, port)
    print(f"alliancesim viz: serving scenario '{scenario}' at {urls[0]} (Ctrl-C stops it)",
          flush=True)
    for url in urls[1:]:
        print(f"  also at {url}", flush=True)
    if host in ALL_ADDRESSES and urls[0].startswith("http://127.0.0.1"):
        print("  (no network address found: only this machine can open the page)", flush=True)


def run_server(host: str, port: int, on_ready: Callable[[], None]) -> int:
    """Serve the app with uvicorn until stopped; ``on_ready`` runs once it listens."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:
                on_ready()

    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                            log_level="warning", timeout_graceful_shutdown=SHUTDOWN_TIMEOUT_S)
    server = Server(config)
    server.run()
    return 0 if server.started else 1


def serve_command(args: argparse.Namespace) -> int:
    """Handler of ``alliancesim viz``: serve until Ctrl-C or SIGTERM."""
    check_inputs(args.scenario, args.host, args.port)
    if args.host not in LOCAL_HOSTS:
        print(f"warning: listening on {args.host}: anyone who can reach this machine on port "
              f"{args.port} can use the app. Use --host 127.0.0.1 to keep it local.",
              file=sys.stderr)
    os.environ.update(server_environment(args.scenario))
    # Errors the page reports in plain words are logged here with their details.
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # uvicorn stops on Ctrl-C or SIGTERM, then raises the signal again for the process:
    # either one ends here as KeyboardInterrupt, with a message and exit code 0.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = run_server(args.host, args.port,
                          lambda: announce(args.scenario, args.host, args.port))
    except KeyboardInterrupt:
        code = 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("alliancesim viz: stopped" if code == 0 else
          "error: the app server did not start; see its messages above", file=sys.stderr)
    return code


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt
