"""the organisation registry: jurisdictions, organisations, mediators; center_id a reference

Jurisdictions (行政区划与网格) down to grids, organisations (单位) and the roster (调解员名册).
``users.grid_code`` records a grid worker's grid.

``center_id`` becomes a real reference. Every distinct center id named by a user or a case that
has no organisation yet gets one (type center, name = the id, placed at the broadest area of the
users who name it, else at the county of its cases), then ``users.center_id`` and
``cases.center_id`` reference ``organisations.org_id``.

SQLite rebuilds a table to add a foreign key (batch mode). Rebuilding ``users`` drops the old
table, which with foreign keys enforced is refused while ``api_keys`` rows point at it: those rows
are set aside in a temporary table for the rebuild and put back unchanged.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")
_LEVELS = {6: "county", 9: "town", 12: "village"}


def upgrade() -> None:
    op.create_table(
        "jurisdictions",
        sa.Column("code", sa.String(15), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column(
            "parent_code",
            sa.String(15),
            sa.ForeignKey("jurisdictions.code", name="fk_jurisdictions_parent"),
            nullable=True,
        ),
    )
    op.create_index("ix_jurisdictions_parent_code", "jurisdictions", ["parent_code"])
    op.create_table(
        "organisations",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column(
            "parent_id",
            sa.String(64),
            sa.ForeignKey("organisations.org_id", name="fk_organisations_parent"),
            nullable=True,
        ),
        sa.Column("categories", JsonDocument, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_organisations_jurisdiction_code", "organisations", ["jurisdiction_code"])
    op.create_index("ix_organisations_parent_id", "organisations", ["parent_id"])
    op.create_table(
        "roster_mediators",
        sa.Column("mediator_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column(
            "org_id",
            sa.String(64),
            sa.ForeignKey("organisations.org_id", name="fk_roster_mediators_org"),
            nullable=False,
        ),
        sa.Column("specialties", JsonDocument, nullable=False),
        sa.Column("employment", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_roster_mediators_org_id", "roster_mediators", ["org_id"])
    _register_existing_centers()
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _set_aside_api_keys()
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("grid_code", sa.String(15), nullable=True))
        batch.create_foreign_key(
            "fk_users_center_organisation", "organisations", ["center_id"], ["org_id"]
        )
    if sqlite:
        _put_back_api_keys()
    with op.batch_alter_table("cases") as batch:
        batch.create_foreign_key(
            "fk_cases_center_organisation", "organisations", ["center_id"], ["org_id"]
        )


def _register_existing_centers() -> None:
    """An organisation row (type center) for each center id in use that has none."""
    bind = op.get_bind()
    areas: dict[str, list[str]] = {}
    for center_id, code in bind.execute(
        sa.text("SELECT center_id, jurisdiction_code FROM users WHERE center_id IS NOT NULL")
    ):
        areas.setdefault(center_id, []).extend([code] if code else [])
    for center_id, code in bind.execute(
        sa.text(
            "SELECT center_id, MIN(jurisdiction_code) FROM cases "
            "WHERE center_id IS NOT NULL GROUP BY center_id"
        )
    ):
        if not areas.get(center_id):  # no user names an area for it: its cases' county
            areas[center_id] = [code[:6]] if code else []
    known = {row[0] for row in bind.execute(sa.text("SELECT org_id FROM organisations"))}
    organisations = sa.table(
        "organisations",
        sa.column("org_id", sa.String),
        sa.column("name", sa.String),
        sa.column("type", sa.String),
        sa.column("level", sa.String),
        sa.column("jurisdiction_code", sa.String),
        sa.column("categories", JsonDocument),
        sa.column("active", sa.Boolean),
    )
    rows = []
    for center_id in sorted(areas.keys() - known):
        # The broadest area its users work in (a county center's staff may work in a town).
        codes = sorted(areas[center_id], key=lambda code: (len(code), code))
        code = codes[0] if codes else "000000"
        rows.append(
            {
                "org_id": center_id,
                "name": center_id,
                "type": "center",
                "level": _LEVELS.get(len(code), "county"),
                "jurisdiction_code": code,
                "categories": [],
                "active": True,
            }
        )
    if rows:
        op.bulk_insert(organisations, rows)


def _set_aside_api_keys() -> None:
    op.execute("CREATE TEMPORARY TABLE _api_keys_aside AS SELECT * FROM api_keys")
    op.execute("DELETE FROM api_keys")


def _put_back_api_keys() -> None:
    op.execute("INSERT INTO api_keys SELECT * FROM _api_keys_aside")
    op.execute("DROP TABLE _api_keys_aside")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_center_organisation", type_="foreignkey")
    if sqlite:
        _set_aside_api_keys()
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_center_organisation", type_="foreignkey")
        batch.drop_column("grid_code")
    if sqlite:
        _put_back_api_keys()
    op.drop_index("ix_roster_mediators_org_id", table_name="roster_mediators")
    op.drop_table("roster_mediators")
    op.drop_index("ix_organisations_parent_id", table_name="organisations")
    op.drop_index("ix_organisations_jurisdiction_code", table_name="organisations")
    op.drop_table("organisations")
    op.drop_index("ix_jurisdictions_parent_code", table_name="jurisdictions")
    op.drop_table("jurisdictions")
