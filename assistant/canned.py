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
ESTIMATE_FALLBACK = "测算结果无法通过核对，为避免给出错误数字，暂不展示。" + HOTLINE_HINT


def no_basis_for_region(region: str) -> str:
    return f"政策库中没有找到{region}关于这个问题的条款。" + HOTLINE_HINT


def no_policy_for_region(region: str, what: str) -> str:
    return f"政策库中没有{region}的{what}测算规则，无法测算。"


def calculator_refused(message: str) -> str:
    return f"无法完成测算：{message}"


def only_region_found(region: str) -> str:
    """Said when the user named no region and only one region's clause answers: the rule is that
    region's, not a national one."""
    return f"（以上内容来自{region}的政策资料；其他地区请告诉我地区名，或以当地政策为准。）"
