import pytest

from junheng.core.evaluate import Evaluation, evaluate
from junheng.demo import demo_county
from junheng.standards import load_standard


@pytest.fixture(scope="module")
def demo() -> tuple[object, Evaluation]:
    dataset = demo_county()
    return dataset, evaluate(dataset, load_standard())
