"""`tracker verify`: measure a model on the benchmark its card cites, beside the claim.

Imported only by the verify command (like tracker.trial): pyarrow and huggingface_hub's
file system load inside these modules, never on a start-up path.
"""
