"""The alliance as a tile-grid map: one square per ally at its rough geographic position.

The tiles are cells of a Mesa discrete space (``OrthogonalMooreGrid``): each member agent is put
in its cell when it joins, so ``model.grid`` is an ordinary Mesa space that any Mesa tool can
read. Real allies have fixed cells (a tile-grid map of North America and Europe, like the
hexagon and square maps newspapers use); fictional members, or allies the table below does not
know, are placed at the free cell nearest to their region's anchor, so every scenario gets a
map.

Colours are pure functions of a posture and an intensity, so the component that draws the map
stays a thin view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mesa.discrete_space import OrthogonalMooreGrid

from ..plots import POSTURE_COLOURS

if TYPE_CHECKING:
    from ..model import AllianceModel

#: Columns and rows of the tile grid.
GRID_SIZE = (9, 8)

#: (column, row) of each real ally; row 0 is the north, column 0 the west.
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    # North America, across the Atlantic
    "CAN": (0, 1), "USA": (0, 2),
    # The north
    "ISL": (2, 0), "NOR": (5, 0), "SWE": (6, 0), "FIN": (7, 0),
    "GBR": (3, 1), "DNK": (5, 1), "EST": (7, 1),
    # The west and the centre
    "NLD": (4, 2), "DEU": (5, 2), "POL": (6, 2), "LVA": (7, 2),
    "BEL": (4, 3), "CZE": (5, 3), "SVK": (6, 3), "LTU": (7, 3),
    "FRA": (3, 4), "LUX": (4, 4), "SVN": (5, 4), "HUN": (6, 4), "ROU": (7, 4),
    # The south and the south-east
    "PRT": (2, 5), "ESP": (3, 5), "ITA": (4, 5), "HRV": (5, 5), "BGR": (7, 5),
    "MNE": (5, 6), "MKD": (6, 6), "TUR": (8, 6),
    "ALB": (5, 7), "GRC": (6, 7),
}

#: Where a member whose code has no fixed tile is placed (the free cell nearest to this).
REGION_ANCHORS: dict[str, tuple[int, int]] = {
    "north-america": (0, 1), "north": (5, 0), "west": (3, 2), "north-east": (7, 1),
    "central": (5, 3), "south": (3, 5), "south-east": (6, 6),
}


def tile_layout(codes: Sequence[str], regions: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Cell of every member: its fixed tile, or the free cell nearest its region's anchor.

    Args:
        codes: member codes, in model order.
        regions: each member's region (``north-america``, ``west``, ...), same order.

    Returns:
        code -> (column, row), every cell inside :data:`GRID_SIZE` and no two members sharing
        one.

    Raises:
        ValueError: if there are more members than cells.
    """
    cols, rows = GRID_SIZE
    if len(codes) > cols * rows:
        raise ValueError(f"{len(codes)} members do not fit a {cols}x{rows} tile map")
    layout = {c: TILE_POSITIONS[c] for c in codes if c in TILE_POSITIONS}
    taken = set(layout.values())
    for code, region in zip(codes, regions, strict=True):
        if code in layout:
            continue
        anchor = REGION_ANCHORS.get(region, (cols // 2, rows // 2))
        cell = _nearest_free(anchor, taken)
        layout[code] = cell
        taken.add(cell)
    return layout


def _nearest_free(anchor: tuple[int, int], taken: set[tuple[int, int]]) -> tuple[int, int]:
    cols, rows = GRID_SIZE
    free = [(c, r) for c in range(cols) for r in range(rows) if (c, r) not in taken]
    # Chebyshev distance first (ring by ring), then the nearest in straight-line terms;
    # ties broken by position so the layout is the same every time.
    return min(free, key=lambda cell: (max(abs(cell[0] - anchor[0]), abs(cell[1] - anchor[1])),
                                       (cell[0] - anchor[0]) ** 2 + (cell[1] - anchor[1]) ** 2,
                                       cell[1], cell[0]))


def build_tile_grid(model: AllianceModel) -> OrthogonalMooreGrid:
    """A Mesa grid with each member agent in its tile (members that have joined so far).

    Uses the model's own ``random`` (nothing is drawn from it here), so a run with the map is
    the same as a run without.
    """
    grid = OrthogonalMooreGrid(GRID_SIZE, torus=False, capacity=1, random=model.random)
    place_members(grid, model)
    return grid


def place_members(grid: OrthogonalMooreGrid, model: AllianceModel) -> None:
    """Put every member agent not yet on the grid into its tile (called after accessions)."""
    layout = tile_layout(model.codes, model.data.region)
    placed = {id(a) for cell in grid.all_cells for a in cell.agents}
    for agent in model.members:
        if id(agent) not in placed:
            grid[layout[agent.code]].add_agent(agent)


def tiles_on_grid(grid: OrthogonalMooreGrid) -> dict[str, tuple[int, int]]:
    """code -> (column, row) of every agent on the grid."""
    return {agent.code: tuple(cell.coordinate) for cell in grid.all_cells
            for agent in cell.agents}


def shade(hex_colour: str, intensity: float) -> str:
    """Mix a colour with white: intensity 1 is the full colour, 0 is a pale tint.

    Intensity is clipped to [0, 1]; the palest tint keeps 18% of the colour so a tile never
    disappears into the page.
    """
    t = 0.18 + 0.82 * min(max(float(intensity), 0.0), 1.0)
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - v) * t) for v in (r, g, b))
    return "#" + "".join(f"{v:02x}" for v in mixed)


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on the background (relative luminance)."""
    r, g, b = (int(background[i:i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111827" if luminance > 0.5 else "#ffffff"


def tile_colour(posture: str, intensity: float) -> str:
    """Fill of a member's tile: its posture's colour shaded by intensity (0-1)."""
    return shade(POSTURE_COLOURS[posture], intensity)
