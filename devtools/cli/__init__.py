"""The `kinerja` operator CLI: the launcher (run, stack) and commands that talk to a running platform over its
HTTP APIs and Kafka, never to a service's database."""
