"""Feature modules of the language server; importing one registers its handlers."""
