"""Analysis: validation against the evidence (``validate``), and global sensitivity analysis
(``sensitivity``).

Import from the submodules (``from alliancesim.analysis.validate import validate``): the
command line imports this package to register its sub-commands, and should not load the
sweep machinery until one of them runs.
"""
