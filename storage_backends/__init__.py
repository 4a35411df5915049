"""Where file bytes live: plain byte movers behind one small interface (local disk, MinIO/S3)."""
