"""The simulation core: pure Python (stdlib + simpy), deterministic per seed.

- ``topology``: the passive description of an architecture, and ``validate``;
- ``engine.Simulation``: builds one, ``apply(command)``, ``advance(dt)``;
- ``commands``: what can change while it runs;
- ``snapshot``: immutable pictures of it for display.
"""
