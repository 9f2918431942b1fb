"""The simulation core: pure Python (stdlib + simpy), typed, deterministic per seed.

The contract with the rest of the site sits at the top: ``commands`` (what can
change), ``snapshot`` (immutable pictures, the only thing views read) and
``snapshot_data`` (the same as plain data), ``text`` (translatable reasons),
``actions``, ``scenario`` and ``loader`` (plain data ⇄ commands, events, topologies),
``simulation`` (the facade: ``Simulation``) and ``report`` (headless runs).
The subpackages, one layer each (see docs/architecture.md): ``blocks`` (one module per
kind of node), ``model`` (configuration), ``measures``, ``engine``, ``flows``
(aggregate mode) and ``changes`` (the command handlers).
"""
