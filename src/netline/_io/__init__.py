"""Private implementation of the strict input layer; use :mod:`netline._inputs`."""
