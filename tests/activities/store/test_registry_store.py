"""The registry in the store (PostgreSQL and SQLite): loading a file, organisations, the roster."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import principals
from activities.policy.routing import DEMO_REGISTRY, load_registry_file
from activities.store import registry as store
from domain.organisation.organisations import OrgLevel, OrgType
from domain.organisation.registry import (
    Employment,
    JurisdictionNode,
    Organisation,
    Registry,
    RegistryError,
    RosterMediator,
)
from domain.people.access import Principal, Role
from domain.values import Category

Sessionmaker = async_sessionmaker[AsyncSession]


def _county(code: str) -> Registry:
    """A county ``code`` with one town and its village, a center at each of the three."""
    town, village = f"{code}001", f"{code}001001"
    return Registry(
        jurisdictions=(
            JurisdictionNode(code=code, name="测试县", level="county"),
            JurisdictionNode(code=town, name="测试镇", level="town", parent_code=code),
            JurisdictionNode(code=village, name="测试村", level="village", parent_code=town),
        ),
        organisations=(  # children first: the loader puts parents first
            Organisation(
                org_id=f"v-{code}",
                name="测试村人民调解委员会",
                type=OrgType.MEDIATION_COMMITTEE,
                level=OrgLevel.VILLAGE,
                jurisdiction_code=village,
                parent_id=f"t-{code}",
            ),
            Organisation(
                org_id=f"t-{code}",
                name="测试镇综治中心",
                type=OrgType.CENTER,
                level=OrgLevel.TOWN,
                jurisdiction_code=town,
                parent_id=f"c-{code}",
            ),
            Organisation(
                org_id=f"c-{code}",
                name="测试县矛调中心",
                type=OrgType.CENTER,
                level=OrgLevel.COUNTY,
                jurisdiction_code=code,
            ),
        ),  # fmt: skip
    )


async def test_loading_the_demo_county_twice_changes_nothing_the_second_time(
    sessionmaker: Sessionmaker,
) -> None:
    demo = load_registry_file(DEMO_REGISTRY)
    async with sessionmaker.begin() as session:
        first = await store.load_registry(demo, session=session)
    async with sessionmaker.begin() as session:
        second = await store.load_registry(demo, session=session)
    total = len(demo.jurisdictions) + len(demo.organisations) + len(demo.mediators)
    assert (first.jurisdictions, first.organisations, first.mediators) == (
        len(demo.jurisdictions),
        len(demo.organisations),
        len(demo.mediators),
    )
    assert (second.jurisdictions, second.organisations, second.mediators) == (0, 0, 0)
    assert second.unchanged == total

    async with sessionmaker() as session:
        assert await store.get_organisation("xw-labour-room", session=session) == (
            demo.organisation("xw-labour-room")
        )
        parent = await store.parent_of("xw-cjl-committee", session=session)
        assert parent is not None
        assert parent.name == "梅园新村街道综治中心"
        assert await store.parent_of("xw-center", session=session) is None
        above = await store.ancestors("320102001001001", session=session)
        assert [(n.code, n.name) for n in above] == [
            ("320102001001", "长江路社区"),
            ("320102001", "梅园新村街道"),
            ("320102", "玄武区"),
        ]
        names = await store.jurisdiction_names(["320102002", "999999"], session=session)
        assert names == {"320102002": "孝陵卫街道"}
        covering = await store.list_organisations(covering="320102002002", session=session)
        assert {o.org_id for o in covering} >= {"xw-zl-committee", "xw-xlw-center", "xw-center"}
        assert not {"xw-myxc-center", "xw-cjl-committee"} & {o.org_id for o in covering}
        roster = await store.list_mediators(org_id="xw-labour-room", session=session)
        assert {m.employment for m in roster} == {Employment.FULL_TIME, Employment.PART_TIME}
        assert all(Category.LABOUR in m.specialties for m in roster)


async def test_a_changed_file_updates_what_changed(sessionmaker: Sessionmaker) -> None:
    county = _county("410101")
    async with sessionmaker.begin() as session:
        await store.load_registry(county, session=session)
    renamed = county.model_copy(
        update={
            "organisations": (
                *county.organisations[:2],
                county.organisations[2].model_copy(update={"name": "测试县社会治理中心"}),
            )
        }
    )
    async with sessionmaker.begin() as session:
        summary = await store.load_registry(renamed, session=session)
    assert (summary.organisations, summary.unchanged) == (1, 5)
    async with sessionmaker() as session:
        found = await store.get_organisation("c-410101", session=session)
    assert found is not None
    assert found.name == "测试县社会治理中心"


async def test_an_organisation_is_refused_where_its_entry_does_not_fit(
    sessionmaker: Sessionmaker,
) -> None:
    async with sessionmaker.begin() as session:
        await store.load_registry(_county("420101"), session=session)

    def town_unit(**changes: object) -> Organisation:
        fields: dict[str, object] = {
            "org_id": "police-420101", "name": "测试派出所调解室", "type": OrgType.POLICE_ROOM,
            "level": OrgLevel.TOWN, "jurisdiction_code": "420101001", "parent_id": "t-420101",
        }  # fmt: skip
        return Organisation.model_validate(fields | changes)

    for bad, field in [
        (town_unit(parent_id="nobody"), "parent_id"),
        (town_unit(jurisdiction_code="420101002"), "jurisdiction_code"),  # not in the registry
        (town_unit(parent_id="v-420101"), "jurisdiction_code"),  # a town unit under a village's
    ]:
        with pytest.raises(RegistryError) as refused:
            async with sessionmaker.begin() as session:
                await store.create_organisation(bad, session=session)
        assert refused.value.field == field
    async with sessionmaker.begin() as session:
        await store.create_organisation(town_unit(), session=session)
    with pytest.raises(store.DuplicateEntry):
        async with sessionmaker.begin() as session:
            await store.create_organisation(town_unit(), session=session)


async def test_an_update_keeps_the_tree_a_tree(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        await store.load_registry(_county("430101"), session=session)
        county = await store.get_organisation("c-430101", session=session)
        town = await store.get_organisation("t-430101", session=session)
    assert county is not None
    assert town is not None
    with pytest.raises(RegistryError) as cycle:
        async with sessionmaker.begin() as session:
            # The county center under its own town's center: the town is not the county's area.
            await store.update_organisation(
                county.model_copy(update={"parent_id": "t-430101"}), session=session
            )
    assert cycle.value.field == "jurisdiction_code"
    other_village = JurisdictionNode(
        code="430101001002", name="另一村", level="village", parent_code="430101001"
    )
    async with sessionmaker.begin() as session:
        await store.load_registry(
            _county("430101").model_copy(update={"jurisdictions": (
                *_county("430101").jurisdictions, other_village
            )}),
            session=session,
        )  # fmt: skip
    # Moving the town center to another village would leave its village unit outside.
    moved = Organisation.model_validate(
        town.model_dump() | {"jurisdiction_code": "430101001002", "level": "village"}
    )
    with pytest.raises(RegistryError) as orphans:
        async with sessionmaker.begin() as session:
            await store.update_organisation(moved, session=session)
    assert orphans.value.field == "jurisdiction_code"
    async with sessionmaker.begin() as session:
        await store.deactivate_organisation("v-430101", session=session)
    async with sessionmaker() as session:
        active = await store.list_organisations(within="430101", active=True, session=session)
    assert [o.org_id for o in active] == ["c-430101", "t-430101"]
    with pytest.raises(store.UnknownEntry):
        async with sessionmaker.begin() as session:
            await store.deactivate_organisation("nobody", session=session)


async def test_the_roster_belongs_to_known_organisations(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        await store.load_registry(_county("440101"), session=session)
    mediator = RosterMediator(
        mediator_id="m-440101", name="李调解", org_id="t-440101",
        specialties=(Category.NEIGHBOURHOOD,), employment=Employment.FULL_TIME,
    )  # fmt: skip
    with pytest.raises(RegistryError) as unknown:
        async with sessionmaker.begin() as session:
            await store.create_mediator(
                mediator.model_copy(update={"org_id": "nobody"}), session=session
            )
    assert unknown.value.field == "org_id"
    async with sessionmaker.begin() as session:
        await store.create_mediator(mediator, session=session)
    with pytest.raises(store.DuplicateEntry):
        async with sessionmaker.begin() as session:
            await store.create_mediator(mediator, session=session)
    part_time = mediator.model_copy(
        update={"employment": Employment.PART_TIME, "specialties": (Category.LABOUR,)}
    )
    async with sessionmaker.begin() as session:
        await store.update_mediator(part_time, session=session)
    async with sessionmaker() as session:
        assert await store.list_mediators(org_id="t-440101", session=session) == [part_time]


async def test_a_user_belongs_to_a_registered_organisation(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        await store.load_registry(_county("450101"), session=session)
    user = Principal(
        user_id="u-450101", display_name="王芳", role=Role.MEDIATOR,
        jurisdiction="450101", center_id="no-such-center",
    )  # fmt: skip
    with pytest.raises(principals.DirectoryError, match="no-such-center"):
        async with sessionmaker.begin() as session:
            await principals.create_user(user, session=session)
    async with sessionmaker.begin() as session:
        await principals.create_user(
            user.model_copy(update={"center_id": "c-450101"}), session=session
        )
