"""Running a paper's model on this machine: `tracker try`, `tracker doctor`, `tracker trials`.

This package is the only place that imports torch or transformers, and only inside
functions (or in modules that only trial code imports), so that `tracker`, `sync`,
`search` and the TUI start without loading them.

    plan_trial()   resolve the model, pick task/device/dtype, safety and size gates
    load()         fetch the files (safetensors only by default) and build the pipeline
    LoadedModel.run()  inputs -> outputs, batched with dynamic padding
    record_trial() store the trial in the ledger (the `trials` table)
"""
