"""The factoryspec language server (`factoryspec lsp`); see server.py."""
