"""Copy detection on texts written for these tests: normalisation, shingles, signatures, the index."""
from __future__ import annotations

import numpy as np
import pytest

from newsmon.dedup import (
    CopyIndex,
    DedupSettings,
    Signature,
    Signer,
    is_copy,
    normalise,
    shingle_hashes,
    shingles,
    text_change,
)

# Three different articles on one event: they share names, numbers and much vocabulary.
WIRE = (
    "The United Nations General Assembly on Thursday adopted by consensus a resolution that sets up "
    "an independent international scientific panel on artificial intelligence and a global dialogue "
    "on AI governance, the first body of its kind within the world organisation.\n\n"
    "The panel of forty experts will publish an annual report on the risks and opportunities of the "
    "technology, drawing on the work of national research institutes and academies of science. "
    "Diplomats said the text had been negotiated for five months by co-facilitators from Spain and "
    "Costa Rica, who held more than twenty rounds of informal consultations in New York.\n\n"
    "Several delegations said they would have preferred stronger language on military applications, "
    "which the resolution leaves to other forums such as the Convention on Certain Conventional "
    "Weapons in Geneva. Others welcomed a paragraph on capacity building for developing countries "
    "and asked donors to contribute to a voluntary fund.\n\n"
    "The global dialogue will meet for the first time in Geneva next July alongside the AI for Good "
    "summit and then in New York the following year, the resolution says."
)
ANALYSIS = (
    "What the new UN scientific panel on artificial intelligence can and cannot do. The General "
    "Assembly's decision on Thursday to create an independent international panel and a global "
    "dialogue on AI governance was hailed as a breakthrough, but experts warn that forty scientists "
    "writing an annual report will struggle to keep pace with the technology.\n\n"
    "Unlike the climate panel, the new body has no mandate to assess policy options, and its budget "
    "depends on voluntary contributions. Developing countries pushed for capacity building, while "
    "military uses of AI were left to the talks on lethal autonomous weapons in Geneva.\n\n"
    "Much will depend on who is appointed and on whether governments attend the global dialogue, "
    "which opens in Geneva in July during the AI for Good summit."
)
REACTION = (
    "Civil society groups on Friday gave a mixed welcome to the General Assembly resolution on an "
    "international scientific panel on artificial intelligence. Human rights organisations said the "
    "text mentions human rights only once and does not address surveillance or discrimination, "
    "while industry associations praised the consensus and the focus on scientific evidence.\n\n"
    "A coalition of African research networks said capacity building for developing countries must "
    "come with money, noting that the voluntary fund has no target. The Campaign to Stop Killer "
    "Robots regretted that military applications of AI were excluded from the panel's mandate and "
    "urged states to negotiate a treaty on autonomous weapons in Geneva."
)
ZH_WIRE = (
    "联合国大会星期四以协商一致方式通过决议，设立人工智能问题独立国际科学小组和人工智能治理全球对话，"
    "这是联合国内首个此类机构。该小组由四十名专家组成，将每年发表一份关于人工智能风险与机遇的报告。"
    "外交官说，决议案文由西班牙和哥斯达黎加的共同主持人历时五个月谈判达成，在纽约举行了二十多轮非正式磋商。"
    "一些代表团表示希望在军事应用方面使用更有力的措辞，另一些代表团则欢迎关于发展中国家能力建设的段落。"
)
ZH_OTHER = (
    "多个民间社会团体星期五对联合国大会关于设立人工智能问题独立国际科学小组的决议表示有保留的欢迎。"
    "人权组织说，决议仅一次提及人权，没有涉及监控和歧视问题；行业协会则赞扬各方达成协商一致。"
    "非洲研究网络联盟说，发展中国家的能力建设必须有资金支持，自愿基金没有设定目标。"
)


def edited_copy(text: str) -> str:
    """The same article on another site: new headline, byline, boilerplate, a paragraph cut, typography."""
    paragraphs = text.split("\n\n")
    del paragraphs[2]
    body = "\n\n".join(paragraphs).replace("'", "\u2019").replace(", ", ",  ")
    return (
        "UN creates AI science panel after months of talks\nBy Staff Reporter | 12 September 2026\n"
        + body
        + "\nShare this article. Sign up for our newsletter. \u00a9 2026 Example Times. All rights reserved."
    )


def test_normalise_unifies_unicode_case_quotes_dashes_and_spaces():
    assert normalise("  \u201cAI\u201d \u2014 the \u2018Panel\u2019\u00a0\n\tＵＮ ﬁnal ") == "\"ai\" - the 'panel' un final"
    assert normalise("inter\u00adnational") == "international"


def test_word_shingles_ignore_punctuation_and_spacing():
    assert shingles("The UN, on Thursday -- adopted a text.") == {
        "the un on thursday adopted",
        "un on thursday adopted a",
        "on thursday adopted a text",
    }
    assert shingles("Too short.") == {"too short"}
    assert shingles("...") == set()


def test_chinese_is_shingled_by_characters():
    assert shingles("联合国大会通过了决议。") == {"联 合 国 大 会", "合 国 大 会 通", "国 大 会 通 过", "大 会 通 过 了",
                                            "会 通 过 了 决", "通 过 了 决 议"}
    mixed = shingles("The panel 人工智能 report")
    assert "panel 人 工 智 能" in mixed


def test_shingle_hashes_match_shingles_and_are_stable():
    for text in (WIRE, ANALYSIS, ZH_WIRE, "one two", ""):
        assert len(shingle_hashes(text)) == len(shingles(text))
    # Stored signatures depend on these values: a change here needs every article re-signed.
    assert shingle_hashes("the un adopted a resolution on ai").tolist() == sorted(
        shingle_hashes("The UN adopted a resolution on AI.").tolist()
    )
    assert shingle_hashes("one two three four five").tolist() == [3209198178]


def test_signature_round_trips_through_bytes():
    signature = Signer().sign(WIRE)
    again = Signature.from_bytes(signature.to_bytes())
    assert again.size == signature.size == len(shingles(WIRE))
    assert np.array_equal(again.hashvalues, signature.hashvalues)
    assert again.jaccard(signature) == 1.0
    with pytest.raises(ValueError):
        Signature.from_bytes(b"\x02" + signature.to_bytes()[1:])


def test_wire_copy_with_new_headline_boilerplate_and_cut_is_a_copy():
    assert is_copy(WIRE, edited_copy(WIRE))
    assert is_copy(edited_copy(WIRE), WIRE)


def test_amp_teaser_and_trimmed_copy_are_copies():
    assert is_copy(WIRE, WIRE.split("\n\n")[0] + "\n\n" + WIRE.split("\n\n")[1])  # the end trimmed
    assert is_copy(WIRE, "\n\n".join(reversed(WIRE.split("\n\n"))))  # paragraphs reordered


def test_different_articles_on_the_same_event_are_not_copies():
    for a, b in [(WIRE, ANALYSIS), (WIRE, REACTION), (ANALYSIS, REACTION), (ZH_WIRE, ZH_OTHER)]:
        assert not is_copy(a, b)
        assert not is_copy(edited_copy(a) if "\n\n" in a and a.count("\n\n") >= 2 else a, b)


def test_chinese_copies_are_copies():
    copy = "联合国设立人工智能科学小组\n新华社纽约电 " + ZH_WIRE.replace("，", ", ") + "（完）责任编辑：王明"
    assert is_copy(ZH_WIRE, copy)


def test_short_texts_are_never_copies():
    assert not is_copy("Read more.", "Read more.")
    assert is_copy("Read more.", "Read more.", DedupSettings(min_shingles=1))


def test_index_finds_verified_copies_and_forgets_discarded_keys():
    signer = Signer()
    index = CopyIndex()
    index.add(1, 10, signer.sign(WIRE))
    index.add(2, 20, signer.sign(ANALYSIS))
    index.add(3, 30, signer.sign("Read more."))  # too short: not indexed
    assert len(index) == 2
    [match] = index.matches(signer.sign(edited_copy(WIRE)))
    assert (match.key, match.group) == (1, 10) and match.jaccard > 0.4
    assert index.matches(signer.sign(REACTION)) == []
    index.discard(1)
    assert index.matches(signer.sign(edited_copy(WIRE))) == []


def test_bulk_add_builds_the_same_index_as_add():
    signer = Signer()
    rows = [(i, i * 10, signer.sign(text)) for i, text in enumerate([WIRE, ANALYSIS, REACTION, ZH_WIRE, ZH_OTHER])]
    one_by_one, bulk = CopyIndex(), CopyIndex()
    for row in rows:
        one_by_one.add(*row)
    bulk.bulk_add(rows)
    for _key, _group, signature in rows:
        assert one_by_one.matches(signature) == bulk.matches(signature)
    assert [m.key for m in bulk.matches(signer.sign(edited_copy(WIRE)))] == [0]


def test_text_change_measures_how_much_of_a_text_changed():
    assert text_change(WIRE, WIRE) == 0.0
    assert text_change(WIRE, WIRE.replace("Thursday", "Friday")) < 0.2
    assert text_change(WIRE, WIRE + "\n\n" + REACTION) > 0.2


def test_settings_come_from_a_mapping_with_help():
    settings = DedupSettings.from_mapping({"DEDUP_MIN_JACCARD": "0.6", "DEDUP_SHINGLE": "4", "OTHER": 1})
    assert settings.min_jaccard == 0.6 and settings.shingle == 4
    assert set(DedupSettings.help()) == {f for f in DedupSettings.__dataclass_fields__}
    assert all(DedupSettings.help().values())


def test_index_buckets_share_and_release_keys():
    signer = Signer()
    index = CopyIndex()
    same = signer.sign(WIRE)
    index.add(1, 10, same)
    index.add(2, 20, same)  # every bucket now holds two keys
    assert {m.key for m in index.matches(same)} == {1, 2}
    index.discard(1)
    assert [m.key for m in index.matches(same)] == [2]
    index.add(2, 30, same)  # re-adding a key replaces it
    assert [(m.key, m.group) for m in index.matches(same)] == [(2, 30)]
    index.discard(2)
    assert index.matches(same) == [] and len(index) == 0
