# Everything a person runs. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
STACK := deploy/local/stack.sh
PY := .venv/bin/python
SRC := schemas/src libs/service-kit/src services/goal-service/src services/session-service/src \
       services/wallet-adapter/src services/notifier/src deploy/local/wallet-sandbox/src \
       deploy/local/dev-login/src

PYTEST_ARGS ?=
# Each service's OpenAPI document, committed beside it (`make api-docs`; `make lint` checks it).
API_DOCS := goal_service=services/goal-service/openapi.json \
            session_service=services/session-service/openapi.json \
            wallet_adapter=services/wallet-adapter/openapi.json \
            notifier=services/notifier/openapi.json

.PHONY: unit images run test chaos lint fmt install install-python stack services stop status reset schemas api-docs lock demo bench deploy-check k8s-topics

run: install ## install, start the stack and the services, load fixtures, demonstrate both flows
	$(STACK) start all
	source deploy/local/env.sh && cd tests && ../$(PY) -m journeys.demo

test: ## install, start what the tests need, lint, run all tests (or PYTEST_ARGS), stop what it started
	deploy/local/test.sh $(PYTEST_ARGS)

# The install compiled every installed module; the test modules (their asserts rewritten by
# pytest) are kept compiled beside them even where the environment sets PYTHONDONTWRITEBYTECODE,
# else every run rewrites them all again.
unit: install-python ## the tests that need no running stack (no Kafka, FerretDB, Sockudo, services)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -m "not integration and not journey and not render" -q -p no:cacheprovider $(PYTEST_ARGS)

images: install-python ## build every image, run each api and worker image against the native stack
	deploy/containers/images.sh all

chaos: ## install, start the stack, run the chaos suite (CHAOS_ARGS="--size small"), stop what it started
	deploy/local/test.sh --chaos $(CHAOS_ARGS)

lint: install-python
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy $(SRC)
	$(PY) -m livestream_schemas.jsonschema --check
	$(PY) -m livestream_schemas.asyncapi --check
	$(PY) -m service_kit.openapi --check $(API_DOCS)

fmt: install-python
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

install:
	$(STACK) install

install-python:
	@$(STACK) install-python

stack: ## start Kafka, FerretDB and Sockudo only
	$(STACK) start infra

services:
	$(STACK) start services

demo:
	source deploy/local/env.sh && cd tests && ../$(PY) -m journeys.demo

stop:
	$(STACK) stop all

status:
	$(STACK) status

reset: ## stop everything and delete the local stack's data
	$(STACK) reset

schemas: install-python ## regenerate the committed JSON Schema files and the AsyncAPI document
	$(PY) -m livestream_schemas.jsonschema
	$(PY) -m livestream_schemas.asyncapi

api-docs: install-python ## regenerate each service's committed OpenAPI document
	$(PY) -m service_kit.openapi $(API_DOCS)

lock: ## re-resolve uv.lock after editing a pyproject.toml; export the images' runtime lock from it
	$(STACK) uv lock
	$(STACK) uv export --frozen --no-emit-workspace --no-header --no-dev > requirements.runtime.lock

bench:
	source deploy/local/env.sh && cd tests && ../$(PY) -m journeys.bench

deploy-check: install-python ## render and validate every Kubernetes manifest
	deploy/k8s/check.sh

k8s-topics: install-python ## regenerate KafkaTopics and worker autoscalers from schemas/
	$(PY) deploy/k8s/generate.py
