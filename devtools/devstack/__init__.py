"""The embedded local stack: broker, database and services as child processes, no Docker."""
