"""How reports run: parameters, the warm-kernel engine, the batch and its run folder (run.json, the
data manifest, index and summary), and verify. Runs only schedule, record and check; what a page
shows comes from ucj.presentation."""
