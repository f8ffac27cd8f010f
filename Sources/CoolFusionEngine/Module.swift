// CoolFusionEngine: see DESIGN.md §2. Files are added per type.
