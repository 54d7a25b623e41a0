"""Input and output shapes for accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.fields import OneLine


class RegisterForm(BaseModel):
    name: OneLine = Field(min_length=1, max_length=120)
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=10, max_length=200)


class LoginForm(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenCreate(BaseModel):
    name: OneLine = Field(min_length=1, max_length=80)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    is_admin: bool


class CreatorForm(BaseModel):
    """An account an administrator allows to create challenges."""

    email: EmailStr = Field(max_length=254)
