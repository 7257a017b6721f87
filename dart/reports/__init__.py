"""Output formats shared by every layer that exports (stdlib only)."""
