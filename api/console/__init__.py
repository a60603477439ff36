"""The web console (工作台): server-rendered pages over the same services as the JSON API."""
