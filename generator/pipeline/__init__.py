"""Running the simulation into files: one shard's people and resources, the worker that writes a shard's
parts, the assembly of parts into the dataset, the engines that run shards, the destinations
(directories, fsspec URLs) they are written to, and `advance`, which replays a dataset to extend it."""
