"""Command line: argument parsing (parser) and one function per sub-command (commands)."""
