"""Development tooling: the embedded stack and launcher (`kinerja run`), the demo, document generators.

Never imported by the services and not in their image: `shared/` is what services need at run time.
"""
