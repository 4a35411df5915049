"""The one piece of cryptography the public zone holds: sealing to the staff key."""
