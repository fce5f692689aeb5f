"""The shared kernel: small building blocks every bounded context may use and none owns (the in-process event
bus, the row error of every importer). It imports no context; the import contract in ``pyproject.toml`` keeps it
at the bottom."""
