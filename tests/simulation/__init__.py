"""Tests of rocketpost.simulation."""
