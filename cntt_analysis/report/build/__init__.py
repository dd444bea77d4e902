"""The report build (top layer of ``report``): run the notebooks in kept kernels
(`kernels`), key each document by what it reads (`keys`), reuse what did not change and
publish the year's folder atomically (`publish`); `run` orchestrates it (`cntt report`)."""
