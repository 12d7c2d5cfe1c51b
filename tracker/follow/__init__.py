"""Following what matters: watchlists, the digest, recommendations and the hot sort.

watchlists  what the user follows (config.toml [watch] + `tracker watch add`)
digest      what changed since the last digest, rendered as text, Markdown or JSON
corpus      the pool recommendations learn from: marks, labels, candidates, explained items
recommend   "more like my starred papers" per tag: tf-idf + a linear model, explained
semantic    the optional embedding mode (torch only inside its functions)
hot         a popularity sort mixing Hub upvotes, model downloads and recency
"""
