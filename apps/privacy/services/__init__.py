"""Personal data protection: retention and purge (purge.py)."""
