"""Lesson presets for the browser: one click sets the scenario and parameters of a lesson.

Each preset appears in the scenario menu as ``Lesson: <title>`` and applies on Reset. The
lessons themselves are in ``docs/teaching/``.
"""

from __future__ import annotations

LESSON_PRESETS: dict[str, dict] = {
    "free_riding": {
        "title": "1 Why do small allies free-ride?",
        "scenario": "baseline",
        "overrides": {},
        "description": "The 28 allies of 2012: who spends what share of GDP, and who relies "
                       "on the leader's guarantee.",
        "what_to_watch": "Burden tab: the free-riders' line stays far below 2% while the leader "
                         "carries about three quarters of the spending; colour the map by "
                         "revealed posture.",
    },
    "specialisation_by_default": {
        "title": "2 Specialisation by default",
        "scenario": "austerity",
        "overrides": {},
        "description": "A 2013-2016 austerity shock in Europe, cuts made nation by nation.",
        "what_to_watch": "Capabilities tab: holdings drop off the coverage matrix one by one, "
                         "and nobody decides which.",
    },
    "isaf_alliance": {
        "title": "3a ISAF as an alliance operation",
        "scenario": "isaf",
        "overrides": {"operation.framework": "alliance"},
        "description": "ISAF 2003-2014 under NATO command.",
        "what_to_watch": "Operation tab: most contributors stay (a few leave) and caveats ease "
                         "but stay well above zero, even as public support sinks.",
    },
    "isaf_coalition": {
        "title": "3b ISAF as a coalition of the willing",
        "scenario": "isaf",
        "overrides": {"operation.framework": "coalition"},
        "description": "The same operation and the same public, run as an ad hoc coalition.",
        "what_to_watch": "Operation tab: allies leave one after another as support falls; "
                         "compare the defections with 3a.",
    },
    "smart_defence": {
        "title": "4 Can smart defence close the gaps?",
        "scenario": "smart_defence",
        "overrides": {},
        "description": "The same austerity shock with every smart-defence lever on.",
        "what_to_watch": "Capabilities tab: compare with lesson 2, then lower 'assured "
                         "access' (trust) in the parameter panel and Reset.",
    },
}
