"""``simulate``: run a topology file headless."""
