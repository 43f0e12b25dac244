"""The assistant's fixed texts. No figures except the hotline numbers, so they always pass grounding."""

from __future__ import annotations

HOTLINE_HINT = "可拨打医保服务热线12393（部分地区仍通过12333受理医保咨询），或咨询当地医保经办机构。"

GREETING = "您好！我是医保政策助手，可以查询医保政策条款、估算看病报销金额、解答参保缴费问题。请直接提问，例如“住院起付线是多少”。"
THANKS = "不客气！还有其他医保问题可以继续问我。"
HUMAN = "如需人工服务，" + HOTLINE_HINT
RESET = "好的，已重新开始。请问有什么医保问题？"
OUT_OF_SCOPE = (
    "抱歉，这个问题不在我的服务范围内。我可以：查询基本医疗保险政策条款（起付线、报销比例、封顶线、"
    "缴费标准、异地就医等），估算住院和门诊的报销金额，解答参保缴费问题。"
)
NO_BASIS = "政策库中没有找到关于这个问题的条款，无法给出有依据的答复。" + HOTLINE_HINT
YEAR_NOT_HELD = "政策库中没有您所问年份的规定，不能用其他年份的标准代替答复。" + HOTLINE_HINT
RELATED_INTRO = "没有找到直接回答您问题的条款，以下规定可能相关："
RELATED_OUTRO = "如以上规定没有回答您的问题，" + HOTLINE_HINT
ESTIMATE_FALLBACK = "测算结果无法通过核对，为避免给出错误数字，暂不展示。" + HOTLINE_HINT


def _library_note(library_regions: list[str] | tuple[str, ...]) -> str:
    return f"（政策库现有政策资料的地区：{'、'.join(library_regions)}）" if library_regions else ""


def no_basis_for_region(region: str, library_regions: list[str] | tuple[str, ...] = ()) -> str:
    """No clause of the named region answers. The regions listed are the *other* ones the library
    holds: listing the named one too would contradict the sentence before it."""
    others = [r for r in library_regions if r != region and region not in r and r not in region]
    if len(others) < len(library_regions):  # the region is held: its material does not cover this
        return f"政策库中有{region}的政策资料，但没有涉及这个问题的条款。" + _library_note(others) + HOTLINE_HINT
    return f"政策库中没有找到{region}关于这个问题的条款。" + _library_note(others) + HOTLINE_HINT


def region_not_in_library(region: str, library_regions: list[str] | tuple[str, ...]) -> str:
    """The user's region has no policy in the library at all: say so rather than answer from
    another region's clause (rules differ from place to place)."""
    return (f"政策库中暂时没有{region}的医保政策，不能用其他地区的规定代替答复。"
            + _library_note(library_regions) + f"{region}的规定请拨打医保服务热线12393（部分地区仍通过12333受理医保咨询），"
            "或咨询当地医保经办机构。")


def other_year(found_year: int | None) -> str:
    """The asked year is not in the library: the answer is an older rule, and says so plainly. The
    asked year itself is not repeated (only figures of the cited clause or trace may appear)."""
    which = f"{found_year}年的规定" if found_year else "政策库中已有年份的规定"
    return (f"注意：政策库中没有您所问年份的规定，以下是{which}，不代表您所问年份的标准；"
            "现行标准请向当地医保经办机构核实（可拨打12393）。")


def no_policy_for_region(region: str, what: str) -> str:
    return f"政策库中没有{region}的{what}测算规则，无法测算。"


def calculator_refused(message: str) -> str:
    return f"无法完成测算：{message}"


def only_region_found(region: str) -> str:
    """Said when the user named no region and only one region's clause answers: the rule is that
    region's, not a national one."""
    return f"（以上内容来自{region}的政策资料；其他地区请告诉我地区名，或以当地政策为准。）"


def acknowledged(summary: str) -> str:
    """A statement of context is kept, not searched: "好的，已记住：重庆 · 城乡居民。想了解什么？"."""
    return f"好的，已记住：{summary}。想了解什么？" if summary else "好的。想了解什么？"


def corrected(summary: str) -> str:
    return f"好的，已更正。现在记住的是：{summary}。" if summary else "好的，已更正。"


def not_asked_again() -> str:
    """Said instead of asking a question the conversation already asked (never asked twice).
    The question's own words are not repeated: they may hold numerals the clauses do not."""
    return "（前面问过的那一项您还没有告诉我，先按已知情况给出相关规定；告诉我后可以算得更准。）\n"
