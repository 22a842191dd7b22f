"""Guidance for the street: off-peak charging (错时错峰) and where piles are short."""
