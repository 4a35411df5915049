"""The portal checking itself: the exposure probe, storage posture, audit chain and zone separation."""
