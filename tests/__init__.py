"""rocketpost's test suite; ``tests.support`` is the infrastructure tests and benchmarks share."""
