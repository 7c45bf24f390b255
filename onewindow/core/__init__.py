"""Domain-free tools every app may use: errors, clock, locking, counters, rate limits, signals, the
audit facade, env helpers, request boundary checks and web helpers. Imports no domain app."""
