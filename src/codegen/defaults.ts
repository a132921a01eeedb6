/** Fixed facts of every generated app: its port, its Python, its base image, its body-size limit. */

/** The port the app listens on in containers (PORT overrides it). */
export const APP_PORT = 8080;
/**
 * Python minor version of generated apps: the image's and the tests' (this machine's and CI's python3,
 * Debian bookworm's python3 for the test base image; PyPI cannot supply an interpreter). One place.
 */
export const PYTHON_MINOR = '3.11';
/**
 * Default base image of the generated Dockerfile: the official Python image pinned by tag and digest
 * (the multi-platform index digest of python:3.11.16-slim-bookworm as recorded by docker-library's
 * repo-info, 2026-09-01). Bump tag and digest together, deliberately. The Dockerfile takes it as
 * `ARG BASE_IMAGE` so a build can substitute another image of the same Python (our tests' stand-in).
 */
export const BASE_IMAGE =
  'python:3.11.16-slim-bookworm@sha256:c425d915a89a6dcd3183b1797ad9bd8878caff5a417f6371c8df93c8ea8b727f';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
