"""The media root: its layout, accounting and (later) retention and serving."""
