"""The demo campaign: the synthetic-campaign generator and `quartier load_demo`.

It sits above every domain app (it may import any of them); no domain app imports it. The benchmarks in
`bench/` load their data with its generator.
"""
