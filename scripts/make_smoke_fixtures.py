"""Regenerate tests/fixtures/smoke/: tiny stand-ins for the five benchmarks, in each real dataset's schema, with
known answers, so the real adapters load them through `datasets` from local files.

Needs the Debian packages espeak-ng (speech) and sox (resampling, tones); images come from Pillow, video from PyAV.

    python scripts/make_smoke_fixtures.py            # rewrites tests/fixtures/smoke/

Determinism: the same tool versions give the same bytes (espeak-ng, sox, libFLAC, Pillow/zlib, libx264 run with
one thread, pyarrow); sox runs with -R -D (fixed seed, no dither) because its default dither is random. Other versions may change media bytes and parquet metadata, never the rows' text/answers.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import datasets
import numpy as np
import soundfile
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "smoke"
RATE = 16000

# (id, text, espeak voice) per LibriSpeech config; upper-case, no punctuation, as LibriSpeech's `text`.
LIBRISPEECH = {
    "clean": [
        ("9001-1-0000", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG", "en-us"),
        ("9001-1-0001", "SHE SELLS SEA SHELLS BY THE SEA SHORE", "en-us"),
    ],
    "other": [
        ("9002-2-0000", "A BIRD IN THE HAND IS WORTH TWO IN THE BUSH", "en-gb"),
        ("9002-2-0001", "ALL THAT GLITTERS IS NOT GOLD", "en-gb"),
    ],
}
# Fleurs: the same two FLoRes sentence ids in both languages (S2TT pairs them by id).
# (id, file stem, raw_transcription, transcription)
FLEURS = {
    "en_us": ("en-us", 19, [
        (1, "1900000000000000001", "The cat sat on the mat.", "the cat sat on the mat"),
        (2, "1900000000000000002", "It is raining today.", "it is raining today"),
    ]),
    "cmn_hans_cn": ("cmn", 9, [
        (1, "0900000000000000001", "猫坐在垫子上。", "猫坐在垫子上"),
        (2, "0900000000000000002", "今天下雨了。", "今天下雨了"),
    ]),
}
FLEURS_GROUPS = [
    "western_european_we", "eastern_european_ee", "central_asia_middle_north_african_cmn", "sub_saharan_african_ssa",
    "south_asian_sa", "south_east_asian_sea", "chinese_japanase_korean_cjk",
]


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def speech(text: str, voice: str, out: Path) -> None:
    """espeak-ng at its native rate, then sox to 16 kHz mono 16-bit (WAV or FLAC by the file name)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        run("espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text)
        run("sox", "-R", "-D", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out))


def sox_synth(out: Path, *effects: str) -> None:
    run("sox", "-R", "-D", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(out), "synth", *effects)


def write_parquet(rows: list[dict[str, Any]], features: datasets.Features, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_list(rows, features=features).to_parquet(str(out))


def audio_cell(make: Callable[[Path], None], name: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        make(path)
        return {"bytes": path.read_bytes(), "path": name}


def librispeech() -> None:
    features = datasets.Features({
        "file": datasets.Value("string"), "audio": datasets.Audio(sampling_rate=RATE),
        "text": datasets.Value("string"), "speaker_id": datasets.Value("int64"),
        "chapter_id": datasets.Value("int64"), "id": datasets.Value("string"),
    })
    for config, items in LIBRISPEECH.items():
        rows = []
        for uid, text, voice in items:
            speaker, chapter, _ = uid.split("-")
            cell = audio_cell(lambda p, t=text, v=voice: speech(t, v, p), f"{uid}.flac")
            rows.append({"file": f"{uid}.flac", "audio": cell, "text": text, "speaker_id": int(speaker),
                         "chapter_id": int(chapter), "id": uid})
        write_parquet(rows, features, OUT / "librispeech" / f"{config}.parquet")


def fleurs() -> None:
    # Fleurs' lang_id is a ClassLabel over its 102 languages; the fixture keeps the type, not the names.
    features = datasets.Features({
        "id": datasets.Value("int32"), "num_samples": datasets.Value("int32"), "path": datasets.Value("string"),
        "audio": datasets.Audio(sampling_rate=RATE), "transcription": datasets.Value("string"),
        "raw_transcription": datasets.Value("string"), "gender": datasets.ClassLabel(names=["male", "female", "other"]),
        "lang_id": datasets.ClassLabel(num_classes=102), "language": datasets.Value("string"),
        "lang_group_id": datasets.ClassLabel(names=FLEURS_GROUPS),
    })
    languages = {"en_us": ("English", 0), "cmn_hans_cn": ("Mandarin Chinese", 6)}
    for config, (voice, lang_id, items) in FLEURS.items():
        language, group = languages[config]
        rows = []
        for sentence_id, stem, raw, normalized in items:
            cell = audio_cell(lambda p, t=raw, v=voice: speech(t, v, p), f"{stem}.wav")
            num_samples = soundfile.info(io.BytesIO(cell["bytes"])).frames
            rows.append({"id": sentence_id, "num_samples": num_samples, "path": f"test/{stem}.wav", "audio": cell,
                         "transcription": normalized, "raw_transcription": raw, "gender": 0, "lang_id": lang_id,
                         "language": language, "lang_group_id": group})
        write_parquet(rows, features, OUT / "fleurs" / f"{config}.parquet")


MMAU_ITEMS = [
    # (id, task, difficulty, question, choices, answer, audio maker)
    ("8d5a1c0e-0001-4e55-9a00-000000000001", "speech", "easy", "What number does the speaker say?",
     ["three", "seven", "nine", "twelve"], "seven", lambda p: speech("The number is seven.", "en-us", p)),
    ("8d5a1c0e-0002-4e55-9a00-000000000002", "sound", "medium", "What is the pitch of the steady tone?",
     ["220 Hz", "440 Hz", "880 Hz", "1000 Hz"], "440 Hz", lambda p: sox_synth(p, "1.5", "sine", "440")),
    ("8d5a1c0e-0003-4e55-9a00-000000000003", "music", "hard", "How many distinct notes are played?",
     ["one", "two", "three", "four"], "three",
     lambda p: sox_synth(p, "0.5", "sine", "262", ":", "synth", "0.5", "sine", "330", ":", "synth", "0.5", "sine",
                         "392")),
]


def mmau() -> None:
    folder = OUT / "mmau"
    (folder / "test-mini-audios").mkdir(parents=True, exist_ok=True)
    items = []
    for uid, task, difficulty, question, choices, answer, make in MMAU_ITEMS:
        audio_id = f"./test-mini-audios/{uid}.wav"
        make(folder / audio_id)
        items.append({"id": uid, "audio_id": audio_id, "question": question, "choices": choices, "answer": answer,
                      "dataset": "evalkit-smoke", "task": task, "split": "test-mini", "category": "fixture",
                      "sub-category": "fixture", "difficulty": difficulty})
    (folder / "mmau-test-mini.json").write_text(json.dumps(items, indent=4, ensure_ascii=False) + "\n")


def png(draw: Callable[[ImageDraw.ImageDraw], None]) -> dict[str, Any]:
    image = Image.new("RGB", (64, 64), "white")
    draw(ImageDraw.Draw(image))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "image.png"
        image.save(path, optimize=False)
        return {"bytes": path.read_bytes(), "path": None}


def mmmu() -> None:
    image_columns = {f"image_{n}": datasets.Image() for n in range(1, 8)}
    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"), "options": datasets.Value("string"),
        "explanation": datasets.Value("string"), **image_columns, "img_type": datasets.Value("string"),
        "answer": datasets.Value("string"), "topic_difficulty": datasets.Value("string"),
        "question_type": datasets.Value("string"), "subfield": datasets.Value("string"),
    })
    swatch = {c: (lambda d, c=c: d.rectangle([8, 8, 56, 56], fill=c)) for c in ("red", "blue")}
    subjects = {
        "Math": [
            ("validation_Math_1", "Which shape is shown in <image 1>?", "['Square', 'Circle', 'Triangle', 'Star']", "B",
             "multiple-choice", "Easy", "Geometry", [lambda d: d.ellipse([12, 12, 52, 52], fill="red")]),
            ("validation_Math_2", "How many black dots are in <image 1>?", "[]", "3", "open", "Medium", "Counting",
             [lambda d: [d.ellipse([x, 28, x + 8, 36], fill="black") for x in (8, 28, 48)]]),
        ],
        "Art": [
            ("validation_Art_1", "<image 1> and <image 2> are colour swatches. Which colour is shown in <image 2>?",
             "['Red', 'Green', 'Blue', 'Yellow']", "C", "multiple-choice", "Easy", "Drawing and Painting",
             [swatch["red"], swatch["blue"]]),
        ],
    }
    for subject, items in subjects.items():
        rows = []
        for uid, question, options, answer, qtype, difficulty, subfield, drawings in items:
            images = {f"image_{n}": None for n in range(1, 8)}
            images.update({f"image_{i + 1}": png(draw) for i, draw in enumerate(drawings)})
            rows.append({"id": uid, "question": question, "options": options, "explanation": "", **images,
                         "img_type": "['Diagrams']", "answer": answer, "topic_difficulty": difficulty,
                         "question_type": qtype, "subfield": subfield})
        write_parquet(rows, features, OUT / "mmmu" / f"{subject}.parquet")


def clip(out: Path, frame: Callable[[int], np.ndarray], frames: int = 24, fps: int = 8) -> None:
    """A silent H.264 clip, 64x64, encoded with one thread so the bytes repeat."""
    with av.open(str(out), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "medium", "x264-params": "threads=1:lookahead-threads=1"})
        stream.codec_context.thread_count = 1
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        for index in range(frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame(index), format="rgb24")))
        container.mux(stream.encode(None))


def colour_frame(index: int) -> np.ndarray:
    """One second each of red, green and blue."""
    colours = [(220, 0, 0), (0, 200, 0), (0, 0, 220)]
    return np.full((64, 64, 3), colours[min(index // 8, 2)], dtype=np.uint8)


def moving_square_frame(index: int) -> np.ndarray:
    """A white square crossing a black frame from left to right."""
    image = np.zeros((64, 64, 3), dtype=np.uint8)
    x = 2 * index
    image[24:40, x : x + 16] = 255
    return image


def videomme() -> None:
    folder = OUT / "videomme"
    (folder / "videos").mkdir(parents=True, exist_ok=True)
    clip(folder / "videos" / "smokeColours.mp4", colour_frame)
    clip(folder / "videos" / "smokeSquare.mp4", moving_square_frame)
    colours = ["A. Red.", "B. Green.", "C. Blue.", "D. Yellow."]
    questions = [
        ("001", "smokeColours", "001-1", "Object Recognition", "What colour fills the screen at the start of the video?",
         colours, "A"),
        ("001", "smokeColours", "001-2", "Counting Problem", "How many different colours fill the screen?",
         ["A. One.", "B. Two.", "C. Three.", "D. Four."], "C"),
        ("002", "smokeSquare", "002-1", "Action Recognition", "In which direction does the white square move?",
         ["A. Left to right.", "B. Right to left.", "C. Upwards.", "D. Downwards."], "A"),
    ]
    rows = [{"video_id": vid, "duration": "short", "domain": "Knowledge", "sub_category": "Other",
             "url": "", "videoID": video, "question_id": qid, "task_type": task, "question": question,
             "options": options, "answer": answer}
            for vid, video, qid, task, question, options, answer in questions]
    features = datasets.Features({
        **{k: datasets.Value("string") for k in ("video_id", "duration", "domain", "sub_category", "url", "videoID",
                                                  "question_id", "task_type", "question")},
        "options": datasets.Sequence(datasets.Value("string")), "answer": datasets.Value("string"),
    })
    write_parquet(rows, features, folder / "test.parquet")


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    for make in (librispeech, fleurs, mmau, mmmu, videomme):
        make()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
