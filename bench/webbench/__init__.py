"""The pieces of the web benchmark (``bench/web_bench.py``): servers, sessions and latency, raw SQL,
wrk, and the jobs, import and notice timings."""
