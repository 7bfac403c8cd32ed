"""PanelApp UK and Australia: kidney panels and their green genes."""
