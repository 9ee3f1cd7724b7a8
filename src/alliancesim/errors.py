"""The one exception a user can fix: bad input, reported without a traceback.

Kept apart from the schema (``config``) so that the command line can name it without importing
pydantic (``alliancesim --help`` answers at once).
"""


class ConfigError(Exception):
    """A configuration problem a user can fix; the CLI prints it without a traceback."""
