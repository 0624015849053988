"""Loading: finds files, parses them into Documents and maps JSON pointers back to exact source positions."""
