"""Building blocks for signing in: passwords, second factor, throttles, secrets at rest."""
