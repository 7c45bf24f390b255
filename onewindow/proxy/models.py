"""Models of the proxy app."""
