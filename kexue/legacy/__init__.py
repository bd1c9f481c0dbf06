"""The earlier mirror: its import, the repairs of what its conversion damaged, its notes
anchored."""
