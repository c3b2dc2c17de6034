# pytester runs whole pytest sessions inside a test: for the failed start and for what a
# passing run prints.
pytest_plugins = ["pytester"]
