"""Security helpers shared by every layer: encryption of secrets at rest."""
