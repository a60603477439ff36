"""案件检索 (issue 18, "Finding a case"): one search box finds a case by its number (whole or its
tail), a party's name (whole or part), a phone's or ID number's shown digits, a whole phone or
ID number (readers who may reveal personal data), the title and the description; ranked number,
party, title, description, newest first within each; each hit on personal data recorded.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from sqlalchemy import select

from activities.store.tables import AccessTrailRow
from api.services.cases import SEARCH_ENDPOINT
from tests.api.helpers import create_case
from tests.conftest import Stack

# Uncommon characters: names and words made of them belong to this test's cases alone.
_RARE = (
    "鼋鼍鳜鲥蘅芷茝蕙蘼芜荪苕蓼荇藻蘩鹈鹕鸬鹚鸊鷉鹡鸰蟋蟀蜉蝣蝤蛴螓蛾䴔䴖蚍蜉蛱蝶鸂鶒鹧鸪"
    "薜荔菡萏芣苢葳蕤旖旎"
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


_RARE = "".join(dict.fromkeys(_RARE))


def _ours(found: list[str], *cases: dict[str, Any]) -> list[str]:
    """``found`` narrowed to ``cases`` (another test may have drawn the same rare word)."""
    ids = {case["case_id"] for case in cases}
    return [case_id for case_id in found if case_id in ids]


def _word(length: int) -> str:
    """Distinct uncommon characters (so the word read backwards is another word)."""
    return "".join(secrets.SystemRandom().sample(_RARE, length))


def _phone() -> str:
    return f"139{secrets.randbelow(10**8):08d}"


def _id_number() -> str:
    body = f"320102199{secrets.randbelow(10):01d}0101{secrets.randbelow(1000):03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


async def _search(client: httpx.AsyncClient, q: str) -> list[dict[str, Any]]:
    response = await client.get("/v1/cases", params={"q": q, "limit": 200})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _ids(client: httpx.AsyncClient, q: str) -> list[str]:
    return [item["case_id"] for item in await _search(client, q)]


async def _trail(stack: Stack, case_id: str) -> list[AccessTrailRow]:
    async with stack.sessionmaker() as session:
        return list(
            await session.scalars(
                select(AccessTrailRow)
                .where(AccessTrailRow.case_id == case_id)
                .where(AccessTrailRow.endpoint == SEARCH_ENDPOINT)
                .order_by(AccessTrailRow.id)
            )
        )


async def test_a_case_is_found_by_its_number_whole_or_its_tail(api: httpx.AsyncClient) -> None:
    case = await create_case(api)
    number = case["case_id"]  # JF-2026-000123
    tail = number.rsplit("-", 1)[1]
    assert (await _ids(api, number))[0] == number
    assert number in await _ids(api, tail)
    assert number in await _ids(api, number.lower().replace("-", ""))
    assert number in await _ids(api, number.split("-", 1)[1])  # 2026-000123


async def test_a_party_is_found_by_name_whole_or_part_and_the_search_is_recorded(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    surname, given = _word(1), _word(2)
    name = surname + given
    case = await create_case(api, applicants=[{"name": name, "phone": _phone()}])
    case_id = case["case_id"]
    for q in (name, surname + given[0], given, surname):
        assert case_id in await _ids(api, q), q
    [line] = [item for item in await _search(api, name) if item["case_id"] == case_id]
    assert line["hit"].startswith(f"申请人：{name}，139****")
    recorded = await _trail(stack, case_id)
    assert recorded
    assert recorded[0].principal_id == "wangfang"
    assert recorded[0].fields == ["party_name"]
    # A leader too finds a party by name (names are not masked); the search is recorded.
    assert case_id in await _ids(clients["county_leader"], name)
    assert any(row.principal_id == "zhoujun" for row in await _trail(stack, case_id))


async def test_a_phone_is_found_by_its_shown_digits_and_whole_only_by_who_may_reveal(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    phone = _phone()
    case = await create_case(api, respondents=[{"name": "李娜", "phone": phone}])
    case_id = case["case_id"]
    leader = clients["county_leader"]

    found = await _search(api, phone[-4:])
    [line] = [item for item in found if item["case_id"] == case_id]
    assert line["hit"] == f"被申请人：李娜，{phone[:3]}****{phone[-4:]}"
    assert phone not in str(found)  # hits stay masked
    assert case_id in await _ids(leader, phone[-4:])
    assert case_id in await _ids(leader, f"{phone[:3]}****{phone[-4:]}")

    # The whole number: the mediator (may reveal) finds it, in any usual writing; the leader
    # (may not) does not, nor by the hidden middle digits.
    for q in (phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86 {phone}"):
        assert case_id in await _ids(api, q), q
    assert case_id not in await _ids(leader, phone)
    assert case_id not in await _ids(leader, phone[3:7])
    mediator_rows = [row for row in await _trail(stack, case_id) if row.principal_id == "wangfang"]
    assert mediator_rows
    assert all(row.fields == ["phone"] for row in mediator_rows)


async def test_an_id_number_is_found_whole_by_who_may_reveal_and_by_its_shown_digits(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    id_number = _id_number()
    applicant = {"name": "张伟", "id_number": id_number}
    case = await create_case(api, applicants=[applicant])
    case_id = case["case_id"]
    assert case_id in await _ids(api, id_number)
    assert case_id in await _ids(api, id_number.lower())
    assert case_id in await _ids(clients["county_leader"], id_number[-4:])
    assert case_id not in await _ids(clients["county_leader"], id_number)
    assert case_id not in await _ids(clients["county_leader"], id_number[6:14])  # birth date
    assert any(row.fields == ["id_number"] for row in await _trail(stack, case_id))


async def test_two_character_words_are_found_in_title_and_description_unrecorded(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    word = _word(2)
    in_title = await create_case(api, title=f"承包{word}纠纷")
    in_description = await create_case(api, description=f"双方因{word}放水发生争执，请求调解。")
    found = await _ids(api, word)
    assert _ours(found, in_title, in_description) == [
        in_title["case_id"],
        in_description["case_id"],
    ]
    found_items = await _search(api, word)
    [line] = [item for item in found_items if item["case_id"] == in_description["case_id"]]
    assert word in line["hit"]
    # Not a word of either: the pairs must all be there.
    assert _ours(await _ids(api, word[::-1] + "纠纷"), in_title, in_description) == []
    assert await _trail(stack, in_title["case_id"]) == []


async def test_hits_are_ranked_number_party_title_description_newest_first(
    api: httpx.AsyncClient,
) -> None:
    word = _word(2)
    in_description = await create_case(api, description=f"涉及{word}一事")
    older_title = await create_case(api, title=f"{word}纠纷（一）")
    newer_title = await create_case(api, title=f"{word}纠纷（二）")
    party = await create_case(api, applicants=[{"name": "周" + word, "phone": _phone()}])
    newest_description = await create_case(api, description=f"又涉及{word}")
    made = (in_description, older_title, newer_title, party, newest_description)
    assert _ours(await _ids(api, word), *made) == [
        party["case_id"],
        newer_title["case_id"],
        older_title["case_id"],
        newest_description["case_id"],
        in_description["case_id"],
    ]
    # The exact number first, then a case whose description quotes it.
    number = in_description["case_id"]
    quoting = await create_case(api, description=f"与{number}系同一纠纷")
    assert (await _ids(api, number))[:2] == [number, quoting["case_id"]]


async def test_pages_of_a_search_follow_the_ranks(api: httpx.AsyncClient) -> None:
    word = _word(2)
    made = [await create_case(api, description=f"{word}之事") for _ in range(2)]
    made.append(await create_case(api, title=f"{word}纠纷"))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {
            "q": word,
            "limit": 1,
            **({"cursor": cursor} if cursor else {}),
        }
        page = (await api.get("/v1/cases", params=params)).json()
        seen.extend(item["case_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert _ours(seen, *made) == [made[2]["case_id"], made[1]["case_id"], made[0]["case_id"]]


async def test_another_organisations_mediator_finds_nothing_of_ours_not_even_a_count(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    name = _word(3)
    phone = _phone()
    case = await create_case(api, applicants=[{"name": name, "phone": phone}])
    other = clients["other_mediator"]
    for q in (name, phone, case["case_id"]):
        response = await other.get("/v1/cases", params={"q": q, "limit": 200})
        assert response.status_code == 200, response.text
        # Nothing, and no number of matches anywhere in the answer.
        assert response.json() == {"items": [], "next_cursor": None}, q
    assert case["case_id"] not in await _ids(other, phone[-4:])
    assert await _trail(stack, case["case_id"]) == []
    assert await _ids(api, name) == [case["case_id"]]


async def test_a_query_of_nothing_searchable_finds_nothing(api: httpx.AsyncClient) -> None:
    await create_case(api)
    assert await _ids(api, "%") == []
    assert await _ids(api, "—") == []


async def test_a_third_party_and_a_groups_representative_are_found_by_name(
    api: httpx.AsyncClient,
) -> None:
    representative, third = _word(3), _word(3)
    group = {
        "name": "某公司员工",
        "headcount": 12,
        "representatives": [{"name": representative, "phone": _phone()}],
    }
    case = await create_case(
        api, applicants=[group], third_parties=[{"name": third, "phone": _phone()}]
    )
    found = {item["case_id"]: item for item in await _search(api, representative)}
    assert found[case["case_id"]]["hit"].startswith(f"代表人：{representative}，139****")
    found = {item["case_id"]: item for item in await _search(api, third)}
    assert found[case["case_id"]]["hit"].startswith(f"第三人：{third}，139****")


async def test_four_digits_find_the_phone_ending_in_them_before_case_numbers_that_do(
    api: httpx.AsyncClient,
) -> None:
    numbered = await create_case(api)
    digits = numbered["case_id"][-4:]
    phoned = await create_case(
        api, applicants=[{"name": "张伟", "phone": f"139{secrets.randbelow(10**4):04d}{digits}"}]
    )
    found = await _ids(api, digits)
    assert found.index(phoned["case_id"]) < found.index(numbered["case_id"])
