"""The workbench's browser session (``/ui/session``)."""

from __future__ import annotations

from datetime import UTC, datetime

from agentgraph.api.auth import Principal
from agentgraph.api.security import Role
from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["SignIn", "SessionInfo"]


class SignIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"key": "agk_0123456789ab_..."}]}
    )

    key: SecretStr = Field(min_length=1, max_length=512, description="An API key.")


class SessionInfo(BaseModel):
    """Who is signed in, and the token their writes must carry.

    Examples
    --------
    >>> from agentgraph.api.auth import Principal
    >>> info = SessionInfo.of(Principal("0123456789ab", "auditor", "acme"), "t", 0.0)
    >>> info.role, info.expires_at
    ('auditor', '1970-01-01T00:00:00Z')
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key_id": "0123456789ab",
                    "role": "analyst",
                    "tenant": "acme",
                    "csrf_token": "q3J...",
                    "expires_at": "2026-12-02T18:00:00Z",
                }
            ]
        }
    )

    key_id: str
    role: Role
    tenant: str | None
    csrf_token: str = Field(description="Send it in X-CSRF-Token on every write.")
    expires_at: str = Field(description="When the session ends (UTC, ISO 8601).")

    @classmethod
    def of(cls, who: Principal, csrf_token: str, expires_at: float) -> SessionInfo:
        """The answer for a session of ``who``.

        Parameters
        ----------
        who : Principal
            The signed-in key's principal.
        csrf_token : str
            The session's CSRF token.
        expires_at : float
            Unix time the session ends.

        Returns
        -------
        SessionInfo
        """
        end = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return cls(
            key_id=who.key_id,
            role=who.role,
            tenant=who.tenant,
            csrf_token=csrf_token,
            expires_at=end,
        )
