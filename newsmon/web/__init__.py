"""The analysts' workbench: server-rendered pages and a JSON API over the store (`newsmon serve`)."""
