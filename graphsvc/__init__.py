"""pochuan's graph service: the store, the cypher/ library and the analytics built on them."""
