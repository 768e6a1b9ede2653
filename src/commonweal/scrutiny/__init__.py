"""Scrutiny: is an area below the national floor, is the difference chance, and does it follow deprivation?"""
