"""The floor for cold start: a pygls server that only answers initialize
(and shutdown/exit, which pygls handles itself), started the same way as
``python -m zcsec serve``."""

from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "0")

if __name__ == "__main__":
    server.start_io()
