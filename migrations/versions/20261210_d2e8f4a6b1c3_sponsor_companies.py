"""sponsor organisations once: a company across challenges and editions, its
representatives, and each sponsor row its participation in one challenge

Revision ID: d2e8f4a6b1c3
Revises: e7c3a9f1b254
Create Date: 2026-12-10 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2e8f4a6b1c3"
down_revision: str | None = "e7c3a9f1b254"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("sector", sa.String(length=120), nullable=False),
        sa.Column("town", sa.String(length=120), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("offers", sa.String(length=1000), nullable=False),
        sa.Column("logo_key", sa.String(length=64), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institution.id"], name=op.f("fk_company_institution_id_institution")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], name=op.f("fk_company_created_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )
    op.create_index("uq_company_lower_name", "company", [sa.text("lower(name)")], unique=True)
    op.create_table(
        "company_representative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_company_representative_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_company_representative_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_representative")),
        sa.UniqueConstraint(
            "company_id", "user_id", name=op.f("uq_company_representative_company_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_company_representative_company_id"),
        "company_representative",
        ["company_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_company_representative_user_id"), "company_representative", ["user_id"], unique=False
    )
    # Plain ADD COLUMN (no batch): see 7a3c5e9b1d42. SQLite takes a REFERENCES clause on a
    # nullable column added this way.
    name = "fk_sponsor_company_id_company"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE sponsor ADD COLUMN company_id INTEGER"
            f" CONSTRAINT {name} REFERENCES company (id)"
        )
    else:
        op.add_column("sponsor", sa.Column("company_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(name), "sponsor", "company", ["company_id"], ["id"])
    op.create_index(op.f("ix_sponsor_company_id"), "sponsor", ["company_id"], unique=False)
    # The company's own track, proposed by it and accepted by an organiser.
    op.add_column(
        "sponsor", sa.Column("track_name", sa.String(length=120), nullable=False, server_default="")
    )
    op.add_column(
        "sponsor",
        sa.Column("track_description", sa.String(length=1000), nullable=False, server_default=""),
    )
    track_fk = "fk_sponsor_track_id_track"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE sponsor ADD COLUMN track_id INTEGER CONSTRAINT {track_fk} REFERENCES track (id)"
        )
    else:
        op.alter_column("sponsor", "track_name", server_default=None)
        op.alter_column("sponsor", "track_description", server_default=None)
        op.add_column("sponsor", sa.Column("track_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(track_fk), "sponsor", "track", ["track_id"], ["id"])
    _one_company_per_name()
    op.create_index(
        "uq_sponsor_challenge_id_company_id", "sponsor", ["challenge_id", "company_id"], unique=True
    )


def _one_company_per_name() -> None:
    """Every existing sponsor row joins one company per distinct name (whatever its case);
    the company takes the first row's profile, and every representative of its rows."""
    bind = op.get_bind()
    sponsor = sa.table(
        "sponsor",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("website", sa.String),
        sa.column("description", sa.String),
        sa.column("institution_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("company_id", sa.Integer),
    )
    company = sa.table(
        "company",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("sector", sa.String),
        sa.column("town", sa.String),
        sa.column("website", sa.String),
        sa.column("description", sa.String),
        sa.column("offers", sa.String),
        sa.column("institution_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(
            sponsor.c.id,
            sponsor.c.name,
            sponsor.c.website,
            sponsor.c.description,
            sponsor.c.institution_id,
            sponsor.c.created_at,
        ).order_by(sponsor.c.id)
    ).all()
    companies: dict[str, int] = {}
    for sponsor_id, name, website, description, institution_id, created_at in rows:
        key = name.strip().lower()
        if key not in companies:
            inserted = bind.execute(
                company.insert()
                .values(
                    name=name.strip(),
                    sector="",
                    town="",
                    website=website,
                    description=description,
                    offers="",
                    institution_id=institution_id,
                    created_at=created_at,
                    updated_at=created_at,
                )
                .returning(company.c.id)
            )
            companies[key] = inserted.scalar_one()
        bind.execute(
            sponsor.update().where(sponsor.c.id == sponsor_id).values(company_id=companies[key])
        )
    op.execute(
        "INSERT INTO company_representative (company_id, user_id, created_at)"
        " SELECT s.company_id, r.user_id, min(s.created_at) FROM sponsor_representative r"
        " JOIN sponsor s ON s.id = r.sponsor_id GROUP BY s.company_id, r.user_id"
    )

def downgrade() -> None:
    op.drop_index("uq_sponsor_challenge_id_company_id", table_name="sponsor")
    op.drop_index(op.f("ix_sponsor_company_id"), table_name="sponsor")
    # SQLite (3.35+) drops a column in place, its reference with it.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_sponsor_track_id_track"), "sponsor", type_="foreignkey")
        op.drop_constraint(op.f("fk_sponsor_company_id_company"), "sponsor", type_="foreignkey")
    for column in ("track_id", "track_description", "track_name", "company_id"):
        op.drop_column("sponsor", column)
    op.drop_index(
        op.f("ix_company_representative_user_id"), table_name="company_representative"
    )
    op.drop_index(
        op.f("ix_company_representative_company_id"), table_name="company_representative"
    )
    op.drop_table("company_representative")
    op.drop_index("uq_company_lower_name", table_name="company")
    op.drop_table("company")
