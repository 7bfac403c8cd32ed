"""PubTator3 search results: genes mentioned in kidney-disease publications."""
