"""Kinerja's shared package: event contracts and the building blocks every service uses."""
