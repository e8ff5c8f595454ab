"""ID numbers are masked wherever the roster is shown: first six and last four kept."""

from __future__ import annotations

import polars as pl

from junheng.roster.demo import demo_roster
from junheng.roster.privacy import mask_id, masked_roster


def test_mask_keeps_the_first_six_and_last_four() -> None:
    assert mask_id("11010519800101123X") == "110105********123X"
    assert mask_id(" 11010519800101123X ") == "110105********123X"
    # 11 characters: 6 + 1 hidden + 4; 10 or fewer cannot keep both ends and are hidden whole.
    assert mask_id("12345678901") == "123456*8901"
    assert mask_id("1234567890") == "**********"
    assert mask_id(None) == ""
    assert mask_id("") == ""


def test_masked_roster_equals_mask_id_and_never_shows_a_full_number() -> None:
    teachers = demo_roster().teachers
    numbers = teachers.get_column("id_number").to_list()
    masked = masked_roster(teachers)
    assert masked.get_column("id_number").to_list() == [mask_id(n) for n in numbers]
    # Scan everything the masked frame would print or export.
    text = masked.write_csv() + str(masked) + masked.write_json()
    assert not [n for n in numbers if n in text]
    assert masked.drop("id_number").equals(teachers.drop("id_number"))


def test_frames_without_numbers_pass_through() -> None:
    frame = pl.DataFrame({"teacher_id": ["T1"]})
    assert masked_roster(frame).equals(frame)


def test_id_like_numbers_are_masked_inside_any_text() -> None:
    from junheng.roster.privacy import scrub_ids

    assert scrub_ids("值“11010519800101123X”不是") == "值“110105********123X”不是"
    # A 15-digit first-generation number: 110105 | 80010 (5 hidden) | 1123; shorter or longer
    # digit runs are left alone.
    assert scrub_ids("号码110105800101123") == "号码110105*****1123"
    assert scrub_ids("12345678901234") == "12345678901234"
    assert scrub_ids("1234567890123456789") == "1234567890123456789"
