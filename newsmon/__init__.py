"""newsmon: find, extract, tag and deliver news on international AI governance."""

__version__ = "0.1.0"


def user_agent(contact: str, tool: str | None = None) -> str:
    """How newsmon introduces itself to web servers, with a way for their owners to reach the operator."""
    return f"newsmon/{__version__} (+{contact}{'; ' + tool if tool else ''})"
