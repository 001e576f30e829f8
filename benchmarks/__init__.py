"""Performance benchmarks. Not imported by the application; see benchmarks/README.md."""
