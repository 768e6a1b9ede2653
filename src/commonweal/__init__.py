"""Commonweal: national minimum standards, local decisions."""
