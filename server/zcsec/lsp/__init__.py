"""The language server: thin adapters from LSP requests to the analysis."""
