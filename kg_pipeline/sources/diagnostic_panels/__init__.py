"""DiagnosticPanels: genes on commercial kidney diagnostic panels (provider files)."""
