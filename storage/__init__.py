"""The media root: its layout, accounting, retention and (later) serving."""
