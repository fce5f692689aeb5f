"""Helpers shared by the pages of every context (no models, no context imports): the sentence a refused request
shows, pagination, and the HTMX partial switch. It sits below every bounded context in the import contract
(``pyproject.toml``, ``[tool.importlinter]``), so ``web`` can import the contexts without a cycle."""
