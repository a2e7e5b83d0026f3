"""The task registry and run-config composition: every benchmark is one spec, smoke variants mirror their task,
suites and tasks=[...] select tasks, and every config mistake is one line naming the key and the choices."""

from __future__ import annotations

import pytest

from evalkit.cli import main as cli
from evalkit.config import ConfigError
from evalkit.hydra_config import config_names, suite_tasks
from evalkit.registry import SMOKE_FIXTURES, SMOKE_SUFFIX, all_aggregates, all_specs, smoke_task_names, task_spec
from evalkit.report.reference import load_published_scores
from evalkit.scoring.registry import build_scorer
from evalkit.task import check_task

SPECS = all_specs()
# Tasks whose number the paper does not print: Fleurs languages other than en and zh enter only its 19-language
# average (fleurs_avg19), single S2TT pairs only the pair averages (fleurs_s2tt_en2xx ...), and MMMU-Pro's column is
# the mean of its two settings (task mmmu_pro reports it).
UNREPORTED = {f"fleurs_{code}" for code in ("yue", "ja", "ko", "de", "ru", "it", "fr", "es", "pt", "ms", "nl", "id",
                                            "tr", "vi", "ar", "ur", "th")} | {
    "fleurs_s2tt_en_zh", "fleurs_s2tt_zh_en", "mmmu_pro_standard10", "mmmu_pro_vision",
    "commonvoice15_yue", "commonvoice15_fr",  # Common Voice: sets Qwen's ASR script evaluates, the paper does not print
    "humaneval",  # HumanEval is not in the paper: it checks the code-execution path on a real model
    "arena_hard_v2_creative_writing"}  # Arena-Hard's other category: the paper's row is the hard prompts
# Synthetic load tests (tasks/scale.py): their media are generated already, and the paper has nothing for them.
SYNTHETIC = {"scale_speech", "scale_sound", "scale_images", "scale_video"}


def test_default_config_is_the_smoke_suite_on_the_tiny_model(compose_run, smoke_run):
    run = compose_run()
    assert (run.suite, run.model.name, run.runner.name) == ("smoke", "tiny_random", "transformers")
    assert list(run.tasks) == list(smoke_run.tasks)
    assert run.output_dir.startswith("results/runs/smoke-tiny_random-")


def test_smoke_suite_covers_every_modality_on_bundled_fixtures(smoke_run):
    assert {m for name in smoke_run.tasks for m in task_spec(name).modalities} == {"audio", "image", "video"}
    for name, task in smoke_run.tasks.items():
        assert task.name == name and name.endswith(SMOKE_SUFFIX)
        assert task.dataset.local_path.startswith(f"{SMOKE_FIXTURES}/")


def test_every_runnable_task_has_a_smoke_variant_that_changes_only_data_and_budgets():
    runnable = [s for name, s in SPECS.items()
                if s.runnable and not name.endswith(SMOKE_SUFFIX) and name not in SYNTHETIC]
    assert sorted(smoke_task_names()) == sorted(s.name + SMOKE_SUFFIX for s in runnable)
    for spec in runnable:
        smoke = SPECS[spec.name + SMOKE_SUFFIX]
        assert (smoke.load, smoke.scorer, smoke.prompt, smoke.reported) == (spec.load, spec.scorer, spec.prompt,
                                                                            spec.reported)
        assert smoke.dataset.hub_id == spec.dataset.hub_id and smoke.max_new_tokens == 24


def test_suite_smoke_all_runs_every_smoke_variant(compose_run):
    run = compose_run("suite=smoke_all")
    assert list(run.tasks) == smoke_task_names() and len(run.tasks) == 108  # 16 of them speech generation
    assert run.failures.max_failures == 3  # per task: all 3 video items may fail on vLLM's CPU build


def test_paper_suites(compose_run):
    audio = compose_run("suite=paper_audio").tasks
    assert len(audio["fleurs_avg19"].dataset.subsets) == 19  # the 18 languages the model card names, and Thai
    assert audio["fleurs_avg19"].scorer.options["groups"]["yue"] == {"language": "yue", "unit": "cer"}
    assert audio["librispeech_test_other"].dataset.subsets == ["other"]
    assert audio["fleurs_zh"].scorer.options == {"language": "zh", "unit": "cer"}
    assert audio["fleurs_en"].prompt.format(source_language="English") == "Transcribe the English audio into text."
    assert task_spec("fleurs_de").options["source_language"] == "German"
    assert audio["voicebench_mmsu"].dataset.split.split("+")[:2] == ["law", "engineering"]
    assert (audio["voicebench_sd_qa"].dataset.subsets, audio["voicebench_sd_qa"].dataset.split) == (["sd-qa"], "usa")
    assert audio["voicebench_alpacaeval"].dataset.subsets == ["alpacaeval_full"]  # the leaderboard's AlpacaEval
    vision = compose_run("suite=paper_vision").tasks
    assert vision["mmmu_pro"].dataset.subsets == ["standard (10 options)", "vision"]
    assert vision["mlvu"].dataset.subsets[0] == "1_plotQA"
    assert vision["mathvista_testmini"].scorer.name == "mathvista_judged"
    assert vision["mm_mt_bench"].scorer.name == "mm_mt_bench" and vision["mathvision"].dataset.split == "test"
    assert len(vision["mmmu_val"].dataset.subsets) == 30
    assert vision["videomme"].media.fps == 2.0 and vision["videomme"].media.max_frames == 768


def test_every_task_builds_its_scorer_and_its_reported_keys_exist():
    published = load_published_scores()
    for spec in SPECS.values():
        build_scorer(spec.scorer.name, **spec.scorer.options)  # options match the scorer's signature
        for key in spec.reported:
            assert published.has(key), (spec.name, key)
    for aggregate in all_aggregates().values():
        assert all(published.has(key) for key in aggregate.reported), aggregate.name
    # a task is mapped by its own reported keys, or as a member of a reported aggregate (VoiceBench's nine subsets)
    mapped = {name for name, spec in SPECS.items() if spec.reported and not name.endswith(SMOKE_SUFFIX)} | {
        member.task for aggregate in all_aggregates().values() if aggregate.reported for member in aggregate.members}
    assert mapped == {name for name in SPECS if not name.endswith(SMOKE_SUFFIX)} - UNREPORTED - SYNTHETIC
    assert {(k.benchmark, k.subset) for k in task_spec("fleurs_zh").reported} == {("Fleurs", "zh")}
    assert {k.table for k in task_spec("videomme").reported} == {"vision->text (instruct)", "vision->text (thinking)"}


def test_every_suite_lists_registered_tasks():
    assert config_names("suite") == ["paper_audio", "paper_av", "paper_speech", "paper_text", "paper_vision", "scale",
                                     "smoke", "smoke_all", "smoke_speech"]
    for suite in config_names("suite"):
        assert all(name in SPECS for name in suite_tasks(suite))


def test_smoke_tasks_pass_the_up_front_checks(smoke_run):
    for task in smoke_run.tasks.values():
        check_task(task)


def test_tasks_are_chosen_without_a_suite(compose_run):
    run = compose_run("tasks=[librispeech_test_clean_smoke,mmmu_val_smoke]", "tasks.mmmu_val_smoke.limit=2",
                      "tasks.librispeech_test_clean_smoke.scorer.options.normalizer=none")
    assert list(run.tasks) == ["librispeech_test_clean_smoke", "mmmu_val_smoke"] and run.suite is None
    assert run.output_dir.startswith("results/runs/librispeech_test_clean_smoke+mmmu_val_smoke-tiny_random-")
    assert run.failures.max_failures == 0.05  # the default suite's settings do not ride along
    assert run.tasks["mmmu_val_smoke"].limit == 2
    assert run.tasks["librispeech_test_clean_smoke"].scorer.options == {"language": "en", "unit": "wer",
                                                                         "normalizer": "none"}
    assert list(compose_run("tasks=videomme_smoke").tasks) == ["videomme_smoke"]


def test_task_fields_may_refer_to_run_settings(compose_run):
    run = compose_run("suite=scale", "cache_dir=/tmp/evalkit-cache", "tasks.scale_video.options.count=2")
    assert run.tasks["scale_video"].dataset.media_dir == "/tmp/evalkit-cache/scale"
    assert run.tasks["scale_video"].options == {"kind": "video", "count": 2}


def test_per_task_overrides_keep_their_spelling(compose_run):
    run = compose_run("suite=paper_vision", "tasks.videomme.media.max_frames=512",
                      "tasks.videomme.dataset.media_dir=/data/videos",
                      "+tasks.mmmu_val.options.image_placement=interleaved")
    assert run.tasks["videomme"].media.max_frames == 512 and run.tasks["videomme"].dataset.media_dir == "/data/videos"
    assert run.tasks["mmmu_val"].options["image_placement"] == "interleaved"
    assert task_spec("videomme").media.max_frames == 768  # the registered spec is untouched
    assert compose_run("~tasks.mmmu_val_smoke.scorer.options.mode").tasks["mmmu_val_smoke"].scorer.options == {}


@pytest.mark.parametrize(("overrides", "message"), [
    (["tasks=[librispeech_test_clean,mmmu_vall]"],
     r"tasks: unknown task 'mmmu_vall' \(did you mean mmmu_val.*\); valid tasks: .*fleurs_ar, "),
    (["suite=paper_audoi"],
     r"suite='paper_audoi': unknown suite; valid: paper_audio, paper_av, paper_speech, paper_text, paper_vision, "
     r"scale, smoke, smoke_all, smoke_speech"),
    (["model=qwen3"], r"model='qwen3': unknown model; valid: .*tiny_random"),
    (["tasks.mmmu_val_smoke.datset.split=test"],
     r"tasks.mmmu_val_smoke.datset: Key 'datset' not in 'TaskConfig'; valid keys there: name, dataset, "),
    (["tasks.mmmu_val_smoke.max_new_tokens=many"],
     r"tasks.mmmu_val_smoke.max_new_tokens: Value 'many' of type 'str' could not be converted to Integer"),
    (["tasks.videomme.media.max_frames=8"], r"tasks.videomme.\*: 'videomme' is not among this run's tasks \("),
    (["task=[videomme]"], r"'task=\[videomme\]': choose tasks with tasks=\[name,...\]"),
    (["~tasks.videomme_smoke"], r"'~tasks.videomme_smoke': choose tasks with tasks=\[name,...\]"),
    (["~suite", "+task@tasks.librispeech_test_clean=librispeech_test_clean"], r"choose tasks with tasks=\[name"),
    (["suite=smoke", "tasks=[videomme_smoke]"], "give suite=NAME or tasks=\\[name,...\\], not both"),
    (["tasks=[]"], r"tasks=\[\]: choose tasks=\[name,...\] or suite=NAME \(suites: paper_audio, "),
    (["tasks=[videomme_smoke,videomme_smoke]"], "tasks: videomme_smoke listed twice"),
    (["runner.batchsize=4"], r"Could not override 'runner.batchsize'.*valid keys there: .*batch_size"),
    (["tasks=[videomme_smoke]", "tasks.videomme_smoke.name=x"], "a task's name is fixed"),
    (["~tasks.videomme_smoke.media.fps"], r"only an existing entry of a dict \(options, scorer.options\) can be"),
])  # fmt: skip
def test_config_mistakes_are_one_line_naming_key_and_choices(compose_run, overrides, message):
    with pytest.raises(ConfigError, match=message) as error:
        compose_run(*overrides)
    assert "\n" not in str(error.value)


def test_the_cli_prints_a_config_mistake_without_a_traceback(capsys):
    assert cli(["run", "~suite", "+task@tasks.librispeech_test_clean=librispeech_test_clean"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("evalkit run: configuration error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_unknown_prompt_field_is_named(smoke_task):
    with pytest.raises(ConfigError, match=r"prompt uses unknown field\(s\) \['choices'\]; its loader provides"):
        check_task(smoke_task("videomme_smoke", prompt="{question}\n{choices}"))
