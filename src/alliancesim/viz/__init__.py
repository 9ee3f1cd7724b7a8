"""The interactive browser app (Mesa SolaraViz): ``alliancesim viz`` serves it.

Modules: ``app`` (the page), ``components`` (views), ``charts`` and ``svg`` (drawing),
``tilemap`` (the alliance map as a Mesa grid), ``controls`` (parameter panel from the schema),
``factory`` (the model built from the page's inputs), ``about`` (the About text), ``cli``
(the sub-command). Importing this package does not import Solara.
"""
