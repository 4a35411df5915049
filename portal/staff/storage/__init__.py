"""Encrypted object storage for the staff zone: every byte a backend holds is ciphertext."""
