"""Tests of rocketpost.orders."""
