"""FastDetector: langdetect's answers, deterministic, scores in [0, 1], its own profiles."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from cleaner.langid import FastDetector
from cleaner.langid.detector import _count
from cleaner.langid.ngrams import key_of
from cleaner.langid.profiles import load_profiles
from cleaner.processors.language import _detect

TEXTS = {
    "en": "The committee will publish its report on the state of the railways next week, "
    "after hearing evidence from passengers, unions and the companies that run the trains.",
    "fr": "Le gouvernement a présenté mercredi un projet de loi sur le logement, qui prévoit "
    "la construction de nouveaux immeubles dans les grandes villes du pays.",
    "de": "Die Bundesregierung will die Förderung für Elektroautos im kommenden Jahr "
    "verlängern, teilte das Wirtschaftsministerium am Dienstag in Berlin mit.",
    "es": "El ayuntamiento aprobó ayer el presupuesto para el próximo año, que incluye "
    "nuevas inversiones en transporte público y en la mejora de los parques.",
    "ru": "В среду правительство представило законопроект о жилье, который предусматривает "
    "строительство новых домов в крупных городах страны.",
    "el": "Η κυβέρνηση παρουσίασε την Τετάρτη νομοσχέδιο για τη στέγαση, το οποίο προβλέπει "
    "την κατασκευή νέων κατοικιών στις μεγάλες πόλεις της χώρας.",
    "ar": "قدمت الحكومة يوم الأربعاء مشروع قانون بشأن الإسكان ينص على بناء مساكن جديدة "
    "في المدن الكبرى في البلاد.",
    "hi": "सरकार ने बुधवार को आवास पर एक विधेयक पेश किया, जिसमें देश के बड़े शहरों में "
    "नए घरों के निर्माण का प्रावधान है।",
    "zh-cn": "政府星期三提出了一项关于住房的法案，计划在全国各大城市建设新的住宅。",
    "ja": "政府は水曜日、住宅に関する法案を提出し、全国の大都市で新しい住宅を建設する"
    "ことを計画している。",
    "ko": "정부는 수요일 주택에 관한 법안을 제출했으며, 전국 대도시에 새로운 주택을 "
    "건설할 계획이다.",
    "th": "รัฐบาลได้เสนอร่างกฎหมายว่าด้วยที่อยู่อาศัยเมื่อวันพุธ ซึ่งกำหนดให้สร้างบ้านใหม่ในเมืองใหญ่ทั่วประเทศ",
    "vi": "Chính phủ đã trình dự luật về nhà ở vào thứ Tư, trong đó dự kiến xây dựng nhà mới "
    "tại các thành phố lớn trên cả nước.",
}


@pytest.mark.parametrize(("lang", "text"), sorted(TEXTS.items()))
def test_same_language_as_langdetect(lang: str, text: str, detector: FastDetector) -> None:
    found = detector.detect(text)
    reference = _detect(text, 7)
    assert found is not None and reference is not None
    assert found[0] == reference[0] == lang
    assert 0.9 <= found[1] <= 1.0


def test_same_answer_every_time_and_in_a_fresh_detector(detector: FastDetector) -> None:
    mixed = "Le port et the harbour, der Hafen, the city council a approuvé le budget."
    first = detector.detect(mixed)
    assert all(detector.detect(mixed) == first for _ in range(10))
    assert FastDetector().detect(mixed) == first


def test_scores_are_probabilities_and_mixed_text_scores_lower(detector: FastDetector) -> None:
    clear = detector.detect(TEXTS["en"])
    mixed = detector.detect(TEXTS["en"] + " " + TEXTS["fr"])
    assert clear is not None and mixed is not None
    assert 0.0 <= mixed[1] < clear[1] <= 1.0
    assert mixed[1] >= 0.5  # the best language never scores under an even split


@pytest.mark.parametrize("text", ["", "   ", "12345 678", "!!! ??? ---", "😀🎉👍"])
def test_no_known_ngram_is_no_answer(text: str, detector: FastDetector) -> None:
    assert detector.detect(text) is None


def test_pickle_carries_no_profiles(detector: FastDetector) -> None:
    data = pickle.dumps(detector)
    assert len(data) < 1000  # the ~20 MB matrix is reloaded where the copy is used
    assert pickle.loads(data).detect(TEXTS["de"]) == detector.detect(TEXTS["de"])


def write_profile(directory: Path, name: str, freq: dict[str, int], n_words: list[int]) -> None:
    profile = {"name": name, "freq": freq, "n_words": n_words}
    (directory / name).write_text(json.dumps(profile), encoding="utf-8")


def test_weights_are_langdetects_smoothed_probabilities(tmp_path: Path) -> None:
    write_profile(tmp_path, "xa", {"a": 30, "b": 10, "ab": 5, "abc": 2}, [40, 10, 4])
    write_profile(tmp_path, "xb", {"b": 20, "c": 20, "bc": 8}, [40, 16, 8])
    profiles = load_profiles(tmp_path, alpha=0.5, base_freq=10_000)
    assert profiles.languages == ("xa", "xb")
    smoothing = 0.5 / 10_000
    expected = {  # log(alpha / BASE_FREQ + freq / n_words[len(w) - 1]), 0 where absent
        "a": (smoothing + 30 / 40, smoothing),
        "c": (smoothing, smoothing + 20 / 40),
        "ab": (smoothing + 5 / 10, smoothing),
        "bc": (smoothing, smoothing + 8 / 16),
        "abc": (smoothing + 2 / 4, smoothing),
    }
    rows, known = profiles.lookup(np.array([key_of(g) for g in expected], dtype=np.uint64))
    assert known.all()
    got = profiles.log_weights[rows]
    assert got == pytest.approx(np.log(np.array(list(expected.values()))), rel=1e-6)
    _, unknown = profiles.lookup(np.array([key_of("zz")], dtype=np.uint64))
    assert not unknown.any()


def test_shipped_weights_equal_the_log_of_the_whole_matrix() -> None:
    """Only the known entries get their own logarithm; every cell equals, bit for bit, the
    float32 of log(alpha / base_freq + P) taken over the dense float64 matrix."""
    from cleaner.langid.profiles import default_directory

    profiles = load_profiles(default_directory(), alpha=0.5, base_freq=10_000)
    dense = np.zeros(profiles.log_weights.shape, dtype=np.float64)
    for col, path in enumerate(sorted(p for p in default_directory().iterdir() if p.is_file())):
        profile = json.loads(path.read_text(encoding="utf-8"))
        assert profile["name"] == profiles.languages[col]
        grams = [g for g in profile["freq"] if 1 <= len(g) <= 3]
        rows, known = profiles.lookup(np.array([key_of(g) for g in grams], dtype=np.uint64))
        assert known.all()
        n_words = profile["n_words"]
        dense[rows, col] = [profile["freq"][g] / n_words[len(g) - 1] for g in grams]
    dense += 0.5 / 10_000
    expected = np.log(dense).astype(np.float32)
    assert profiles.log_weights.tobytes() == expected.tobytes()


def test_grams_longer_than_three_are_left_out(tmp_path: Path) -> None:
    write_profile(tmp_path, "xa", {"abcd": 9, "a": 3, "ab": 1}, [4, 2, 1])
    write_profile(tmp_path, "xb", {"b": 2, "abcd": 7}, [4, 2, 1])
    profiles = load_profiles(tmp_path, alpha=0.5, base_freq=10_000)
    assert profiles.keys.tolist() == sorted(key_of(g) for g in ("a", "b", "ab"))
    rows, _ = profiles.lookup(np.array([key_of("a"), key_of("b")], dtype=np.uint64))
    expected = np.log(0.5 / 10_000 + np.array([[3 / 4, 0.0], [0.0, 2 / 4]]))
    assert profiles.log_weights[rows] == pytest.approx(expected, rel=1e-6)


def test_counting_is_numpys_unique() -> None:
    keys = np.array([5, 3, 5, 9, 3, 5, 1], dtype=np.uint64)
    unique, counts = np.unique(keys, return_counts=True)
    got_unique, got_counts = _count(keys.copy())
    assert got_unique.tolist() == unique.tolist()
    assert got_counts.tolist() == counts.tolist()
    single = _count(np.array([7], dtype=np.uint64))
    assert single[0].tolist() == [7] and single[1].tolist() == [1]


def test_a_profiles_directory_of_ones_own(tmp_path: Path) -> None:
    write_profile(tmp_path, "xa", {"a": 30, "b": 10, " a": 5}, [40, 10, 4])
    write_profile(tmp_path, "xb", {"b": 20, "c": 20, " c": 8}, [40, 16, 8])
    own = FastDetector(tmp_path)
    assert own.languages == ("xa", "xb")
    found = own.detect("aaa aba a")
    assert found is not None and found[0] == "xa"
    assert own.detect("zzz") is None
