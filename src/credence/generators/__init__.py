"""Data generators (not part of scoring): realistic simulated populations as provider files, and a bulk
synthetic event load written straight into a store.

    simulate   credence.generators.simulate    people, businesses and their providers' events as files,
                                               with learnable outcomes (``credence simulate``, the demo)
    synthetic  credence.generators.synthetic   N events in DuckDB SQL for conformance tests and benchmarks
"""
