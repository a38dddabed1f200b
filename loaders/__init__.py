"""Loaders: case seizures of every kind into the graph, every row loaded or rejected with a reason."""
