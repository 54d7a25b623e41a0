"""Input and output shapes for accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.fields import Email, OneLine

PASSWORD = Field(min_length=10, max_length=200)


class RegisterForm(BaseModel):
    name: OneLine = Field(min_length=1, max_length=120)
    email: Email = Field(max_length=254)
    password: str = PASSWORD


class LoginForm(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class LoginCodeForm(BaseModel):
    """The second step of a login with two-factor (the first one's ticket is a cookie)."""

    code: str = Field(min_length=1, max_length=20)


class TokenCreate(BaseModel):
    name: OneLine = Field(min_length=1, max_length=80)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = PASSWORD


class ResetRequest(BaseModel):
    email: Email = Field(max_length=254)


class PasswordReset(BaseModel):
    """The new password; the link's token is in the path the form posts to."""

    password: str = PASSWORD


class TwoFactorEnrol(BaseModel):
    """The code the app shows for the secret of the QR code (kept on the server meanwhile)."""

    code: str = Field(min_length=1, max_length=20)


class TwoFactorDisable(BaseModel):
    password: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=20)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    is_admin: bool


class CreatorForm(BaseModel):
    """An account an administrator allows to create challenges."""

    email: Email = Field(max_length=254)
