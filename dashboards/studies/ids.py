"""Component ids of the sponsor's "My studies" view."""

TABLE = "my-studies"
STUDY = "my-study"
TARGET = "my-target"
FORECAST = "my-forecast"
MESSAGE = "my-message"
